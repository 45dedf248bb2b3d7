#!/usr/bin/env -S /usr/bin/python3
"""Reference values for matmul and Linear on N-D operands from real PyTorch 1.13.

Run from the repository root:

    /usr/bin/python3 scripts/make_matmul_fold_fixtures.py

Writes test/fixtures/matmul_fold.json, read by test/matmul-fold.test.ts. PyTorch's matmul folds an
N-D x 2-D (or 1-D) product into one 2-D product, [..., m, k] -> [(...)*m, k] (and 2-D x N-D into
one product of the transposes), so that the gradient of the 2-D operand is one product over all
the batch rows, not a product per batch element and a sum; 1.13's should_fold declines only a 3-D
operand whose last two dims are transposed in memory under a slowest first dim (x.permute(0, 2, 1)),
which goes through bmm. F.linear on contiguous 3-D input with a bias is addmm on the flattened
input; on other N-D input it is matmul.

Each case records the outputs and the gradients of every operand (backward of sum(out * dy)), and
the names of the graph's nodes (which of MmBackward0, MvBackward0, BmmBackward0, AddmmBackward0
PyTorch used). Inputs are not stored: every value comes from `hashed` below, numbers that the
dtype holds exactly, which the test makes the same way.
"""

import torch
import torch.nn.functional as F

from fixture_json import enc, write_json

torch.set_num_threads(1)


def hashed(shape, salt, dtype):
    """Values in [-1, 1), row-major, from u(i, s) = ((i + 7919*s) * 2654435761) mod 2^24: float32's
    u(i, salt) / 2^23 - 1 (23 significant bits), float64's (u(i, salt) + u(i, salt + 50) / 2^24) / 2^23 - 1
    (47 bits: products that float64 must round). Both exact in their dtype."""
    n = 1
    for s in shape:
        n *= s

    def u(i, s):
        return ((i + 7919 * s) * 2654435761) % (1 << 24)

    wide = dtype == torch.float64
    vals = [(u(i, salt) + (u(i, salt + 50) / (1 << 24) if wide else 0)) / (1 << 23) - 1 for i in range(n)]
    return torch.tensor(vals, dtype=torch.float64).to(dtype).reshape(shape)


def operand(spec, salt, dtype):
    """spec: {"stored": shape, "perm": dims or absent}: the stored tensor (hashed), permuted."""
    t = hashed(spec["stored"], salt, dtype)
    if "perm" in spec:
        t = t.permute(*spec["perm"])
    return t.requires_grad_()


def node_names(t):
    """The names of the nodes of out's graph, sorted, without the leaves' AccumulateGrad."""
    names, stack = set(), [t.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is not None:
            names.add(type(fn).__name__)
            stack.extend(f for f, _ in fn.next_functions)
    return sorted(n for n in names if n != "AccumulateGrad")


# [name, op, operand specs]; matmul's are [a, b], linear's [input, weight, bias or None]
CASES = [
    ["matmul_3d_2d", "matmul", [{"stored": [3, 5, 12]}, {"stored": [12, 8]}]],
    ["matmul_4d_2d", "matmul", [{"stored": [2, 3, 4, 12]}, {"stored": [12, 8]}]],
    ["matmul_3d_1d", "matmul", [{"stored": [3, 5, 12]}, {"stored": [12]}]],
    ["matmul_2d_3d", "matmul", [{"stored": [7, 12]}, {"stored": [3, 12, 8]}]],
    ["matmul_2d_4d", "matmul", [{"stored": [7, 12]}, {"stored": [2, 2, 12, 8]}]],
    ["matmul_1d_3d", "matmul", [{"stored": [12]}, {"stored": [3, 12, 8]}]],
    # folded through a copy: the batch dims cannot be merged with the rows in place
    ["matmul_3d_2d_batch_strided", "matmul", [{"stored": [5, 3, 12], "perm": [1, 0, 2]}, {"stored": [12, 8]}]],
    ["matmul_4d_2d_inner_transposed", "matmul", [{"stored": [2, 3, 12, 4], "perm": [0, 1, 3, 2]}, {"stored": [12, 8]}]],
    # not folded by 1.13 (bmm over the broadcast matrix)
    ["matmul_3d_2d_inner_transposed", "matmul", [{"stored": [3, 12, 5], "perm": [0, 2, 1]}, {"stored": [12, 8]}]],
    ["matmul_2d_3d_inner_transposed", "matmul", [{"stored": [7, 12]}, {"stored": [3, 8, 12], "perm": [0, 2, 1]}]],
    # both batched: bmm
    ["matmul_3d_3d", "matmul", [{"stored": [3, 5, 12]}, {"stored": [3, 12, 8]}]],
    ["linear_3d", "linear", [{"stored": [3, 5, 12]}, {"stored": [8, 12]}, {"stored": [8]}]],
    ["linear_3d_no_bias", "linear", [{"stored": [3, 5, 12]}, {"stored": [8, 12]}, None]],
    ["linear_4d", "linear", [{"stored": [2, 3, 4, 12]}, {"stored": [8, 12]}, {"stored": [8]}]],
    ["linear_3d_batch_strided", "linear", [{"stored": [5, 3, 12], "perm": [1, 0, 2]}, {"stored": [8, 12]}, {"stored": [8]}]],
    ["linear_3d_inner_transposed", "linear", [{"stored": [3, 12, 5], "perm": [0, 2, 1]}, {"stored": [8, 12]}, {"stored": [8]}]],
    # a weight gradient summed over 256 rows (8 x 32), where the order of the sums shows: only the
    # weight's and the bias's gradients are recorded (the file stays small)
    ["linear_3d_wide", "linear", [{"stored": [8, 32, 40]}, {"stored": [32, 40]}, {"stored": [32]}]],
]

PARAMETER_GRADS_ONLY = {"linear_3d_wide"}


def run(name, op, specs, dtype):
    xs = [None if s is None else operand(s, i + 1, dtype) for i, s in enumerate(specs)]
    out = torch.matmul(xs[0], xs[1]) if op == "matmul" else F.linear(xs[0], xs[1], xs[2])
    dy = hashed(list(out.shape), 100, dtype)
    (out * dy).sum().backward()
    return {
        "name": name,
        "op": op,
        "operands": specs,
        "nodes": node_names(out),
        "out": None if name in PARAMETER_GRADS_ONLY else enc(out.detach()),
        "grads": [None if x is None or (i == 0 and name in PARAMETER_GRADS_ONLY) else enc(x.grad) for i, x in enumerate(xs)],
    }


write_json(
    "matmul_fold.json",
    {
        "torch_version": torch.__version__,
        "cases": {str(dtype).replace("torch.", ""): [run(n, op, s, dtype) for n, op, s in CASES] for dtype in (torch.float32, torch.float64)},
    },
)
