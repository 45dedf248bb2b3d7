#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for the second batch of PyTorch API nabla lacked (test/api2.test.ts).

Run from the repository root:

    /usr/bin/python3 scripts/make_api2_fixtures.py

Writes test/fixtures/api2.json: {"torch_version", "cases": [...]}. Each case:

    name      what it checks
    fn        nabla's function (prod, amax, div, addcmul, ...)
    method    nabla's Tensor method of the same call (input 0 as `this`), or null where PyTorch has none
    inplace   whether the method has an in-place form (`name_`) to check against the function
    inputs    the tensor inputs (float inputs take part in the gradient)
    args      the call's arguments after the tensors, as nabla takes them; a string "$i" stands for
              inputs[i] and a list of them for a list of tensors (hstack, meshgrid, ...)
    out       PyTorch's output: a tensor, a list of tensors, or a boolean (allclose, equal)
    grad_out  the upstream gradient of each output tensor (null where there is none)
    grads     each tensor input's gradient after backward of Σ sum(out_k * grad_out_k), or null

Float32 and float64 on values in each op's domain, the edges PyTorch treats specially (zeros
in prod, ties in amax/amin, NaN for the nan-reductions, negative divisors and ±0 for floor
division) and int32 inputs where the op keeps them. Seeded; encoding as in scripts/fixture_json.py.
"""

import torch

from fixture_json import enc, write_json

torch.manual_seed(0)
torch.set_num_threads(1)

F32 = torch.float32
F64 = torch.float64
I32 = torch.int32
CASES = []


def record(name, fn, inputs, args, call, method=None, inplace=False, grad=True, atol32=None):
    """Runs call(*leaves); records the outputs and, for float inputs, the gradients."""
    leaves = [t.clone().requires_grad_(grad and t.is_floating_point()) for t in inputs]
    out = call(*leaves)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    grad_out = None
    grads = [None] * len(inputs)
    if isinstance(out, bool) or not all(isinstance(o, torch.Tensor) for o in outs):
        encoded = out
    else:
        encoded = [enc(o) for o in outs] if isinstance(out, (tuple, list)) else enc(out)
        if grad and any(l.requires_grad for l in leaves) and all(o.requires_grad for o in outs):
            gos = [torch.randn(o.shape, dtype=o.dtype) for o in outs]
            sum((o * g).sum() for o, g in zip(outs, gos)).backward()
            grad_out = [enc(g) for g in gos] if isinstance(out, (tuple, list)) else enc(gos[0])
            grads = [enc(l.grad) if l.requires_grad and l.grad is not None else None for l in leaves]
    CASES.append({
        "name": name,
        "fn": fn,
        "method": method,
        "inplace": inplace,
        "inputs": [enc(t) for t in inputs],
        "args": args,
        "out": encoded,
        "grad_out": grad_out,
        "grads": grads,
    })
    if atol32 is not None:
        CASES[-1]["atol32"] = atol32


# ---- 1. reductions ---------------------------------------------------------------------------
for dtype in (F32, F64):
    dn = "float32" if dtype == F32 else "float64"
    x = torch.rand(3, 4, 5, dtype=dtype) + 0.5
    record(f"prod all {dn}", "prod", [x[0]], [], torch.prod, method="prod")
    record(f"prod dim {dn}", "prod", [x], [1], lambda t: torch.prod(t, 1), method="prod")
    record(f"prod dim keepdim {dn}", "prod", [x], [-1, {"keepdim": True}], lambda t: torch.prod(t, -1, keepdim=True), method="prod")
    # zeros: one zero in a slice (its cofactor), two zeros (all 0), none elsewhere (result / x)
    z = x.clone()
    z[0, 1, 2] = 0
    z[1, 2, 0] = 0
    z[1, 2, 3] = 0
    record(f"prod dim with zeros {dn}", "prod", [z], [2], lambda t: torch.prod(t, 2), method="prod")
    record(f"prod dim 0 with zeros {dn}", "prod", [z], [0], lambda t: torch.prod(t, 0), method="prod")
    one_zero = x[0].clone()
    one_zero[1, 3] = 0
    record(f"prod all one zero {dn}", "prod", [one_zero], [], torch.prod, method="prod")
    two_zeros = one_zero.clone()
    two_zeros[2, 0] = 0
    record(f"prod all two zeros {dn}", "prod", [two_zeros], [], torch.prod, method="prod")
    record(f"prod scalar {dn}", "prod", [torch.tensor(2.5, dtype=dtype)], [0], lambda t: torch.prod(t, 0), method="prod")

    # amax/amin with ties, which share the gradient evenly
    t = torch.randint(0, 4, (3, 4, 5)).to(dtype)
    for name in ("amax", "amin"):
        f = getattr(torch, name)
        record(f"{name} all {dn}", name, [t], [], f, method=name)
        record(f"{name} dim {dn}", name, [t], [1], lambda u, f=f: f(u, 1), method=name)
        record(f"{name} dims keepdim {dn}", name, [t], [[0, 2], {"keepdim": True}], lambda u, f=f: f(u, [0, 2], keepdim=True), method=name)
        record(f"{name} negative dim {dn}", name, [torch.randn(4, 6, dtype=dtype)], [-1], lambda u, f=f: f(u, -1), method=name)

    n = torch.randn(4, 5, dtype=dtype)
    n[0, 1] = float("nan")
    n[2, :] = float("nan")
    n[3, 4] = float("nan")
    record(f"nansum all {dn}", "nansum", [n], [], torch.nansum, method="nansum")
    record(f"nansum dim {dn}", "nansum", [n], [1], lambda u: torch.nansum(u, 1), method="nansum")
    record(f"nansum dims keepdim {dn}", "nansum", [n], [[0, 1], {"keepdim": True}], lambda u: torch.nansum(u, [0, 1], keepdim=True), method="nansum")
    record(f"nanmean all {dn}", "nanmean", [n], [], torch.nanmean, method="nanmean")
    record(f"nanmean dim {dn}", "nanmean", [n], [1], lambda u: torch.nanmean(u, 1), method="nanmean")
    record(f"nanmean dim 0 keepdim {dn}", "nanmean", [n], [0, {"keepdim": True}], lambda u: torch.nanmean(u, 0, keepdim=True), method="nanmean")

ia = torch.randint(-3, 4, (3, 4), dtype=I32)
record("prod int32", "prod", [ia], [1], lambda t: torch.prod(t, 1).to(I32), method="prod")
record("amax int32", "amax", [ia], [0], lambda t: torch.amax(t, 0), method="amax")
record("amin int32", "amin", [ia], [], torch.amin, method="amin")
record("nansum int32", "nansum", [ia], [1], lambda t: torch.nansum(t, 1).to(I32), method="nansum")

# ---- 2. rounding division, one-sided clamps ---------------------------------------------------
EDGE_A = [7.0, -7.0, 7.0, -7.0, 0.0, -0.0, 0.0, 1.0, -1.0, 6.0, -6.0, 0.3, -0.3, float("inf"), float("-inf"), float("nan"), 5.0, 1e30, 2.5, -2.5]
EDGE_B = [2.0, 2.0, -2.0, -2.0, 3.0, 3.0, -3.0, 0.0, 0.0, 3.0, 3.0, 0.1, 0.1, 2.0, 3.0, 1.0, float("inf"), 1e-30, 0.5, 0.5]
for dtype in (F32, F64):
    dn = "float32" if dtype == F32 else "float64"
    a = torch.randn(4, 5, dtype=dtype) * 5
    b = torch.randn(4, 5, dtype=dtype) * 2
    for mode in ("floor", "trunc"):
        record(f"div {mode} {dn}", "div", [a, b], [{"roundingMode": mode}], lambda u, v, m=mode: torch.div(u, v, rounding_mode=m), method="div", inplace=True)
        record(f"div {mode} {dn} edges", "div", [torch.tensor(EDGE_A, dtype=dtype), torch.tensor(EDGE_B, dtype=dtype)], [{"roundingMode": mode}], lambda u, v, m=mode: torch.div(u, v, rounding_mode=m), method="div", inplace=True, grad=False)
        record(f"div {mode} {dn} scalar", "div", [a], [-1.5, {"roundingMode": mode}], lambda u, m=mode: torch.div(u, -1.5, rounding_mode=m), method="div", inplace=True)
    record(f"floorDivide {dn}", "floorDivide", [a, b], [], torch.floor_divide, method="floorDivide", inplace=True, grad=False)
    record(f"floorDivide {dn} broadcast", "floorDivide", [a, b[0]], [], torch.floor_divide, method="floorDivide", inplace=True, grad=False)
    x = torch.randn(3, 4, dtype=dtype)
    lo = torch.randn(3, 4, dtype=dtype) * 0.5
    x[0, 0] = 0.25  # a tie with the number bound: the gradient passes, as clamp's
    record(f"clampMin {dn}", "clampMin", [x], [0.25], lambda u: torch.clamp_min(u, 0.25), method="clampMin", inplace=True)
    record(f"clampMax {dn}", "clampMax", [x], [0.25], lambda u: torch.clamp_max(u, 0.25), method="clampMax", inplace=True)
    record(f"clampMin tensor {dn}", "clampMin", [x, lo], [], torch.clamp_min, method="clampMin", inplace=True)
    record(f"clampMax tensor {dn}", "clampMax", [x, lo], [], torch.clamp_max, method="clampMax", inplace=True)
    record(f"clip {dn}", "clip", [x], [-0.5, 0.5], lambda u: torch.clip(u, -0.5, 0.5), method="clip", inplace=True)
    record(f"clip options {dn}", "clip", [x], [{"max": 0.1}], lambda u: torch.clip(u, max=0.1), method="clip", inplace=True)

ia = torch.tensor([7, -7, 7, -7, 0, 6, -6, 1, -1, 13, -13, 2147483647], dtype=I32)
ib = torch.tensor([2, 2, -2, -2, 3, 3, 3, 5, 5, -4, -4, 2], dtype=I32)
for mode in ("floor", "trunc"):
    record(f"div {mode} int32", "div", [ia, ib], [{"roundingMode": mode}], lambda u, v, m=mode: torch.div(u, v, rounding_mode=m), method="div", inplace=True)
    record(f"div {mode} int32 scalar", "div", [ia], [-3, {"roundingMode": mode}], lambda u, m=mode: torch.div(u, -3, rounding_mode=m), method="div", inplace=True)
    record(f"div {mode} int32 by float scalar", "div", [ia], [2.5, {"roundingMode": mode}], lambda u, m=mode: torch.div(u, 2.5, rounding_mode=m), method="div")
record("floorDivide int32", "floorDivide", [ia, ib], [], torch.floor_divide, method="floorDivide", inplace=True, grad=False)
record("clampMin int32", "clampMin", [ia], [0], lambda u: torch.clamp_min(u, 0), method="clampMin", inplace=True)
record("clip int32", "clip", [ia], [-5, 5], lambda u: torch.clip(u, -5, 5), method="clip", inplace=True)

# ---- 3. addcmul/addcdiv, isclose/allclose/equal ------------------------------------------------
for dtype in (F32, F64):
    dn = "float32" if dtype == F32 else "float64"
    s0 = torch.randn(3, 4, dtype=dtype)
    t1 = torch.randn(3, 4, dtype=dtype)
    t2 = torch.randn(4, dtype=dtype)
    den = torch.rand(3, 1, dtype=dtype) + 0.5
    record(f"addcmul {dn}", "addcmul", [s0, t1, t2], [], torch.addcmul, method="addcmul", inplace=True)
    record(f"addcmul value {dn}", "addcmul", [s0, t1, t2], [{"value": -0.3}], lambda a, b, c: torch.addcmul(a, b, c, value=-0.3), method="addcmul", inplace=True)
    record(f"addcdiv {dn}", "addcdiv", [s0, t1, den], [], torch.addcdiv, method="addcdiv", inplace=True)
    record(f"addcdiv value {dn}", "addcdiv", [s0, t1, den], [{"value": 0.7}], lambda a, b, c: torch.addcdiv(a, b, c, value=0.7), method="addcdiv", inplace=True)
    a = torch.tensor([1.0, 1.0, 1.0, 0.0, 0.0, 1e-9, float("inf"), float("inf"), float("-inf"), float("nan"), float("nan"), 1e10, 100.0, -2.0], dtype=dtype)
    b = torch.tensor([1.0, 1.00001, 1.0001, 1e-8, 2e-8, 0.0, float("inf"), float("-inf"), float("-inf"), float("nan"), 1.0, 1.00001e10, 100.001, -2.00002], dtype=dtype)
    record(f"isclose {dn}", "isclose", [a, b], [], torch.isclose, method="isclose")
    record(f"isclose equalNan {dn}", "isclose", [a, b], [{"equalNan": True}], lambda u, v: torch.isclose(u, v, equal_nan=True), method="isclose")
    record(f"isclose rtol atol {dn}", "isclose", [a, b], [{"rtol": 1e-3, "atol": 1e-2}], lambda u, v: torch.isclose(u, v, rtol=1e-3, atol=1e-2), method="isclose")
    record(f"isclose zero tolerances {dn}", "isclose", [a, b], [{"rtol": 0, "atol": 0}], lambda u, v: torch.isclose(u, v, rtol=0, atol=0), method="isclose")
    record(f"isclose broadcast {dn}", "isclose", [torch.randn(3, 1, dtype=dtype), torch.randn(4, dtype=dtype)], [{"atol": 0.5}], lambda u, v: torch.isclose(u, v, atol=0.5), method="isclose")
    near = s0 + 1e-7 * s0
    record(f"allclose true {dn}", "allclose", [s0, near], [], torch.allclose, method="allclose")
    record(f"allclose false {dn}", "allclose", [s0, s0 + 1e-3], [], torch.allclose, method="allclose")
    record(f"allclose nan {dn}", "allclose", [a[9:10], b[9:10]], [{"equalNan": True}], lambda u, v: torch.allclose(u, v, equal_nan=True), method="allclose")
    record(f"equal true {dn}", "equal", [s0, s0.clone()], [], torch.equal, method="equal")
    record(f"equal false {dn}", "equal", [s0, near], [], torch.equal, method="equal")
    record(f"equal shapes {dn}", "equal", [s0, s0.reshape(4, 3)], [], torch.equal, method="equal")
    record(f"equal nan {dn}", "equal", [a, a.clone()], [], torch.equal, method="equal")

ia = torch.randint(-5, 5, (3, 4), dtype=I32)
record("addcmul int32", "addcmul", [ia, ia, ia], [{"value": 2}], lambda a, b, c: torch.addcmul(a, b, c, value=2), method="addcmul", inplace=True)
record("isclose int32", "isclose", [ia, ia.flip(0)], [], torch.isclose, method="isclose")
record("equal int32", "equal", [ia, ia.clone()], [], torch.equal, method="equal")

# ---- 4. pointwise mathematics -------------------------------------------------------------------
SPECIAL = [0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1e-30, -1e-30, 88.8, -88.8, 710.0, -710.0, 0.5, -0.5, 1.0, -2.5]
for dtype in (F32, F64):
    dn = "float32" if dtype == F32 else "float64"
    a = torch.randn(3, 4, dtype=dtype) * 3
    b = torch.randn(3, 4, dtype=dtype) * 3
    sp = torch.tensor(SPECIAL, dtype=dtype)
    sq = sp.flip(0)
    # float32: PyTorch rounds 1 + 2^−|a−b| (and logit's x/(1 − x)) to float32 before the log, which
    # nabla's CPU kernels keep in float64: the results agree to an ulp of the operands' scale (atol32)
    for name in ("logaddexp", "logaddexp2"):
        f = getattr(torch, name)
        record(f"{name} {dn}", name, [a, b], [], f, method=name, atol32=4e-7)
        record(f"{name} {dn} broadcast", name, [a, b[0]], [], f, method=name, atol32=4e-7)
        record(f"{name} {dn} special", name, [sp, sq], [], f, method=name, grad=False)
        record(f"{name} {dn} equal infinities", name, [sp, sp], [], f, method=name, grad=False)
    # xlogy: 0 where x = 0, NaN where y is NaN, x·log y elsewhere; a zero x takes log y's gradient 0
    x = torch.randn(3, 4, dtype=dtype)
    x[0, :2] = 0
    y = torch.rand(3, 4, dtype=dtype) * 4 + 0.01
    record(f"xlogy {dn}", "xlogy", [x, y], [], torch.xlogy, method="xlogy", inplace=True)
    record(f"xlogy {dn} special", "xlogy", [torch.tensor([0.0, 0.0, 0.0, 1.0, 2.0, -1.0, float("nan"), 0.0], dtype=dtype), torch.tensor([0.0, float("nan"), float("inf"), 0.0, float("inf"), -1.0, 1.0, -2.0], dtype=dtype)], [], torch.xlogy, method="xlogy", inplace=True, grad=False)
    record(f"xlogy {dn} scalar y", "xlogy", [x], [2.5], lambda u: torch.xlogy(u, 2.5), method="xlogy", inplace=True)
    p = torch.rand(4, 5, dtype=dtype)
    p[0, 0] = 0.0
    p[0, 1] = 1.0
    p[0, 2] = 1e-9
    p[0, 3] = 1 - 1e-9 if dtype == F64 else 0.99999994
    record(f"logit {dn} values", "logit", [p], [], torch.logit, method="logit", inplace=True, grad=False, atol32=2e-7)
    pin = torch.rand(4, 5, dtype=dtype) * 0.9 + 0.05
    record(f"logit {dn}", "logit", [pin], [], torch.logit, method="logit", inplace=True, atol32=2e-7)
    record(f"logit eps {dn}", "logit", [p], [1e-6], lambda u: torch.logit(u, 1e-6), method="logit", inplace=True, atol32=2e-7)
    record(f"logit eps options {dn}", "logit", [p], [{"eps": 0.1}], lambda u: torch.logit(u, 0.1), method="logit", inplace=True, atol32=2e-7)
    record(f"logit {dn} special", "logit", [sp], [], torch.logit, method="logit", inplace=True, grad=False)
    record(f"exp2 {dn}", "exp2", [a], [], torch.exp2, method="exp2", inplace=True)
    record(f"exp2 {dn} special", "exp2", [sp * 2], [], torch.exp2, method="exp2", inplace=True, grad=False)
    c = torch.randn(3, 4, dtype=dtype)
    c[0, 0] = 0.0
    record(f"copysign {dn}", "copysign", [a, c], [], torch.copysign, method="copysign", inplace=True)
    record(f"copysign {dn} special", "copysign", [sp, sq], [], torch.copysign, method="copysign", inplace=True, grad=False)
    record(f"copysign {dn} scalar", "copysign", [a], [-0.0], lambda u: torch.copysign(u, -0.0), method="copysign", inplace=True)
    record(f"signbit {dn}", "signbit", [sp], [], torch.signbit, method="signbit")
    record(f"deg2rad {dn}", "deg2rad", [a * 60], [], torch.deg2rad, method="deg2rad", inplace=True)
    record(f"rad2deg {dn}", "rad2deg", [a], [], torch.rad2deg, method="rad2deg", inplace=True)
    # fmax/fmin: a NaN loses to a number; ties give both sides the whole gradient
    f1 = torch.tensor([1.0, float("nan"), 2.0, float("nan"), -1.0, 3.0, 0.5, 7.0], dtype=dtype)
    f2 = torch.tensor([2.0, 1.0, float("nan"), float("nan"), -1.0, 3.0, -0.5, 6.0], dtype=dtype)
    record(f"fmax {dn}", "fmax", [f1, f2], [], torch.fmax, method="fmax")
    record(f"fmin {dn}", "fmin", [f1, f2], [], torch.fmin, method="fmin")
    record(f"logicalXor {dn}", "logicalXor", [sp, sq], [], torch.logical_xor, method="logicalXor", inplace=True)

ia = torch.randint(-3, 4, (3, 4), dtype=I32)
ib = torch.randint(-3, 4, (3, 4), dtype=I32)
record("fmax int32", "fmax", [ia, ib], [], torch.fmax, method="fmax")
record("fmin int32", "fmin", [ia, ib], [], torch.fmin, method="fmin")
record("logicalXor int32", "logicalXor", [ia, ib], [], torch.logical_xor, method="logicalXor")
record("logicalXor bool", "logicalXor", [ia > 0, ib > 0], [], torch.logical_xor, method="logicalXor", inplace=True)
record("exp2 int32", "exp2", [ia], [], torch.exp2, method="exp2")
record("copysign int32", "copysign", [ia, ib], [], torch.copysign, method="copysign")
record("signbit int32", "signbit", [ia], [], torch.signbit, method="signbit")
record("deg2rad int32", "deg2rad", [ia * 30], [], torch.deg2rad, method="deg2rad")
record("xlogy int32", "xlogy", [ia, ib.abs()], [], torch.xlogy, method="xlogy")

# ---- 5. shapes ------------------------------------------------------------------------------------
x = torch.randn(2, 3, 4, dtype=F64)
record("movedim one", "movedim", [x], [0, 2], lambda u: torch.movedim(u, 0, 2), method="movedim")
record("movedim lists", "movedim", [x], [[0, 1], [2, 0]], lambda u: torch.movedim(u, (0, 1), (2, 0)), method="movedim")
record("movedim negative", "movedim", [x], [-1, 0], lambda u: torch.movedim(u, -1, 0), method="movedim")
record("moveaxis", "moveaxis", [x], [1, -1], lambda u: torch.moveaxis(u, 1, -1), method="moveaxis")
record("swapaxes", "swapaxes", [x], [0, 2], lambda u: torch.swapaxes(u, 0, 2), method="swapaxes")
record("swapdims", "swapdims", [x], [-1, 1], lambda u: torch.swapdims(u, -1, 1), method="swapdims")
record("unflatten", "unflatten", [torch.randn(4, 6)], [1, [2, -1]], lambda u: torch.unflatten(u, 1, (2, -1)), method="unflatten")
record("unflatten first", "unflatten", [torch.randn(6, 2)], [0, [3, 2]], lambda u: torch.unflatten(u, 0, (3, 2)), method="unflatten")
for name in ("hstack", "vstack", "dstack"):
    f = getattr(torch, name)
    record(f"{name} 1-d", name, [torch.randn(3), torch.randn(3)], [["$0", "$1"]], lambda *u, f=f: f(u))
    record(f"{name} 2-d", name, [torch.randn(2, 3), torch.randn(2, 3)], [["$0", "$1"]], lambda *u, f=f: f(u))
    record(f"{name} 0-d", name, [torch.tensor(1.5), torch.tensor(-2.0)], [["$0", "$1"]], lambda *u, f=f: f(u))
    record(f"{name} 3-d", name, [torch.randn(2, 2, 2), torch.randn(2, 2, 2)], [["$0", "$1"]], lambda *u, f=f: f(u))
record("hstack widths", "hstack", [torch.randn(2, 1), torch.randn(2, 3)], [["$0", "$1"]], lambda *u: torch.hstack(u))
record("vstack 1-d and 2-d", "vstack", [torch.randn(3), torch.randn(2, 3)], [["$0", "$1"]], lambda *u: torch.vstack(u))
for indexing in ("ij", "xy"):
    record(f"meshgrid {indexing}", "meshgrid", [torch.randn(3), torch.randn(4), torch.randn(2)], [["$0", "$1", "$2"], {"indexing": indexing}], lambda *u, i=indexing: torch.meshgrid(*u, indexing=i))
    record(f"meshgrid {indexing} two", "meshgrid", [torch.randn(3), torch.randn(4)], [["$0", "$1"], {"indexing": indexing}], lambda *u, i=indexing: torch.meshgrid(*u, indexing=i))
record("meshgrid int32", "meshgrid", [torch.arange(3, dtype=I32), torch.arange(2, dtype=I32)], [["$0", "$1"], {"indexing": "xy"}], lambda *u: torch.meshgrid(*u, indexing="xy"))
for dtype in (F32, F64):
    dn = "float32" if dtype == F32 else "float64"
    a = torch.randn(4, 3, dtype=dtype)
    b = torch.randn(4, 3, dtype=dtype)
    record(f"cross {dn}", "cross", [a, b], [1], lambda u, v: torch.cross(u, v, dim=1), method="cross")
    record(f"cross default dim {dn}", "cross", [a.t(), b.t()], [], lambda u, v: torch.cross(u, v), method="cross")
    record(f"cross broadcast {dn}", "cross", [a, b[:1]], [-1], lambda u, v: torch.cross(u, v, dim=-1), method="cross")
el = torch.tensor([[1, 2, 3], [4, 5, 2]], dtype=I32)
record("isin int32", "isin", [el, torch.tensor([2, 5, 9], dtype=I32)], [], torch.isin)
record("isin invert", "isin", [el, torch.tensor([2, 5, 9], dtype=I32)], [{"invert": True}], lambda u, v: torch.isin(u, v, invert=True))
record("isin float and nan", "isin", [torch.tensor([1.0, float("nan"), 2.5, -0.0]), torch.tensor([float("nan"), 2.5, 0.0])], [], torch.isin)
record("isin mixed dtypes", "isin", [torch.tensor([1.0, 2.0, 3.5]), torch.tensor([2, 3], dtype=I32)], [], torch.isin)
record("isin number", "isin", [el], [2], lambda u: torch.isin(u, 2))
# past 2^20 pairs nabla sorts and searches instead of comparing every pair
big = torch.randint(0, 4000, (1500,), dtype=I32)
record("isin large int32", "isin", [big, torch.randint(0, 4000, (800,), dtype=I32)], [], torch.isin)
# (no NaN here: PyTorch's own sorting path, which it takes past 10·m^0.145 elements, can find a
# NaN among NaNs where its pairwise path does not; nabla never matches NaN, as the pairwise path)
bigf = torch.randn(1200, dtype=F64).round(decimals=2)
record("isin large float64", "isin", [bigf, torch.randn(900, dtype=F64).round(decimals=2)], [{"invert": True}], lambda u, v: torch.isin(u, v, invert=True))

write_json("api2.json", {"torch_version": torch.__version__, "cases": CASES})
