#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for nabla's sorting, scan, counting, product and norm ops (issue 11).

Run from the repository root:

    /usr/bin/python3 scripts/make_sorting_fixtures.py

Writes test/fixtures/sorting.json: {"torch_version", "cases": [...]}. Each case:

    name          what it checks
    fn            nabla's function (sort, topk, cumsum, einsum, vectorNorm, ...)
    inputs        the tensor inputs (float ones that take part in the gradient marked below)
    grad_inputs   for each input, whether it requires grad
    args          the other arguments, by nabla's (camelCase) names (infinities as "inf" / "-inf")
    outputs       every output tensor, in PyTorch's order ((values, indices) for sort etc.)
    grad_outputs  for each output, the upstream gradient used (null for outputs without one)
    grads         for each input, its gradient after backward of sum(output * grad_output)

Ties are deliberate in many cases: indices of equal values are where PyTorch 1.13's CPU kernels
put them (libstdc++'s introsort for an unstable sort, heap select / introselect for topk,
PyTorch's quickselect for kthvalue, ...), and nabla must pick the same. Everything is seeded,
so reruns produce identical files. Encoding as in scripts/fixture_json.py.
"""

import torch

from fixture_json import enc, enc_float, write_json

F32 = torch.float32
F64 = torch.float64
I64 = torch.int64
NAN = float("nan")
INF = float("inf")

CASES = []


def ties(shape, high, dtype=F32):
    """Small integers in [0, high) as `dtype`: many equal values."""
    return torch.randint(0, high, shape).to(dtype)


def flat_outputs(out):
    if isinstance(out, torch.Tensor):
        return [out]
    return [t for t in out]


def case(name, fn, inputs, args, call, grad=None):
    """Runs call(*inputs), records outputs and (for float inputs in `grad`) gradients.

    grad: indices of the inputs that require grad (default: every floating input).
    """
    ins = []
    for i, x in enumerate(inputs):
        x = x.clone()
        wants = x.is_floating_point() if grad is None else i in grad
        if wants:
            x.requires_grad_(True)
        ins.append(x)
    outs = flat_outputs(call(*ins))
    grad_outs = [torch.randn(o.shape, dtype=o.dtype) if o.requires_grad else None for o in outs]
    terms = [(o * g).sum() for o, g in zip(outs, grad_outs) if g is not None]
    if terms:
        sum(terms).backward()
    CASES.append({
        "name": name,
        "fn": fn,
        "inputs": [enc(x) for x in ins],
        "grad_inputs": [x.requires_grad for x in ins],
        "args": {k: enc_float(v) if isinstance(v, float) else v for k, v in args.items()},
        "outputs": [enc(o) for o in outs],
        "grad_outputs": [enc(g) if g is not None else None for g in grad_outs],
        "grads": [enc(x.grad) if x.requires_grad and x.grad is not None else None for x in ins],
    })


# ---------------------------------------------------------------------------
# Sorting and order statistics
# ---------------------------------------------------------------------------

def sort_cases():
    x = torch.randn(3, 5)
    case("sort last dim", "sort", [x], {}, lambda x: torch.sort(x))
    case("sort dim 0 descending", "sort", [torch.randn(4, 3)], {"dim": 0, "descending": True},
         lambda x: torch.sort(x, 0, True))
    case("sort float64 dim 1", "sort", [torch.randn(2, 6, dtype=F64)], {"dim": 1}, lambda x: torch.sort(x, 1))
    special = torch.tensor([3.0, NAN, -INF, 1.0, NAN, INF, -0.0, 0.0, 2.0])
    case("sort NaN largest", "sort", [special], {}, lambda x: torch.sort(x), grad=[])
    case("sort NaN largest descending", "sort", [special], {"descending": True},
         lambda x: torch.sort(x, descending=True), grad=[])
    for n in (12, 40, 300):
        t = ties((3 if n < 300 else 2, n), max(3, n // 10))
        g = None if n == 12 else []  # gradients of tied values once; the indices are the point
        case(f"sort ties n={n}", "sort", [t], {}, lambda x: torch.sort(x), grad=g)
        case(f"sort ties n={n} descending", "sort", [t], {"descending": True}, lambda x: torch.sort(x, descending=True), grad=g)
        case(f"sort ties n={n} stable", "sort", [t], {"stable": True}, lambda x: torch.sort(x, stable=True), grad=g)
        case(f"sort ties n={n} stable descending", "sort", [t], {"stable": True, "descending": True},
             lambda x: torch.sort(x, descending=True, stable=True), grad=g)
    nan_ties = ties((2, 60), 4)
    nan_ties[:, ::7] = NAN
    case("sort ties with NaNs n=60", "sort", [nan_ties], {}, lambda x: torch.sort(x), grad=[])
    case("sort ties with NaNs n=60 descending", "sort", [nan_ties], {"descending": True},
         lambda x: torch.sort(x, descending=True), grad=[])
    case("sort int32", "sort", [ties((2, 30), 5, torch.int32)], {"dim": 1}, lambda x: torch.sort(x, 1))
    case("sort bool", "sort", [torch.tensor([True, False, True, False, False])], {}, lambda x: torch.sort(x))
    case("sort 0-d", "sort", [torch.tensor(2.5)], {}, lambda x: torch.sort(x))
    case("argsort ties n=50", "argsort", [ties((3, 50), 6)], {"dim": 1}, lambda x: torch.argsort(x, 1))
    case("argsort ties descending", "argsort", [ties((50, 2), 6)], {"dim": 0, "descending": True},
         lambda x: torch.argsort(x, 0, True))
    case("msort", "msort", [torch.randn(4, 3)], {}, lambda x: torch.msort(x))


def topk_cases():
    x = torch.randn(3, 8)
    case("topk k=3", "topk", [x], {"k": 3}, lambda x: torch.topk(x, 3))
    case("topk k=2 dim 0 smallest", "topk", [torch.randn(5, 3)], {"k": 2, "dim": 0, "largest": False},
         lambda x: torch.topk(x, 2, 0, False))
    case("topk NaN first", "topk", [torch.tensor([1.0, NAN, 3.0, -INF, 2.0])], {"k": 3}, lambda x: torch.topk(x, 3), grad=[])
    case("topk NaN smallest", "topk", [torch.tensor([1.0, NAN, 3.0, -INF, 2.0])], {"k": 3, "largest": False},
         lambda x: torch.topk(x, 3, largest=False), grad=[])
    case("topk k=0", "topk", [torch.randn(2, 4)], {"k": 0}, lambda x: torch.topk(x, 0), grad=[])
    for n, k in ((10, 1), (10, 4), (40, 7), (40, 39), (300, 3), (300, 4), (300, 100)):
        t = ties((3 if n < 300 else 2, n), max(3, n // 10))
        for largest in (True, False):
            for sorted_ in (True, False):
                case(f"topk ties n={n} k={k} largest={largest} sorted={sorted_}", "topk", [t],
                     {"k": k, "largest": largest, "sorted": sorted_},
                     lambda x: torch.topk(x, k, largest=largest, sorted=sorted_), grad=None if n == 10 else [])
    case("topk int32", "topk", [ties((2, 20), 4, torch.int32)], {"k": 5}, lambda x: torch.topk(x, 5))


def order_statistic_cases():
    case("kthvalue k=3", "kthvalue", [torch.randn(3, 7)], {"k": 3}, lambda x: torch.kthvalue(x, 3))
    case("kthvalue dim 0 keepdim", "kthvalue", [torch.randn(5, 2)], {"k": 5, "dim": 0, "keepdim": True},
         lambda x: torch.kthvalue(x, 5, 0, True))
    case("kthvalue NaN", "kthvalue", [torch.tensor([[1.0, NAN, 3.0], [2.0, 0.0, NAN]])], {"k": 3},
         lambda x: torch.kthvalue(x, 3), grad=[])
    for n in (7, 40, 301):
        t = ties((4, n), max(3, n // 10))
        g = None if n == 7 else []
        for k in (1, n // 3 + 1, n):
            case(f"kthvalue ties n={n} k={k}", "kthvalue", [t], {"k": k}, lambda x: torch.kthvalue(x, k), grad=g)
        case(f"median ties n={n}", "median", [t], {"dim": 1}, lambda x: torch.median(x, 1), grad=g)
        case(f"mode ties n={n}", "mode", [t], {"dim": 1}, lambda x: torch.mode(x, 1), grad=g)
    case("median all", "median", [torch.randn(3, 5)], {}, lambda x: torch.median(x))
    case("median all even count", "median", [torch.randn(2, 3, dtype=F64)], {}, lambda x: torch.median(x))
    case("median all with ties shares the gradient", "median", [torch.tensor([[2.0, 1.0, 2.0], [3.0, 2.0, 0.0]])], {},
         lambda x: torch.median(x))
    case("median all NaN", "median", [torch.tensor([1.0, NAN, 3.0])], {}, lambda x: torch.median(x))
    case("median dim 1 keepdim", "median", [torch.randn(3, 6)], {"dim": 1, "keepdim": True},
         lambda x: torch.median(x, 1, True))
    case("median dim 0", "median", [torch.randn(4, 3)], {"dim": 0}, lambda x: torch.median(x, 0))
    nans = torch.tensor([[1.0, NAN, 3.0, 0.5], [2.0, 4.0, 1.0, 3.0], [NAN, NAN, NAN, NAN], [NAN, 5.0, NAN, 2.0]])
    case("median NaN rows", "median", [nans], {"dim": 1}, lambda x: torch.median(x, 1), grad=[])
    case("nanmedian NaN rows", "nanmedian", [nans], {"dim": 1}, lambda x: torch.nanmedian(x, 1), grad=[])
    case("nanmedian all", "nanmedian", [torch.tensor([[1.0, NAN], [3.0, 0.5]])], {}, lambda x: torch.nanmedian(x))
    t = ties((3, 45), 6)
    t[:, ::4] = NAN
    case("nanmedian ties with NaNs", "nanmedian", [t], {"dim": 1}, lambda x: torch.nanmedian(x, 1), grad=[])
    case("mode small", "mode", [torch.tensor([[3.0, 1.0, 3.0, 1.0, 2.0, 1.0, 3.0], [0.0, 5.0, 5.0, 0.0, 4.0, 4.0, 4.0]])], {},
         lambda x: torch.mode(x))
    case("mode dim 0 keepdim", "mode", [ties((9, 3), 3)], {"dim": 0, "keepdim": True}, lambda x: torch.mode(x, 0, True))
    case("mode int32", "mode", [ties((2, 25), 4, torch.int32)], {}, lambda x: torch.mode(x))


# ---------------------------------------------------------------------------
# Scans
# ---------------------------------------------------------------------------

def scan_cases():
    case("cumsum dim 1", "cumsum", [torch.randn(3, 4)], {"dim": 1}, lambda x: torch.cumsum(x, 1))
    case("cumsum dim 0 float64", "cumsum", [torch.randn(4, 3, dtype=F64)], {"dim": 0}, lambda x: torch.cumsum(x, 0))
    case("cumsum int32", "cumsum", [ties((2, 5), 9, torch.int32)], {"dim": 1}, lambda x: torch.cumsum(x, 1))
    case("cumsum int32 to float64", "cumsum", [ties((2, 5), 9, torch.int32)], {"dim": 1, "dtype": "float64"},
         lambda x: torch.cumsum(x, 1, dtype=F64))
    case("cumsum bool", "cumsum", [torch.tensor([True, False, True, True])], {"dim": 0}, lambda x: torch.cumsum(x, 0))
    case("cumprod no zeros", "cumprod", [torch.rand(3, 5) + 0.5], {"dim": 1}, lambda x: torch.cumprod(x, 1))
    zeros = torch.randn(4, 6)
    zeros[0, 2] = 0
    zeros[1, 0] = 0
    zeros[2, 1] = 0
    zeros[2, 4] = 0
    zeros[3, 5] = 0
    case("cumprod with zeros", "cumprod", [zeros], {"dim": 1}, lambda x: torch.cumprod(x, 1))
    case("cumprod with zeros dim 0 float64", "cumprod", [zeros.t().contiguous().double()], {"dim": 0},
         lambda x: torch.cumprod(x, 0))
    case("cumprod int32", "cumprod", [ties((2, 5), 4, torch.int32) + 1], {"dim": 1}, lambda x: torch.cumprod(x, 1))
    runs = torch.tensor([[1.0, 3.0, 3.0, 2.0, 5.0, 5.0, 0.0], [4.0, 4.0, 1.0, 4.0, 0.0, 0.0, 6.0]])
    case("cummax ties", "cummax", [runs], {"dim": 1}, lambda x: torch.cummax(x, 1))
    case("cummin ties", "cummin", [runs], {"dim": 1}, lambda x: torch.cummin(x, 1))
    case("cummax dim 0", "cummax", [torch.randn(5, 3)], {"dim": 0}, lambda x: torch.cummax(x, 0))
    nan_runs = torch.tensor([1.0, 3.0, NAN, 2.0, NAN, 5.0])
    case("cummax NaN", "cummax", [nan_runs], {"dim": 0}, lambda x: torch.cummax(x, 0), grad=[])
    case("cummin NaN", "cummin", [nan_runs], {"dim": 0}, lambda x: torch.cummin(x, 0), grad=[])
    case("cummax int32", "cummax", [ties((2, 8), 5, torch.int32)], {"dim": 1}, lambda x: torch.cummax(x, 1))
    case("logcumsumexp", "logcumsumexp", [torch.randn(3, 6)], {"dim": 1}, lambda x: torch.logcumsumexp(x, 1))
    big = torch.tensor([[100.0, -100.0, 90.0, 100.0], [-INF, -INF, 1.0, -2.0], [-30.0, 30.0, -30.0, 0.0]])
    case("logcumsumexp extremes", "logcumsumexp", [big], {"dim": 1}, lambda x: torch.logcumsumexp(x, 1))
    case("logcumsumexp float64 dim 0", "logcumsumexp", [torch.randn(5, 2, dtype=F64) * 10], {"dim": 0},
         lambda x: torch.logcumsumexp(x, 0))
    case("diff", "diff", [torch.randn(3, 5)], {}, lambda x: torch.diff(x))
    case("diff n=2 dim 0", "diff", [torch.randn(5, 3)], {"n": 2, "dim": 0}, lambda x: torch.diff(x, 2, 0))
    case("diff prepend append", "diff", [torch.randn(2, 3), torch.randn(2, 1), torch.randn(2, 2)], {"dim": 1},
         lambda x, p, a: torch.diff(x, dim=1, prepend=p, append=a))
    case("diff n past the size", "diff", [torch.randn(3)], {"n": 4}, lambda x: torch.diff(x, 4), grad=[])
    case("diff int32", "diff", [ties((6,), 9, torch.int32)], {}, lambda x: torch.diff(x))
    case("diff bool", "diff", [torch.tensor([True, False, False, True])], {}, lambda x: torch.diff(x))


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------

def counting_cases():
    v = torch.tensor([3.0, 1.0, 2.0, 1.0, 5.0, 2.0, -0.5])
    case("unique", "unique", [v], {}, lambda x: torch.unique(x), grad=[])
    case("unique inverse counts", "unique", [ties((3, 4), 5)], {"returnInverse": True, "returnCounts": True},
         lambda x: torch.unique(x, return_inverse=True, return_counts=True), grad=[])
    case("unique counts int32", "unique", [ties((10,), 4, torch.int32)], {"returnCounts": True},
         lambda x: torch.unique(x, return_counts=True), grad=[])
    rows = torch.tensor([[3, 1], [3, 1], [0, 5], [3, 0]], dtype=torch.int32)
    case("unique dim 0", "unique", [rows], {"dim": 0, "returnInverse": True, "returnCounts": True},
         lambda x: torch.unique(x, dim=0, return_inverse=True, return_counts=True), grad=[])
    case("unique dim 1", "unique", [rows.t().contiguous().float()], {"dim": 1, "returnInverse": True},
         lambda x: torch.unique(x, dim=1, return_inverse=True), grad=[])
    case("unique bool", "unique", [torch.tensor([True, False, True])], {"returnCounts": True},
         lambda x: torch.unique(x, return_counts=True), grad=[])
    seq = torch.tensor([1.0, 1.0, 2.0, 2.0, 3.0, 1.0, 1.0, 2.0])
    case("uniqueConsecutive", "uniqueConsecutive", [seq], {"returnInverse": True, "returnCounts": True},
         lambda x: torch.unique_consecutive(x, return_inverse=True, return_counts=True), grad=[])
    case("uniqueConsecutive 2-d", "uniqueConsecutive", [torch.tensor([[1, 2], [2, 2]])], {"returnInverse": True},
         lambda x: torch.unique_consecutive(x, return_inverse=True), grad=[])
    case("uniqueConsecutive dim 0", "uniqueConsecutive", [torch.tensor([[1, 2], [1, 2], [2, 2], [1, 2]])],
         {"dim": 0, "returnCounts": True}, lambda x: torch.unique_consecutive(x, dim=0, return_counts=True), grad=[])
    idx = torch.tensor([1, 1, 3, 0, 3, 3], dtype=torch.int32)
    case("bincount", "bincount", [idx], {}, lambda x: torch.bincount(x))
    case("bincount minlength", "bincount", [idx], {"minlength": 7}, lambda x: torch.bincount(x, minlength=7))
    w32 = torch.randn(6)
    case("bincount float32 weights", "bincount", [idx, w32], {}, lambda x, w: torch.bincount(x, w), grad=[])
    case("bincount float64 weights", "bincount", [idx, w32.double()], {}, lambda x, w: torch.bincount(x, w), grad=[])
    case("bincount empty", "bincount", [torch.zeros(0, dtype=torch.int32)], {"minlength": 3},
         lambda x: torch.bincount(x, minlength=3))
    case("histc", "histc", [torch.randn(400)], {"bins": 7, "min": -1.3, "max": 2.1},
         lambda x: torch.histc(x, 7, -1.3, 2.1), grad=[])
    # (no NaN here: 1.13 counts NaNs into the first bin, later versions and nabla leave them out)
    case("histc out of range values", "histc", [torch.tensor([1.0, 2.0, 1.0, 4.0, -1.0])], {"bins": 4, "min": 0, "max": 3},
         lambda x: torch.histc(x, 4, 0, 3), grad=[])
    case("histc data range", "histc", [torch.randn(50)], {"bins": 6}, lambda x: torch.histc(x, 6), grad=[])
    case("histc 100 bins", "histc", [torch.rand(300)], {}, lambda x: torch.histc(x), grad=[])
    edges = torch.linspace(-1, 1, 101)
    case("histc values on edges", "histc", [edges], {"bins": 10, "min": -1, "max": 1},
         lambda x: torch.histc(x, 10, -1, 1), grad=[])
    case("histc values on edges float64", "histc", [torch.linspace(-1, 1, 301, dtype=F64)], {"bins": 30, "min": -1, "max": 1},
         lambda x: torch.histc(x, 30, -1, 1), grad=[])
    case("histc one value", "histc", [torch.tensor([2.0, 2.0])], {"bins": 3}, lambda x: torch.histc(x, 3), grad=[])
    seq = torch.tensor([1.0, 2.0, 2.0, 3.0, 5.0])
    vals = torch.tensor([[2.0, 0.0, 5.0], [6.0, NAN, 2.5]])
    case("searchsorted", "searchsorted", [seq, vals], {}, lambda s, v: torch.searchsorted(s, v), grad=[])
    case("searchsorted right", "searchsorted", [seq, vals], {"right": True},
         lambda s, v: torch.searchsorted(s, v, right=True), grad=[])
    case("searchsorted side right", "searchsorted", [seq, vals], {"side": "right"},
         lambda s, v: torch.searchsorted(s, v, side="right"), grad=[])
    case("searchsorted rows", "searchsorted", [torch.tensor([[1.0, 2.0, 4.0], [0.0, 3.0, 3.0]]), torch.tensor([[2.0, 5.0], [3.0, -1.0]])], {},
         lambda s, v: torch.searchsorted(s, v), grad=[])
    case("searchsorted sorter", "searchsorted", [torch.tensor([3.0, 1.0, 2.0, 2.0]), torch.tensor([2.0, 2.5]),
                                                 torch.tensor([1, 2, 3, 0], dtype=torch.int32)], {},
         lambda s, v, o: torch.searchsorted(s, v, sorter=o.long()), grad=[])
    case("searchsorted int sequence", "searchsorted", [torch.tensor([1, 2, 3], dtype=torch.int32), torch.tensor([2.5, 1.0])], {},
         lambda s, v: torch.searchsorted(s.long(), v), grad=[])
    case("bucketize", "bucketize", [vals, seq], {}, lambda v, b: torch.bucketize(v, b), grad=[])
    case("bucketize right", "bucketize", [vals, seq], {"right": True}, lambda v, b: torch.bucketize(v, b, right=True), grad=[])


# ---------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------

def product_cases():
    case("mm", "mm", [torch.randn(3, 4), torch.randn(4, 5)], {}, lambda a, b: torch.mm(a, b))
    case("mm float64", "mm", [torch.randn(2, 3, dtype=F64), torch.randn(3, 2, dtype=F64)], {}, lambda a, b: torch.mm(a, b))
    case("mm int32", "mm", [ties((2, 3), 5, torch.int32), ties((3, 2), 5, torch.int32)], {}, lambda a, b: torch.mm(a, b))
    case("bmm", "bmm", [torch.randn(2, 3, 4), torch.randn(2, 4, 5)], {}, lambda a, b: torch.bmm(a, b))
    case("addmm broadcast input", "addmm", [torch.randn(5), torch.randn(3, 4), torch.randn(4, 5)], {"beta": 0.5, "alpha": 2.0},
         lambda i, a, b: torch.addmm(i, a, b, beta=0.5, alpha=2.0))
    case("addmm", "addmm", [torch.randn(3, 5), torch.randn(3, 4), torch.randn(4, 5)], {}, lambda i, a, b: torch.addmm(i, a, b))
    case("addmm beta 0 ignores NaN", "addmm", [torch.full((3, 5), NAN), torch.randn(3, 4), torch.randn(4, 5)], {"beta": 0.0},
         lambda i, a, b: torch.addmm(i, a, b, beta=0.0), grad=[1, 2])
    case("addmv", "addmv", [torch.randn(3), torch.randn(3, 4), torch.randn(4)], {"beta": 2.0, "alpha": -1.0},
         lambda i, a, v: torch.addmv(i, a, v, beta=2.0, alpha=-1.0))
    case("baddbmm", "baddbmm", [torch.randn(3, 1), torch.randn(2, 3, 4), torch.randn(2, 4, 5)], {"beta": 0.5, "alpha": 1.5},
         lambda i, a, b: torch.baddbmm(i, a, b, beta=0.5, alpha=1.5))
    case("addbmm", "addbmm", [torch.randn(3, 5), torch.randn(2, 3, 4), torch.randn(2, 4, 5)], {"alpha": 0.5},
         lambda i, a, b: torch.addbmm(i, a, b, alpha=0.5))
    case("mv", "mv", [torch.randn(3, 4), torch.randn(4)], {}, lambda a, v: torch.mv(a, v))
    case("dot", "dot", [torch.randn(5), torch.randn(5)], {}, lambda a, b: torch.dot(a, b))
    case("vdot float64", "vdot", [torch.randn(5, dtype=F64), torch.randn(5, dtype=F64)], {}, lambda a, b: torch.vdot(a, b))
    case("outer", "outer", [torch.randn(3), torch.randn(4)], {}, lambda a, b: torch.outer(a, b))
    case("inner", "inner", [torch.randn(2, 3), torch.randn(4, 2, 3)], {}, lambda a, b: torch.inner(a, b))
    case("inner 1-d", "inner", [torch.randn(3), torch.randn(3)], {}, lambda a, b: torch.inner(a, b))
    case("inner scalar", "inner", [torch.tensor(2.0), torch.randn(2, 3)], {}, lambda a, b: torch.inner(a, b))
    case("tensordot dims 2", "tensordot", [torch.randn(2, 3, 4), torch.randn(3, 4, 5)], {}, lambda a, b: torch.tensordot(a, b))
    case("tensordot dims lists", "tensordot", [torch.randn(2, 3, 4), torch.randn(4, 3, 5)], {"dims": [[1, 2], [1, 0]]},
         lambda a, b: torch.tensordot(a, b, dims=([1, 2], [1, 0])))
    case("tensordot dims 0", "tensordot", [torch.randn(2), torch.randn(3)], {"dims": 0}, lambda a, b: torch.tensordot(a, b, dims=0))
    case("kron", "kron", [torch.randn(2, 3), torch.randn(3, 2)], {}, lambda a, b: torch.kron(a, b))
    case("kron 1-d and 2-d", "kron", [torch.randn(2), torch.randn(2, 3)], {}, lambda a, b: torch.kron(a, b))
    case("trace", "trace", [torch.randn(4, 4)], {}, lambda a: torch.trace(a))
    case("trace rectangular", "trace", [torch.randn(2, 5)], {}, lambda a: torch.trace(a))


def einsum_cases():
    specs = [
        ("ij,jk->ik", [(3, 4), (4, 5)]),
        ("ij,jk", [(3, 4), (4, 5)]),
        ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
        ("ii->i", [(4, 4)]),
        ("ii", [(4, 4)]),
        ("iij->ji", [(3, 3, 2)]),
        ("iii->i", [(3, 3, 3)]),
        ("ij->", [(3, 4)]),
        ("ij->ji", [(3, 4)]),
        ("i,j->ij", [(3,), (4,)]),
        ("i,i", [(5,), (5,)]),
        ("ii,i->i", [(3, 3), (3,)]),
        ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
        ("b...,b...->b", [(2, 3, 4), (2, 3, 4)]),
        ("bi,bj->bij", [(1, 3), (4, 5)]),
        ("Ab,ba", [(2, 3), (3, 2)]),
        ("ijk,jil->kl", [(2, 3, 4), (3, 2, 5)]),
        ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
        ("i j , j k -> i k", [(2, 3), (3, 2)]),
        ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
        ("i...->...", [(3, 2, 4)]),
    ]
    for eq, shapes in specs:
        ops = [torch.randn(*s) for s in shapes]
        case(f"einsum {eq}", "einsum", ops, {"equation": eq}, lambda *xs, eq=eq: torch.einsum(eq, *xs))
    case("einsum float64", "einsum", [torch.randn(3, 4, dtype=F64), torch.randn(4, dtype=F64)], {"equation": "ij,j->i"},
         lambda a, b: torch.einsum("ij,j->i", a, b))


# ---------------------------------------------------------------------------
# Norms
# ---------------------------------------------------------------------------

def norm_cases():
    x = torch.randn(3, 4)
    for ord_ in (2, 1, INF, -INF, 0, 3, 0.5, -1.5):
        case(f"vectorNorm ord {ord_}", "vectorNorm", [x], {"ord": ord_},
             lambda x, o=ord_: torch.linalg.vector_norm(x, o))
    case("vectorNorm dim 1 keepdim", "vectorNorm", [torch.randn(3, 4)], {"dim": 1, "keepdim": True},
         lambda x: torch.linalg.vector_norm(x, 2, 1, True))
    case("vectorNorm ord 3 dims [0, 2]", "vectorNorm", [torch.randn(2, 3, 4, dtype=F64)], {"ord": 3, "dim": [0, 2]},
         lambda x: torch.linalg.vector_norm(x, 3, (0, 2)))
    zero_row = torch.randn(3, 4)
    zero_row[1] = 0
    zero_row[2, 1] = 0
    for ord_ in (2, 1, 3, 0.5, INF):
        case(f"vectorNorm ord {ord_} of a zero row", "vectorNorm", [zero_row], {"ord": ord_, "dim": 1},
             lambda x, o=ord_: torch.linalg.vector_norm(x, o, 1))
    tied = torch.tensor([[1.0, -3.0, 3.0], [2.0, 2.0, -1.0]])
    case("vectorNorm inf ties share the gradient", "vectorNorm", [tied], {"ord": INF, "dim": 1},
         lambda x: torch.linalg.vector_norm(x, INF, 1))
    case("vectorNorm -inf all", "vectorNorm", [tied], {"ord": -INF}, lambda x: torch.linalg.vector_norm(x, -INF))
    a = torch.randn(3, 4)
    for ord_ in ("fro", 1, -1, INF, -INF):
        case(f"matrixNorm {ord_}", "matrixNorm", [a], {"ord": ord_}, lambda x, o=ord_: torch.linalg.matrix_norm(x, o))
    case("matrixNorm batched inf keepdim", "matrixNorm", [torch.randn(2, 3, 4)], {"ord": INF, "keepdim": True},
         lambda x: torch.linalg.matrix_norm(x, INF, keepdim=True))
    case("matrixNorm 1 dims [2, 0]", "matrixNorm", [torch.randn(3, 2, 4)], {"ord": 1, "dim": [2, 0]},
         lambda x: torch.linalg.matrix_norm(x, 1, (2, 0)))
    case("matrixNorm -1 dims [0, 1] keepdim float64", "matrixNorm", [torch.randn(3, 4, 2, dtype=F64)],
         {"ord": -1, "dim": [0, 1], "keepdim": True}, lambda x: torch.linalg.matrix_norm(x, -1, (0, 1), True))
    case("linalg.norm default 3-d", "linalgNorm", [torch.randn(2, 3, 4)], {}, lambda x: torch.linalg.norm(x))
    case("linalg.norm inf of a matrix", "linalgNorm", [a], {"ord": INF}, lambda x: torch.linalg.norm(x, INF))
    case("linalg.norm inf of a vector", "linalgNorm", [torch.randn(5)], {"ord": INF}, lambda x: torch.linalg.norm(x, INF))
    case("linalg.norm dim 1", "linalgNorm", [torch.randn(3, 4)], {"dim": 1}, lambda x: torch.linalg.norm(x, dim=1))
    case("linalg.norm 1 dims [0, 1]", "linalgNorm", [torch.randn(2, 3, 4)], {"ord": 1, "dim": [0, 1]},
         lambda x: torch.linalg.norm(x, 1, (0, 1)))
    case("norm default", "norm", [torch.randn(2, 3, 4)], {}, lambda x: torch.norm(x))
    case("norm p 1 dim 0", "norm", [torch.randn(3, 4)], {"p": 1, "dim": 0}, lambda x: torch.norm(x, 1, 0))
    case("norm p 3 keepdim", "norm", [torch.randn(3, 4)], {"p": 3, "dim": 1, "keepdim": True}, lambda x: torch.norm(x, 3, 1, True))
    case("norm p 2 two dims", "norm", [torch.randn(2, 3, 4)], {"p": 2, "dim": [0, 1]}, lambda x: x.norm(2, [0, 1]))
    case("norm fro dim 1", "norm", [torch.randn(3, 4, dtype=F64)], {"p": "fro", "dim": 1}, lambda x: torch.norm(x, "fro", 1))


def main():
    torch.manual_seed(0)
    sort_cases()
    topk_cases()
    order_statistic_cases()
    scan_cases()
    counting_cases()
    product_cases()
    einsum_cases()
    norm_cases()
    write_json("sorting.json", {"torch_version": torch.__version__, "cases": CASES})


if __name__ == "__main__":
    main()
