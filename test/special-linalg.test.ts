/**
 * lgamma, digamma, polygamma, linalg.cholesky and linalg.solveTriangular against PyTorch
 * (test/fixtures/random_special_linalg.json, scripts/make_random_fixtures.py): values and the
 * gradients of Σ out·g; gradcheck (and second derivatives) in float64; the error messages.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { gradcheck, linalg, type Tensor } from "../packages/nabla/src/index.js";
import { errorOf, expectClose, expectSecondDerivatives, fromFixture, loadFixture, type FixtureTensor } from "./helpers.js";

interface GradCase {
  name: string;
  dtype: "float32" | "float64";
  n?: number;
  options?: { upper: boolean; left: boolean; unitriangular: boolean };
  inputs: FixtureTensor[];
  out: FixtureTensor;
  gradOut: FixtureTensor;
  grads: (FixtureTensor | null)[];
}

const { special, linalg: linalgCases } = loadFixture<{ special: GradCase[]; linalg: GradCase[] }>("random_special_linalg.json");

function runCase(c: GradCase): (...xs: Tensor[]) => Tensor {
  if (c.name === "lgamma") return (x) => nb.lgamma(x!);
  if (c.name === "digamma") return (x) => nb.digamma(x!);
  if (c.name.startsWith("polygamma")) return (x) => nb.polygamma(c.n!, x!);
  if (c.name === "cholesky") return (a) => linalg.cholesky(a!);
  if (c.name === "cholesky_upper") return (a) => linalg.cholesky(a!, { upper: true });
  if (c.name.startsWith("solve_triangular")) return (a, b) => linalg.solveTriangular(a!, b!, c.options!);
  throw new Error(`no runner for ${c.name}`);
}

/** float32 to a few ulps of the values involved; float64 near-exact (the C library and ours differ in the last bits). */
const tolerance = (c: GradCase) => (c.dtype === "float32" ? { rtol: 2e-5, atol: 2e-5 } : { rtol: 1e-11, atol: 1e-11 });

describe.each([
  ["special functions", special],
  ["linalg", linalgCases],
])("%s against PyTorch", (_, cases) => {
  for (const c of cases) {
    it(`${c.name} ${c.dtype} ${c.inputs.map((t) => JSON.stringify(t.shape)).join(" ")}`, () => {
      const inputs = c.inputs.map((t) => fromFixture(t, { requiresGrad: true }));
      const out = runCase(c)(...inputs);
      expectClose(out, c.out, tolerance(c), `${c.name} value`);
      out.mul(fromFixture(c.gradOut)).sum().backward();
      c.grads.forEach((g, i) => {
        if (g) expectClose(inputs[i]!.grad, g, tolerance(c), `${c.name} gradient of input ${i}`);
      });
    });
  }
});

const f64 = (values: number[] | number[][], shape?: number[]) => {
  const t = nb.tensor(values as number[], { dtype: "float64" });
  return (shape ? t.reshape(shape) : t).detach().requiresGrad_();
};

describe("gradcheck in float64", () => {
  it("lgamma, digamma, polygamma: first and second derivatives", () => {
    const x = f64([0.3, 1.7, 4.2, 11.5, -0.6]);
    for (const fn of [nb.lgamma, nb.digamma, (t: Tensor) => nb.polygamma(2, t)]) {
      expect(gradcheck((t) => fn(t!), [x])).toBe(true);
      expectSecondDerivatives((t) => fn(t!), [x]);
    }
  });

  it("cholesky of a symmetric positive-definite matrix (A·Aᵀ + nI, as PyTorch's own test builds it), batched, lower and upper", () => {
    const a = f64([0.5, -1.2, 0.3, 0.8, 1.1, -0.4, 0.2, 0.9, -0.7, 0.6, 0.3, 1.4, -0.5, 0.1, 0.8, 0.4, 1.0, -0.3], [2, 3, 3]);
    const spd = (m: Tensor) => nb.add(nb.matmul(m, m.transpose(-2, -1)), nb.eye(3, 3, { dtype: "float64" }).mul(3));
    expect(gradcheck((m) => linalg.cholesky(spd(m!)), [a])).toBe(true);
    expect(gradcheck((m) => linalg.cholesky(spd(m!), { upper: true }), [a])).toBe(true);
    expectSecondDerivatives((m) => linalg.cholesky(spd(m!)), [a]);
  });

  it("solveTriangular: lower/upper, left/right, unitriangular, broadcast batch", () => {
    const tri = f64([2.0, 0.4, -0.3, 0.5, 1.5, 0.2, -0.6, 0.7, 1.8], [3, 3]);
    const b = f64([0.3, -1.0, 0.8, 0.5, 1.2, -0.4], [3, 2]);
    const bRight = f64([0.3, -1.0, 0.8, 0.5, 1.2, -0.4], [2, 3]);
    const bBatch = f64(Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)), [2, 3, 2]);
    for (const upper of [false, true]) {
      for (const unitriangular of [false, true]) {
        expect(gradcheck((a, x) => linalg.solveTriangular(a!, x!, { upper, unitriangular }), [tri, b])).toBe(true);
        expect(gradcheck((a, x) => linalg.solveTriangular(a!, x!, { upper, left: false, unitriangular }), [tri, bRight])).toBe(true);
      }
      expect(gradcheck((a, x) => linalg.solveTriangular(a!, x!, { upper }), [tri, bBatch])).toBe(true);
    }
    expectSecondDerivatives((a, x) => linalg.solveTriangular(a!, x!, { upper: false }), [tri, b]);
    expectSecondDerivatives((a, x) => linalg.solveTriangular(a!, x!, { upper: true, left: false }), [tri, bRight]);
  });
});

describe("errors", () => {
  it("cholesky names the failing leading minor (and batch element)", () => {
    const notPd = nb.tensor([[1, 2], [2, 1]], { dtype: "float64" });
    const e = errorOf(() => linalg.cholesky(notPd));
    expect(e).toBeInstanceOf(nb.LinAlgError);
    expect(e.message).toBe(
      "linalg.cholesky: The factorization could not be completed because the input is not positive-definite (the leading minor of order 2 is not positive-definite).",
    );
    const batch = nb.stack([nb.eye(2), nb.tensor([[1, 0], [0, -1]])]);
    expect(errorOf(() => linalg.cholesky(batch)).message).toContain("(Batch element 1): ");
    expect(errorOf(() => linalg.cholesky(nb.zeros([2, 3]))).message).toBe("linalg.cholesky: A must be batches of square matrices, but they are [2, 3] matrices");
  });

  it("solveTriangular checks shapes and requires upper", () => {
    const a = nb.eye(3);
    expect(errorOf(() => linalg.solveTriangular(a, nb.zeros([4, 2]), { upper: false })).message).toBe(
      "linalg.solveTriangular: incompatible shapes of A and B for the equation AX = B ([3, 3] and [4, 2])",
    );
    expect(errorOf(() => linalg.solveTriangular(a, nb.zeros([3, 2]), {} as { upper: boolean }))).toBeInstanceOf(TypeError);
  });

  it("polygamma needs a non-negative integer order", () => {
    expect(errorOf(() => nb.polygamma(-1, nb.ones([2]))).message).toBe("polygamma: n must be a non-negative integer, got -1");
  });
});
