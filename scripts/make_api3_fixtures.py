#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for the third batch of PyTorch API nabla lacked (test/api3.test.ts).

Run from the repository root:

    /usr/bin/python3 scripts/make_api3_fixtures.py

Writes test/fixtures/api3.json: {"torch_version", "cases": [...]}, each case as in
make_api2_fixtures.py (fn, method, inplace, inputs, args with "$i" for inputs[i], out, grad_out,
grads; fn null where PyTorch has only the Tensor method, as Tensor.unfold): broadcast_to/broadcast_tensors, take_along_dim (with and without a dim, broadcasting),
quantile/nanquantile (number and tensor q, every interpolation, dim/keepdim, ties, NaN rows,
all-NaN rows, q's own gradient), Tensor.unfold (overlapping and gapped windows, the gradient
summing overlaps), fliplr/flipud, rot90 (every k mod 4, negative k, other dims). Float32 and
float64. Seeded; encoding as in scripts/fixture_json.py.
"""

import torch

from fixture_json import enc, write_json

torch.manual_seed(0)
torch.set_num_threads(1)

F32 = torch.float32
F64 = torch.float64
I32 = torch.int32
CASES = []


def record(name, fn, inputs, args, call, method=None, grad=True, atol=None):
    """Runs call(*leaves); records the outputs and, for float inputs, the gradients.

    atol: an absolute tolerance for values and gradients, where nabla sums in another order than
    PyTorch (its BLAS matmul, its reductions) and a result is far smaller than its terms.
    """
    leaves = [t.clone().requires_grad_(grad and t.is_floating_point()) for t in inputs]
    out = call(*leaves)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    grad_out = None
    grads = [None] * len(inputs)
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
        "inplace": False,
        "inputs": [enc(t) for t in inputs],
        "args": args,
        "out": encoded,
        "grad_out": grad_out,
        "grads": grads,
    })
    if atol is not None:
        CASES[-1]["atol"] = atol


for dtype in (F32, F64):
    dn = "float32" if dtype == F32 else "float64"

    # ---- broadcasting ----------------------------------------------------------------------
    a = torch.randn(3, 1, dtype=dtype)
    record(f"broadcastTo {dn}", "broadcastTo", [a], [[2, 3, 4]], lambda t: torch.broadcast_to(t, (2, 3, 4)), method="broadcastTo")
    record(f"broadcastTo -1 {dn}", "broadcastTo", [a], [[-1, 5]], lambda t: torch.broadcast_to(t, (-1, 5)), method="broadcastTo")
    b, c = torch.randn(4, 1, 2, dtype=dtype), torch.randn(2, dtype=dtype)
    record(f"broadcastTensors {dn}", "broadcastTensors", [a, b, c], [], lambda *ts: torch.broadcast_tensors(*ts))

    # ---- take_along_dim ----------------------------------------------------------------------
    x = torch.randn(3, 5, dtype=dtype)
    idx = torch.argsort(x, dim=1)[:, :3].to(I32)
    record(f"takeAlongDim dim 1 {dn}", "takeAlongDim", [x, idx], [1], lambda t, i: torch.take_along_dim(t, i.long(), 1), method="takeAlongDim")
    record(f"takeAlongDim flat {dn}", "takeAlongDim", [x, torch.tensor([4, 0, 14, 4], dtype=I32)], [], lambda t, i: torch.take_along_dim(t, i.long()), method="takeAlongDim")
    # indices broadcast over dim 0, input over dim 2; an index repeated (its gradient adds up)
    x3 = torch.randn(2, 4, 1, dtype=dtype)
    i3 = torch.tensor([[[0, 3], [3, 3]]], dtype=I32)
    record(f"takeAlongDim broadcast {dn}", "takeAlongDim", [x3, i3], [1], lambda t, i: torch.take_along_dim(t, i.long(), 1), method="takeAlongDim")
    record(f"takeAlongDim negative dim {dn}", "takeAlongDim", [x, torch.argmax(x, -1, keepdim=True).to(I32)], [-1], lambda t, i: torch.take_along_dim(t, i.long(), -1), method="takeAlongDim")

    # ---- quantile ----------------------------------------------------------------------------
    v = torch.randn(4, 7, dtype=dtype)
    v[1, 2] = v[1, 5]  # a tie
    v[2] = torch.tensor([1.0, 3.0, 3.0, 3.0, 2.0, 3.0, 0.5], dtype=dtype)  # several ties
    qt = torch.tensor([0.0, 0.1, 0.25, 0.5, 0.6, 0.9, 1.0], dtype=dtype)
    for interp in ("linear", "lower", "higher", "midpoint", "nearest"):
        opts = {"interpolation": interp}
        record(f"quantile {interp} scalar q dim 1 {dn}", "quantile", [v], [0.3, 1, False, opts], lambda t, m=interp: torch.quantile(t, 0.3, 1, interpolation=m), method="quantile")
        record(f"quantile {interp} tensor q all {dn}", "quantile", [v, qt], [opts], lambda t, q, m=interp: torch.quantile(t, q, interpolation=m), method="quantile")
        record(f"quantile {interp} tensor q dim 0 keepdim {dn}", "quantile", [v, qt[1:4]], [0, True, opts], lambda t, q, m=interp: torch.quantile(t, q, 0, True, interpolation=m), method="quantile")
    # nearest at exact halves: round half to even (ranks 1.5 and 2.5 over 6 elements)
    record(f"quantile nearest halves {dn}", "quantile", [torch.arange(6, dtype=dtype) * 1.5, torch.tensor([0.3, 0.5], dtype=dtype)], [{"interpolation": "nearest"}], lambda t, q: torch.quantile(t, q, interpolation="nearest"), method="quantile")
    record(f"quantile keepdim all {dn}", "quantile", [v], [0.75, None, True], lambda t: torch.quantile(t, 0.75, None, True), method="quantile")
    record(f"quantile 0-d q {dn}", "quantile", [v, torch.tensor(0.4, dtype=dtype)], [-1], lambda t, q: torch.quantile(t, q, -1), method="quantile")
    record(f"quantile 3-d dim 1 {dn}", "quantile", [torch.randn(2, 5, 3, dtype=dtype), qt[2:5]], [1], lambda t, q: torch.quantile(t, q, 1), method="quantile")
    w = v.clone()
    w[0, 3] = float("nan")
    w[3, :] = float("nan")
    record(f"quantile NaN rows {dn}", "quantile", [w], [0.5, 1], lambda t: torch.quantile(t, 0.5, 1), method="quantile", grad=False)
    for interp in ("linear", "nearest"):
        record(f"nanquantile {interp} NaN rows {dn}", "nanquantile", [w, qt[1:5]], [1, False, {"interpolation": interp}], lambda t, q, m=interp: torch.nanquantile(t, q, 1, interpolation=m), method="nanquantile", grad=False)
    w2 = v.clone()
    w2[0, 1] = float("nan")
    w2[0, 4] = float("nan")
    record(f"nanquantile gradient {dn}", "nanquantile", [w2, qt[1:6]], [1], lambda t, q: torch.nanquantile(t, q, 1), method="nanquantile")

    # ---- Tensor.unfold -------------------------------------------------------------------------
    u = torch.randn(3, 8, 2, dtype=dtype)
    record(f"unfold overlapping {dn}", None, [u], [1, 3, 2], lambda t: t.unfold(1, 3, 2), method="unfold")
    record(f"unfold gapped {dn}", None, [u], [1, 2, 3], lambda t: t.unfold(1, 2, 3), method="unfold")
    record(f"unfold step 1 last dim {dn}", None, [u], [-1, 2, 1], lambda t: t.unfold(-1, 2, 1), method="unfold")
    record(f"unfold 1-d {dn}", None, [torch.randn(7, dtype=dtype)], [0, 4, 1], lambda t: t.unfold(0, 4, 1), method="unfold")

    # ---- flips and rotations -----------------------------------------------------------------
    r = torch.randn(3, 4, 2, dtype=dtype)
    record(f"fliplr {dn}", "fliplr", [r], [], torch.fliplr, method="fliplr")
    record(f"flipud {dn}", "flipud", [r], [], torch.flipud, method="flipud")
    for k in (0, 1, 2, 3, -1, 5):
        record(f"rot90 k={k} {dn}", "rot90", [r], [k], lambda t, k=k: torch.rot90(t, k), method="rot90")
    record(f"rot90 dims [2, 0] {dn}", "rot90", [r], [1, [2, 0]], lambda t: torch.rot90(t, 1, [2, 0]), method="rot90")
    record(f"rot90 options {dn}", "rot90", [r], [{"k": 3, "dims": [-1, -2]}], lambda t: torch.rot90(t, 3, [-1, -2]), method="rot90")

# ---- priority 2: cov, corrcoef, cartesian_prod, combinations, heaviside ------------------------
for dtype in (F32, F64):
    dn = "float32" if dtype == F32 else "float64"
    # a covariance is a difference of sums of products ~1: rounded at that scale, not the result's
    ATOL = {F32: 1e-6, F64: 1e-15}
    m = torch.randn(3, 6, dtype=dtype)
    fw = torch.tensor([1, 2, 0, 3, 1, 1], dtype=I32)
    aw = torch.rand(6, dtype=dtype) + 0.2
    record(f"cov {dn}", "cov", [m], [], torch.cov, method="cov", atol=ATOL[dtype])
    record(f"cov correction 0 {dn}", "cov", [m], [{"correction": 0}], lambda t: torch.cov(t, correction=0), method="cov", atol=ATOL[dtype])
    record(f"cov 1-d {dn}", "cov", [m[0]], [], torch.cov, method="cov", atol=ATOL[dtype])
    record(f"cov fweights {dn}", "cov", [m], [{"fweights": "$1"}], lambda t: torch.cov(t, fweights=fw.long()), method="cov", atol=ATOL[dtype])
    CASES[-1]["inputs"].append(enc(fw))
    CASES[-1]["grads"].append(None)
    record(f"cov aweights correction 2 {dn}", "cov", [m, aw], [{"aweights": "$1", "correction": 2}], lambda t, a: torch.cov(t, aweights=a, correction=2), method="cov", atol=ATOL[dtype])
    CASES[-1]["grads"][1] = None  # nabla takes aweights as data (PyTorch differentiates them)
    record(f"cov both weights {dn}", "cov", [m, aw], [{"fweights": "$2", "aweights": "$1"}], lambda t, a: torch.cov(t, fweights=fw.long(), aweights=a), method="cov", atol=ATOL[dtype])
    CASES[-1]["inputs"].append(enc(fw))
    CASES[-1]["grads"].append(None)
    CASES[-1]["grads"][1] = None
    record(f"corrcoef {dn}", "corrcoef", [m], [], torch.corrcoef, method="corrcoef", atol=ATOL[dtype])
    record(f"corrcoef 1-d {dn}", "corrcoef", [m[1]], [], torch.corrcoef, method="corrcoef", atol=ATOL[dtype])
    a, b, c = torch.randn(3, dtype=dtype), torch.randn(2, dtype=dtype), torch.randn(4, dtype=dtype)
    record(f"cartesianProd {dn}", "cartesianProd", [a, b, c], [], torch.cartesian_prod)
    record(f"cartesianProd one {dn}", "cartesianProd", [a], [], torch.cartesian_prod)
    x = torch.randn(5, dtype=dtype)
    record(f"combinations {dn}", "combinations", [x], [], torch.combinations)
    record(f"combinations r=3 {dn}", "combinations", [x], [3], lambda t: torch.combinations(t, 3))
    record(f"combinations with replacement {dn}", "combinations", [x[:3]], [{"r": 2, "withReplacement": True}], lambda t: torch.combinations(t, 2, with_replacement=True))
    record(f"combinations r > n {dn}", "combinations", [x[:2]], [3], lambda t: torch.combinations(t, 3))
    record(f"heaviside {dn}", "heaviside", [torch.tensor([-1.5, 0.0, -0.0, 2.0, float("nan"), 0.0], dtype=dtype), torch.tensor([0.5, 0.25, 0.75, 9.0, 9.0, float("nan")], dtype=dtype)], [], torch.heaviside, method="heaviside", grad=False)
record("heaviside int32 broadcast", "heaviside", [torch.tensor([[-2, 0, 3], [0, 0, -1]], dtype=I32), torch.tensor([7], dtype=I32)], [], lambda u, v: torch.heaviside(u, v), method="heaviside", grad=False)
ga = torch.tensor([[12, -18, 0, 0, 7, 1071, -2147483647]], dtype=I32)
gb = torch.tensor([[18], [-12]], dtype=I32)
record("gcd int32 broadcast", "gcd", [ga, gb], [], torch.gcd, method="gcd", grad=False)
record("lcm int32 broadcast", "lcm", [ga[:, :6], gb], [], torch.lcm, method="lcm", grad=False)
record("gcd int32 edges", "gcd", [torch.tensor([0, 0, 2147483647, -6, 1071], dtype=I32), torch.tensor([0, -5, 0, -4, 462], dtype=I32)], [], torch.gcd, method="gcd", grad=False)

write_json("api3.json", {"torch_version": torch.__version__, "cases": CASES})
