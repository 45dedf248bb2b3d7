/**
 * matmul and F.linear on N-D operands against PyTorch 1.13 (test/fixtures/matmul_fold.json,
 * scripts/make_matmul_fold_fixtures.py): outputs and every operand's gradient, float32 and
 * float64, and where the product was folded into one 2-D product (ops/matmul.ts shouldFold): a
 * folded product's graph has no BmmBackward0, exactly where PyTorch's has none. The operands are
 * made as the script makes them (`hashed`), so the fixture stores only results.
 */
import { describe, expect, it } from "vitest";
import { F, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { fixtureData, loadFixture, type FixtureTensor } from "./helpers.js";

type Spec = { stored: number[]; perm?: number[] } | null;
interface Case {
  name: string;
  op: "matmul" | "linear";
  operands: Spec[];
  nodes: string[];
  out: FixtureTensor | null;
  grads: (FixtureTensor | null)[];
}
const fixture = loadFixture<{ cases: Record<"float32" | "float64", Case[]> }>("matmul_fold.json");

/** The script's `hashed`: values in [−1, 1) that the dtype holds exactly (float32: 23 bits, float64: 47). */
function hashed(shape: readonly number[], salt: number, dtype: "float32" | "float64"): Tensor {
  const n = shape.reduce((p, s) => p * s, 1);
  const u = (i: number, s: number) => ((i + 7919 * s) * 2654435761) % 16777216; // exact: below 2^53
  const values = Array.from({ length: n }, (_, i) => (u(i, salt) + (dtype === "float64" ? u(i, salt + 50) / 16777216 : 0)) / 8388608 - 1);
  return tensor(values, { dtype }).reshape([...shape]);
}

/** The names of the nodes of t's graph. */
function nodeNames(t: Tensor): Set<string> {
  const names = new Set<string>();
  const stack = [t];
  while (stack.length > 0) {
    const node = stack.pop()!.gradFn;
    if (node === null || names.has(node.name)) continue;
    names.add(node.name);
    stack.push(...node.inputs);
  }
  return names;
}

/**
 * Each element within TOL·max(1, max |want|) of PyTorch's: a few ulps of the largest value, as the
 * sums' orders differ (PyTorch's OpenBLAS, nabla's GEMM, the JS kernel's float64 accumulators).
 */
const TOL = { float32: 2 ** -19, float64: 2 ** -47 };

/**
 * A bias's gradient is nabla's sum over the leading rows (ops/reduce.ts sumLeadingRows: each
 * column summed in row order), PyTorch's a cascade sum: over linear_3d_wide's 256 rows nabla's
 * float32 sum is 3.4e-5 from the exact one, PyTorch's 6.7e-6 (largest value 6.3).
 */
const BIAS_TOL = 8;

function expectNear(got: Tensor, want: FixtureTensor, dtype: "float32" | "float64", what: string, slack = 1): void {
  expect(got.shape, what).toEqual(want.shape);
  const w = fixtureData(want);
  const g = got.contiguous().toTypedArray();
  const bound = slack * TOL[dtype] * Math.max(1, ...Array.from(w, Math.abs));
  let worst = 0;
  for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(g[i]! - w[i]!));
  expect(worst, `${what}: max abs error ${worst} over the bound ${bound}`).toBeLessThanOrEqual(bound);
}

describe("matmul and linear on N-D operands, against PyTorch", () => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const c of fixture.cases[dtype]) {
      it(`${dtype} ${c.name}`, () => {
        const xs = c.operands.map((spec, i) => {
          if (spec === null) return null;
          const t = hashed(spec.stored, i + 1, dtype);
          return (spec.perm ? t.permute(...spec.perm) : t).requiresGrad_();
        });
        const out = c.op === "matmul" ? xs[0]!.matmul(xs[1]!) : F.linear(xs[0]!, xs[1]!, xs[2]);
        out.mul(hashed(out.shape, 100, dtype)).sum().backward();
        const batched = nodeNames(out).has("BmmBackward0");
        expect(batched, `batched (not folded): PyTorch's nodes ${c.nodes.join(", ")}`).toBe(c.nodes.includes("BmmBackward0"));
        if (c.out !== null) expectNear(out, c.out, dtype, "output");
        c.grads.forEach((want, i) => {
          if (want !== null) expectNear(xs[i]!.grad!, want, dtype, `gradient of operand ${i}`, c.op === "linear" && i === 2 ? BIAS_TOL : 1);
        });
      });
    }
  }
});
