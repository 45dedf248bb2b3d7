#!/usr/bin/env -S /usr/bin/python3
"""float64 reference fixtures: the kernels the wasm backend runs in f64x2 (test/wasm-float64.test.ts).

Run from the repository root (Debian's python3-torch 1.13):

    /usr/bin/python3 scripts/make_float64_fixtures.py

Writes test/fixtures/float64.json: matmuls (plain, a transposed operand, batched with a broadcast
batch dim), reductions / arg-reductions / softmax along each dim, three steps of Adam (AMSGrad,
weight decay), AdamW and Nesterov SGD on Σ w·p², and an LSTMCell run for three steps with its
gradients. Sizes are large enough that nabla's wasm kernels take them (64+ elements, 512+
multiply-adds). Seeded; reruns write byte-identical files. Encoding: scripts/fixture_json.py.
"""

import torch

from fixture_json import F64, enc, write_json

torch.manual_seed(2064)


def rnd(*shape, scale=1.0):
    return torch.randn(*shape, dtype=F64) * scale


def matmuls():
    a, b, c = rnd(9, 33), rnd(33, 17), rnd(9, 21)
    ba, bb = rnd(2, 1, 7, 11), rnd(3, 11, 13)
    return {
        "a": enc(a), "b": enc(b), "c": enc(c), "ab": enc(a @ b), "atc": enc(a.t() @ c),
        "ba": enc(ba), "bb": enc(bb), "bab": enc(ba @ bb),
    }


def reductions():
    x = rnd(13, 37, scale=3.0)
    x[0, 0] = 100.0
    x[1, 1] = -100.0
    return {
        "x": enc(x),
        "sum1": enc(x.sum(1)), "sum0": enc(x.sum(0)),
        "max1": enc(x.max(1).values), "min0": enc(x.min(0).values),
        "argmax1": enc(x.argmax(1).to(torch.int32)),
        "logsumexp1": enc(torch.logsumexp(x, 1)),
        "softmax1": enc(torch.softmax(x, 1)), "logSoftmax0": enc(torch.log_softmax(x, 0)),
    }


def optimizers():
    p0, w = rnd(67), torch.rand(67, dtype=F64) + 0.5
    out = {"p0": enc(p0), "w": enc(w)}
    makers = {
        "adam": lambda p: torch.optim.Adam([p], lr=0.01, weight_decay=0.1, amsgrad=True, foreach=False),
        "adamw": lambda p: torch.optim.AdamW([p], lr=0.01, weight_decay=0.1, foreach=False),
        "sgd": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01, foreach=False),
    }
    for name, make in makers.items():
        p = p0.clone().requires_grad_(True)
        opt = make(p)
        for _ in range(3):
            opt.zero_grad()
            (p * p * w).sum().backward()
            opt.step()
        out[name] = enc(p)
    return out


def lstm():
    cell = torch.nn.LSTMCell(5, 19).double()
    x, h, c = rnd(6, 5), rnd(6, 19), rnd(6, 19)
    out = {name: enc(p) for name, p in cell.named_parameters()}
    out.update({"x": enc(x), "h0": enc(h), "c0": enc(c)})
    for _ in range(3):
        h, c = cell(x, (h, c))
    (h * h).sum().add(c.sum()).backward()
    out.update({"h": enc(h), "c": enc(c)})
    for name, p in cell.named_parameters():
        out[f"grad_{name}"] = enc(p.grad)
    return out


write_json("float64.json", {"matmul": matmuls(), "reduce": reductions(), "optim": optimizers(), "lstm": lstm()})
