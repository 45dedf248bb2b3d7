#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for the nn functions and layers of issue 11, from real PyTorch.

Run from the repository root:

    /usr/bin/python3 scripts/make_nn_extra_fixtures.py

Writes test/fixtures/nn_extra.json:
    functions   F.one_hot, normalize, cosine_similarity, pairwise_distance, torch.cdist,
                interpolate (nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area),
                pixel_(un)shuffle, pad (reflect, replicate, circular, constant), unfold/fold,
                grid_sample, affine_grid
    layers      Conv3d, ConvTranspose1d, Upsample, PixelShuffle, Unfold/Fold, MultiheadAttention
                (kdim/vdim, add_bias_kv, add_zero_attn), TransformerDecoderLayer,
                TransformerDecoder, Transformer, the padding layers
    reprs       str(module) of the new modules
    masks       Transformer.generate_square_subsequent_mask

A function case holds the inputs, the outputs, a fixed upstream gradient for each float output
and the gradients of the inputs after backward of sum(output * gradOut); a layer case is
make_layer_fixtures.run_case's (state dict, inputs, outputs, input and parameter gradients).
Everything is seeded, so reruns produce identical files. Tensor encoding: scripts/fixture_json.py.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_json import T, enc, enc_opt, randn, write_json
from make_layer_fixtures import flat_tensors, run_case

F64 = torch.float64


def run_fn(fn, inputs, grad=None):
    """Runs fn(*inputs), backward of sum(out * gradOut) over the float outputs, and records it.

    grad: which inputs get requires_grad (default: every floating input).
    """
    ins = []
    for i, x in enumerate(inputs):
        x = x.clone()
        if x.is_floating_point() and (grad is None or grad[i]):
            x.requires_grad_(True)
        ins.append(x)
    outs = flat_tensors(fn(*ins))
    grad_outs = [torch.randn(o.shape, dtype=o.dtype) if o.is_floating_point() else None for o in outs]
    terms = [(o * g).sum() for o, g in zip(outs, grad_outs) if g is not None and o.requires_grad]
    if terms:
        sum(terms).backward()
    return {
        "inputs": [enc(x) for x in ins],
        "outputs": [enc(o) for o in outs],
        "grad_outputs": [enc_opt(g) for g in grad_outs],
        "input_grads": [enc_opt(x.grad) if x.requires_grad else None for x in ins],
    }


def with_zero_row(x, row=0):
    x = x.clone()
    x[row] = 0
    return x


# ---------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------

def vectors(cases):
    torch.manual_seed(40)
    cases["onehot_auto"] = run_fn(lambda i: F.one_hot(i), [torch.tensor([[0, 2], [1, 4]])])
    cases["onehot_n"] = run_fn(lambda i: F.one_hot(i, 5), [torch.tensor([3, 0, 1])])

    x = with_zero_row(randn(3, 4), 1)
    cases["normalize_default"] = run_fn(lambda a: F.normalize(a), [x])
    cases["normalize_p1_dim0"] = run_fn(lambda a: F.normalize(a, p=1, dim=0), [randn(3, 4)])
    cases["normalize_pinf"] = run_fn(lambda a: F.normalize(a, p=math.inf, dim=-1), [randn(2, 3, 4)])
    cases["normalize_p3_eps"] = run_fn(lambda a: F.normalize(a, p=3, dim=1, eps=0.5), [randn(2, 3) * 0.3])
    y = randn(2, 5)
    y[0, 2] = 0
    cases["normalize_p05"] = run_fn(lambda a: F.normalize(a, p=0.5, dim=1), [y])
    cases["normalize_f64"] = run_fn(lambda a: F.normalize(a, dim=0), [randn(4, 3).double()])

    cases["cosine_default"] = run_fn(lambda a, b: F.cosine_similarity(a, b), [randn(4, 5), randn(4, 5)])
    cases["cosine_broadcast"] = run_fn(lambda a, b: F.cosine_similarity(a, b, dim=-1), [randn(3, 1, 4), randn(5, 4)])
    cases["cosine_eps"] = run_fn(lambda a, b: F.cosine_similarity(a, b, dim=0, eps=0.5), [randn(3, 4) * 0.2, randn(3, 4)])
    cases["cosine_zero_row"] = run_fn(lambda a, b: F.cosine_similarity(a, b), [with_zero_row(randn(2, 3)), randn(2, 3)])
    cases["cosine_f64"] = run_fn(lambda a, b: F.cosine_similarity(a, b, dim=1), [randn(3, 4, 2).double(), randn(3, 4, 2).double()])

    cases["pairwise_default"] = run_fn(lambda a, b: F.pairwise_distance(a, b), [randn(4, 5), randn(4, 5)])
    cases["pairwise_p1_keepdim"] = run_fn(lambda a, b: F.pairwise_distance(a, b, p=1, keepdim=True), [randn(4, 5), randn(4, 5)])
    cases["pairwise_pinf"] = run_fn(lambda a, b: F.pairwise_distance(a, b, p=math.inf), [randn(3, 4), randn(3, 4)])
    cases["pairwise_broadcast_p3"] = run_fn(lambda a, b: F.pairwise_distance(a, b, p=3, eps=1e-3), [randn(5), randn(3, 5)])

    cases["cdist_p2"] = run_fn(lambda a, b: torch.cdist(a, b), [randn(2, 4, 3), randn(2, 5, 3)])
    cases["cdist_mm"] = run_fn(lambda a, b: torch.cdist(a, b), [randn(30, 3), randn(20, 3)])
    cases["cdist_mm_forced"] = run_fn(lambda a, b: torch.cdist(a, b, compute_mode="use_mm_for_euclid_dist"), [randn(4, 3), randn(5, 3)])
    cases["cdist_p1"] = run_fn(lambda a, b: torch.cdist(a, b, p=1), [randn(4, 3), randn(5, 3)])
    cases["cdist_p15"] = run_fn(lambda a, b: torch.cdist(a, b, p=1.5), [randn(4, 3), randn(5, 3)])
    cases["cdist_pinf"] = run_fn(lambda a, b: torch.cdist(a, b, p=math.inf), [randn(4, 3), randn(5, 3)])
    cases["cdist_p0"] = run_fn(lambda a, b: torch.cdist(a, b, p=0), [T([[0.0, 1.0, 2.0], [1.0, 1.0, 0.0]]), T([[0.0, 1.0, 3.0]])])
    cases["cdist_broadcast"] = run_fn(lambda a, b: torch.cdist(a, b), [randn(3, 1, 4, 2), randn(2, 5, 2)])
    same = randn(3, 2)
    cases["cdist_zero_distance"] = run_fn(lambda a, b: torch.cdist(a, b), [same, torch.cat([same[1:2], randn(2, 2)])])
    cases["cdist_f64"] = run_fn(lambda a, b: torch.cdist(a, b, p=3), [randn(2, 4, 3).double(), randn(2, 2, 3).double()])


def resampling(cases):
    torch.manual_seed(41)
    interp = {
        "nearest_1d_x2": (randn(1, 2, 5), dict(scale_factor=2)),
        "nearest_1d_size7": (randn(1, 2, 5), dict(size=7)),
        "nearest_2d_size": (randn(2, 3, 4, 5), dict(size=(7, 3))),
        "nearest_2d_scale": (randn(1, 2, 4, 5), dict(scale_factor=1.5)),
        "nearest_3d": (randn(1, 2, 3, 4, 2), dict(scale_factor=(2, 1.5, 1))),
        "nearest_exact_2d": (randn(1, 2, 4, 5), dict(size=(7, 3), mode="nearest-exact")),
        "linear_1d": (randn(2, 2, 5), dict(size=7, mode="linear")),
        "linear_1d_align": (randn(2, 2, 5), dict(size=8, mode="linear", align_corners=True)),
        "bilinear_up": (randn(2, 3, 4, 5), dict(size=(7, 9), mode="bilinear")),
        "bilinear_down": (randn(1, 2, 6, 5), dict(size=(3, 2), mode="bilinear")),
        "bilinear_align": (randn(1, 2, 4, 5), dict(size=(7, 9), mode="bilinear", align_corners=True)),
        "bilinear_scale": (randn(1, 2, 4, 5), dict(scale_factor=1.7, mode="bilinear")),
        "bilinear_scale_recompute": (randn(1, 2, 4, 5), dict(scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)),
        "bilinear_same_size": (randn(1, 1, 5, 5), dict(scale_factor=1.1, mode="bilinear")),
        "bicubic_up": (randn(1, 2, 4, 5), dict(size=(7, 9), mode="bicubic")),
        "bicubic_align": (randn(1, 2, 4, 5), dict(size=(7, 9), mode="bicubic", align_corners=True)),
        "bicubic_down": (randn(1, 2, 6, 5), dict(size=(3, 2), mode="bicubic")),
        "bicubic_scale": (randn(2, 1, 3, 4), dict(scale_factor=2, mode="bicubic")),
        "trilinear": (randn(1, 2, 3, 4, 3), dict(size=(5, 6, 2), mode="trilinear")),
        "area_1d": (randn(2, 3, 7), dict(size=3, mode="area")),
        "area_2d": (randn(2, 3, 7, 5), dict(size=(3, 2), mode="area")),
        "area_3d": (randn(1, 2, 4, 5, 6), dict(size=(2, 3, 4), mode="area")),
    }
    for name, (x, kw) in interp.items():
        cases["interpolate_" + name] = run_fn(lambda a, kw=kw: F.interpolate(a, **kw), [x])
    cases["interpolate_bicubic_f64"] = run_fn(lambda a: F.interpolate(a, size=(5, 7), mode="bicubic"), [randn(1, 1, 3, 4).double()])
    cases["interpolate_bilinear_f64"] = run_fn(lambda a: F.interpolate(a, size=(5, 7), mode="bilinear", align_corners=True), [randn(1, 1, 3, 4).double()])

    cases["pixel_shuffle"] = run_fn(lambda a: F.pixel_shuffle(a, 2), [randn(2, 8, 3, 4)])
    cases["pixel_shuffle_5d"] = run_fn(lambda a: F.pixel_shuffle(a, 3), [randn(2, 1, 9, 2, 3)])
    cases["pixel_unshuffle"] = run_fn(lambda a: F.pixel_unshuffle(a, 2), [randn(2, 2, 6, 4)])


def padding(cases):
    torch.manual_seed(42)
    pads = {
        "reflect_1d": (randn(2, 3, 5), [2, 3], "reflect"),
        "reflect_1d_unbatched": (randn(3, 5), [4, 1], "reflect"),
        "reflect_2d": (randn(2, 3, 4, 5), [1, 2, 3, 1], "reflect"),
        "reflect_3d": (randn(1, 2, 3, 4, 5), [1, 1, 2, 0, 1, 2], "reflect"),
        "reflect_crop": (randn(1, 2, 6), [-1, 2], "reflect"),
        "replicate_1d": (randn(2, 3, 4), [5, 1], "replicate"),
        "replicate_2d": (randn(2, 2, 3, 4), [2, 0, 1, 4], "replicate"),
        "replicate_3d": (randn(2, 2, 2, 3, 2), [1, 2, 0, 1, 3, 1], "replicate"),
        "replicate_crop": (randn(1, 2, 5), [3, -2], "replicate"),
        "circular_1d": (randn(2, 3, 5), [2, 5], "circular"),
        "circular_2d": (randn(1, 2, 4, 5), [4, 1, 1, 3], "circular"),
        "circular_3d": (randn(1, 1, 3, 2, 4), [1, 2, 2, 0, 1, 1], "circular"),
        "circular_crop": (randn(1, 2, 6), [-1, 3], "circular"),
    }
    for name, (x, p, mode) in pads.items():
        cases["pad_" + name] = run_fn(lambda a, p=p, mode=mode: F.pad(a, p, mode=mode), [x])
    cases["pad_constant_crop"] = run_fn(lambda a: F.pad(a, [-1, 2, 1, -2], value=0.5), [randn(2, 3, 4)])
    cases["pad_reflect_f64"] = run_fn(lambda a: F.pad(a, [2, 1, 1, 1], mode="reflect"), [randn(1, 1, 3, 4).double()])


def blocks(cases):
    torch.manual_seed(43)
    cases["unfold_basic"] = run_fn(lambda a: F.unfold(a, (2, 3)), [randn(2, 3, 5, 6)])
    cases["unfold_full"] = run_fn(lambda a: F.unfold(a, 3, dilation=2, padding=1, stride=2), [randn(1, 2, 7, 8)])
    cases["unfold_unbatched"] = run_fn(lambda a: F.unfold(a, 2, stride=(1, 2)), [randn(2, 5, 5)])
    cases["fold_basic"] = run_fn(lambda a: F.fold(a, (5, 6), (2, 3)), [randn(2, 18, 16)])
    cases["fold_full"] = run_fn(lambda a: F.fold(a, (7, 8), 3, dilation=2, padding=1, stride=2), [randn(1, 18, 9)])
    cases["fold_unbatched"] = run_fn(lambda a: F.fold(a, 4, 2, stride=2), [randn(12, 4)])


def sampling(cases):
    torch.manual_seed(44)
    x = randn(2, 3, 5, 6)
    grid = torch.rand(2, 4, 3, 2) * 2.6 - 1.3
    far = torch.rand(1, 3, 4, 2) * 8 - 4  # several reflections
    for mode in ["bilinear", "nearest"]:
        for padding_mode in ["zeros", "border", "reflection"]:
            for align in [False, True]:
                name = f"grid_sample_{mode}_{padding_mode}_{'align' if align else 'noalign'}"
                cases[name] = run_fn(lambda a, g, m=mode, p=padding_mode, al=align: F.grid_sample(a, g, mode=m, padding_mode=p, align_corners=al), [x, grid])
    for align in [False, True]:
        cases[f"grid_sample_reflection_far_{align}"] = run_fn(
            lambda a, g, al=align: F.grid_sample(a, g, padding_mode="reflection", align_corners=al), [randn(1, 2, 4, 5), far])
    cases["grid_sample_5d_zeros"] = run_fn(lambda a, g: F.grid_sample(a, g, align_corners=False), [randn(1, 2, 3, 4, 5), torch.rand(1, 2, 3, 2, 3) * 2.4 - 1.2])
    cases["grid_sample_5d_border"] = run_fn(lambda a, g: F.grid_sample(a, g, padding_mode="border", align_corners=True), [randn(1, 2, 3, 4, 5), torch.rand(1, 2, 3, 2, 3) * 2.4 - 1.2])
    cases["grid_sample_f64"] = run_fn(lambda a, g: F.grid_sample(a, g, padding_mode="reflection", align_corners=False), [randn(1, 2, 3, 4).double(), (torch.rand(1, 2, 3, 2) * 3 - 1.5).double()])

    theta = randn(2, 2, 3)
    cases["affine_grid_noalign"] = run_fn(lambda t: F.affine_grid(t, [2, 3, 4, 5], align_corners=False), [theta])
    cases["affine_grid_align"] = run_fn(lambda t: F.affine_grid(t, [2, 3, 4, 5], align_corners=True), [theta])
    cases["affine_grid_5d"] = run_fn(lambda t: F.affine_grid(t, [2, 1, 3, 4, 5], align_corners=False), [randn(2, 3, 4)])
    cases["affine_grid_then_sample"] = run_fn(
        lambda a, t: F.grid_sample(a, F.affine_grid(t, [1, 2, 6, 5], align_corners=False), align_corners=False),
        [randn(1, 2, 4, 5), T([[[0.8, -0.3, 0.1], [0.2, 0.9, -0.2]]])])


# ---------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------

def randomize(*params, scale=0.1):
    with torch.no_grad():
        for p in params:
            p.copy_(randn(*p.shape) * scale)


def layers(cases):
    torch.manual_seed(45)
    cases["conv3d_s2_p1"] = run_case(nn.Conv3d(2, 4, 3, stride=2, padding=1), [randn(2, 2, 5, 6, 7)])
    cases["conv3d_groups_dilated"] = run_case(
        nn.Conv3d(4, 6, (2, 3, 2), stride=(1, 2, 1), padding=(1, 0, 1), dilation=(2, 1, 1), groups=2, bias=False), [randn(1, 4, 6, 5, 6)])
    cases["conv3d_same"] = run_case(nn.Conv3d(2, 3, (3, 2, 3), padding="same"), [randn(1, 2, 4, 5, 4)])
    cases["conv3d_unbatched"] = run_case(nn.Conv3d(2, 2, 2), [randn(2, 3, 4, 4)])
    cases["convtranspose1d_s2_op1_g2"] = run_case(nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2), [randn(2, 4, 5)])
    cases["convtranspose1d_dilated_unbatched"] = run_case(nn.ConvTranspose1d(3, 2, 2, stride=3, dilation=2, bias=False), [randn(3, 7)])
    cases["upsample_bilinear_align"] = run_case(nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True), [randn(1, 2, 3, 4)])
    cases["upsample_nearest_size"] = run_case(nn.Upsample(size=(5, 3)), [randn(1, 2, 3, 4)])
    cases["pixel_shuffle_module"] = run_case(nn.PixelShuffle(2), [randn(1, 4, 2, 3)])
    cases["unfold_module"] = run_case(nn.Unfold(2, padding=1), [randn(1, 2, 3, 3)])
    cases["fold_module"] = run_case(nn.Fold((3, 4), 2), [randn(1, 8, 6)])

    torch.manual_seed(46)
    m = nn.MultiheadAttention(8, 2, kdim=5, vdim=3, batch_first=True)
    randomize(m.in_proj_bias, m.out_proj.bias)
    attn_mask = torch.tensor([[False, True, False, False], [False, False, False, True], [True, False, False, False]])
    kpm = torch.tensor([[False, False, False, True], [False, False, False, False]])
    cases["mha_kdim_vdim"] = run_case(
        m, [randn(2, 3, 8), randn(2, 4, 5), randn(2, 4, 3), attn_mask, kpm],
        call=lambda mod, q, k, v, am, kp: mod(q, k, v, attn_mask=am, key_padding_mask=kp))
    m = nn.MultiheadAttention(6, 3, add_bias_kv=True, add_zero_attn=True)
    randomize(m.in_proj_bias, m.out_proj.bias)
    causal = torch.triu(torch.full((4, 4), -1e4), 1)
    kpm = torch.tensor([[False, False, True, False], [False, False, False, False]])
    cases["mha_bias_kv_zero_attn"] = run_case(
        m, [randn(4, 2, 6), causal, kpm], grad_inputs=[True, False, False],
        call=lambda mod, x, am, kp: mod(x, x, x, attn_mask=am, key_padding_mask=kp, average_attn_weights=False))
    m = nn.MultiheadAttention(6, 2, bias=False, add_bias_kv=True, kdim=4, vdim=4)
    cases["mha_kdim_bias_kv_unbatched"] = run_case(m, [randn(3, 6), randn(5, 4), randn(5, 4)])
    m = nn.MultiheadAttention(4, 2, add_zero_attn=True)
    randomize(m.in_proj_bias)
    cases["mha_zero_attn_masks"] = run_case(
        m, [randn(3, 1, 4), randn(2, 1, 4), torch.tensor([[False, True], [False, False], [True, False]]), torch.tensor([[False, True]])],
        call=lambda mod, q, kv, am, kp: mod(q, kv, kv, attn_mask=am, key_padding_mask=kp))

    torch.manual_seed(47)

    def decoder_call(mod, tgt, mem, tgt_mask, memory_mask, tgt_kpm, memory_kpm):
        return mod(tgt, mem, tgt_mask=tgt_mask, memory_mask=memory_mask, tgt_key_padding_mask=tgt_kpm, memory_key_padding_mask=memory_kpm)

    def randomize_norms(module):
        with torch.no_grad():
            for name, p in module.named_parameters():
                if "norm" in name and name.endswith("weight"):
                    p.copy_(torch.rand(p.shape) + 0.5)
                elif name.endswith("bias"):
                    p.copy_(randn(*p.shape) * 0.1)

    m = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
    randomize_norms(m)
    cases["decoder_post_relu"] = run_case(
        m, [randn(2, 4, 8), randn(2, 5, 8), nn.Transformer.generate_square_subsequent_mask(4), None, None,
            torch.tensor([[False, False, False, True, True], [False] * 5])],
        grad_inputs=[True, True, False, False, False, False], call=decoder_call)
    m = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation="gelu", norm_first=True)
    randomize_norms(m)
    memory_mask = torch.tensor([[False, True, False, False, False]] * 4)
    cases["decoder_pre_gelu"] = run_case(
        m, [randn(4, 2, 8), randn(5, 2, 8), None, memory_mask, torch.tensor([[False, False, True, False], [False] * 4]), None],
        call=decoder_call)
    layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=12, dropout=0.0)
    m = nn.TransformerDecoder(layer, 2, norm=nn.LayerNorm(8))
    randomize_norms(m)
    cases["decoder_stack"] = run_case(
        m, [randn(3, 2, 8), randn(4, 2, 8), nn.Transformer.generate_square_subsequent_mask(3), None, None, None],
        grad_inputs=[True, True, False, False, False, False], call=decoder_call)

    def transformer_call(mod, src, tgt, tgt_mask, src_kpm):
        return mod(src, tgt, tgt_mask=tgt_mask, src_key_padding_mask=src_kpm, memory_key_padding_mask=src_kpm)

    m = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=12, dropout=0.0, batch_first=True)
    randomize_norms(m)
    src_kpm = torch.tensor([[False, False, False, False, True], [False] * 5])
    cases["transformer_batch_first"] = run_case(
        m, [randn(2, 5, 8), randn(2, 4, 8), nn.Transformer.generate_square_subsequent_mask(4), src_kpm],
        grad_inputs=[True, True, False, False], call=transformer_call)
    m = nn.Transformer(8, 2, 1, 1, 12, 0.0, "gelu", norm_first=True)
    randomize_norms(m)
    cases["transformer_norm_first"] = run_case(
        m, [randn(5, 2, 8), randn(3, 2, 8)], call=lambda mod, src, tgt: mod(src, tgt, tgt_mask=nn.Transformer.generate_square_subsequent_mask(3)))

    torch.manual_seed(48)
    cases["reflection_pad2d"] = run_case(nn.ReflectionPad2d((1, 2, 2, 0)), [randn(1, 2, 3, 4)])
    cases["replication_pad1d"] = run_case(nn.ReplicationPad1d(3), [randn(2, 3)])
    cases["constant_pad3d"] = run_case(nn.ConstantPad3d((1, 0, 0, 2, 1, 1), -0.5), [randn(1, 1, 2, 2, 3)])
    cases["zero_pad2d"] = run_case(nn.ZeroPad2d(1), [randn(1, 1, 2, 3)])


def reprs():
    return {name: str(m) for name, m in {
        "conv3d": nn.Conv3d(2, 3, 3, stride=2),
        "convtranspose1d": nn.ConvTranspose1d(2, 3, 3, stride=2, output_padding=1),
        "upsample_scale": nn.Upsample(scale_factor=2),
        "upsample_size": nn.Upsample(size=(3, 4), mode="bilinear"),
        "upsample_scales": nn.Upsample(scale_factor=(2, 3)),
        "pixel_shuffle": nn.PixelShuffle(2),
        "pixel_unshuffle": nn.PixelUnshuffle(3),
        "unfold": nn.Unfold(2),
        "fold": nn.Fold((4, 5), 2, padding=(1, 0)),
        "reflection_pad2d": nn.ReflectionPad2d(2),
        "replication_pad1d": nn.ReplicationPad1d((1, 2)),
        "constant_pad2d": nn.ConstantPad2d(1, 3.5),
        "zero_pad2d": nn.ZeroPad2d((1, 0, 2, 1)),
    }.items()}


def main():
    functions = {}
    vectors(functions)
    resampling(functions)
    padding(functions)
    blocks(functions)
    sampling(functions)
    layer_cases = {}
    layers(layer_cases)
    write_json("nn_extra.json", {
        "torch_version": torch.__version__,
        "functions": functions,
        "layers": layer_cases,
        "reprs": reprs(),
        "masks": {"square_subsequent_3": enc(nn.Transformer.generate_square_subsequent_mask(3))},
    })


if __name__ == "__main__":
    main()
