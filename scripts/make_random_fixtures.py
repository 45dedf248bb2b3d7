#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for nabla's random numbers (issue 11), from real PyTorch on this machine.

Run from the repository root:

    /usr/bin/python3 scripts/make_random_fixtures.py

Writes test/fixtures/random_*.json:
    random_streams.json   what each sampler gives after torch.manual_seed(seed): randn, rand,
                          randint, randperm, normal_, uniform_, bernoulli(_), exponential_,
                          multinomial, normal, poisson, for several seeds, sizes and dtypes; and
                          what the next draw is afterwards (so that the number of draws consumed
                          is checked too)
    random_init.json      the default initialisation of Linear, Conv1d/2d, ConvTranspose2d,
                          Embedding, RNN/LSTM/GRU and their cells, and dropout masks, after
                          torch.manual_seed(seed)

nabla's tests compare these bit for bit (the float64 Box–Muller paths go through the C
library's log/sin/cos, which JavaScript's Math stands in for, so those within a few ulps).
Tensor encoding as in scripts/fixture_json.py; int64 is written as int32.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_json import enc, write_json

F32 = torch.float32
F64 = torch.float64
DTYPES = {"float32": F32, "float64": F64}
SEEDS = [0, 1, 42, 2024]
SIZES = [1, 7, 15, 16, 17, 100, 1000]


def after(seed, fn):
    """fn's result after manual_seed(seed), and the next torch.randint(0, 2**31 - 1) draw."""
    torch.manual_seed(seed)
    out = fn()
    probe = torch.randint(0, 2**31 - 1, (2,), dtype=torch.int64)
    return out, probe


def case(op, seed, fn, **args):
    out, probe = after(seed, fn)
    outs = out if isinstance(out, (list, tuple)) else [out]
    return {"op": op, "seed": seed, **args, "out": [enc(o) for o in outs], "next": enc(probe)}


def stream_cases():
    cases = []
    for seed in SEEDS:
        for n in SIZES:
            for name, dt in DTYPES.items():
                cases.append(case("randn", seed, lambda: torch.randn(n, dtype=dt), shape=[n], dtype=name))
                cases.append(case("rand", seed, lambda: torch.rand(n, dtype=dt), shape=[n], dtype=name))
                cases.append(case("normal_", seed, lambda: torch.empty(n, dtype=dt).normal_(0.3, 2.7),
                                  shape=[n], dtype=name, mean=0.3, std=2.7))
                cases.append(case("uniform_", seed, lambda: torch.empty(n, dtype=dt).uniform_(-0.37, 0.81),
                                  shape=[n], dtype=name, low=-0.37, high=0.81))
                cases.append(case("exponential_", seed, lambda: torch.empty(n, dtype=dt).exponential_(1.5),
                                  shape=[n], dtype=name, lambd=1.5))
                cases.append(case("bernoulli_scalar", seed, lambda: torch.empty(n, dtype=dt).bernoulli_(0.3),
                                  shape=[n], dtype=name, p=0.3))
                torch.manual_seed(seed + 1000)
                p = torch.rand(n, dtype=dt)
                cases.append(case("bernoulli", seed, lambda: torch.bernoulli(p), p=enc(p)))
            cases.append(case("randint", seed, lambda: torch.randint(-5, 1000, (n,)), low=-5, high=1000, shape=[n]))
            cases.append(case("randperm", seed, lambda: torch.randperm(n), n=n))
        # shapes, a sequence that leaves a cached normal, a non-contiguous target
        cases.append(case("randn", seed, lambda: torch.randn(3, 5), shape=[3, 5], dtype="float32"))
        cases.append(case("randn", seed, lambda: torch.randn(4, 8), shape=[4, 8], dtype="float32"))
        cases.append(case("randn_sequence", seed, lambda: [torch.randn(3), torch.randn(20), torch.randn(3, dtype=F64), torch.randn(1)],
                          shapes=[[3], [20], [3], [1]], dtypes=["float32", "float32", "float64", "float32"]))
        cases.append(case("normal_transposed", seed, lambda: torch.empty(6, 5).t().normal_(), shape=[6, 5]))
        cases.append(case("uniform_transposed", seed, lambda: torch.empty(4, 3, dtype=F64).t().uniform_(-1, 2), shape=[4, 3]))
        if seed == 0:
            cases.append(case("randperm", seed, lambda: torch.randperm(30000), n=30000))
        # multinomial: 1-D and 2-D, with and without replacement, float32 and float64
        torch.manual_seed(seed + 2000)
        w1 = torch.rand(10)
        w1[3] = 0
        w2 = torch.rand(4, 6, dtype=F64)
        for probs in (w1, w2):
            for k, repl in ((1, True), (5, True), (1, False), (4, False), (20, True)):
                cases.append(case("multinomial", seed, lambda: torch.multinomial(probs, k, repl),
                                  probs=enc(probs), numSamples=k, replacement=repl))
        # torch.normal forms
        torch.manual_seed(seed + 3000)
        mean = torch.randn(3, 20)
        std = torch.rand(20) + 0.5
        cases.append(case("normal_tt", seed, lambda: torch.normal(mean, std), mean=enc(mean), std=enc(std)))
        cases.append(case("normal_tn", seed, lambda: torch.normal(mean, 0.7), mean=enc(mean), std=0.7))
        cases.append(case("normal_nt", seed, lambda: torch.normal(0.4, std), mean=0.4, std=enc(std)))
        cases.append(case("normal_nn", seed, lambda: torch.normal(0.4, 1.3, (2, 9)), mean=0.4, std=1.3, size=[2, 9]))
        # poisson: small rates (products of uniforms) and large (transformed rejection)
        rates = torch.tensor([0.0, 0.5, 3.0, 9.9, 10.0, 25.0, 400.0, 1e-3] * 4)
        for name, dt in DTYPES.items():
            cases.append(case("poisson", seed, lambda: torch.poisson(rates.to(dt)), rates=enc(rates.to(dt))))
    return cases


def init_cases():
    cases = []
    for seed in (0, 42):
        for name, dt in DTYPES.items():
            def modules():
                return {
                    "Linear": lambda: nn.Linear(7, 5, dtype=dt),
                    "LinearNoBias": lambda: nn.Linear(17, 3, bias=False, dtype=dt),
                    "LinearBig": lambda: nn.Linear(100, 64, dtype=dt),
                    "Conv1d": lambda: nn.Conv1d(3, 4, 5, dtype=dt),
                    "Conv2d": lambda: nn.Conv2d(3, 8, 3, dtype=dt),
                    "Conv2dGroups": lambda: nn.Conv2d(4, 6, (3, 2), groups=2, dtype=dt),
                    "ConvTranspose2d": lambda: nn.ConvTranspose2d(3, 4, 3, dtype=dt),
                    "Embedding": lambda: nn.Embedding(10, 3, dtype=dt),
                    "EmbeddingPad": lambda: nn.Embedding(20, 8, padding_idx=2, dtype=dt),
                    "RNN": lambda: nn.RNN(4, 6, dtype=dt),
                    "LSTM": lambda: nn.LSTM(5, 7, num_layers=2, bidirectional=True, dtype=dt),
                    "GRU": lambda: nn.GRU(3, 4, num_layers=2, dtype=dt),
                    "RNNCell": lambda: nn.RNNCell(4, 6, dtype=dt),
                    "LSTMCell": lambda: nn.LSTMCell(5, 3, dtype=dt),
                    "GRUCell": lambda: nn.GRUCell(3, 4, dtype=dt),
                }
            for module_name, make in modules().items():
                torch.manual_seed(seed)
                m = make()
                probe = torch.randint(0, 2**31 - 1, (2,), dtype=torch.int64)
                cases.append({"module": module_name, "seed": seed, "dtype": name,
                              "state": {k: enc(v) for k, v in m.state_dict().items()}, "next": enc(probe)})
        # orthogonal_ (QR of PyTorch's normal draws: the same Q to rounding)
        for name, dt in DTYPES.items():
            for shape in ((5, 3), (3, 5), (4, 2, 2)):
                torch.manual_seed(seed)
                w = nn.init.orthogonal_(torch.empty(*shape, dtype=dt), gain=1.5)
                probe = torch.randint(0, 2**31 - 1, (2,), dtype=torch.int64)
                cases.append({"module": "orthogonal_", "seed": seed, "dtype": name, "shape": list(shape), "gain": 1.5,
                              "out": enc(w), "next": enc(probe)})
        # dropout masks (training), float32 and float64, and a channel dropout
        for name, dt in DTYPES.items():
            x = torch.ones(4, 25, dtype=dt)
            torch.manual_seed(seed)
            y = F.dropout(x, 0.3, training=True)
            probe = torch.randint(0, 2**31 - 1, (2,), dtype=torch.int64)
            cases.append({"module": "dropout", "seed": seed, "dtype": name, "p": 0.3, "shape": [4, 25],
                          "out": enc(y), "next": enc(probe)})
            x = torch.ones(2, 5, 3, 3, dtype=dt)
            torch.manual_seed(seed)
            y = F.dropout2d(x, 0.5, training=True)
            probe = torch.randint(0, 2**31 - 1, (2,), dtype=torch.int64)
            cases.append({"module": "dropout2d", "seed": seed, "dtype": name, "p": 0.5, "shape": [2, 5, 3, 3],
                          "out": enc(y), "next": enc(probe)})
    return cases





# ---------------------------------------------------------------------------
# Special functions and linear algebra
# ---------------------------------------------------------------------------

def grad_case(name, fn, inputs, seed=7, **extra):
    """Forward fn(*inputs) and the gradients of sum(out * g) for a fixed g (float64 math)."""
    ins = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
    out = fn(*ins)
    torch.manual_seed(seed)
    g = torch.randn(out.shape, dtype=out.dtype)
    grads = torch.autograd.grad((out * g).sum(), [x for x in ins if x.requires_grad], allow_unused=True)
    return {"name": name, **extra, "inputs": [enc(x) for x in inputs], "out": enc(out), "gradOut": enc(g),
            "grads": [None if gr is None else enc(gr) for gr in grads]}


def spd(n, batch=(), dtype=F64, seed=0):
    torch.manual_seed(seed)
    a = torch.randn(*batch, n, n, dtype=dtype)
    return a @ a.transpose(-2, -1) + n * torch.eye(n, dtype=dtype)


def special_cases():
    cases = []
    xs = [0.01, 0.3, 0.5, 0.9, 1.0, 1.4616, 2.0, 2.5, 3.7, 7.9, 8.0, 10.0, 25.5, 150.0, -0.5, -2.3, -7.6]
    for name, dt in DTYPES.items():
        x = torch.tensor(xs, dtype=dt)
        cases.append(grad_case("lgamma", torch.lgamma, [x], dtype=name))
        cases.append(grad_case("digamma", torch.digamma, [x], dtype=name))
        for n in (1, 2, 3):
            cases.append(grad_case(f"polygamma{n}", lambda t, n=n: torch.polygamma(n, t), [x], dtype=name, n=n))
    return cases


def linalg_cases():
    cases = []
    for name, dt in DTYPES.items():
        for batch, n in (((), 1), ((), 4), ((2, 3), 3)):
            a = spd(n, batch, dt, seed=n)
            cases.append(grad_case("cholesky", torch.linalg.cholesky, [a], dtype=name))
            cases.append(grad_case("cholesky_upper", lambda t: torch.linalg.cholesky(t, upper=True), [a], dtype=name))
        torch.manual_seed(5)
        lower = torch.randn(4, 4, dtype=dt).tril() + 3 * torch.eye(4, dtype=dt)
        upper = lower.t().contiguous()
        b = torch.randn(4, 3, dtype=dt)
        bt = torch.randn(2, 4, dtype=dt)
        batched = torch.randn(2, 1, 4, 4, dtype=dt).tril() + 3 * torch.eye(4, dtype=dt)
        bb = torch.randn(3, 4, 2, dtype=dt)
        for label, A, B, kw in (("lower_left", lower, b, dict(upper=False)),
                                 ("upper_left", upper, b, dict(upper=True)),
                                 ("lower_right", lower, bt, dict(upper=False, left=False)),
                                 ("upper_right", upper, bt, dict(upper=True, left=False)),
                                 ("unit_lower", lower, b, dict(upper=False, unitriangular=True)),
                                 ("unit_upper_right", upper, bt, dict(upper=True, left=False, unitriangular=True)),
                                 ("batched_broadcast", batched, bb, dict(upper=False))):
            cases.append(grad_case(f"solve_triangular_{label}", lambda A_, B_, kw=kw: torch.linalg.solve_triangular(A_, B_, **kw),
                                   [A, B], dtype=name, options={"upper": kw["upper"], "left": kw.get("left", True),
                                                                "unitriangular": kw.get("unitriangular", False)}))
    return cases


# ---------------------------------------------------------------------------
# Distributions
# ---------------------------------------------------------------------------

D = torch.distributions


def make_dist(kind, params):
    p = params
    if kind == "Normal":
        return D.Normal(p["loc"], p["scale"])
    if kind == "Uniform":
        return D.Uniform(p["low"], p["high"])
    if kind == "Bernoulli":
        return D.Bernoulli(probs=p["probs"]) if "probs" in p else D.Bernoulli(logits=p["logits"])
    if kind == "Categorical":
        return D.Categorical(probs=p["probs"]) if "probs" in p else D.Categorical(logits=p["logits"])
    if kind == "OneHotCategorical":
        return D.OneHotCategorical(probs=p["probs"]) if "probs" in p else D.OneHotCategorical(logits=p["logits"])
    if kind == "Gamma":
        return D.Gamma(p["concentration"], p["rate"])
    if kind == "Beta":
        return D.Beta(p["concentration1"], p["concentration0"])
    if kind == "MultivariateNormal":
        key = next(k for k in ("covariance_matrix", "precision_matrix", "scale_tril") if k in p)
        return D.MultivariateNormal(p["loc"], **{key: p[key]})
    raise ValueError(kind)


def dist_specs(dt):
    """(kind, label, params, value) for each case; params are leaf tensors of dtype dt."""
    torch.manual_seed(11)
    t = lambda v: torch.tensor(v, dtype=dt)
    L = torch.tensor([[1.2, 0, 0], [0.3, 0.8, 0], [-0.4, 0.5, 1.5]], dtype=dt)
    cov = L @ L.t()
    return [
        ("Normal", "batch", {"loc": t([0.3, -1.2, 2.0]), "scale": t([0.5, 1.7, 3.0])}, t([[0.1, 0.0, 5.0], [-2.0, 1.0, 2.5]])),
        ("Uniform", "batch", {"low": t([-1.0, 0.0, 2.0]), "high": t([1.5, 0.25, 9.0])}, t([0.3, 0.1, 3.0])),
        ("Bernoulli", "probs", {"probs": t([0.1, 0.5, 0.93, 0.0])}, t([1.0, 0.0, 1.0, 0.0])),
        ("Bernoulli", "logits", {"logits": t([-2.0, 0.0, 3.5, 30.0])}, t([[1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 0.0]])),
        ("Categorical", "probs", {"probs": t([[0.1, 0.2, 0.7], [0.5, 0.0, 0.5]])}, torch.tensor([2, 0])),
        ("Categorical", "logits", {"logits": t([[0.3, -1.0, 2.0, 0.0], [1.0, 1.0, -3.0, 0.5]])}, torch.tensor([[3, 1], [0, 2]])),
        ("OneHotCategorical", "probs", {"probs": t([0.2, 0.3, 0.5])}, t([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])),
        ("OneHotCategorical", "logits", {"logits": t([[0.3, -1.0, 2.0], [1.0, 0.0, 0.5]])}, t([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])),
        ("Gamma", "batch", {"concentration": t([0.5, 1.0, 3.2, 12.0]), "rate": t([1.0, 2.5, 0.7, 3.0])}, t([0.4, 1.3, 2.2, 5.0])),
        ("Beta", "batch", {"concentration1": t([0.5, 2.0, 3.0, 8.0]), "concentration0": t([0.7, 2.0, 1.2, 9.5])}, t([0.3, 0.5, 0.9, 0.45])),
        ("MultivariateNormal", "covariance", {"loc": t([0.5, -1.0, 2.0]), "covariance_matrix": cov}, t([[0.0, 0.0, 0.0], [1.0, -2.0, 3.0]])),
        ("MultivariateNormal", "scale_tril", {"loc": t([[0.5, -1.0, 2.0], [0.0, 1.0, 0.0]]), "scale_tril": L}, t([1.0, -2.0, 3.0])),
        ("MultivariateNormal", "precision", {"loc": t([0.5, -1.0, 2.0]), "precision_matrix": torch.linalg.inv(cov)}, t([1.0, -2.0, 3.0])),
    ]


def dist_case(kind, label, params, value, name):
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    d = make_dist(kind, leaves)
    lp = d.log_prob(value)
    ent = d.entropy()
    torch.manual_seed(21)
    w_lp = torch.randn(lp.shape, dtype=lp.dtype)
    w_ent = torch.randn(ent.shape, dtype=ent.dtype)
    loss = (lp * w_lp).sum() + (ent * w_ent).sum()
    grads = torch.autograd.grad(loss, list(leaves.values()), allow_unused=True, retain_graph=True)
    stats = {}
    for stat in ("mean", "mode", "variance", "stddev"):
        stats[stat] = enc(getattr(d, stat))
    out = {"kind": kind, "label": label, "dtype": name, "params": {k: enc(v) for k, v in params.items()},
           "value": enc(value), "logProb": enc(lp), "entropy": enc(ent), "wLogProb": enc(w_lp), "wEntropy": enc(w_ent),
           "grads": {k: (None if g is None else enc(g)) for k, g in zip(leaves, grads)}, **stats}
    # draws after manual_seed: sample for every kind, rsample where reparameterised (with its gradient)
    draws = []
    for seed in (0, 3):
        for shape in ((), (5,), (2, 3)):
            torch.manual_seed(seed)
            s = d.sample(shape)
            probe = torch.randint(0, 2**31 - 1, (2,), dtype=torch.int64)
            draws.append({"seed": seed, "shape": list(shape), "method": "sample", "out": enc(s), "next": enc(probe)})
            if d.has_rsample:
                torch.manual_seed(seed)
                r = d.rsample(shape)
                probe = torch.randint(0, 2**31 - 1, (2,), dtype=torch.int64)
                torch.manual_seed(99)
                w = torch.randn(r.shape, dtype=r.dtype)
                rg = torch.autograd.grad((r * w).sum(), list(leaves.values()), allow_unused=True, retain_graph=True)
                draws.append({"seed": seed, "shape": list(shape), "method": "rsample", "out": enc(r), "next": enc(probe),
                              "w": enc(w), "grads": {k: (None if g is None else enc(g)) for k, g in zip(leaves, rg)}})
    out["draws"] = draws
    if d.has_enumerate_support:
        out["support"] = enc(d.enumerate_support())
    return out


def kl_cases(dt, name):
    t = lambda v: torch.tensor(v, dtype=dt)
    L1 = torch.tensor([[1.2, 0, 0], [0.3, 0.8, 0], [-0.4, 0.5, 1.5]], dtype=dt)
    L2 = torch.tensor([[0.9, 0, 0], [-0.2, 1.1, 0], [0.1, 0.3, 0.7]], dtype=dt)
    P = {
        "Normal": [{"loc": t([0.3, -1.2]), "scale": t([0.5, 1.7])}, {"loc": t([0.0, 0.5]), "scale": t([1.0, 0.9])}],
        "Uniform": [{"low": t([0.1, 0.2]), "high": t([0.6, 0.9])}, {"low": t([0.0, 0.25]), "high": t([0.8, 1.0])}],
        "Bernoulli": [{"probs": t([0.1, 0.5])}, {"logits": t([0.3, -2.0])}],
        "Categorical": [{"probs": t([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])}, {"logits": t([[0.3, -1.0, 2.0], [1.0, 0.0, 0.5]])}],
        "OneHotCategorical": [{"probs": t([0.1, 0.2, 0.7])}, {"logits": t([0.3, -1.0, 2.0])}],
        "Gamma": [{"concentration": t([0.5, 3.2]), "rate": t([1.0, 0.7])}, {"concentration": t([2.0, 1.5]), "rate": t([0.5, 2.0])}],
        "Beta": [{"concentration1": t([0.5, 3.0]), "concentration0": t([0.7, 1.2])}, {"concentration1": t([2.0, 1.1]), "concentration0": t([2.5, 4.0])}],
        "MultivariateNormal": [{"loc": t([0.5, -1.0, 2.0]), "scale_tril": L1}, {"loc": t([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0]]), "scale_tril": L2}],
    }
    pairs = [("Bernoulli", "Bernoulli"), ("Beta", "Beta"), ("Beta", "Gamma"), ("Beta", "Normal"), ("Beta", "Uniform"),
             ("Categorical", "Categorical"), ("Gamma", "Beta"), ("Gamma", "Gamma"), ("Gamma", "Normal"), ("Gamma", "Uniform"),
             ("MultivariateNormal", "MultivariateNormal"), ("Normal", "Beta"), ("Normal", "Gamma"), ("Normal", "Normal"),
             ("Normal", "Uniform"), ("OneHotCategorical", "OneHotCategorical"), ("Uniform", "Beta"), ("Uniform", "Gamma"),
             ("Uniform", "Normal"), ("Uniform", "Uniform")]
    cases = []
    for pk, qk in pairs:
        pp = {k: v.clone().requires_grad_(True) for k, v in P[pk][0].items()}
        qp = {k: v.clone().requires_grad_(True) for k, v in P[qk][1].items()}
        kl = D.kl_divergence(make_dist(pk, pp), make_dist(qk, qp))
        finite = torch.isfinite(kl).all().item()
        grads = torch.autograd.grad(kl.sum(), list(pp.values()) + list(qp.values()), allow_unused=True) if finite else []
        cases.append({"p": pk, "q": qk, "dtype": name, "pParams": {k: enc(v) for k, v in P[pk][0].items()},
                      "qParams": {k: enc(v) for k, v in P[qk][1].items()}, "kl": enc(kl),
                      "grads": [None if g is None else enc(g) for g in grads]})
    return cases


def reinforce_case():
    """REINFORCE: a policy's Categorical log-probability of sampled actions times the returns."""
    torch.manual_seed(4)
    policy = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
    states = torch.randn(6, 4)
    returns = torch.randn(6)
    state = {k: enc(v) for k, v in policy.state_dict().items()}
    torch.manual_seed(123)
    logits = policy(states)
    dist = D.Categorical(logits=logits)
    actions = dist.sample()
    loss = -(dist.log_prob(actions) * returns).sum()
    loss.backward()
    return {"state": state, "states": enc(states), "returns": enc(returns), "actions": enc(actions), "loss": enc(loss),
            "grads": {k: enc(p.grad) for k, p in policy.named_parameters()}}


def distribution_cases():
    cases, kls = [], []
    for name, dt in DTYPES.items():
        for kind, label, params, value in dist_specs(dt):
            cases.append(dist_case(kind, label, params, value, name))
        kls.extend(kl_cases(dt, name))
    return {"cases": cases, "kl": kls, "reinforce": reinforce_case()}


def main():
    write_json("random_streams.json", {"cases": stream_cases()})
    write_json("random_init.json", {"cases": init_cases()})
    write_json("random_special_linalg.json", {"special": special_cases(), "linalg": linalg_cases()})
    write_json("random_distributions.json", distribution_cases())


if __name__ == "__main__":
    main()
