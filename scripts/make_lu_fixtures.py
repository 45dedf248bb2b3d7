"""PyTorch fixtures for the LU family: linalg.lu_factor, linalg.solve, linalg.inv, linalg.det,
linalg.slogdet and torch.logdet (values, and the gradients of sum(out * g) for a fixed g).

Run: /usr/bin/python3 scripts/make_lu_fixtures.py  (writes test/fixtures/linalg_lu.json)
"""

import torch

from fixture_json import enc, write_json

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def grad_case(name, fn, inputs, seed=7, **extra):
    """Forward fn(*inputs) and the gradients of sum(out * g) for a fixed g."""
    ins = [x.clone().requires_grad_(True) for x in inputs]
    out = fn(*ins)
    torch.manual_seed(seed)
    g = torch.randn(out.shape, dtype=out.dtype)
    keep = torch.isfinite(out)
    grads = torch.autograd.grad((out * g)[keep].sum(), ins, allow_unused=True)
    return {"name": name, **extra, "inputs": [enc(x) for x in inputs], "out": enc(out), "gradOut": enc(g),
            "grads": [None if gr is None else enc(gr) for gr in grads]}


def well_conditioned(shape, dtype, seed):
    torch.manual_seed(seed)
    n = shape[-1]
    return torch.randn(*shape, dtype=dtype) + n * torch.eye(n, dtype=dtype) * 0.5


def cases():
    out = []
    for name, dt in DTYPES.items():
        torch.manual_seed(1)
        A3, A4, Ab = well_conditioned((3, 3), dt, 1), well_conditioned((4, 4), dt, 2), well_conditioned((2, 3, 3), dt, 3)
        # a permutation that needs row swaps, and a negative determinant
        P = torch.tensor([[0.1, 2.0, -1.0], [3.0, 0.5, 0.2], [-1.0, 0.3, 0.05]], dtype=dt)
        singular = torch.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]], dtype=dt)
        B32, b4, Brow, Bvecs = torch.randn(3, 2, dtype=dt), torch.randn(4, dtype=dt), torch.randn(2, 3, dtype=dt), torch.randn(2, 3, dtype=dt)
        out.append(grad_case("solve", torch.linalg.solve, [A3, B32], dtype=name))
        out.append(grad_case("solve", torch.linalg.solve, [P, B32], dtype=name))
        out.append(grad_case("solve", torch.linalg.solve, [A4, b4], dtype=name))
        out.append(grad_case("solve", torch.linalg.solve, [Ab, B32], dtype=name))
        out.append(grad_case("solve", torch.linalg.solve, [Ab, Bvecs], dtype=name))
        out.append(grad_case("solve_right", lambda a, b: torch.linalg.solve(a, b, left=False), [A3, Brow], dtype=name))
        for A in (torch.tensor([[2.5]], dtype=dt), A4, P, Ab):
            out.append(grad_case("inv", torch.linalg.inv, [A], dtype=name))
        for A in (torch.tensor([[2.5]], dtype=dt), A3, P, Ab, A4):
            out.append(grad_case("det", torch.linalg.det, [A], dtype=name))
            out.append(grad_case("slogdet", lambda a: torch.linalg.slogdet(a).logabsdet, [A], dtype=name,
                                 sign=enc(torch.linalg.slogdet(A).sign)))
            out.append(grad_case("logdet", torch.logdet, [A], dtype=name))
        out.append(grad_case("det", torch.linalg.det, [singular], dtype=name))
        for A in (A4, P, Ab):
            LU, piv = torch.linalg.lu_factor(A)
            out.append({"name": "lu_factor", "dtype": name, "inputs": [enc(A)], "LU": enc(LU), "pivots": enc(piv)})
    return out


if __name__ == "__main__":
    write_json("linalg_lu.json", {"cases": cases()})
