#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for torch's pointwise mathematics as nabla exposes it (issue 11's list).

Run from the repository root:

    /usr/bin/python3 scripts/make_math_fixtures.py

Writes test/fixtures/math.json: {"torch_version", "cases": [...]}. Each case:

    name      what it checks
    fn        nabla's function (sin, atan2, lerp, round, ...), also a Tensor method
    inputs    the tensor inputs (float inputs take part in the gradient)
    args      the other arguments by nabla's names (round's decimals, a scalar operand's place)
    out       PyTorch's output
    grad_out  the upstream gradient (null where the output has none: integer outputs)
    grads     each tensor input's gradient after backward of sum(out * grad_out), or null

Each op runs in float32 and float64 on values inside its domain (and, for the rounding and
remainder ops, int32 inputs, whose dtype they keep), plus the special values ±0, ±inf, NaN and
values past the float32 overflow edges, forward only. Everything is seeded; encoding as in
scripts/fixture_json.py.
"""

import torch

from fixture_json import enc, write_json

torch.manual_seed(0)
torch.set_num_threads(1)

F32 = torch.float32
F64 = torch.float64
CASES = []

SPECIAL = [0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1e-30, -1e-30, 88.8, -88.8, 710.0, -710.0, 0.5, -0.5, 2.5, -2.5]

# name -> (domain sampler, has a derivative)
UNARY = {
    "sin": (lambda n, d: torch.randn(n, dtype=d) * 4, True),
    "cos": (lambda n, d: torch.randn(n, dtype=d) * 4, True),
    "tan": (lambda n, d: torch.rand(n, dtype=d) * 2.8 - 1.4, True),
    "asin": (lambda n, d: torch.rand(n, dtype=d) * 1.9 - 0.95, True),
    "acos": (lambda n, d: torch.rand(n, dtype=d) * 1.9 - 0.95, True),
    "atan": (lambda n, d: torch.randn(n, dtype=d) * 4, True),
    "sinh": (lambda n, d: torch.randn(n, dtype=d) * 3, True),
    "cosh": (lambda n, d: torch.randn(n, dtype=d) * 3, True),
    "asinh": (lambda n, d: torch.randn(n, dtype=d) * 4, True),
    "acosh": (lambda n, d: 1.05 + torch.rand(n, dtype=d) * 6, True),
    "atanh": (lambda n, d: torch.rand(n, dtype=d) * 1.9 - 0.95, True),
    "erf": (lambda n, d: torch.randn(n, dtype=d) * 2, True),
    "erfc": (lambda n, d: torch.randn(n, dtype=d) * 2, True),
    "erfinv": (lambda n, d: torch.rand(n, dtype=d) * 1.9 - 0.95, True),
    "expm1": (lambda n, d: torch.randn(n, dtype=d) * 3, True),
    "log1p": (lambda n, d: torch.rand(n, dtype=d) * 10 - 0.9, True),
    "log2": (lambda n, d: torch.rand(n, dtype=d) * 10 + 0.01, True),
    "log10": (lambda n, d: torch.rand(n, dtype=d) * 10 + 0.01, True),
    "rsqrt": (lambda n, d: torch.rand(n, dtype=d) * 10 + 0.01, True),
    "reciprocal": (lambda n, d: (torch.rand(n, dtype=d) * 5 + 0.1) * torch.sign(torch.randn(n, dtype=d)), True),
    "square": (lambda n, d: torch.randn(n, dtype=d) * 3, True),
    "floor": (lambda n, d: torch.randn(n, dtype=d) * 5, True),
    "ceil": (lambda n, d: torch.randn(n, dtype=d) * 5, True),
    "trunc": (lambda n, d: torch.randn(n, dtype=d) * 5, True),
    "round": (lambda n, d: torch.cat([torch.randn(n - 8, dtype=d) * 5, torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, -3.5], dtype=d)]), True),
    "frac": (lambda n, d: torch.randn(n, dtype=d) * 5, True),
}
# ops that keep an int32 input's dtype (the rounding ones pass it through; square multiplies)
KEEP_INT = ["floor", "ceil", "trunc", "round", "square"]


def record(name, fn, inputs, args, call, grad=True):
    """Runs call(*inputs); records the output, and the gradients of sum(out * grad_out) for float inputs."""
    leaves = [t.clone().requires_grad_(grad and t.is_floating_point()) for t in inputs]
    out = call(*leaves)
    grad_out = None
    grads = [None] * len(inputs)
    if grad and out.is_floating_point() and any(l.requires_grad for l in leaves):
        grad_out = torch.randn(out.shape, dtype=out.dtype)
        (out * grad_out).sum().backward()
        grads = [enc(l.grad) if l.requires_grad and l.grad is not None else None for l in leaves]
    CASES.append({
        "name": name,
        "fn": fn,
        "inputs": [enc(t) for t in inputs],
        "args": args,
        "out": enc(out.detach()),
        "grad_out": None if grad_out is None else enc(grad_out),
        "grads": grads,
    })


for dtype in (F32, F64):
    dn = "float32" if dtype == F32 else "float64"
    for name, (sample, differentiable) in UNARY.items():
        x = sample(24, dtype).reshape(4, 6)
        record(f"{name} {dn}", name, [x], {}, getattr(torch, name), grad=differentiable)
        record(f"{name} {dn} special values", name, [torch.tensor(SPECIAL, dtype=dtype)], {}, getattr(torch, name), grad=False)
    # round with decimals: PyTorch's nearbyint(x·10ᵈ)/10ᵈ, or nearbyint(x/10⁻ᵈ)·10⁻ᵈ for d < 0
    for decimals in (2, -1):
        x = torch.randn(3, 5, dtype=dtype) * 300
        record(f"round decimals {decimals} {dn}", "round", [x], {"decimals": decimals}, lambda t, d=decimals: torch.round(t, decimals=d))

    a = torch.randn(3, 4, dtype=dtype) * 3
    b = torch.randn(3, 4, dtype=dtype) * 3
    brow = torch.randn(4, dtype=dtype) * 3
    record(f"atan2 {dn}", "atan2", [a, b], {}, torch.atan2)
    record(f"atan2 {dn} broadcast", "atan2", [a, brow], {}, torch.atan2)
    record(f"hypot {dn}", "hypot", [a, b], {}, torch.hypot)
    # fmod: the C remainder (a's sign); remainder: Python's (b's sign); divisors kept away from 0
    bsafe = (torch.rand(3, 4, dtype=dtype) * 3 + 0.5) * torch.sign(torch.randn(3, 4, dtype=dtype))
    record(f"fmod {dn}", "fmod", [a, bsafe], {}, torch.fmod)
    record(f"remainder {dn}", "remainder", [a, bsafe], {}, torch.remainder)
    record(f"fmod {dn} scalar", "fmod", [a], {"other": -1.5}, lambda t: torch.fmod(t, -1.5))
    record(f"remainder {dn} scalar", "remainder", [a], {"other": -1.5}, lambda t: torch.remainder(t, -1.5))
    # lerp: scalar weight (an EMA's p.lerp_(q, 0.1)) and a tensor weight, both sides of 0.5
    w = torch.rand(3, 4, dtype=dtype) * 1.4 - 0.2
    record(f"lerp {dn} scalar weight", "lerp", [a, b], {"weight": 0.3}, lambda s, e: torch.lerp(s, e, 0.3))
    record(f"lerp {dn} scalar weight 0.75", "lerp", [a, b], {"weight": 0.75}, lambda s, e: torch.lerp(s, e, 0.75))
    record(f"lerp {dn} tensor weight", "lerp", [a, b, w], {}, torch.lerp)

ia = torch.randint(-20, 20, (3, 4), dtype=torch.int32)
ib = torch.randint(1, 6, (3, 4), dtype=torch.int32) * torch.where(torch.rand(3, 4) < 0.5, -1, 1).to(torch.int32)
for name in KEEP_INT:
    record(f"{name} int32", name, [ia], {}, getattr(torch, name), grad=False)
record("fmod int32", "fmod", [ia, ib], {}, torch.fmod, grad=False)
record("remainder int32", "remainder", [ia, ib], {}, torch.remainder, grad=False)
# a float op of an int tensor computes in float32 (torch's default dtype)
record("sin int32", "sin", [ia], {}, torch.sin, grad=False)
record("rsqrt int32", "rsqrt", [ia.abs() + 1], {}, torch.rsqrt, grad=False)

write_json("math.json", {"torch_version": torch.__version__, "cases": CASES})
