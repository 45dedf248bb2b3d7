#!/usr/bin/env -S /usr/bin/python3
"""Generate reference fixtures for nabla's activations and losses using real PyTorch.

Run from the repository root:

    /usr/bin/python3 scripts/make_activation_fixtures.py

Writes:
    test/fixtures/activations.json  every activation: forward values and input gradients
    test/fixtures/losses.json       every loss: values and gradients of every float argument

Inputs include the extremes -100, -30, -1e-7, 0, 1e-7, 30, 100 and every function's kinks,
in float32 and float64. Everything is seeded, so reruns produce byte-identical files.

Tensor encoding (scripts/fixture_json.py, as scripts/make_fixtures.py):
    {"dtype": "float32"|"float64"|"int32"|"bool", "shape": [...], "data": [...]}
flat row-major data, int64 written as "int32", non-finite floats as "nan", "inf", "-inf",
floats written exactly.

Options are recorded under nabla's camelCase names ("kwargs") and translated to PyTorch's
snake_case here. Where torch 1.13 has no such function (SwiGLU, GeGLU), the reference is an
independent composite of PyTorch functions, marked "reference": "composite".

Float32 overflow: where PyTorch's float32 kernel overflows to inf/nan but the float64 result
is finite (e.g. soft_margin_loss computes log1p(exp(100)) in float32), the float32 expectation
is the float64 result rounded to float32, and the case lists those elements under
"substituted" so the tests can say so.
"""

import functools
import math
import re

import torch
import torch.nn.functional as F

import fixture_json
from fixture_json import T, randn, write_json

F32 = torch.float32
F64 = torch.float64
DTYPES = [(F64, "f64"), (F32, "f32")]
EXTREMES = [-100.0, -30.0, -1e-7, 0.0, 1e-7, 30.0, 100.0]


# ---------------------------------------------------------------------------
# Encoding (fixture_json; this script's own copy wrote every dtype other than
# float32/float64/bool as "int32" rather than refusing it, so keep that)
# ---------------------------------------------------------------------------

enc = functools.partial(fixture_json.enc, other_as_int32=True)
enc_opt = functools.partial(fixture_json.enc_opt, other_as_int32=True)


def snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


# ---------------------------------------------------------------------------
# Running a case in one dtype
# ---------------------------------------------------------------------------

def cast(a, dtype, grad):
    if isinstance(a, torch.Tensor):
        t = a.detach().clone()
        if t.is_floating_point():
            t = t.to(dtype)
            if grad:
                t.requires_grad_(True)
        return t
    return a


def run(fn, args, kwargs, dtype, grad_args, grad_out_seed):
    """Returns (args, kwargs, out, gradOut, grads) with torch in `dtype`."""
    targs = [cast(a, dtype, i in grad_args) for i, a in enumerate(args)]
    tkw = {k: cast(v, dtype, False) for k, v in kwargs.items()}
    torch_kw = {snake(k): v for k, v in tkw.items()}
    out = fn(*targs, **torch_kw)
    g = torch.Generator().manual_seed(grad_out_seed)
    grad_out = torch.randn(out.shape, dtype=F32, generator=g).to(out.dtype)
    out.backward(grad_out)
    grads = [a.grad if isinstance(a, torch.Tensor) and a.requires_grad else None for a in targs]
    return targs, tkw, out.detach(), grad_out, grads


def substitute(t32, t64):
    """t32 with its non-finite elements replaced by t64's where those are finite; and their indices."""
    if t32 is None or t64 is None:
        return t32, []
    a = t32.detach().reshape(-1).clone()
    b = t64.detach().reshape(-1)
    idx = [i for i in range(a.numel())
           if not math.isfinite(a[i].item()) and math.isfinite(b[i].item())]
    for i in idx:
        a[i] = b[i].to(F32)
    return a.reshape(t32.shape), idx


CASES = []
NAMES = set()


def add_case(name, nabla_fn, torch_fn, args, kwargs=None, grad_args=None, reference="torch"):
    """Record `name f64` and `name f32`. grad_args: indices of args that get gradients
    (default: every floating-point tensor argument)."""
    kwargs = kwargs or {}
    if grad_args is None:
        grad_args = [i for i, a in enumerate(args) if isinstance(a, torch.Tensor) and a.is_floating_point()]
    seed = len(CASES)
    try:
        results = {tag: run(torch_fn, args, kwargs, dtype, grad_args, seed) for dtype, tag in DTYPES}
    except RuntimeError as e:
        # PyTorch has no gradient for this target (e.g. soft_margin_loss): record the others'
        if "differentiable" not in str(e) and "not implemented" not in str(e):
            raise
        grad_args = grad_args[:-1]
        results = {tag: run(torch_fn, args, kwargs, dtype, grad_args, seed) for dtype, tag in DTYPES}
    for dtype, tag in DTYPES:
        full = f"{name} {tag}"
        assert full not in NAMES, full
        NAMES.add(full)
        targs, tkw, out, grad_out, grads = results[tag]
        substituted = {}
        if tag == "f32":
            _, _, out64, _, grads64 = results["f64"]
            out, idx = substitute(out, out64)
            if idx:
                substituted["out"] = idx
            for i, (g32, g64) in enumerate(zip(grads, grads64)):
                grads[i], idx = substitute(g32, g64)
                if idx:
                    substituted[f"grad{i}"] = idx
        case = {
            "name": full,
            "fn": nabla_fn,
            "args": [enc(a) if isinstance(a, torch.Tensor) else a for a in targs],
            "kwargs": {k: enc(v) if isinstance(v, torch.Tensor) else v for k, v in tkw.items()},
            "out": enc(out),
            "gradOut": enc(grad_out),
            "grads": [enc_opt(g) for g in grads],
        }
        if substituted:
            case["substituted"] = substituted
        if reference != "torch":
            case["reference"] = reference
        CASES.append(case)


# ---------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------

def points(*kinks):
    """The extremes, the function's kinks (and values just beside them), and random values."""
    extra = []
    for k in kinks:
        extra += [k, k - 1e-3, k + 1e-3]
    return T(EXTREMES + extra + (randn(10) * 3).tolist())


def swiglu_ref(x, dim=-1):
    a, b = x.chunk(2, dim=dim)
    return a * F.silu(b)


def geglu_ref(x, dim=-1):
    a, b = x.chunk(2, dim=dim)
    return a * F.gelu(b)


def activation_cases():
    pointwise = [
        ("sigmoid", torch.sigmoid, [], {}),
        ("tanh", torch.tanh, [], {}),
        ("relu", F.relu, [0.0], {}),
        ("relu6", F.relu6, [0.0, 6.0], {}),
        ("leakyRelu", F.leaky_relu, [0.0], {}),
        ("leakyRelu", F.leaky_relu, [0.0], {"negativeSlope": 0.2}),
        ("elu", F.elu, [0.0], {}),
        ("elu", F.elu, [0.0], {"alpha": 0.5}),
        ("selu", F.selu, [0.0], {}),
        ("celu", F.celu, [0.0], {}),
        ("celu", F.celu, [0.0], {"alpha": 2.0}),
        ("gelu", F.gelu, [], {}),
        ("gelu", F.gelu, [], {"approximate": "tanh"}),
        ("silu", F.silu, [], {}),
        ("mish", F.mish, [], {}),
        ("softplus", F.softplus, [20.0], {}),
        ("softplus", F.softplus, [5.0], {"beta": 2.0, "threshold": 10.0}),
        ("softplus", F.softplus, [-10.0], {"beta": 0.5, "threshold": -5.0}),
        ("softsign", F.softsign, [0.0], {}),
        ("hardtanh", F.hardtanh, [-1.0, 1.0], {}),
        ("hardtanh", F.hardtanh, [-2.0, 3.0], {"minVal": -2.0, "maxVal": 3.0}),
        ("hardsigmoid", F.hardsigmoid, [-3.0, 3.0], {}),
        ("hardswish", F.hardswish, [-3.0, 3.0], {}),
        ("logsigmoid", F.logsigmoid, [], {}),
        ("tanhshrink", F.tanhshrink, [], {}),
        ("softshrink", F.softshrink, [-0.5, 0.5], {}),
        ("softshrink", F.softshrink, [-1.0, 1.0], {"lambd": 1.0}),
        ("hardshrink", F.hardshrink, [-0.5, 0.5], {}),
        ("hardshrink", F.hardshrink, [-1.0, 1.0], {"lambd": 1.0}),
        ("rrelu", F.rrelu, [0.0], {}),
        ("rrelu", F.rrelu, [0.0], {"lower": 0.1, "upper": 0.3}),
    ]
    for fn, torch_fn, kinks, kw in pointwise:
        label = " ".join(f"{k}={v}" for k, v in kw.items())
        add_case(f"{fn} {label}".strip(), fn, torch_fn, [points(*kinks)], kw)
    # threshold's options are positional in both libraries
    add_case("threshold 0.5 -2", "threshold", lambda x, *a: F.threshold(x, *a), [points(0.5), 0.5, -2.0])
    # PReLU: one shared slope, and one per channel (dim 1)
    add_case("prelu shared", "prelu", F.prelu, [points(0.0), T([0.25])])
    x3 = torch.cat([T(EXTREMES + [0.0, 0.0]).reshape(3, 3), randn(3, 3)]).reshape(2, 3, 3)
    add_case("prelu per channel", "prelu", F.prelu, [x3, T([0.25, -0.1, 0.6])])
    m = torch.stack([T(EXTREMES + [1.5]), T(EXTREMES[::-1] + [-1.5]), randn(8)])  # [3, 8]
    for dim in [0, 1, -1]:
        for fn, torch_fn in [("softmax", F.softmax), ("logSoftmax", F.log_softmax), ("softmin", F.softmin)]:
            add_case(f"{fn} dim={dim}", fn, lambda x, d, f=torch_fn: f(x, dim=d), [m, dim])
    m4 = torch.cat([m, randn(1, 8)])  # [4, 8]: even along both dims
    for dim in [-1, 0]:
        add_case(f"glu dim={dim}", "glu", lambda x, d: F.glu(x, dim=d), [m4, dim])
        add_case(f"swiglu dim={dim}", "swiglu", swiglu_ref, [m4, dim], reference="composite")
        add_case(f"geglu dim={dim}", "geglu", geglu_ref, [m4, dim], reference="composite")


# ---------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------

def loss_cases():
    R = ["mean", "sum", "none"]
    x, y = randn(3, 4), randn(3, 4)
    ext = T(EXTREMES + [1.0]).reshape(2, 4)
    for r in R:
        add_case(f"mseLoss {r}", "mseLoss", F.mse_loss, [x, y], {"reduction": r})
        add_case(f"mseLoss extremes {r}", "mseLoss", F.mse_loss, [ext, y[:2]], {"reduction": r})
    # L1, smooth L1 and Huber with differences exactly 0, ±beta, ±delta (the kinks)
    base = randn(12)
    d = T([0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 1e-7, 30.0, -100.0, 0.3, -1.7])
    tgt = base
    inp = base + d
    for r in R:
        add_case(f"l1Loss {r}", "l1Loss", F.l1_loss, [inp, tgt], {"reduction": r})
        add_case(f"smoothL1Loss {r}", "smoothL1Loss", F.smooth_l1_loss, [inp, tgt], {"reduction": r})
        add_case(f"huberLoss {r}", "huberLoss", F.huber_loss, [inp, tgt], {"reduction": r})
    add_case("smoothL1Loss beta=0.5", "smoothL1Loss", F.smooth_l1_loss, [inp, tgt], {"beta": 0.5})
    add_case("smoothL1Loss beta=0", "smoothL1Loss", F.smooth_l1_loss, [inp, tgt], {"beta": 0.0})
    add_case("huberLoss delta=2", "huberLoss", F.huber_loss, [inp, tgt], {"delta": 2.0})

    # BCE on probabilities: exactly 0 and 1 (the log clamp), 1e-7, 0.5 and random values
    p = T([0.0, 1.0, 1e-7, 0.5, 0.0, 1.0, 0.25, 0.9] + torch.rand(8).tolist()).reshape(4, 4)
    q = T([0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.3, 0.7] + (torch.rand(8) > 0.5).float().tolist()).reshape(4, 4)
    w = torch.rand(4) + 0.5
    for r in R:
        # gradients for the target are +-inf at probabilities 0 and 1 in PyTorch, as in nabla
        add_case(f"binaryCrossEntropy {r}", "binaryCrossEntropy", F.binary_cross_entropy, [p, q], {"reduction": r})
        add_case(f"binaryCrossEntropy weight {r}", "binaryCrossEntropy", F.binary_cross_entropy, [p, q],
                 {"reduction": r, "weight": w})
    logits = torch.cat([T(EXTREMES + [2.0]), randn(8)]).reshape(4, 4)
    for r in R:
        add_case(f"binaryCrossEntropyWithLogits {r}", "binaryCrossEntropyWithLogits",
                 F.binary_cross_entropy_with_logits, [logits, q], {"reduction": r})
    add_case("binaryCrossEntropyWithLogits weight posWeight", "binaryCrossEntropyWithLogits",
             F.binary_cross_entropy_with_logits, [logits, q], {"weight": w, "posWeight": T([1.0, 2.0, 0.5, 3.0])})
    add_case("binaryCrossEntropyWithLogits posWeight sum", "binaryCrossEntropyWithLogits",
             F.binary_cross_entropy_with_logits, [logits, q], {"posWeight": T([1.0, 2.0, 0.5, 3.0]), "reduction": "sum"})

    # cross-entropy: class indices with weight / ignoreIndex / labelSmoothing, [N, C, d], [C], probabilities
    z = torch.cat([T([[100.0, -100.0, 0.0, 30.0, -30.0], [-100.0, 100.0, 1e-7, 0.0, -1e-7]]), randn(4, 5)])  # [6, 5]
    labels = torch.tensor([1, 0, 4, 2, 3, 2])
    with_ignored = torch.tensor([1, -100, 4, 2, -100, 2])
    cw = T([0.2, 1.0, 2.0, 0.5, 1.5])
    for r in R:
        add_case(f"crossEntropy {r}", "crossEntropy", F.cross_entropy, [z, labels], {"reduction": r})
        add_case(f"crossEntropy weight ignore {r}", "crossEntropy", F.cross_entropy, [z, with_ignored],
                 {"reduction": r, "weight": cw})
        add_case(f"crossEntropy smoothing {r}", "crossEntropy", F.cross_entropy, [z, with_ignored],
                 {"reduction": r, "labelSmoothing": 0.1})
        add_case(f"crossEntropy smoothing weight {r}", "crossEntropy", F.cross_entropy, [z, with_ignored],
                 {"reduction": r, "labelSmoothing": 0.2, "weight": cw})
    add_case("crossEntropy ignoreIndex=2", "crossEntropy", F.cross_entropy, [z, labels], {"ignoreIndex": 2})
    z3 = randn(2, 4, 3)
    z3[0, 0, 0] = 100.0
    z3[1, 2, 1] = -100.0
    l3 = torch.tensor([[0, 3, 1], [2, 2, 0]])
    for r in R:
        add_case(f"crossEntropy [N,C,d] {r}", "crossEntropy", F.cross_entropy, [z3, l3],
                 {"reduction": r, "weight": T([1.0, 0.5, 2.0, 1.0]), "labelSmoothing": 0.05})
    add_case("crossEntropy unbatched", "crossEntropy", F.cross_entropy, [T([0.5, 100.0, -3.0]), torch.tensor(2)])
    probs = torch.softmax(randn(6, 5), dim=1)
    for r in R:
        add_case(f"crossEntropy probabilities {r}", "crossEntropy", F.cross_entropy, [z, probs], {"reduction": r})
        add_case(f"crossEntropy probabilities weight smoothing {r}", "crossEntropy", F.cross_entropy, [z, probs],
                 {"reduction": r, "weight": cw, "labelSmoothing": 0.1})

    logp = torch.log_softmax(z, dim=1)
    for r in R:
        add_case(f"nllLoss {r}", "nllLoss", F.nll_loss, [logp, labels], {"reduction": r})
        add_case(f"nllLoss weight ignore {r}", "nllLoss", F.nll_loss, [logp, with_ignored], {"reduction": r, "weight": cw})
    add_case("nllLoss [N,C,d1,d2]", "nllLoss", F.nll_loss,
             [torch.log_softmax(randn(2, 3, 2, 2), 1), torch.tensor([[[0, 1], [2, 2]], [[1, 0], [0, 2]]])], {"weight": T([1.0, 2.0, 0.5])})

    # KL divergence: positive targets (gradients for both), and targets with zeros (input gradient only:
    # PyTorch's target gradient is NaN at 0, from xlogy's backward)
    lq = torch.log_softmax(randn(3, 4), 1)
    pt = torch.softmax(randn(3, 4), 1)
    pt0 = pt.clone()
    pt0[0, 1] = 0.0
    pt0[2, 3] = 0.0
    for r in R + ["batchmean"]:
        add_case(f"klDiv {r}", "klDiv", F.kl_div, [lq, pt], {"reduction": r})
        add_case(f"klDiv logTarget {r}", "klDiv", F.kl_div, [lq, torch.log(pt)], {"reduction": r, "logTarget": True})
    add_case("klDiv zero targets", "klDiv", F.kl_div, [lq, pt0], {"reduction": "sum"}, grad_args=[0])

    # margin ranking with −y(x1 − x2) + margin exactly 0 in places (the kink)
    a1 = T([1.0, 2.0, -1.0, 0.5, 100.0, -100.0, 0.3, 0.0])
    a2 = T([1.0, 1.5, -1.0, 1.0, -100.0, 100.0, -0.2, 0.5])
    yy = T([1.0, -1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0])
    for r in R:
        add_case(f"marginRankingLoss {r}", "marginRankingLoss", F.margin_ranking_loss, [a1, a2, yy], {"reduction": r})
    add_case("marginRankingLoss margin=0.5", "marginRankingLoss", F.margin_ranking_loss, [a1, a2, yy], {"margin": 0.5})

    h = T([1.0, 0.5, -0.3, 2.0, 100.0, -100.0, 0.0, 1.5])
    hy = T([1.0, -1.0, -1.0, -1.0, 1.0, -1.0, -1.0, 1.0])
    for r in R:
        add_case(f"hingeEmbeddingLoss {r}", "hingeEmbeddingLoss", F.hinge_embedding_loss, [h, hy], {"reduction": r})
    add_case("hingeEmbeddingLoss margin=2", "hingeEmbeddingLoss", F.hinge_embedding_loss, [h, hy], {"margin": 2.0})

    c1, c2 = randn(5, 3), randn(5, 3)
    c2[1] = c1[1]  # cos = 1
    cy = T([1.0, -1.0, 1.0, -1.0, -1.0])
    for r in R:
        add_case(f"cosineEmbeddingLoss {r}", "cosineEmbeddingLoss", F.cosine_embedding_loss, [c1, c2, cy], {"reduction": r})
    add_case("cosineEmbeddingLoss margin=0.2", "cosineEmbeddingLoss", F.cosine_embedding_loss, [c1, c2, cy], {"margin": 0.2})
    add_case("cosineEmbeddingLoss unbatched", "cosineEmbeddingLoss", F.cosine_embedding_loss, [c1[0], c2[0], T(-1.0)])

    sm = T(EXTREMES + [2.0])
    smy = T([1.0, -1.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0])
    for r in R:
        add_case(f"softMarginLoss {r}", "softMarginLoss", F.soft_margin_loss, [sm, smy], {"reduction": r})
        add_case(f"multilabelSoftMarginLoss {r}", "multilabelSoftMarginLoss", F.multilabel_soft_margin_loss,
                 [logits, q], {"reduction": r})
    add_case("multilabelSoftMarginLoss weight", "multilabelSoftMarginLoss", F.multilabel_soft_margin_loss,
             [logits, q], {"weight": w})

    an, po, ne = randn(4, 3), randn(4, 3), randn(4, 3)
    for r in R:
        add_case(f"tripletMarginLoss {r}", "tripletMarginLoss", F.triplet_margin_loss, [an, po, ne], {"reduction": r})
    add_case("tripletMarginLoss p=1 margin=0.5", "tripletMarginLoss", F.triplet_margin_loss, [an, po, ne], {"p": 1.0, "margin": 0.5})
    add_case("tripletMarginLoss p=3 swap", "tripletMarginLoss", F.triplet_margin_loss, [an, po, ne], {"p": 3.0, "swap": True})
    add_case("tripletMarginLoss unbatched", "tripletMarginLoss", F.triplet_margin_loss, [an[0], po[0], ne[0]])

    lam = T([-30.0, -1e-7, 0.0, 1e-7, 2.0, 30.0, 0.5, -1.0])
    cnt = T([0.0, 1.0, 2.0, 7.0, 0.0, 3.0, 1.5, 4.0])
    rate = T([1e-7, 0.5, 1.0, 2.0, 30.0, 100.0, 0.0, 3.0])
    for r in R:
        add_case(f"poissonNllLoss {r}", "poissonNllLoss", F.poisson_nll_loss, [lam, cnt], {"reduction": r})
        add_case(f"poissonNllLoss rate full {r}", "poissonNllLoss", F.poisson_nll_loss, [rate, cnt],
                 {"reduction": r, "logInput": False, "full": True}, grad_args=[0])
    add_case("poissonNllLoss full", "poissonNllLoss", F.poisson_nll_loss, [lam, cnt], {"full": True}, grad_args=[0])

    mu, obs = randn(4, 3), randn(4, 3)
    var = torch.rand(4, 3) + 0.1
    var[0, 0] = 1e-8  # below eps: clamped in value, gradient passes as if not
    var[1, 1] = 0.0
    for r in R:
        add_case(f"gaussianNllLoss {r}", "gaussianNllLoss", F.gaussian_nll_loss, [mu, obs, var], {"reduction": r})
    add_case("gaussianNllLoss full eps=1e-3", "gaussianNllLoss", F.gaussian_nll_loss, [mu, obs, var], {"full": True, "eps": 1e-3})
    add_case("gaussianNllLoss var [N]", "gaussianNllLoss", F.gaussian_nll_loss, [mu, obs, var[:, 0]])
    add_case("gaussianNllLoss var [N,1]", "gaussianNllLoss", F.gaussian_nll_loss, [mu, obs, var[:, :1]])


def main():
    global CASES, NAMES
    torch.manual_seed(0)
    activation_cases()
    write_json("activations.json", {"torch_version": torch.__version__, "cases": CASES})
    CASES, NAMES = [], set()
    torch.manual_seed(1)
    loss_cases()
    write_json("losses.json", {"torch_version": torch.__version__, "cases": CASES})


if __name__ == "__main__":
    main()
