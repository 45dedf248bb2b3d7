/**
 * eigh, eigvalsh, svd, svdvals, the nuclear and spectral norms, pinv, matrixRank, lstsq and qr against
 * PyTorch (test/fixtures/linalg_spectral.json, scripts/make_spectral_fixtures.py). Vectors are
 * unique only up to sign, so the fixtures hold V∘V, U∘U, Vh∘Vh and the gradients of losses built
 * from them; the factors themselves are checked by reconstruction and orthonormality; gradcheck
 * and second derivatives in float64.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { gradcheck, linalg, type Tensor } from "../packages/nabla/src/index.js";
import { expectClose, expectSecondDerivatives, fromFixture, loadFixture, values, type FixtureTensor } from "./helpers.js";

interface Case {
  name: string;
  dtype: "float32" | "float64";
  input: FixtureTensor;
  outputs?: FixtureTensor[];
  grad?: FixtureTensor;
  weights?: FixtureTensor[];
  UPLO?: "L" | "U";
  fullMatrices?: boolean;
  ord?: "nuc" | 2 | -2;
  rank?: number;
  pinv?: FixtureTensor;
  B?: FixtureTensor;
  solution?: FixtureTensor;
  gradA?: FixtureTensor | null;
  gradB?: FixtureTensor | null;
  mode?: "reduced" | "complete" | "r";
  Q?: FixtureTensor;
  R?: FixtureTensor;
  drivers?: Record<"gels" | "gelsy" | "gelsd" | "gelss", { residuals: FixtureTensor; rank: number[]; singularValues: FixtureTensor }>;
}

const { cases } = loadFixture<{ cases: Case[] }>("linalg_spectral.json");
const mT = (x: Tensor) => x.transpose(-2, -1);

/** For each case: the outputs the fixture recorded and the loss whose gradient it recorded. */
function runner(c: Case): { outputs: (a: Tensor) => Tensor[]; loss: (a: Tensor) => Tensor } {
  const w = (c.weights ?? []).map((t) => fromFixture(t));
  switch (c.name) {
    case "eigh":
      return {
        outputs: (a) => {
          const { eigenvalues, eigenvectors } = linalg.eigh(a, { UPLO: c.UPLO });
          return [eigenvalues, eigenvectors.square()];
        },
        loss: (a) => {
          const [L, V] = linalg.eigh(a, { UPLO: c.UPLO });
          return L!.mul(w[0]!).sum().add(V!.square().mul(w[1]!).sum());
        },
      };
    case "eigvalsh":
      return { outputs: (a) => [linalg.eigvalsh(a, { UPLO: c.UPLO })], loss: (a) => linalg.eigvalsh(a, { UPLO: c.UPLO }).mul(w[0]!).sum() };
    case "svd": {
      const reduced = (a: Tensor) => {
        const { U, S, Vh } = linalg.svd(a, { fullMatrices: c.fullMatrices });
        const k = S.shape[S.ndim - 1]!;
        return [S, U.narrow(-1, 0, k).square(), Vh.narrow(-2, 0, k).square()];
      };
      return { outputs: reduced, loss: (a) => reduced(a).reduce<Tensor>((acc, t, i) => acc.add(t.mul(w[i]!).sum()), nb.zeros([], { dtype: a.dtype })) };
    }
    case "svdvals":
      return { outputs: (a) => [linalg.svdvals(a)], loss: (a) => linalg.svdvals(a).mul(w[0]!).sum() };
    case "matrix_norm":
      return { outputs: (a) => [linalg.matrixNorm(a, { ord: c.ord })], loss: (a) => linalg.matrixNorm(a, { ord: c.ord }).sum() };
    case "matrix_norm_dims":
      return {
        outputs: (a) => [linalg.matrixNorm(a, { ord: "nuc", dim: [0, 2], keepdim: true })],
        loss: (a) => linalg.matrixNorm(a, { ord: "nuc", dim: [0, 2], keepdim: true }).sum(),
      };
    case "pinv":
      return { outputs: (a) => [linalg.pinv(a)], loss: (a) => linalg.pinv(a).mul(w[0]!).sum() };
  }
  throw new Error(`no runner for ${c.name}`);
}

// PyTorch's float32 runs LAPACK in float32, nabla computes in float64: a few float32 ulps apart
const tolerance = (c: Case) => (c.dtype === "float32" ? { rtol: 1e-4, atol: 1e-5 } : { rtol: 1e-10, atol: 1e-11 });

describe("spectral decompositions against PyTorch", () => {
  for (const c of cases) {
    const label = `${c.name} ${c.dtype} ${JSON.stringify(c.input.shape)}${c.UPLO ? ` UPLO ${c.UPLO}` : ""}${c.fullMatrices !== undefined ? ` full ${c.fullMatrices}` : ""}${c.ord !== undefined ? ` ord ${c.ord}` : ""}`;
    if (c.name === "qr") {
      it(`${label} mode ${c.mode}`, () => {
        const A = fromFixture(c.input, { requiresGrad: true });
        const { Q, R } = linalg.qr(A, c.mode);
        if (c.mode === "r") expect(Q.shape).toEqual([0]);
        else expectClose(Q, c.Q!, tolerance(c), "Q");
        expectClose(R, c.R!, tolerance(c), "R");
        if (c.grad) {
          Q.mul(fromFixture(c.weights![0]!)).sum().add(R.mul(fromFixture(c.weights![1]!)).sum()).backward();
          expectClose(A.grad, c.grad, tolerance(c), "gradient");
        } else {
          expect(() => (c.mode === "r" ? R : Q).sum().backward()).toThrow(/linalg.qr: The (derivative of linalg.qr depends on Q|QR decomposition is not differentiable)/);
        }
      });
      continue;
    }
    if (c.name.startsWith("lstsq")) {
      it(label, () => {
        const A = fromFixture(c.input, { requiresGrad: true });
        const B = fromFixture(c.B!, { requiresGrad: true });
        const { solution, rank } = linalg.lstsq(A, B);
        expectClose(solution, c.solution!, tolerance(c), "solution");
        if (c.rank !== undefined) expect(rank.item()).toBe(c.rank);
        for (const [driver, expected] of Object.entries(c.drivers ?? {})) {
          const r = linalg.lstsq(A, B, { driver: driver as "gels" });
          expectClose(r.residuals, expected.residuals, tolerance(c), `${driver} residuals`);
          expect(values(r.rank), `${driver} rank`).toEqual(expected.rank);
          expectClose(r.singularValues, expected.singularValues, tolerance(c), `${driver} singular values`);
        }
        if (c.gradA) {
          solution.mul(fromFixture(c.weights![0]!)).sum().backward();
          expectClose(A.grad, c.gradA, tolerance(c), "gradient of A");
          expectClose(B.grad, c.gradB!, tolerance(c), "gradient of B");
        }
      });
      continue;
    }
    if (c.rank !== undefined) {
      it(label, () => {
        const A = fromFixture(c.input);
        const hermitian = c.name === "matrix_rank_hermitian";
        expect(linalg.matrixRank(A, { hermitian }).item()).toBe(c.rank);
        expectClose(linalg.pinv(A, { hermitian }), c.pinv!, tolerance(c), "pinv");
      });
      continue;
    }
    it(label, () => {
      const run = runner(c);
      run.outputs(fromFixture(c.input)).forEach((t, i) => expectClose(t, c.outputs![i]!, tolerance(c), `${c.name} output ${i}`));
      const A = fromFixture(c.input, { requiresGrad: true });
      run.loss(A).backward();
      expectClose(A.grad, c.grad!, tolerance(c), `${c.name} gradient`);
    });
  }
});

const f64 = (rows: number[][], requiresGrad = true) => nb.tensor(rows, { dtype: "float64", requiresGrad });

describe("spectral decompositions: the factors", () => {
  it("reconstruct A, with orthonormal U and Vh (tall, wide, full and reduced, a rank-deficient A)", () => {
    const shapes = [[5, 3], [3, 5], [4, 4], [2, 3, 2]];
    for (const shape of shapes) {
      for (const fullMatrices of [true, false]) {
        const A = nb.randn(shape, { dtype: "float64" });
        const { U, S, Vh } = linalg.svd(A, { fullMatrices });
        const k = S.shape[S.ndim - 1]!;
        const rebuilt = U.narrow(-1, 0, k).mul(S.unsqueeze(-2)).matmul(Vh.narrow(-2, 0, k));
        expectClose(rebuilt, A, { rtol: 0, atol: 1e-13 }, `U·S·Vh ${shape} full ${fullMatrices}`);
        const m = U.shape[U.ndim - 1]!;
        const n = Vh.shape[Vh.ndim - 2]!;
        expectClose(mT(U).matmul(U), nb.eye(m, m, { dtype: "float64" }).expand([...shape.slice(0, -2), m, m]), { rtol: 0, atol: 1e-13 }, "UᵀU");
        expectClose(Vh.matmul(mT(Vh)), nb.eye(n, n, { dtype: "float64" }).expand([...shape.slice(0, -2), n, n]), { rtol: 0, atol: 1e-13 }, "Vh·Vhᵀ");
        expect(values(S).every((s, i, all) => s >= 0 && (i % k === 0 || s <= all[i - 1]!))).toBe(true);
      }
    }
    const low = nb.tensor([[1, 2, 3], [2, 4, 6], [0, 1, 1], [1, 3, 4]], { dtype: "float64" });
    const { U, S } = linalg.svd(low);
    expect(values(S)[2]).toBeLessThan(1e-14);
    expectClose(mT(U).matmul(U), nb.eye(4, 4, { dtype: "float64" }), { rtol: 0, atol: 1e-13 }, "completed U");
  });

  it("eigh: A·V = V·diag(L), V orthonormal, eigenvalues ascending", () => {
    const B = nb.randn([2, 5, 5], { dtype: "float64" });
    const A = B.add(mT(B));
    const { eigenvalues: L, eigenvectors: V } = linalg.eigh(A);
    expectClose(A.matmul(V), V.mul(L.unsqueeze(-2)), { rtol: 0, atol: 1e-13 }, "A·V");
    expectClose(mT(V).matmul(V), nb.eye(5, 5, { dtype: "float64" }).expand([2, 5, 5]), { rtol: 0, atol: 1e-13 }, "VᵀV");
    const l = values(L);
    expect(l.every((v, i) => i % 5 === 0 || v >= l[i - 1]!)).toBe(true);
  });

  it("gradcheck and second derivatives in float64", () => {
    const S = f64([[2.0, 0.3, -0.4], [0.3, 1.0, 0.5], [-0.4, 0.5, -1.5]]);
    const A = f64([[0.5, -1.2, 0.3], [0.8, 1.1, -0.4], [0.2, 0.9, -0.7], [0.6, 0.3, 1.4]]);
    const invariant = (t: Tensor) => t.square();
    // eigh reads one triangle and its gradient is PyTorch's for a symmetric A: checked through A + Aᵀ, as PyTorch's own tests do
    const sym = (a: Tensor) => a.add(mT(a));
    expect(gradcheck((a) => linalg.eigvalsh(sym(a!)), [S])).toBe(true);
    expect(gradcheck((a) => invariant(linalg.eigh(sym(a!)).eigenvectors), [S])).toBe(true);
    expect(gradcheck((a) => linalg.svdvals(a!), [A])).toBe(true);
    expect(gradcheck((a) => invariant(linalg.svd(a!, { fullMatrices: false }).U), [A])).toBe(true);
    expect(gradcheck((a) => invariant(linalg.svd(a!, { fullMatrices: false }).Vh), [mT(A).contiguous().detach().requiresGrad_()])).toBe(true);
    expect(gradcheck((a) => linalg.pinv(a!), [A])).toBe(true);
    expect(gradcheck((a) => linalg.matrixNorm(a!, { ord: "nuc" }), [A])).toBe(true);
    for (const M of [A, mT(A).contiguous().detach().requiresGrad_()]) {
      expect(gradcheck((a) => linalg.qr(a!).Q, [M])).toBe(true);
      expect(gradcheck((a) => linalg.qr(a!).R, [M])).toBe(true);
    }
    expectSecondDerivatives((a) => linalg.qr(a!).Q, [A]);
    expectSecondDerivatives((a) => linalg.eigvalsh(sym(a!)), [S]);
    expectSecondDerivatives((a) => invariant(linalg.eigh(sym(a!)).eigenvectors), [S]);
    expectSecondDerivatives((a) => linalg.svdvals(a!), [A]);
    expectSecondDerivatives((a) => invariant(linalg.svd(a!, { fullMatrices: false }).U), [A]);
  });

  it("names the op in its errors", () => {
    expect(() => linalg.eigh(nb.ones([2, 3]))).toThrow("linalg.eigh: A must be batches of square matrices, but they are 2 by 3 matrices");
    expect(() => linalg.eigh(nb.eye(2), { UPLO: "X" as "L" })).toThrow('linalg.eigh: UPLO must be "L" or "U", got X');
    expect(() => linalg.svd(nb.ones([3]))).toThrow("linalg.svd: The input tensor A must have at least 2 dimensions, got shape [3]");
    expect(() => linalg.svdvals(nb.ones([2, 2], { dtype: "int32" }))).toThrow("linalg.svdvals: expected a floating point tensor as input, got int32");
  });
});
