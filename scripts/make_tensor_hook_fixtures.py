#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for Tensor.register_hook (test/tensor-hooks.test.ts).

Run from the repository root:

    /usr/bin/python3 scripts/make_tensor_hook_fixtures.py

Writes test/fixtures/tensor_hooks.json: {"torch_version", "cases": {<dtype>: {...}}}, two
scenarios per dtype (float32, float64), each recording the inputs, the gradient every hook was
called with ("seen") and the gradients afterwards:

  nonleaf  h = x @ w with two hooks (h1 doubles the gradient, h2 adds 1) and retain_grad()
           between them; y = tanh(h) with retain_grad() before a hook that returns None;
           loss = Σ y² + Σ h·h[:, :1], so h's gradient is the sum of several paths. PyTorch 1.13:
           h.grad is h1's result (not h2's), y.grad the raw gradient, x and w see h2's result.
  leaf     two hooks on a leaf x (x1 clamps the gradient at 0, as guided backpropagation does;
           x2 returns None), x used on three paths, backward run twice: x.grad accumulates
           the hooked gradient of each pass.

Seeded; encoding as in scripts/fixture_json.py.
"""

import torch

from fixture_json import enc, write_json


def nonleaf(dtype):
    seen = {}

    def rec(name, g):
        seen[name] = enc(g)

    x = torch.randn(3, 4, dtype=dtype, requires_grad=True)
    w = torch.randn(4, 2, dtype=dtype, requires_grad=True)
    h = x @ w
    h.register_hook(lambda g: rec("h1", g) or g * 2)
    h.retain_grad()
    h.register_hook(lambda g: rec("h2", g) or g + 1)
    y = torch.tanh(h)
    y.retain_grad()
    y.register_hook(lambda g: rec("y1", g))
    loss = (y * y).sum() + (h * h[:, :1]).sum()
    loss.backward()
    return {"x": enc(x), "w": enc(w), "seen": seen, "h_grad": enc(h.grad), "y_grad": enc(y.grad), "x_grad": enc(x.grad), "w_grad": enc(w.grad)}


def leaf(dtype):
    seen = {"x1": [], "x2": []}
    x = torch.randn(2, 5, dtype=dtype, requires_grad=True)
    x.register_hook(lambda g: seen["x1"].append(enc(g)) or g.clamp(min=0))
    x.register_hook(lambda g: seen["x2"].append(enc(g)))
    for _ in range(2):
        z = (x.sin() * x).sum() + (x ** 2).mean()
        z.backward()
    return {"x": enc(x), "seen": seen, "x_grad": enc(x.grad)}


if __name__ == "__main__":
    torch.manual_seed(7)
    torch.set_num_threads(1)
    cases = {}
    for dtype, name in ((torch.float32, "float32"), (torch.float64, "float64")):
        cases[name] = {"nonleaf": nonleaf(dtype), "leaf": leaf(dtype)}
    write_json("tensor_hooks.json", {"torch_version": torch.__version__, "cases": cases})
