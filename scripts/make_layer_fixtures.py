#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for nabla's layers (issue 4), from real PyTorch.

Run from the repository root:

    /usr/bin/python3 scripts/make_layer_fixtures.py

Writes test/fixtures/layers_*.json:
    layers_vision.json     Conv1d/Conv2d/ConvTranspose2d, pooling, BatchNorm, norms, Bilinear
    layers_sequence.json   Embedding(Bag), RNN/LSTM/GRU (+ cells), MultiheadAttention, Transformer
    layers_models.json     state dicts of a small CNN and an LSTM model, with their outputs

Every case holds the module's constructor options, its state dict (parameters and buffers)
with fixed values, the inputs, the outputs, a fixed upstream gradient for each output, and the
gradients of the inputs and of every parameter after backward of sum(output * gradOut).
Everything is seeded, so reruns produce identical files. Tensor encoding as in make_fixtures.py
(scripts/fixture_json.py): {"dtype", "shape", "data"}, data flat row-major, int64 written as
int32, non-finite floats as "nan" / "inf" / "-inf", floats exactly.
"""

import functools

import torch
import torch.nn as nn
import torch.nn.functional as F

import fixture_json
from fixture_json import randn, write_json

F32 = torch.float32

# This script's own copy of enc wrote every dtype other than float32/float64/bool as "int32"
# rather than refusing it; keep that.
enc = functools.partial(fixture_json.enc, other_as_int32=True)


def flat_tensors(value):
    """Tensors of a (nested) tuple/list output, in order."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in flat_tensors(v)]
    return []


def run_case(module, inputs, call=None, grad_inputs=None, extra=None):
    """Runs module on inputs, backward of Σ out·gradOut, and records everything.

    inputs: list of tensors; float ones get requires_grad unless listed in grad_inputs=False.
    call: optional function(module, *inputs) -> output (default module(*inputs)).
    """
    state_before = {k: enc(v) for k, v in module.state_dict().items()}
    ins = []
    for i, x in enumerate(inputs):
        if x is None:
            ins.append(None)
            continue
        x = x.clone()
        if x.is_floating_point() and (grad_inputs is None or grad_inputs[i]):
            x.requires_grad_(True)
        ins.append(x)
    out = call(module, *ins) if call else module(*ins)
    outs = flat_tensors(out)
    grad_outs = [torch.randn(o.shape, dtype=o.dtype) if o.is_floating_point() else None for o in outs]
    loss = sum((o * g).sum() for o, g in zip(outs, grad_outs) if g is not None and o.requires_grad)
    loss.backward()
    case = {
        "state_dict": state_before,
        "keys": list(state_before.keys()),
        "inputs": [enc(x) if x is not None else None for x in ins],
        "outputs": [enc(o) for o in outs],
        "grad_outputs": [enc(g) if g is not None else None for g in grad_outs],
        "input_grads": [enc(x.grad) if x is not None and x.grad is not None else None for x in ins],
        "param_grads": {k: enc(p.grad) for k, p in module.named_parameters() if p.grad is not None},
        "state_after": {k: enc(v) for k, v in module.state_dict().items()},
    }
    if extra:
        case.update(extra)
    return case


# ---------------------------------------------------------------------------
# Vision
# ---------------------------------------------------------------------------

def vision():
    torch.manual_seed(10)
    cases = {}
    m = nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2)
    cases["conv2d_s2_p1_g2"] = run_case(m, [randn(2, 4, 7, 7)], extra={"options": {"in": 4, "out": 6, "k": 3, "stride": 2, "padding": 1, "groups": 2}})
    m = nn.Conv2d(3, 4, (3, 2), stride=(1, 2), padding=(2, 1), dilation=(2, 1), bias=False)
    cases["conv2d_dilated_nobias"] = run_case(m, [randn(2, 3, 8, 7)])
    m = nn.Conv2d(2, 3, 4, padding="same")
    cases["conv2d_same_even"] = run_case(m, [randn(1, 2, 5, 6)])
    m = nn.Conv2d(2, 3, 3)
    cases["conv2d_unbatched"] = run_case(m, [randn(2, 5, 5)])
    m = nn.Conv1d(3, 4, 3, stride=2, padding=1)
    cases["conv1d_s2_p1"] = run_case(m, [randn(2, 3, 9)])
    m = nn.Conv1d(4, 4, 3, padding="same", dilation=2, groups=4)
    cases["conv1d_same_depthwise"] = run_case(m, [randn(2, 4, 8)])
    m = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2)
    cases["convtranspose2d_s2_op1_g2"] = run_case(m, [randn(2, 4, 4, 4)])
    m = nn.ConvTranspose2d(3, 2, (2, 3), stride=(2, 1), dilation=(1, 2))
    cases["convtranspose2d_dilated"] = run_case(m, [randn(1, 3, 3, 4)])

    m = nn.MaxPool2d(3, stride=2, padding=1, return_indices=True)
    cases["maxpool2d_k3_s2_p1"] = run_case(m, [randn(2, 3, 7, 7)])
    m = nn.MaxPool2d(2, ceil_mode=True, return_indices=True)
    cases["maxpool2d_ceil"] = run_case(m, [randn(1, 2, 5, 5)])
    m = nn.MaxPool2d(2, stride=1, dilation=2, return_indices=True)
    cases["maxpool2d_dilated"] = run_case(m, [randn(1, 2, 5, 6)])
    m = nn.MaxPool1d(3, stride=2, padding=1, return_indices=True)
    cases["maxpool1d"] = run_case(m, [randn(2, 3, 8)])
    m = nn.AvgPool2d(3, stride=2, padding=1)
    cases["avgpool2d_include_pad"] = run_case(m, [randn(2, 3, 7, 7)])
    m = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False, ceil_mode=True)
    cases["avgpool2d_exclude_pad_ceil"] = run_case(m, [randn(1, 2, 6, 6)])
    m = nn.AvgPool1d(2)
    cases["avgpool1d"] = run_case(m, [randn(2, 3, 7)])
    m = nn.AdaptiveAvgPool2d((3, 2))
    cases["adaptive_avg_uneven"] = run_case(m, [randn(2, 3, 7, 5)])
    m = nn.AdaptiveAvgPool2d(2)
    cases["adaptive_avg_even"] = run_case(m, [randn(2, 3, 4, 6)])
    m = nn.AdaptiveMaxPool2d(3, return_indices=True)
    cases["adaptive_max"] = run_case(m, [randn(1, 2, 7, 5)])

    # BatchNorm: two training steps (running stats move), then eval on a new input.
    for name, m, shape in [("batchnorm2d", nn.BatchNorm2d(3), (4, 3, 5, 5)),
                           ("batchnorm1d_2d", nn.BatchNorm1d(5, momentum=0.3), (6, 5)),
                           ("batchnorm1d_3d_cma", nn.BatchNorm1d(3, momentum=None), (4, 3, 6))]:
        with torch.no_grad():
            m.weight.copy_(torch.rand(m.num_features) + 0.5)
            m.bias.copy_(randn(m.num_features))
        m.train()
        with torch.no_grad():
            m(randn(*shape) * 2 + 1)
        train = run_case(m, [randn(*shape) * 3 - 1])
        m.eval()
        m.zero_grad(set_to_none=True)
        ev = run_case(m, [randn(*shape)])
        cases[name + "_train"] = train
        cases[name + "_eval"] = ev
    m = nn.BatchNorm2d(2, affine=False, track_running_stats=False)
    cases["batchnorm2d_no_stats"] = run_case(m, [randn(3, 2, 2, 2)])

    m = nn.LayerNorm([3, 4])
    with torch.no_grad():
        m.weight.copy_(randn(3, 4))
        m.bias.copy_(randn(3, 4))
    cases["layernorm"] = run_case(m, [randn(2, 3, 4)])
    m = nn.GroupNorm(2, 4)
    with torch.no_grad():
        m.weight.copy_(randn(4))
        m.bias.copy_(randn(4))
    cases["groupnorm"] = run_case(m, [randn(2, 4, 3, 3)])

    # RMSNorm appeared in PyTorch 2.4; its definition, x * rsqrt(mean(x²) + eps) * weight, in 1.13 ops.
    class RMSNorm(nn.Module):
        def __init__(self, shape, eps):
            super().__init__()
            self.weight = nn.Parameter(randn(*shape))
            self.eps = eps
            self.dims = tuple(range(-len(shape), 0))

        def forward(self, x):
            return x * torch.rsqrt(x.pow(2).mean(self.dims, keepdim=True) + self.eps) * self.weight

    cases["rmsnorm"] = run_case(RMSNorm((4,), 1e-6), [randn(2, 3, 4)], extra={"eps": 1e-6})
    cases["rmsnorm_default_eps"] = run_case(RMSNorm((3, 4), torch.finfo(F32).eps), [randn(2, 3, 4)])

    m = nn.Bilinear(3, 4, 2)
    cases["bilinear"] = run_case(m, [randn(5, 3), randn(5, 4)])
    return cases


# ---------------------------------------------------------------------------
# Sequences
# ---------------------------------------------------------------------------

def sequence():
    torch.manual_seed(20)
    cases = {}
    idx = torch.tensor([[1, 0, 4], [9, 0, 1]])
    m = nn.Embedding(10, 3, padding_idx=0)
    cases["embedding_padding"] = run_case(m, [idx])
    m = nn.Embedding(6, 2)
    cases["embedding_repeat"] = run_case(m, [torch.tensor([2, 2, 5, 0, 2])])
    flat = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9, 0, 0])
    offsets = torch.tensor([0, 2, 2, 6])
    for mode in ["sum", "mean", "max"]:
        m = nn.EmbeddingBag(10, 3, mode=mode)
        cases[f"embeddingbag_{mode}"] = run_case(m, [flat, offsets])
    m = nn.EmbeddingBag(10, 3, mode="mean", padding_idx=0)
    cases["embeddingbag_mean_padding"] = run_case(m, [flat, offsets])
    m = nn.EmbeddingBag(10, 3, mode="sum")
    cases["embeddingbag_2d_weights"] = run_case(m, [idx, None, torch.rand(2, 3)], call=lambda mod, x, _o, w: mod(x, per_sample_weights=w))

    def lstm_call(mod, x, h0, c0):
        return mod(x, (h0, c0))

    m = nn.LSTM(5, 4, num_layers=2, bidirectional=True, batch_first=True)
    cases["lstm_2l_bi_bf"] = run_case(m, [randn(3, 6, 5), randn(4, 3, 4), randn(4, 3, 4)], call=lstm_call)
    m = nn.GRU(5, 4, num_layers=2, bidirectional=True, batch_first=True)
    cases["gru_2l_bi_bf"] = run_case(m, [randn(3, 6, 5), randn(4, 3, 4)])
    m = nn.RNN(3, 4, num_layers=2, nonlinearity="tanh", bidirectional=True)
    cases["rnn_tanh_2l_bi"] = run_case(m, [randn(5, 2, 3)])
    m = nn.RNN(3, 4, nonlinearity="relu", bias=False)
    cases["rnn_relu_nobias"] = run_case(m, [randn(5, 2, 3), randn(1, 2, 4)])
    m = nn.LSTM(3, 2)
    cases["lstm_unbatched"] = run_case(m, [randn(4, 3)])
    m = nn.LSTMCell(3, 4)
    cases["lstmcell"] = run_case(m, [randn(2, 3), randn(2, 4), randn(2, 4)], call=lstm_call_cell)
    m = nn.GRUCell(3, 4)
    cases["grucell"] = run_case(m, [randn(2, 3), randn(2, 4)])
    m = nn.RNNCell(3, 4)
    cases["rnncell"] = run_case(m, [randn(2, 3), randn(2, 4)])

    m = nn.MultiheadAttention(8, 2, batch_first=True)
    with torch.no_grad():
        m.in_proj_bias.copy_(randn(24) * 0.1)
        m.out_proj.bias.copy_(randn(8) * 0.1)
    attn_mask = torch.tensor([[False, True, False, False], [False, False, False, True], [True, False, False, False]])
    kpm = torch.tensor([[False, False, False, True], [False, False, False, False]])
    cases["mha_masks_bf"] = run_case(
        m, [randn(2, 3, 8), randn(2, 4, 8), randn(2, 4, 8), attn_mask, kpm],
        call=lambda mod, q, k, v, am, kp: mod(q, k, v, attn_mask=am, key_padding_mask=kp))
    m = nn.MultiheadAttention(6, 3)
    cases["mha_self_per_head"] = run_case(
        m, [randn(4, 2, 6)],
        call=lambda mod, x: mod(x, x, x, average_attn_weights=False, attn_mask=torch.triu(torch.full((4, 4), -1e4), 1)))

    for name, norm_first, act in [("encoder_post_relu", False, "relu"), ("encoder_pre_gelu", True, "gelu")]:
        m = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation=act, batch_first=True, norm_first=norm_first)
        with torch.no_grad():
            for p in [m.norm1.weight, m.norm2.weight]:
                p.copy_(torch.rand(8) + 0.5)
            for p in [m.norm1.bias, m.norm2.bias, m.self_attn.in_proj_bias]:
                p.copy_(randn(p.numel()) * 0.1)
        kpm = torch.tensor([[False, False, False, False, True], [False, False, False, False, False]])
        cases[name] = run_case(m, [randn(2, 5, 8), kpm], call=lambda mod, x, kp: mod(x, src_key_padding_mask=kp))
    return cases


def lstm_call_cell(mod, x, h, c):
    return mod(x, (h, c))


# ---------------------------------------------------------------------------
# Whole models: state dicts that must load into the same models written with nabla
# ---------------------------------------------------------------------------

class SmallCNN(nn.Module):
    """A Fashion-MNIST-style CNN: conv-BN-ReLU-pool twice, then a classifier."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(4, 8, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(8)
        self.dropout = nn.Dropout(0.25)
        self.fc = nn.Linear(8 * 3 * 3, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.bn2(self.conv2(x))))
        return self.fc(self.dropout(torch.flatten(x, 1)))


class LSTMTagger(nn.Module):
    """Embedding → 2-layer bidirectional LSTM → Linear on every step."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 6, padding_idx=0)
        self.lstm = nn.LSTM(6, 5, num_layers=2, batch_first=True, bidirectional=True)
        self.head = nn.Linear(10, 3)

    def forward(self, tokens):
        out, _ = self.lstm(self.embed(tokens))
        return self.head(out)


def models():
    torch.manual_seed(30)
    cnn = SmallCNN()
    opt = torch.optim.SGD(cnn.parameters(), lr=0.1)
    cnn.train()
    for _ in range(2):  # a few steps so that weights and running statistics are not the defaults
        x = randn(4, 1, 12, 12)
        loss = F.cross_entropy(cnn(x), torch.tensor([1, 3, 5, 7]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    cnn.eval()
    x = randn(3, 1, 12, 12)
    with torch.no_grad():
        cnn_out = cnn(x)
    cnn_sd = cnn.state_dict()

    lstm = LSTMTagger()
    tokens = torch.tensor([[3, 7, 1, 0, 0], [12, 4, 19, 2, 8]])
    with torch.no_grad():
        lstm_out = lstm(tokens)
    lstm_sd = lstm.state_dict()
    return {
        "cnn": {"keys": list(cnn_sd.keys()), "state_dict": {k: enc(v) for k, v in cnn_sd.items()},
                "input": enc(x), "output": enc(cnn_out), "repr": str(cnn)},
        "lstm": {"keys": list(lstm_sd.keys()), "state_dict": {k: enc(v) for k, v in lstm_sd.items()},
                 "input": enc(tokens), "output": enc(lstm_out), "repr": str(lstm)},
    }


def main():
    write_json("layers_vision.json", {"torch_version": torch.__version__, "cases": vision()})
    write_json("layers_sequence.json", {"torch_version": torch.__version__, "cases": sequence()})
    write_json("layers_models.json", {"torch_version": torch.__version__, **models()})


if __name__ == "__main__":
    main()
