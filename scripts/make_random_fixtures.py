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


def main():
    write_json("random_streams.json", {"cases": stream_cases()})
    write_json("random_init.json", {"cases": init_cases()})


if __name__ == "__main__":
    main()
