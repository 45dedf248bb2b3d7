/**
 * The LU family against PyTorch (test/fixtures/linalg_lu.json, scripts/make_lu_fixtures.py):
 * linalg.luFactor, solve (matrices, vectors, batches broadcast, left: false), inv, det (a
 * singular A too), slogdet and logdet (NaN for a negative determinant): values and the gradients
 * of Σ out·g; gradcheck and second derivatives in float64; PyTorch's errors.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { gradcheck, linalg, type Tensor } from "../packages/nabla/src/index.js";
import { errorOf, expectClose, expectSecondDerivatives, fromFixture, loadFixture, values, type FixtureTensor } from "./helpers.js";

interface Case {
  name: string;
  dtype: "float32" | "float64";
  inputs: FixtureTensor[];
  out?: FixtureTensor;
  gradOut?: FixtureTensor;
  grads?: (FixtureTensor | null)[];
  sign?: FixtureTensor;
  LU?: FixtureTensor;
  pivots?: FixtureTensor;
}

const { cases } = loadFixture<{ cases: Case[] }>("linalg_lu.json");

const run: Record<string, (...xs: Tensor[]) => Tensor> = {
  solve: (a, b) => linalg.solve(a!, b!),
  solve_right: (a, b) => linalg.solve(a!, b!, { left: false }),
  inv: (a) => linalg.inv(a!),
  det: (a) => linalg.det(a!),
  slogdet: (a) => linalg.slogdet(a!).logabsdet,
  logdet: (a) => nb.logdet(a!),
};

// PyTorch's float32 runs LAPACK in float32, nabla factors in float64: a few float32 ulps apart
const tolerance = (c: Case) => (c.dtype === "float32" ? { rtol: 3e-5, atol: 3e-5 } : { rtol: 1e-11, atol: 1e-12 });

describe("LU family against PyTorch", () => {
  for (const c of cases) {
    const shapes = c.inputs.map((t) => JSON.stringify(t.shape)).join(" ");
    if (c.name === "lu_factor") {
      it(`luFactor ${c.dtype} ${shapes}`, () => {
        const { LU, pivots } = linalg.luFactor(fromFixture(c.inputs[0]!));
        expectClose(LU, c.LU!, tolerance(c), "LU");
        expect(pivots.dtype).toBe("int32");
        expect(values(pivots)).toEqual(c.pivots!.data);
      });
      continue;
    }
    it(`${c.name} ${c.dtype} ${shapes}`, () => {
      const inputs = c.inputs.map((t) => fromFixture(t, { requiresGrad: true }));
      const out = run[c.name]!(...inputs);
      expectClose(out, c.out!, tolerance(c), `${c.name} value`);
      if (c.sign) expectClose(linalg.slogdet(inputs[0]!).sign, c.sign, tolerance(c), "sign");
      // Σ out·g over the finite values (logdet's NaN where det < 0 has no gradient)
      const finite = nb.isfinite(out.detach());
      nb.where(finite, out.mul(fromFixture(c.gradOut!)), 0).sum().backward();
      c.grads!.forEach((g, i) => {
        if (g) expectClose(inputs[i]!.grad, g, tolerance(c), `${c.name} gradient of input ${i}`);
      });
    });
  }
});

const f64 = (rows: number[][], requiresGrad = true) => nb.tensor(rows, { dtype: "float64", requiresGrad });

describe("LU family: derivatives", () => {
  const A = f64([[0.1, 2.0, -1.0], [3.0, 0.5, 0.2], [-1.0, 0.3, 0.05]]);
  const B = f64([[0.3, -1.0], [0.8, 0.5], [1.2, -0.4]]);
  it("gradcheck in float64", () => {
    expect(gradcheck((a, b) => linalg.solve(a!, b!), [A, B])).toBe(true);
    expect(gradcheck((a, b) => linalg.solve(a!, b!, { left: false }), [A, B.t().contiguous().detach().requiresGrad_()])).toBe(true);
    expect(gradcheck((a) => linalg.inv(a!), [A])).toBe(true);
    expect(gradcheck((a) => linalg.det(a!), [A])).toBe(true);
    expect(gradcheck((a) => linalg.slogdet(a!).logabsdet, [A])).toBe(true);
  });
  it("second derivatives of solve, inv and det", () => {
    expectSecondDerivatives((a, b) => linalg.solve(a!, b!), [A, B]);
    expectSecondDerivatives((a) => linalg.inv(a!), [A]);
    expectSecondDerivatives((a) => linalg.det(a!), [A]);
  });
  it("methods and top-level names", () => {
    const M = f64([[2, 1], [1, 3]], false);
    expect(M.det().item()).toBeCloseTo(5, 14);
    expect(nb.det(M).item()).toBeCloseTo(5, 14);
    expectClose(M.inverse().matmul(M), nb.eye(2, 2, { dtype: "float64" }), { rtol: 0, atol: 1e-15 }, "inverse · M");
    expect(values(nb.inverse(M))).toEqual(values(linalg.inv(M)));
    const [sign, logabsdet] = M.slogdet();
    expect(sign!.item()).toBe(1);
    expect(logabsdet!.item()).toBeCloseTo(Math.log(5), 14);
    expect(M.logdet().item()).toBeCloseTo(Math.log(5), 14);
    expect(linalg.det(nb.zeros([0, 0])).item()).toBe(1);
  });
});

describe("LU family: errors", () => {
  const singular = nb.tensor([[1, 2, 3], [2, 4, 6], [1, 0, 1]]);
  it("names the op, the batch element and the zero pivot, as PyTorch", () => {
    expect(errorOf(() => linalg.inv(singular)).message).toBe(
      "linalg.inv: The diagonal element 3 is zero, the inversion could not be completed because the input matrix is singular.",
    );
    expect(errorOf(() => linalg.inv(nb.stack([nb.eye(3), singular]))).message).toBe(
      "linalg.inv: (Batch element 1): The diagonal element 3 is zero, the inversion could not be completed because the input matrix is singular.",
    );
    expect(errorOf(() => linalg.solve(singular, nb.ones([3]))).message).toMatch(/^linalg.solve: The diagonal element 3 is zero, the solve could not be completed/);
    expect(errorOf(() => linalg.solve(nb.eye(3), nb.ones([4]))).message).toBe("linalg.solve: Incompatible shapes of A and B for the equation AX = B (3x3 and 4x1)");
    expect(errorOf(() => linalg.solve(nb.eye(3), nb.ones([3]), { left: false })).message).toBe("linalg.solve: Incompatible shapes of A and B for the equation XA = B (3x3 and 3x1)");
    expect(errorOf(() => linalg.solve(nb.eye(3, 3, { dtype: "float64" }), nb.ones([3]))).message).toBe(
      "linalg.solve: expected A and B to have the same dtype, but found A of type float64 and B of type float32",
    );
    expect(errorOf(() => linalg.inv(nb.ones([2, 3]))).message).toBe("linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices");
    expect(errorOf(() => linalg.det(nb.ones([3]))).message).toMatch(/^linalg.det: A must be batches of square matrices/);
    expect(errorOf(() => linalg.inv(nb.ones([3, 3], { dtype: "int32" }))).message).toBe("linalg.inv: expected a floating point tensor as input, got int32");
    expect(errorOf(() => linalg.luFactor(singular)).message).toMatch(/^linalg.luFactor: U\[3,3\] is zero/);
  });
});
