"""PyTorch fixtures for the spectral decompositions: linalg.eigh, eigvalsh, svd, svdvals, the
nuclear and spectral matrix norms, pinv, matrix_rank, lstsq and qr.

Eigenvectors and singular vectors are unique only up to sign, so the fixtures record what does
not depend on it: the values, V∘V, U∘U, Vh∘Vh, and the gradients of losses built from those.

Run: /usr/bin/python3 scripts/make_spectral_fixtures.py  (writes test/fixtures/linalg_spectral.json)
"""

import torch

from fixture_json import enc, write_json

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def weights(shape, dtype, seed):
    torch.manual_seed(seed)
    return torch.randn(shape, dtype=dtype)


def case(name, dtype, A, loss, outputs, **extra):
    """outputs(A) -> list of tensors recorded; loss(A) -> a scalar whose gradient is recorded."""
    a = A.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(loss(a), [a])
    return {"name": name, "dtype": dtype, **extra, "input": enc(A), "outputs": [enc(t.detach()) for t in outputs(A)], "grad": enc(grad)}


def cases():
    out = []
    for name, dt in DTYPES.items():
        torch.manual_seed(11)
        sym = lambda *s: (lambda m: m + m.transpose(-2, -1))(torch.randn(*s, dtype=dt))
        for A, uplo in ((sym(4, 4), "L"), (sym(2, 3, 3), "L"), (torch.randn(3, 3, dtype=dt), "U"), (torch.randn(3, 3, dtype=dt), "L")):
            L, V = torch.linalg.eigh(A, UPLO=uplo)
            g1, g2 = weights(L.shape, dt, 1), weights(V.shape, dt, 2)

            def loss(a, uplo=uplo, g1=g1, g2=g2):
                l, v = torch.linalg.eigh(a, UPLO=uplo)
                return (l * g1).sum() + (v * v * g2).sum()

            out.append(case("eigh", name, A, loss, lambda a, uplo=uplo: [torch.linalg.eigh(a, UPLO=uplo)[0], torch.linalg.eigh(a, UPLO=uplo)[1] ** 2],
                            UPLO=uplo, weights=[enc(g1), enc(g2)]))
            out.append(case("eigvalsh", name, A, lambda a, uplo=uplo, g1=g1: (torch.linalg.eigvalsh(a, UPLO=uplo) * g1).sum(),
                            lambda a, uplo=uplo: [torch.linalg.eigvalsh(a, UPLO=uplo)], UPLO=uplo, weights=[enc(g1)]))
        for shape in ((4, 3), (3, 5), (3, 3), (2, 4, 2)):
            A = torch.randn(*shape, dtype=dt)
            for full in (False, True):
                U, S, Vh = torch.linalg.svd(A, full_matrices=full)
                k = S.shape[-1]
                Ur, Vhr = U[..., :, :k], Vh[..., :k, :]
                g1, g2, g3 = weights(S.shape, dt, 3), weights(Ur.shape, dt, 4), weights(Vhr.shape, dt, 5)

                def loss(a, full=full, k=k, g1=g1, g2=g2, g3=g3):
                    u, s, vh = torch.linalg.svd(a, full_matrices=full)
                    return (s * g1).sum() + (u[..., :, :k] ** 2 * g2).sum() + (vh[..., :k, :] ** 2 * g3).sum()

                out.append(case("svd", name, A, loss, lambda a, k=k, full=full: [torch.linalg.svd(a, full_matrices=full)[1],
                                                                       torch.linalg.svd(a, full_matrices=full)[0][..., :, :k] ** 2,
                                                                       torch.linalg.svd(a, full_matrices=full)[2][..., :k, :] ** 2],
                                fullMatrices=full, weights=[enc(g1), enc(g2), enc(g3)]))
            g = weights(torch.linalg.svdvals(A).shape, dt, 6)
            out.append(case("svdvals", name, A, lambda a, g=g: (torch.linalg.svdvals(a) * g).sum(), lambda a: [torch.linalg.svdvals(a)], weights=[enc(g)]))
            for ord_ in ("nuc", 2, -2):
                out.append(case("matrix_norm", name, A, lambda a, o=ord_: torch.linalg.matrix_norm(a, ord=o).sum(),
                                lambda a, o=ord_: [torch.linalg.matrix_norm(a, ord=o)], ord=ord_))
            gp = weights(torch.linalg.pinv(A).shape, dt, 7)
            out.append(case("pinv", name, A, lambda a, gp=gp: (torch.linalg.pinv(a) * gp).sum(), lambda a: [torch.linalg.pinv(a)], weights=[enc(gp)]))
        # keepdim and dims elsewhere than the last two
        A = torch.randn(3, 2, 4, dtype=dt)
        out.append(case("matrix_norm_dims", name, A, lambda a: torch.linalg.matrix_norm(a, ord="nuc", dim=(0, 2), keepdim=True).sum(),
                        lambda a: [torch.linalg.matrix_norm(a, ord="nuc", dim=(0, 2), keepdim=True)]))
        # a rank-2 4×3 matrix, and a symmetric one of rank 1
        low = torch.randn(4, 2, dtype=dt) @ torch.randn(2, 3, dtype=dt)
        v = torch.randn(3, 1, dtype=dt)
        out.append({"name": "matrix_rank", "dtype": name, "input": enc(low), "rank": int(torch.linalg.matrix_rank(low)),
                    "pinv": enc(torch.linalg.pinv(low))})
        out.append({"name": "matrix_rank_hermitian", "dtype": name, "input": enc(v @ v.T), "rank": int(torch.linalg.matrix_rank(v @ v.T, hermitian=True)),
                    "pinv": enc(torch.linalg.pinv(v @ v.T, hermitian=True))})
        # lstsq: tall, wide, batched, a vector B, each driver's outputs; gradients of Σ g·X for A and B
        for (a_shape, b_shape) in (((5, 3), (5, 2)), ((3, 4), (3, 2)), ((2, 4, 3), (2, 4, 2)), ((5, 3), (5,))):
            A, B = torch.randn(*a_shape, dtype=dt), torch.randn(*b_shape, dtype=dt)
            g = weights(torch.linalg.lstsq(A, B).solution.shape, dt, 8)
            a, b = A.clone().requires_grad_(True), B.clone().requires_grad_(True)
            # PyTorch 1.13's backward fails for a vector B (its linalg_lstsq_backward indexes dim -2 of it)
            gA, gB = torch.autograd.grad((torch.linalg.lstsq(a, b).solution * g).sum(), [a, b]) if B.dim() > 1 else (None, None)
            drivers = {}
            for d in ("gels", "gelsy", "gelsd", "gelss"):
                r = torch.linalg.lstsq(A, B, driver=d)
                drivers[d] = {"residuals": enc(r.residuals), "rank": [int(v) for v in r.rank.flatten()], "singularValues": enc(r.singular_values)}
            out.append({"name": "lstsq", "dtype": name, "input": enc(A), "B": enc(B), "solution": enc(torch.linalg.lstsq(A, B).solution),
                        "weights": [enc(g)], "gradA": None if gA is None else enc(gA), "gradB": None if gB is None else enc(gB), "drivers": drivers})
        # qr: LAPACK's signs are reproducible (Householder as geqrf), so Q and R are compared as they are
        for shape in ((5, 3), (3, 3), (3, 5), (2, 4, 3)):
            A = torch.randn(*shape, dtype=dt)
            for mode in ("reduced", "complete", "r"):
                Q, R = torch.linalg.qr(A, mode=mode)
                entry = {"name": "qr", "dtype": name, "mode": mode, "input": enc(A), "Q": enc(Q), "R": enc(R)}
                if mode == "reduced" or (mode == "complete" and shape[-2] <= shape[-1]):
                    gq, gr = weights(Q.shape, dt, 9), weights(R.shape, dt, 10)
                    a = A.clone().requires_grad_(True)
                    q, r = torch.linalg.qr(a, mode=mode)
                    (g,) = torch.autograd.grad((q * gq).sum() + (r * gr).sum(), [a])
                    entry.update(weights=[enc(gq), enc(gr)], grad=enc(g))
                out.append(entry)
        low = torch.randn(5, 2, dtype=dt) @ torch.randn(2, 3, dtype=dt)
        B = torch.randn(5, 2, dtype=dt)
        r = torch.linalg.lstsq(low, B)
        out.append({"name": "lstsq_rank_deficient", "dtype": name, "input": enc(low), "B": enc(B), "solution": enc(r.solution), "rank": int(r.rank)})
    return out


if __name__ == "__main__":
    write_json("linalg_spectral.json", {"cases": cases()})
