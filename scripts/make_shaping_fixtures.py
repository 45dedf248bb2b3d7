#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for nabla's shape, indexing and mask ops (issue 11), from real PyTorch.

Run from the repository root:

    /usr/bin/python3 scripts/make_shaping_fixtures.py

Writes test/fixtures/shaping.json: {"torch_version", "cases": [...]}, one case per call:

    {"name", "op", "inputs": [tensor...], "grad": [bool...], "args": [arg...], "kwargs": {...},
     "outputs": [tensor...], "grad_outputs": [tensor | null...], "grads": [tensor | null...]}

`op` is PyTorch's name (torch.<op>, or one of the special ops below); `args` are encoded so
that the TypeScript test can rebuild the same call:
    {"t": i}               inputs[i]
    {"slice": [a, b, c]}   slice(a, b, c) (nulls for the missing parts)
    "..."                  Ellipsis
    {"index": [item...]}   a tuple of items for x[...] (null is None, a new axis)
    numbers ("nan", "inf", "-inf" for the non-finite ones), booleans, nested lists, null.
Special ops: "getitem" (x[items]), "setitem" (y = x.clone(); y[items] = v),
"index_put" (torch.index_put with a tuple of tensors), "repeat"/"tile"/"flip" with the sizes
as one list, "nonzero_tuple" (as_tuple=True).

Float inputs with grad[i] get requires_grad; the backward pass is of
sum_k (outputs[k] * grad_outputs[k]).sum() over the float outputs that require grad, and grads[i]
is inputs[i].grad (null when it has none). Everything is seeded, so reruns are byte-identical.
Tensor encoding: scripts/fixture_json.py.
"""

import warnings

import torch

from fixture_json import enc, enc_float, enc_opt, write_json

warnings.filterwarnings("ignore")  # scatter_reduce is "beta" in 1.13
torch.manual_seed(0)

F32 = torch.float32
F64 = torch.float64
I64 = torch.int64

CASES = []


def resolve(arg, inputs):
    """An encoded argument as the Python value the torch call takes."""
    if isinstance(arg, dict):
        if "t" in arg:
            return inputs[arg["t"]]
        if "slice" in arg:
            return slice(*arg["slice"])
        if "index" in arg:
            return tuple(resolve(a, inputs) for a in arg["index"])
    if arg == "...":
        return Ellipsis
    return arg


def call(op, args, kwargs):
    if op == "getitem":
        return args[0][args[1]]
    if op == "setitem":
        y = args[0].clone()
        y[args[1]] = args[2]
        return y
    if op == "index_put":
        return torch.index_put(args[0], args[1], args[2], **kwargs)
    if op == "nonzero_tuple":
        return torch.nonzero(args[0], as_tuple=True)
    if op in ("repeat", "tile", "flip"):
        return getattr(args[0], op)(args[1])
    if op == "repeat_interleave" and len(args) == 1:
        return torch.repeat_interleave(args[0], **kwargs)
    return getattr(torch, op)(*args, **kwargs)


def json_args(arg):
    """args as JSON: non-finite numbers as "nan" / "inf" / "-inf", as in tensors."""
    if isinstance(arg, float):
        return enc_float(arg)
    if isinstance(arg, list):
        return [json_args(a) for a in arg]
    if isinstance(arg, dict):
        return {k: json_args(v) for k, v in arg.items()}
    return arg


def flatten(value):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in flatten(v)]
    return []


def case(name, op, inputs, args, kwargs=None, grad=None):
    """Runs op on fresh copies of inputs and records outputs and gradients."""
    kwargs = kwargs or {}
    grad = grad if grad is not None else [t.is_floating_point() for t in inputs]
    ins = []
    for t, g in zip(inputs, grad):
        t = t.clone()
        if g and t.is_floating_point():
            t.requires_grad_(True)
        ins.append(t)
    outs = flatten(call(op, [resolve(a, ins) for a in args], kwargs))
    grad_outs = [torch.randn(o.shape, dtype=o.dtype) if o.requires_grad else None for o in outs]
    pairs = [(o, g) for o, g in zip(outs, grad_outs) if g is not None]
    if pairs:
        sum((o * g).sum() for o, g in pairs).backward()
    CASES.append({
        "name": name,
        "op": op,
        "inputs": [enc(t) for t in inputs],
        "grad": [bool(g) and t.is_floating_point() for t, g in zip(inputs, grad)],
        "args": json_args(args),
        "kwargs": kwargs,
        "outputs": [enc(o) for o in outs],
        "grad_outputs": [enc_opt(g) for g in grad_outs],
        "grads": [enc_opt(t.grad) if t.requires_grad else None for t in ins],
    })


def randn(*shape, dtype=F32):
    return torch.randn(shape, dtype=dtype)


def ints(*shape, low=0, high=4):
    """Small integers as float32: ties on purpose (clamp bounds, amax/amin)."""
    return torch.randint(low, high, shape).to(F32)


def idx(values):
    return torch.tensor(values, dtype=I64)


T0 = {"t": 0}
T1 = {"t": 1}
T2 = {"t": 2}
T3 = {"t": 3}


def S(a=None, b=None, c=None):
    return {"slice": [a, b, c]}


# ---- split, chunk, unbind, tensor_split ----------------------------------------------------
x64 = randn(6, 4)
case("split 2 dim 0", "split", [x64], [T0, 2])
case("split sizes [1,2,3]", "split", [x64], [T0, [1, 2, 3]])
case("split 3 dim 1 (last smaller)", "split", [x64], [T0, 3, 1])
case("split sizes dim -1 with an empty piece", "split", [x64], [T0, [0, 3, 1], -1])
case("chunk 3 dim 1", "chunk", [x64], [T0, 3, 1])
case("chunk 4 of 6 (3 pieces)", "chunk", [x64], [T0, 4])
case("unbind dim 1", "unbind", [randn(2, 3, 2)], [T0, 1])
case("unbind float64", "unbind", [randn(3, 2, dtype=F64)], [T0])
case("tensor_split 3 sections of 7", "tensor_split", [randn(7, 2)], [T0, 3])
case("tensor_split indices [1,5,3,10]", "tensor_split", [randn(7)], [T0, [1, 5, 3, 10]])
case("tensor_split index [-2] dim 1", "tensor_split", [randn(2, 7)], [T0, [-2], 1])
case("tensor_split int tensor indices", "tensor_split", [randn(5, 3), idx([1, 3])], [T0, T1])

# ---- repeat, tile, repeat_interleave -------------------------------------------------------
x23 = randn(2, 3)
case("repeat (2,1,2)", "repeat", [x23], [T0, [2, 1, 2]])
case("repeat (1,3)", "repeat", [x23], [T0, [1, 3]])
case("repeat with a 0", "repeat", [x23], [T0, [0, 2]])
case("tile (2,)", "tile", [x23], [T0, [2]])
case("tile (2,1,2)", "tile", [x23], [T0, [2, 1, 2]])
case("repeat int32", "repeat", [torch.arange(3, dtype=torch.int32)], [T0, [2, 2]])
case("repeat_interleave 2 (flattened)", "repeat_interleave", [x23], [T0, 2])
case("repeat_interleave 3 dim 1", "repeat_interleave", [x23], [T0, 3], {"dim": 1})
case("repeat_interleave tensor dim 0", "repeat_interleave", [randn(3, 2), idx([1, 0, 2])], [T0, T1], {"dim": 0})
case("repeat_interleave 1-element tensor dim -1", "repeat_interleave", [x23, idx([2])], [T0, T1], {"dim": -1})
case("repeat_interleave counts only", "repeat_interleave", [idx([2, 0, 3])], [T0])

# ---- flip, roll ----------------------------------------------------------------------------
x234 = randn(2, 3, 4)
case("flip [0]", "flip", [x234], [T0, [0]])
case("flip [0,2]", "flip", [x234], [T0, [0, 2]])
case("flip [-1] bool", "flip", [randn(2, 3) > 0], [T0, [-1]])
case("roll 2 flattened", "roll", [x234], [T0, 2])
case("roll [1,-2] dims [0,2]", "roll", [x234], [T0, [1, -2], [0, 2]])
case("roll 5 dim -1 wraps", "roll", [x234], [T0, 5, -1])
case("roll same dim twice", "roll", [x234], [T0, [1, 1], [1, 1]])

# ---- diag, diagonal, diag_embed ------------------------------------------------------------
case("diag 1-d", "diag", [randn(3)], [T0])
case("diag 1-d offset 1", "diag", [randn(3)], [T0, 1])
case("diag 1-d offset -2", "diag", [randn(2)], [T0, -2])
case("diag 2-d", "diag", [randn(3, 4)], [T0])
case("diag 2-d offset 1", "diag", [randn(3, 4)], [T0, 1])
case("diag 2-d offset -1", "diag", [randn(3, 4)], [T0, -1])
case("diagonal default", "diagonal", [randn(3, 4)], [T0])
case("diagonal offset 1 dims 1,2", "diagonal", [x234], [T0, 1, 1, 2])
case("diagonal offset -1 dims 0,2", "diagonal", [x234], [T0, -1, 0, 2])
case("diagonal dims 2,0", "diagonal", [x234], [T0, 0, 2, 0])
case("diagonal offset past the end", "diagonal", [randn(3, 4)], [T0, 5])
case("diag_embed default", "diag_embed", [x23], [T0])
case("diag_embed offset 1 dims 0,2", "diag_embed", [x23], [T0, 1, 0, 2])
case("diag_embed offset -1", "diag_embed", [randn(2, 2, 3)], [T0, -1])

# ---- tril, triu ----------------------------------------------------------------------------
x34 = randn(3, 4)
for k in (0, 1, -1, 5):
    case(f"tril {k}", "tril", [x34], [T0, k])
    case(f"triu {k}", "triu", [x34], [T0, k])
case("tril batched", "tril", [randn(2, 3, 3)], [T0])
case("triu batched -1", "triu", [randn(2, 4, 3)], [T0, -1])
case("tril int32", "tril", [torch.arange(9, dtype=torch.int32).reshape(3, 3)], [T0])

# ---- masked_fill, masked_select ------------------------------------------------------------
m34 = randn(3, 4) > 0
case("masked_fill scalar", "masked_fill", [x34, m34], [T0, T1, -1.5])
case("masked_fill -inf", "masked_fill", [x34, m34], [T0, T1, float("-inf")])
case("masked_fill 0-d tensor value", "masked_fill", [x34, m34, torch.tensor(2.5)], [T0, T1, T2])
case("masked_fill mask broadcast [4]", "masked_fill", [x34, randn(4) > 0], [T0, T1, 7.0])
case("masked_fill mask larger [2,3,4]", "masked_fill", [x34, randn(2, 3, 4) > 0], [T0, T1, 0.0])
case("masked_fill int32", "masked_fill", [torch.arange(6, dtype=torch.int32), torch.tensor([True, False] * 3)], [T0, T1, -3])
case("masked_select", "masked_select", [x34, m34], [T0, T1])
case("masked_select broadcast x [4] mask [3,4]", "masked_select", [randn(4), m34], [T0, T1])
case("masked_select broadcast mask [1,4]", "masked_select", [x34, randn(1, 4) > 0], [T0, T1])

# ---- nonzero, any, all ---------------------------------------------------------------------
zx = torch.tensor([[0.0, 1.5, 0.0], [float("nan"), 0.0, -2.0]])
case("nonzero float with NaN", "nonzero", [zx], [T0])
case("nonzero bool 3-d", "nonzero", [randn(2, 3, 2) > 0], [T0])
case("nonzero as_tuple", "nonzero_tuple", [zx], [T0])
case("nonzero none", "nonzero", [torch.zeros(2, 2)], [T0])
anyx = torch.tensor([[0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [2.0, float("nan"), 3.0]])
case("any", "any", [anyx], [T0])
case("all", "all", [anyx], [T0])
case("any dim 1", "any", [anyx], [T0, 1])
case("all dim 0 keepdim", "all", [anyx], [T0, 0, True])
case("all dim -1 bool", "all", [randn(3, 2) > -1], [T0, -1])
case("any int32 dim 0", "any", [torch.tensor([[0, 2], [0, 0]], dtype=torch.int32)], [T0, 0])
case("all empty", "all", [torch.zeros(0)], [T0])

# ---- isnan, isinf, isposinf, isneginf, nan_to_num ------------------------------------------
special = torch.tensor([float("nan"), float("inf"), float("-inf"), 0.0, -1.5, 3.0e38])
for op in ("isnan", "isinf", "isposinf", "isneginf"):
    case(op, op, [special], [T0])
case("isinf int32", "isinf", [torch.tensor([1, 2], dtype=torch.int32)], [T0])
case("nan_to_num float32", "nan_to_num", [special], [T0])
case("nan_to_num float64", "nan_to_num", [special.double()], [T0])
case("nan_to_num options", "nan_to_num", [special], [T0], {"nan": 1.0, "posinf": 5.0, "neginf": -7.0})
case("nan_to_num int32 copy", "nan_to_num", [torch.tensor([1, -2], dtype=torch.int32)], [T0])

# ---- clamp with tensor bounds --------------------------------------------------------------
cx = ints(3, 4)
case("clamp tensor min and max with ties", "clamp", [cx, ints(3, 4, high=2), ints(4, low=2)], [T0, T1, T2])
case("clamp min > max", "clamp", [cx, torch.full((4,), 3.0), torch.full((3, 1), 1.0)], [T0, T1, T2])
case("clamp tensor min only", "clamp", [cx, ints(1, 4)], [T0, T1])
case("clamp tensor max only", "clamp", [cx, ints(3, 1)], [T0, None, T1])
case("clamp bounds broadcast up [2,3,4]", "clamp", [randn(3, 4), randn(2, 1, 4), randn(2, 3, 1) + 1], [T0, T1, T2])
case("clamp NaN in x and bounds", "clamp", [torch.tensor([float("nan"), -2.0, 0.5, 3.0]), torch.tensor([0.0, float("nan"), 0.0, 0.0]), torch.tensor([1.0, 1.0, float("nan"), 1.0])], [T0, T1, T2])
case("clamp float64 x, float32 bound", "clamp", [randn(4, dtype=F64), randn(4)], [T0, T1])
case("clamp numbers at the bounds", "clamp", [torch.tensor([-1.0, 0.0, 0.5, 1.0, 2.0])], [T0, 0.0, 1.0])

# ---- advanced indexing: x[...] ---------------------------------------------------------------
x2345 = randn(2, 3, 4, 5)
I = lambda *items: {"index": list(items)}
case("getitem slice 1:3", "getitem", [x2345], [T0, I(S(), S(1, 3))])
case("getitem slice ::2 and -1", "getitem", [x2345], [T0, I(S(None, None, 2), -1, S(1, None))])
case("getitem None, ..., 1", "getitem", [x2345], [T0, I(None, "...", 1)])
case("getitem int then slice then tensor", "getitem", [x2345, idx([1, 2])], [T0, I(0, S(), T1)])
case("getitem separated tensors", "getitem", [x2345, idx([0, 1]), idx([1, 3])], [T0, I(T1, S(), T2)])
case("getitem adjacent tensors", "getitem", [x2345, idx([0, 2]), idx([1, 3])], [T0, I(S(), T1, T2)])
case("getitem int between tensors", "getitem", [x2345, idx([0, 1]), idx([1, 2])], [T0, I(T1, 0, T2)])
case("getitem int between tensors after slice", "getitem", [x2345, idx([0, 1]), idx([1, 2])], [T0, I(S(), T1, 0, T2)])
case("getitem broadcast index shapes", "getitem", [x2345, idx([[1], [2]]), idx([0, 1, 2])], [T0, I("...", T1, S(), T2)])
case("getitem negative and repeated indices", "getitem", [x2345, idx([-1, 0, -1, 2])], [T0, I(S(), T1)])
case("getitem 0-d int tensor with separated tensor", "getitem", [x2345, torch.tensor(1), idx([3, 0])], [T0, I(T1, S(), T2)])
case("getitem nested list", "getitem", [x2345], [T0, I(S(), [[0, 2], [1, 1]])])
case("getitem full mask", "getitem", [x34, m34], [T0, I(T1)])
case("getitem mask on dims 1-2", "getitem", [x2345, randn(3, 4) > 0], [T0, I(S(), T1)])
case("getitem int, mask", "getitem", [x2345, randn(4) > 0], [T0, I(1, S(), T1)])
case("getitem tensor, mask separated", "getitem", [x2345, idx([1]), randn(4) > 0], [T0, I(T1, S(), T2)])
case("getitem True", "getitem", [x23], [T0, I(True)])
case("getitem False", "getitem", [x23], [T0, I(S(), False)])
case("getitem int32 source", "getitem", [torch.arange(12, dtype=torch.int32).reshape(3, 4), idx([2, 0])], [T0, I(T1, S(1, 3))])
case("getitem float64", "getitem", [randn(3, 4, dtype=F64), idx([0, 2])], [T0, I(T1, T1)])

# ---- x[...] = v and index_put -------------------------------------------------------------
case("setitem tensor index, broadcast value", "setitem", [x34, idx([0, 2]), randn(4)], [T0, I(T1), T2])
case("setitem separated, value in result layout", "setitem", [x2345, idx([0, 1]), idx([1, 3]), randn(2, 3, 1)], [T0, I(T1, S(), T2), T3])
case("setitem adjacent after slice", "setitem", [x2345, idx([0, 2]), idx([1, 3]), randn(2, 1, 5)], [T0, I(S(), T1, T2), T3])
case("setitem slice only", "setitem", [x34, randn(3, 2)], [T0, I(S(), S(1, 3)), T1])
case("setitem mask with scalar", "setitem", [x34, m34], [T0, I(T1), 0.25])
case("setitem 0-d value tensor", "setitem", [x34, idx([1]), torch.tensor(3.0)], [T0, I(T1), T2])
case("index_put", "index_put", [x34, idx([0, 2, 1]), idx([3, 3, 0]), randn(3)], [T0, I(T1, T2), T3])
case("index_put accumulate with repeats", "index_put", [x34, idx([0, 2, 0, 0]), randn(4, 4)], [T0, I(T1), T2], {"accumulate": True})
case("index_put accumulate 2 tensors", "index_put", [x34, idx([1, 1, 2]), idx([0, 0, 3]), randn(1)], [T0, I(T1, T2), T3], {"accumulate": True})

# ---- index_add, index_copy, index_fill -------------------------------------------------------
case("index_add dim 0 with repeats", "index_add", [x34, idx([0, 2, 0]), randn(3, 4)], [T0, 0, T1, T2])
case("index_add dim 1 alpha", "index_add", [x34, idx([3, 1]), randn(3, 2)], [T0, 1, T1, T2], {"alpha": -2.5})
case("index_add int32", "index_add", [torch.zeros(2, 3, dtype=torch.int32), idx([1, 1]), torch.ones(2, 2, dtype=torch.int32)], [T0, 1, T1, T2])
case("index_copy dim 0", "index_copy", [x34, idx([2, 0]), randn(2, 4)], [T0, 0, T1, T2])
case("index_copy dim -1", "index_copy", [x234, idx([1, 3, 0]), randn(2, 3, 3)], [T0, -1, T1, T2])
case("index_fill scalar", "index_fill", [x34, idx([1, -1])], [T0, 1, T1, 9.0])
case("index_fill 0-d tensor", "index_fill", [x34, idx([0, 2]), torch.tensor(-4.0)], [T0, 0, T1, T2])

# ---- scatter, scatter_add, scatter_reduce -------------------------------------------------------
case("scatter src dim 0", "scatter", [x34, idx([[2, 1, 0, 2], [0, 0, 1, 1]]), randn(2, 4)], [T0, 0, T1, T2])
# PyTorch's backward refuses a src larger than the index (its gradient would have the index's shape)
case("scatter src larger than index", "scatter", [x34, idx([[3, 0], [1, 2]]), randn(2, 5)], [T0, 1, T1, T2], grad=[True, False, False])
case("scatter value", "scatter", [x34, idx([[1], [0], [3]])], [T0, 1, T1, -1.0])
case("scatter reduce add (forward)", "scatter", [x34, idx([[0, 0, 1, 1]]), randn(1, 4)], [T0, 0, T1, T2], {"reduce": "add"}, grad=[False, False, False])
case("scatter reduce multiply (forward)", "scatter", [x34, idx([[0, 0], [2, 2]]), randn(2, 2)], [T0, 1, T1, T2], {"reduce": "multiply"}, grad=[False, False, False])
case("scatter_add with repeats", "scatter_add", [x34, idx([[0, 1, 2, 0], [0, 1, 2, 0], [2, 2, 2, 2]]), randn(3, 4)], [T0, 0, T1, T2])
case("scatter_add index smaller than self", "scatter_add", [x34, idx([[1, 1], [0, 3]]), randn(2, 3)], [T0, 1, T1, T2], grad=[True, False, False])
case("scatter_add index smaller than self, src its size", "scatter_add", [x34, idx([[1, 1], [0, 3]]), randn(2, 2)], [T0, 1, T1, T2])
sr_self = torch.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 2.0, 0.0, 1.0], [-1.0, 3.0, 2.0, 2.0]])
sr_index = idx([[0, 1, 0, 2], [2, 1, 0, 2]])
sr_src = torch.tensor([[3.0, 2.0, 0.5, 2.0], [-1.0, 2.0, -2.0, 4.0]])
for reduce in ("sum", "prod", "mean", "amax", "amin"):
    for include_self in (True, False):
        case(f"scatter_reduce {reduce} include_self={include_self}", "scatter_reduce", [sr_self, sr_index, sr_src],
             [T0, 0, T1, T2, reduce], {"include_self": include_self})
pz_self = torch.tensor([[2.0, 0.0, 3.0], [1.0, 4.0, 0.0]])
pz_index = idx([[0, 0, 1, 1, 2, 2]])
pz_src = torch.tensor([[0.0, 3.0, 0.0, 0.0, 5.0, 2.0]])
for include_self in (True, False):
    case(f"scatter_reduce prod zeros include_self={include_self}", "scatter_reduce", [pz_self, pz_index, pz_src],
         [T0, 1, T1, T2, "prod"], {"include_self": include_self})
case("scatter_reduce amax dim 1 ties", "scatter_reduce", [ints(3, 4), idx([[0, 0, 3], [1, 1, 1], [2, 3, 2]]), ints(3, 3)], [T0, 1, T1, T2, "amax"])
case("scatter_reduce mean int32 floors", "scatter_reduce", [torch.tensor([3, -3, 7], dtype=torch.int32), idx([0, 1, 1, 2]), torch.tensor([0, -2, 0, 0], dtype=torch.int32)], [T0, 0, T1, T2, "mean"])
case("scatter_reduce sum float64", "scatter_reduce", [randn(3, 2, dtype=F64), idx([[2, 0], [2, 2]]), randn(2, 2, dtype=F64)], [T0, 0, T1, T2, "sum"], {"include_self": False})

write_json("shaping.json", {"torch_version": torch.__version__, "cases": CASES})
