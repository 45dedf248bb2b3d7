#!/usr/bin/env -S /usr/bin/python3
"""Reference values for nabla's float32 GELU (exact-erf form) from real PyTorch 1.13.

Run from the repository root:

    /usr/bin/python3 scripts/make_gelu_fixtures.py

Writes test/fixtures/gelu_float32.json: x, F.gelu(x) and the gradient of sum(F.gelu(x) * dy)
with respect to x, in float32, on a sweep of 2,048 points over [-12, 12] plus 2,048 randn*3
points and the special values (±0, ±1e-7, ±100, subnormals). PyTorch's contiguous float32 GELU
runs oneDNN's gelu_erf kernel (Abramowitz-Stegun erf with oneDNN's exp); nabla emulates it
(packages/nabla/src/ops/pointwise/gelu-erf.ts), and test/gelu-pytorch.test.ts compares bit for
bit. Seeded: reruns are byte-identical on the same machine (the values depend on the CPU's ISA,
which picks oneDNN's kernel; this file was made on an x86-64 machine with AVX-512).
"""

import torch

from fixture_json import enc, write_json

torch.manual_seed(0)
torch.set_num_threads(1)

special = torch.tensor([0.0, -0.0, 1e-7, -1e-7, 1e-40, -1e-40, 100.0, -100.0, 30.0, -30.0, 5.5, -5.5], dtype=torch.float32)
sweep = torch.linspace(-12, 12, 2048, dtype=torch.float32)
random = torch.randn(2048, dtype=torch.float32) * 3
x = torch.cat([special, sweep, random])
dy = torch.randn(x.shape, dtype=torch.float32)

xg = x.clone().requires_grad_()
y = torch.nn.functional.gelu(xg)
y.backward(dy)

write_json(
    "gelu_float32.json",
    {
        "torch_version": torch.__version__,
        "mkldnn": torch.backends.mkldnn.is_available(),
        "x": enc(x),
        "dy": enc(dy),
        "y": enc(y.detach()),
        "grad": enc(xg.grad),
    },
)
