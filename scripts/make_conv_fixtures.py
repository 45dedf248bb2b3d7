#!/usr/bin/env -S /usr/bin/python3
"""Convolutions over odd batch sizes, from real PyTorch (issue 10: blocked convolution kernels).

Run from the repository root:

    /usr/bin/python3 scripts/make_conv_fixtures.py

Writes test/fixtures/conv_blocked.json: for each case the functional call's name and options,
the input x, weight w and bias b, the output y, a fixed upstream gradient gy and the gradients
of x, w and b after backward of sum(y * gy). The batches are odd (5, 7, 3) so that nabla's
tests, which set a tiny scratch budget, split them into uneven blocks. Tensor encoding as in
scripts/fixture_json.py. Everything is seeded, so reruns produce identical files.

Also writes test/fixtures/conv_blocked_float64.json: the same cases in float64 (inputs drawn in
float64, PyTorch computing in float64), plus a bigger 3×3 layer whose products are deep enough to
cut the GEMM's panels, for the float64 kernels (nabla's wasm backend runs them on its float64
GEMM; the JS backend on its reference loops).
"""

import torch
import torch.nn.functional as F

from fixture_json import enc, randn, write_json

torch.manual_seed(10)

# name: (function, x shape, w shape, has bias, options as nabla spells them)
CASES = {
    "conv2d_plain_b5": ("conv2d", (5, 3, 7, 6), (4, 3, 3, 3), True, {}),
    "conv2d_s2_p1_g2_b7": ("conv2d", (7, 4, 9, 8), (6, 2, 3, 3), True, {"stride": 2, "padding": 1, "groups": 2}),
    "conv2d_dilated_b5": ("conv2d", (5, 3, 10, 9), (4, 3, 3, 2), False, {"stride": [1, 2], "padding": [2, 1], "dilation": [2, 3]}),
    "conv2d_same_even_b3": ("conv2d", (3, 2, 6, 7), (3, 2, 4, 4), True, {"padding": "same"}),
    "conv2d_depthwise_b5": ("conv2d", (5, 4, 6, 6), (8, 1, 3, 3), True, {"padding": 1, "groups": 4}),
    "conv2d_1x1_b7": ("conv2d", (7, 5, 4, 3), (3, 5, 1, 1), True, {}),
    "conv1d_s2_p1_b5": ("conv1d", (5, 3, 11), (4, 3, 3), True, {"stride": 2, "padding": 1}),
    "conv1d_dilated_g2_b7": ("conv1d", (7, 4, 12), (6, 2, 3), False, {"dilation": 2, "groups": 2, "padding": 2}),
    "convtranspose2d_s2_op1_g2_b5": ("convTranspose2d", (5, 4, 4, 5), (4, 3, 3, 3), True, {"stride": 2, "padding": 1, "outputPadding": 1, "groups": 2}),
    "convtranspose2d_dilated_b7": ("convTranspose2d", (7, 3, 3, 4), (3, 2, 2, 3), False, {"stride": [2, 1], "dilation": [1, 2]}),
    "convtranspose1d_b5": ("convTranspose1d", (5, 3, 6), (3, 4, 3), True, {"stride": 3, "padding": 1}),
}

TORCH = {"conv2d": F.conv2d, "conv1d": F.conv1d, "convTranspose2d": F.conv_transpose2d, "convTranspose1d": F.conv_transpose1d}
KEYS = {"outputPadding": "output_padding"}


def torch_options(options):
    out = {}
    for k, v in options.items():
        out[KEYS.get(k, k)] = tuple(v) if isinstance(v, list) else v
    return out


def make_cases(cases_in, dtype):
    cases = {}
    for name, (fn, xs, ws, has_bias, options) in cases_in.items():
        x = torch.randn(xs, dtype=dtype).requires_grad_()
        w = (torch.randn(ws, dtype=dtype) * 0.5).requires_grad_()
        b = torch.randn(ws[1] * options.get("groups", 1) if fn.startswith("convTranspose") else ws[0], dtype=dtype).requires_grad_() if has_bias else None
        y = TORCH[fn](x, w, b, **torch_options(options))
        gy = torch.randn(y.shape, dtype=dtype)
        (y * gy).sum().backward()
        cases[name] = {
            "fn": fn,
            "options": options,
            "x": enc(x.detach()),
            "w": enc(w.detach()),
            "b": enc(b.detach()) if b is not None else None,
            "y": enc(y.detach()),
            "gy": enc(gy),
            "gx": enc(x.grad),
            "gw": enc(w.grad),
            "gb": enc(b.grad) if b is not None else None,
        }
    return cases


write_json("conv_blocked.json", {"cases": make_cases(CASES, torch.float32)})

torch.manual_seed(11)
CASES_64 = {**CASES, "conv2d_16to8_p1_b3": ("conv2d", (3, 16, 9, 10), (8, 16, 3, 3), True, {"padding": 1})}
write_json("conv_blocked_float64.json", {"cases": make_cases(CASES_64, torch.float64)})
