#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for batch normalisation's fused CPU kernels (issue 10), from real PyTorch.

Run from the repository root:

    /usr/bin/python3 scripts/make_batchnorm_fixtures.py

Writes test/fixtures/batchnorm.json: BatchNorm1d/2d cases in the layer-case format of
make_layer_fixtures.py (run_case: state dict, inputs, outputs, gradients of the input and the
parameters, buffers after), each module run as a training step ("_train") and then in eval mode
("_eval"), over shapes the kernels' vector loops have ragged ends on (odd channel counts, N·H·W
and H·W not multiples of 4), float64, momentum None (the cumulative average), no running
statistics, no affine parameters; then more cases for the running statistics (after the double
backward cases, so that adding them left the earlier ones' values as they were). Seeded: reruns are
byte-identical.
"""

import torch
import torch.nn as nn

from fixture_json import enc, randn, write_json
from make_layer_fixtures import run_case

F64 = torch.float64


def cases():
    torch.manual_seed(110)
    out = {}
    specs = [
        ("bn2d_odd", lambda: nn.BatchNorm2d(5), (3, 5, 7, 3), torch.float32),
        ("bn2d_f64", lambda: nn.BatchNorm2d(3), (2, 3, 5, 5), F64),
        ("bn1d_2d_odd", lambda: nn.BatchNorm1d(7, momentum=0.2), (9, 7), torch.float32),
        ("bn1d_2d_f64", lambda: nn.BatchNorm1d(4), (5, 4), F64),
        ("bn1d_3d", lambda: nn.BatchNorm1d(3, eps=1e-3), (4, 3, 9), torch.float32),
        ("bn2d_cma", lambda: nn.BatchNorm2d(3, momentum=None), (4, 3, 6, 6), torch.float32),
        ("bn2d_no_stats", lambda: nn.BatchNorm2d(5, track_running_stats=False), (3, 5, 4, 3), torch.float32),
        ("bn2d_no_affine", lambda: nn.BatchNorm2d(6, affine=False), (2, 6, 3, 5), torch.float32),
        ("bn2d_no_affine_f64", lambda: nn.BatchNorm2d(3, affine=False), (3, 3, 3, 3), F64),
    ]
    add_specs(out, specs)
    for mode in ["train", "eval"]:
        out["double_backward_" + mode] = double_backward(mode == "train")
    # the running statistics the forward kernel moves: over [N, C] (two blocks of rows, a ragged
    # vector of channels) and [N, C, L], momentum None (after one batch: 1/2) and a momentum, float64
    add_specs(out, [
        ("bn1d_2d_cma_f64", lambda: nn.BatchNorm1d(9, momentum=None), (6, 9), F64),
        ("bn1d_2d_blocks", lambda: nn.BatchNorm1d(37, momentum=0.3), (70, 37), torch.float32),
        ("bn1d_3d_cma", lambda: nn.BatchNorm1d(5, momentum=None), (4, 5, 7), torch.float32),
    ])
    return out


def add_specs(out, specs):
    """Each spec (name, module maker, input shape, dtype) as a training step after one batch moved
    its running statistics (name_train), then in eval mode (name_eval)."""
    for name, make, shape, dtype in specs:
        m = make().to(dtype)
        with torch.no_grad():
            if m.affine:
                m.weight.copy_(torch.rand(m.num_features, dtype=dtype) + 0.5)
                m.bias.copy_(randn(m.num_features).to(dtype))
        m.train()
        if m.track_running_stats:
            with torch.no_grad():  # running statistics away from their initial 0 and 1
                m(randn(*shape).to(dtype) * 2 + 1)
        out[name + "_train"] = run_case(m, [(randn(*shape) * 3 - 1).to(dtype)])
        m.eval()
        m.zero_grad(set_to_none=True)
        out[name + "_eval"] = run_case(m, [randn(*shape).to(dtype)])


def double_backward(training):
    """Second derivatives through batch_norm's backward (create_graph): with
    (gx, gw, gb) = ∂Σ(y·gy)/∂(x, w, b), the gradients of Σ(gx·vx) + Σ(gw·vw) + Σ(gb·vb) in x, w, b and gy."""
    x = (randn(3, 5, 3, 3) * 2 + 0.5).double().requires_grad_()
    w = (torch.rand(5) + 0.5).double().requires_grad_()
    b = randn(5).double().requires_grad_()
    gy = randn(3, 5, 3, 3).double().requires_grad_()
    rm, rv = randn(5).double(), (torch.rand(5) + 0.5).double()
    y = torch.nn.functional.batch_norm(x, rm.clone(), rv.clone(), w, b, training=training, momentum=0.1, eps=1e-5)
    gx, gw, gb = torch.autograd.grad((y * gy).sum(), [x, w, b], create_graph=True)
    vx, vw, vb = randn(3, 5, 3, 3).double(), randn(5).double(), randn(5).double()
    loss = (gx * vx).sum() + (gw * vw).sum() + (gb * vb).sum()
    ggx, ggw, ggy = torch.autograd.grad(loss, [x, w, gy], allow_unused=True)
    return {"training": training, "x": enc(x), "weight": enc(w), "bias": enc(b), "gy": enc(gy),
            "running_mean": enc(rm), "running_var": enc(rv), "y": enc(y), "gx": enc(gx), "gw": enc(gw), "gb": enc(gb),
            "vx": enc(vx), "vw": enc(vw), "vb": enc(vb),
            "ggx": enc(ggx), "ggw": enc(ggw), "ggy": enc(ggy)}


def main():
    write_json("batchnorm.json", {"torch_version": torch.__version__, "cases": cases()})


if __name__ == "__main__":
    main()
