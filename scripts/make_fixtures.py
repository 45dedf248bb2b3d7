#!/usr/bin/env -S /usr/bin/python3
"""Generate reference fixtures for nabla's tests using real PyTorch.

Run from the repository root:

    /usr/bin/python3 scripts/make_fixtures.py

Writes:
    test/fixtures/ops.json      forward/backward results of individual ops
    test/fixtures/optim.json    optimizer trajectories on a fixed least-squares problem
    test/fixtures/modules.json  nn.Linear / Net / Sequential results and tensor reprs

Everything is seeded (torch.manual_seed) and uses fixed data, so reruns
produce byte-identical files.

Tensor encoding used everywhere (scripts/fixture_json.py):
    {"dtype": "float32"|"float64"|"int32"|"bool", "shape": [...], "data": [...]}
`data` is flat row-major. int64 tensors are written as "int32". Non-finite
floats are written as the strings "nan", "inf", "-inf". Floats are written
exactly (Python repr of the float32/float64 value).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_json import T, enc, enc_opt, randn, write_json

F32 = torch.float32
F64 = torch.float64
DTYPES = [(F64, "f64"), (F32, "f32")]


# ---------------------------------------------------------------------------
# Data helpers (values are generated in float32 so f32/f64 cases share them;
# randn and T come from fixture_json)
# ---------------------------------------------------------------------------

def rand_pos(*shape):
    """Positive values in [0.5, 2.5) — safe for log/sqrt/pow bases/divisors."""
    return torch.rand(shape, dtype=F32) * 2 + 0.5


def rand_away_from_zero(*shape):
    """Values with |v| in [0.5, 2.5), random sign — avoid kinks at 0."""
    sign = 1.0 - 2.0 * (torch.rand(shape) < 0.5).to(F32)
    return sign * rand_pos(*shape)


EXTREMES = [-100.0, -30.0, -1e-7, 0.0, 1e-7, 30.0, 100.0]


# ---------------------------------------------------------------------------
# File 1: ops.json
# ---------------------------------------------------------------------------

def op_slice(x, dim, start, end, step):
    index = (slice(None),) * dim + (slice(start, end, step),)
    return x[index]


def op_var_std(fn):
    # torch 1.13 does not accept `correction` without dim; map to `unbiased`.
    def call(x, dim=None, correction=1, keepdim=False):
        unbiased = correction == 1
        if dim is None:
            return fn(x, unbiased=unbiased)
        return fn(x, dim=dim, unbiased=unbiased, keepdim=keepdim)
    return call


OPS = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
    "pow": torch.pow, "maximum": torch.maximum, "minimum": torch.minimum,
    "eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le,
    "gt": torch.gt, "ge": torch.ge,
    "neg": torch.neg, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt,
    "abs": torch.abs, "clamp": torch.clamp,
    "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu,
    "leaky_relu": F.leaky_relu, "softmax": F.softmax, "log_softmax": F.log_softmax,
    "sum": torch.sum, "mean": torch.mean,
    "var": op_var_std(torch.var), "std": op_var_std(torch.std),
    "max": torch.max, "min": torch.min, "argmax": torch.argmax,
    "argmin": torch.argmin, "logsumexp": torch.logsumexp,
    "matmul": torch.matmul,
    "transpose": torch.transpose, "permute": torch.permute, "narrow": torch.narrow,
    "slice": op_slice, "expand": lambda x, size: x.expand(size),
    "reshape": torch.reshape, "squeeze": torch.squeeze, "unsqueeze": torch.unsqueeze,
    "flatten": torch.flatten, "cat": torch.cat, "stack": torch.stack,
    "mse_loss": F.mse_loss, "cross_entropy": F.cross_entropy,
}

CASES = []
NAMES = set()


def prepare_arg(a, dtype, grad):
    """Cast float tensors to `dtype` and mark them requires_grad if `grad`."""
    if isinstance(a, list) and a and isinstance(a[0], torch.Tensor):
        return [prepare_arg(t, dtype, grad) for t in a]
    if isinstance(a, torch.Tensor):
        t = a.detach().clone()
        if t.is_floating_point():
            t = t.to(dtype)
            if grad:
                t.requires_grad_(True)
        return t
    return a


def enc_arg(a):
    if isinstance(a, list) and a and isinstance(a[0], torch.Tensor):
        return {"list": [enc(t) for t in a]}
    if isinstance(a, torch.Tensor):
        return enc(a)
    return a


def grad_of(a):
    if isinstance(a, list) and a and isinstance(a[0], torch.Tensor):
        return [grad_of(t) for t in a]
    if isinstance(a, torch.Tensor):
        return enc_opt(a.grad)
    return None


def add_case(name, op, args, kwargs=None, dtype=F64, diff=True, no_grad_args=()):
    """Run `op` in PyTorch and record a case.

    diff: run backward with a random gradOut and record grads.
    no_grad_args: indices of tensor args that must not require grad (targets).
    """
    kwargs = kwargs or {}
    assert name not in NAMES, name
    NAMES.add(name)
    targs = [prepare_arg(a, dtype, diff and i not in no_grad_args)
             for i, a in enumerate(args)]
    out = OPS[op](*targs, **kwargs)
    is_tuple = isinstance(out, tuple)
    values = out[0] if is_tuple else out

    grad_out = None
    if diff:
        grad_out = torch.randn(values.shape, dtype=F32).to(values.dtype)
        values.backward(grad_out)

    CASES.append({
        "name": name,
        "op": op,
        "args": [enc_arg(a) for a in targs],
        "kwargs": kwargs,
        "out": [enc(o) for o in out] if is_tuple else enc(out),
        "gradOut": enc_opt(grad_out),
        "grads": [grad_of(a) if diff else None for a in targs],
    })


def both_dtypes(name, op, args, kwargs=None, **kw):
    for dtype, tag in DTYPES:
        add_case(f"{name} {tag}", op, args, kwargs, dtype=dtype, **kw)


def binary_cases():
    def broadcast_pairs(make_a, make_b):
        return [
            ("[2,3] [3]", make_a(2, 3), make_b(3)),
            ("[2,1,4] [3,1]", make_a(2, 1, 4), make_b(3, 1)),
            ("[2,3] []", make_a(2, 3), make_b()),
            ("[2,3] scalar", make_a(2, 3), 2.5),
        ]

    for op in ["add", "sub", "mul", "maximum", "minimum"]:
        for label, a, b in broadcast_pairs(randn, randn):
            if op in ("maximum", "minimum") and not isinstance(b, torch.Tensor):
                continue  # torch.maximum takes tensors only
            both_dtypes(f"{op} {label}", op, [a, b])
    for label, a, b in broadcast_pairs(randn, rand_away_from_zero):
        both_dtypes(f"div {label}", "div", [a, b])
    for label, a, b in broadcast_pairs(rand_pos, randn):
        both_dtypes(f"pow {label}", "pow", [a, b])
    both_dtypes("pow [2,3] scalar 2", "pow", [randn(2, 3), 2])
    both_dtypes("pow [2,3] scalar 0.5", "pow", [rand_pos(2, 3), 0.5])
    both_dtypes("pow [2,3] scalar -1.5", "pow", [rand_pos(2, 3), -1.5])


def comparison_cases():
    a = T([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]])
    b = T([[1.0, 0.0, 3.5], [-1.0, 2.0, 4.0]])
    c = T([0.5, 2.0, 4.0])
    for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
        both_dtypes(f"{op} [2,3] [2,3]", op, [a, b], diff=False)
        both_dtypes(f"{op} [2,3] [3]", op, [a, c], diff=False)
        both_dtypes(f"{op} [2,3] scalar", op, [a, 1.0], diff=False)


def unary_cases():
    both_dtypes("neg [2,3]", "neg", [randn(2, 3)])
    both_dtypes("exp [2,3]", "exp", [randn(2, 3)])
    both_dtypes("log [2,3]", "log", [rand_pos(2, 3)])
    both_dtypes("sqrt [2,3]", "sqrt", [rand_pos(2, 3)])
    both_dtypes("abs [2,3]", "abs", [rand_away_from_zero(2, 3)])
    both_dtypes("abs with zero", "abs", [T([-2.0, -0.5, 0.0, 0.5, 2.0])])
    clamp_x = T([-2.0, -0.5, -0.25, 0.0, 0.3, 0.5, 1.5])
    both_dtypes("clamp min max", "clamp", [clamp_x], {"min": -0.5, "max": 0.5})
    both_dtypes("clamp min only", "clamp", [clamp_x], {"min": 0.0})
    both_dtypes("clamp max only", "clamp", [clamp_x], {"max": 0.3})
    both_dtypes("clamp [3,4] random", "clamp", [randn(3, 4)],
                {"min": -0.5, "max": 0.5})


def activation_cases():
    for op in ["sigmoid", "tanh", "relu"]:
        both_dtypes(f"{op} [3,4]", op, [randn(3, 4)])
    both_dtypes("leaky_relu [3,4] default", "leaky_relu", [randn(3, 4)])
    both_dtypes("leaky_relu [3,4] slope 0.2", "leaky_relu", [randn(3, 4)],
                {"negative_slope": 0.2})
    kink = T([-1.5, -0.5, 0.0, 0.5, 1.5])
    both_dtypes("relu with zero", "relu", [kink])
    both_dtypes("leaky_relu with zero default", "leaky_relu", [kink])
    both_dtypes("leaky_relu with zero slope 0.2", "leaky_relu", [kink],
                {"negative_slope": 0.2})
    x = randn(3, 4)
    for op in ["softmax", "log_softmax"]:
        for dim in [0, 1, -1]:
            both_dtypes(f"{op} [3,4] dim {dim}", op, [x], {"dim": dim})


def extreme_cases():
    v = T(EXTREMES)
    m = T([EXTREMES, EXTREMES[::-1]])
    for op in ["sigmoid", "tanh", "relu", "leaky_relu"]:
        both_dtypes(f"extreme {op}", op, [v])
    both_dtypes("extreme leaky_relu slope 0.2", "leaky_relu", [v],
                {"negative_slope": 0.2})
    for op in ["softmax", "log_softmax"]:
        both_dtypes(f"extreme {op} [7] dim 0", op, [v], {"dim": 0})
        both_dtypes(f"extreme {op} [2,7] dim 1", op, [m], {"dim": 1})
    target = torch.tensor([0, 0])  # row 0 picks -100 (huge loss), row 1 picks 100
    for reduction in ["mean", "sum", "none"]:
        both_dtypes(f"extreme cross_entropy {reduction}", "cross_entropy",
                    [m, target], {"reduction": reduction}, no_grad_args=(1,))


def reduction_cases():
    x = randn(3, 4, 5)
    for op in ["sum", "mean"]:
        both_dtypes(f"{op} all", op, [x])
        both_dtypes(f"{op} dim 1", op, [x], {"dim": 1})
        both_dtypes(f"{op} dim [0,2]", op, [x], {"dim": [0, 2]})
        both_dtypes(f"{op} dim 1 keepdim", op, [x], {"dim": 1, "keepdim": True})
        both_dtypes(f"{op} dim -1", op, [x], {"dim": -1})
    for op in ["var", "std"]:
        both_dtypes(f"{op} all", op, [x])
        both_dtypes(f"{op} all correction 0", op, [x], {"correction": 0})
        both_dtypes(f"{op} dim 1 correction 1", op, [x], {"dim": 1, "correction": 1})
        both_dtypes(f"{op} dim 1 correction 0", op, [x], {"dim": 1, "correction": 0})
        both_dtypes(f"{op} dim 1 correction 1 keepdim", op, [x],
                    {"dim": 1, "correction": 1, "keepdim": True})
    for op in ["max", "min"]:
        both_dtypes(f"{op} dim 1", op, [x], {"dim": 1})
        both_dtypes(f"{op} dim 1 keepdim", op, [x], {"dim": 1, "keepdim": True})
        both_dtypes(f"{op} all", op, [x])
    for op in ["argmax", "argmin"]:
        both_dtypes(f"{op} all", op, [x], diff=False)
        both_dtypes(f"{op} dim 1", op, [x], {"dim": 1}, diff=False)
        both_dtypes(f"{op} dim 1 keepdim", op, [x], {"dim": 1, "keepdim": True},
                    diff=False)
    both_dtypes("logsumexp dim 1", "logsumexp", [x], {"dim": 1})
    both_dtypes("logsumexp dim 1 keepdim", "logsumexp", [x], {"dim": 1, "keepdim": True})


def shape_str(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def matmul_cases():
    shapes = [
        ([3], [3]),
        ([2, 3], [3]),
        ([3], [3, 4]),
        ([2, 3], [3, 4]),
        ([2, 2, 3], [3, 4]),
        ([2, 1, 2, 3], [3, 3, 4]),
        ([5, 2, 3], [5, 3, 2]),
    ]
    for sa, sb in shapes:
        both_dtypes(f"matmul {shape_str(sa)} {shape_str(sb)}", "matmul",
                    [randn(*sa), randn(*sb)])


def shape_cases():
    x = randn(2, 3, 4)
    both_dtypes("transpose [2,3,4] 0 1", "transpose", [x, 0, 1])
    both_dtypes("transpose [2,3,4] -1 0", "transpose", [x, -1, 0])
    both_dtypes("permute [2,3,4] [2,0,1]", "permute", [x, [2, 0, 1]])
    both_dtypes("narrow [2,3,4] 1 1 2", "narrow", [x, 1, 1, 2])
    both_dtypes("slice [2,3,4] dim 1 1:3", "slice", [x],
                {"dim": 1, "start": 1, "end": 3, "step": 1})
    both_dtypes("slice [2,3,4] dim 2 0:4:2", "slice", [x],
                {"dim": 2, "start": 0, "end": 4, "step": 2})
    both_dtypes("expand [3,1] [2,3,4]", "expand", [randn(3, 1), [2, 3, 4]])
    both_dtypes("reshape [2,3,4] [6,4]", "reshape", [x, [6, 4]])
    both_dtypes("reshape [2,3,4] [-1]", "reshape", [x, [-1]])
    y = randn(1, 3, 1)
    both_dtypes("squeeze [1,3,1]", "squeeze", [y])
    both_dtypes("squeeze [1,3,1] dim 0", "squeeze", [y], {"dim": 0})
    both_dtypes("unsqueeze [2,3] dim 1", "unsqueeze", [randn(2, 3)], {"dim": 1})
    both_dtypes("flatten [2,3,4] start_dim 1", "flatten", [x], {"start_dim": 1})
    a, b = randn(2, 3), randn(2, 3)
    c = randn(3, 3)
    both_dtypes("cat [2,3] [3,3] dim 0", "cat", [[a, c]], {"dim": 0})
    both_dtypes("cat [2,3] [2,3] dim 1", "cat", [[a, b]], {"dim": 1})
    both_dtypes("stack [2,3] [2,3] dim 0", "stack", [[a, b]], {"dim": 0})
    both_dtypes("stack [2,3] [2,3] dim 1", "stack", [[a, b]], {"dim": 1})


def loss_cases():
    inp, tgt = randn(3, 4), randn(3, 4)
    for reduction in ["mean", "sum", "none"]:
        both_dtypes(f"mse_loss {reduction}", "mse_loss", [inp, tgt],
                    {"reduction": reduction}, no_grad_args=(1,))
    logits = randn(4, 5)
    labels = torch.tensor([1, 0, 4, 2])
    for reduction in ["mean", "sum", "none"]:
        both_dtypes(f"cross_entropy int target {reduction}", "cross_entropy",
                    [logits, labels], {"reduction": reduction}, no_grad_args=(1,))
    probs = torch.softmax(randn(4, 5), dim=1)
    for reduction in ["mean", "sum", "none"]:
        both_dtypes(f"cross_entropy prob target {reduction}", "cross_entropy",
                    [logits, probs], {"reduction": reduction}, no_grad_args=(1,))


def make_ops():
    torch.manual_seed(0)
    binary_cases()
    comparison_cases()
    unary_cases()
    activation_cases()
    extreme_cases()
    reduction_cases()
    matmul_cases()
    shape_cases()
    loss_cases()
    write_json("ops.json", {"torch_version": torch.__version__, "cases": CASES})


# ---------------------------------------------------------------------------
# File 2: optim.json
# ---------------------------------------------------------------------------

OPTIM_CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "betas": [0.8, 0.9], "eps": 1e-6}),
    ("Adam", {"lr": 0.01, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9}),
]

FLOAT64_CONFIGS = [
    ("Adam", {"lr": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
]

RECORD_STEPS = [1, 2, 5, 20]


def run_optimizer(name, kwargs, problem):
    W = problem["W"].detach().clone().requires_grad_(True)
    b = problem["b"].detach().clone().requires_grad_(True)
    x, y = problem["x"], problem["y"]
    torch_kwargs = dict(kwargs)
    if "betas" in torch_kwargs:
        torch_kwargs["betas"] = tuple(torch_kwargs["betas"])
    opt = getattr(torch.optim, name)([W, b], foreach=False, **torch_kwargs)
    steps = {}
    for step in range(1, max(RECORD_STEPS) + 1):
        opt.zero_grad()
        loss = ((x @ W + b - y) ** 2).mean()
        loss.backward()
        opt.step()
        if step in RECORD_STEPS:
            steps[str(step)] = {"W": enc(W), "b": enc(b)}
    return {"optimizer": name, "kwargs": kwargs, "steps": steps}


def make_optim():
    torch.manual_seed(0)
    problem = {"x": randn(6, 4), "y": randn(6, 3), "W": randn(4, 3), "b": randn(3)}
    problem64 = {k: v.to(F64) for k, v in problem.items()}
    write_json("optim.json", {
        "torch_version": torch.__version__,
        "problem": {k: enc(v) for k, v in problem.items()},
        "runs": [run_optimizer(n, kw, problem) for n, kw in OPTIM_CONFIGS],
        "problem64": {k: enc(v) for k, v in problem64.items()},
        "float64_runs": [run_optimizer(n, kw, problem64) for n, kw in FLOAT64_CONFIGS],
    })


# ---------------------------------------------------------------------------
# File 3: modules.json
# ---------------------------------------------------------------------------

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 8)
        self.act1 = nn.ReLU()
        self.fc2 = nn.Linear(8, 5)

    def forward(self, x):
        return self.fc2(self.act1(self.fc1(x)))


def enc_state_dict(module):
    sd = module.state_dict()
    return {"keys": list(sd.keys()), "tensors": {k: enc(v) for k, v in sd.items()}}


def linear_fixture():
    torch.manual_seed(1)
    lin = nn.Linear(4, 3)
    x = randn(2, 4).requires_grad_(True)
    out = lin(x)
    grad_out = randn(*out.shape)
    out.backward(grad_out)
    return {
        "weight": enc(lin.weight), "bias": enc(lin.bias),
        "input": enc(x), "output": enc(out), "gradOut": enc(grad_out),
        "grads": {"input": enc(x.grad), "weight": enc(lin.weight.grad),
                  "bias": enc(lin.bias.grad)},
    }


def net_fixture():
    torch.manual_seed(2)
    net = Net()
    x = randn(4, 10)
    labels = torch.tensor([0, 3, 4, 1])
    sd = enc_state_dict(net)
    out = net(x)
    loss = nn.CrossEntropyLoss()(out, labels)
    loss.backward()
    return {
        "keys": sd["keys"],
        "state_dict": sd["tensors"],
        "input": enc(x),
        "labels": enc(labels),
        "output": enc(out),
        "loss": enc(loss),
        "grads": {name: enc(p.grad) for name, p in net.named_parameters()},
    }


def sequential_fixture():
    torch.manual_seed(3)
    seq = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = randn(2, 3)
    sd = enc_state_dict(seq)
    with torch.no_grad():
        out = seq(x)
    return {"keys": sd["keys"], "state_dict": sd["tensors"],
            "input": enc(x), "output": enc(out)}


def print_fixture():
    torch.manual_seed(4)
    tensors = [
        torch.arange(1, 7, dtype=F32).reshape(2, 3),
        randn(2, 3),
        T([1e-5, 1.5e-3, 0.25, 12.5, 1e3]),
        T([1.5, -2.25, 3.0], dtype=F64),
        torch.tensor([[1, -2], [30, 4]], dtype=torch.int32),
        torch.tensor([True, False, True]),
        T(3.5),
        T([1.0, 2.0, 3.0]).requires_grad_(True),
        torch.arange(2000, dtype=F32),
        randn(40),
        randn(2, 2, 3),
        T([1.0, float("nan"), float("inf"), -float("inf"), -2.5]),
        torch.zeros(0, dtype=F32),
    ]
    return [{"tensor": enc(t), "requires_grad": t.requires_grad, "repr": str(t)}
            for t in tensors]


def make_modules():
    write_json("modules.json", {
        "torch_version": torch.__version__,
        "linear": linear_fixture(),
        "net": net_fixture(),
        "sequential": sequential_fixture(),
        "print": print_fixture(),
    })


if __name__ == "__main__":
    make_ops()
    make_optim()
    make_modules()
