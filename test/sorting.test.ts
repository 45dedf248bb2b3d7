/**
 * Every case of test/fixtures/sorting.json (made with PyTorch by scripts/make_sorting_fixtures.py):
 * sort, topk and the order statistics (with tie-heavy inputs: indices of equal values must be
 * PyTorch's), scans, unique/bincount/histc/searchsorted, the products and einsum, and the norms.
 * Each runs forward and is compared with PyTorch's outputs (indices exactly; on the webgpu device
 * indices at ties by the values they select, see tie-policy.ts), then backward with PyTorch's
 * upstream gradients, comparing every input's gradient.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import type { Tensor } from "../packages/nabla/src/index.js";
import { defaultTolerance, expectClose, fromFixture, loadFixture, type FixtureTensor, type Tolerance } from "./helpers.js";
import { expectTieGrad, expectTieOutputs, type TieCase } from "./tie-policy.js";

interface Case {
  name: string;
  fn: string;
  inputs: FixtureTensor[];
  grad_inputs: boolean[];
  args: Record<string, unknown>;
  outputs: FixtureTensor[];
  grad_outputs: (FixtureTensor | null)[];
  grads: (FixtureTensor | null)[];
}

const { cases } = loadFixture<{ torch_version: string; cases: Case[] }>("sorting.json");

type Result = Tensor | Tensor[] | { values: Tensor; indices: Tensor };
// the fixtures' arguments are checked by nabla's own argument reader, so they pass through untyped
type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** nabla's call for each fixture `fn`, with the fixture's (camelCase) arguments. */
const RUN: Record<string, (xs: Tensor[], a: Args) => Result> = {
  sort: ([x], a) => nb.sort(x!, a),
  argsort: ([x], a) => nb.argsort(x!, a),
  msort: ([x]) => nb.msort(x!),
  topk: ([x], { k, ...a }) => nb.topk(x!, k, a),
  kthvalue: ([x], { k, ...a }) => nb.kthvalue(x!, k, a),
  median: ([x], a) => (a.dim === undefined ? nb.median(x!) : nb.median(x!, a as { dim: number })),
  nanmedian: ([x], a) => (a.dim === undefined ? nb.nanmedian(x!) : nb.nanmedian(x!, a as { dim: number })),
  mode: ([x], a) => nb.mode(x!, a),
  cumsum: ([x], a) => nb.cumsum(x!, a),
  cumprod: ([x], a) => nb.cumprod(x!, a),
  cummax: ([x], a) => nb.cummax(x!, a),
  cummin: ([x], a) => nb.cummin(x!, a),
  logcumsumexp: ([x], a) => nb.logcumsumexp(x!, a),
  diff: ([x, prepend, append], a) => nb.diff(x!, { ...a, prepend, append }),
  unique: ([x], a) => nb.unique(x!, a),
  uniqueConsecutive: ([x], a) => nb.uniqueConsecutive(x!, a),
  bincount: ([x, weights], a) => nb.bincount(x!, { ...a, weights }),
  histc: ([x], a) => nb.histc(x!, a),
  searchsorted: ([s, v, sorter], a) => nb.searchsorted(s!, v!, { ...a, sorter }),
  bucketize: ([v, b], a) => nb.bucketize(v!, b!, a),
  mm: ([a, b]) => nb.mm(a!, b!),
  bmm: ([a, b]) => nb.bmm(a!, b!),
  addmm: ([i, a, b], s) => nb.addmm(i!, a!, b!, s),
  addmv: ([i, a, v], s) => nb.addmv(i!, a!, v!, s),
  baddbmm: ([i, a, b], s) => nb.baddbmm(i!, a!, b!, s),
  addbmm: ([i, a, b], s) => nb.addbmm(i!, a!, b!, s),
  mv: ([a, v]) => nb.mv(a!, v!),
  dot: ([a, b]) => nb.dot(a!, b!),
  vdot: ([a, b]) => nb.vdot(a!, b!),
  outer: ([a, b]) => nb.outer(a!, b!),
  inner: ([a, b]) => nb.inner(a!, b!),
  tensordot: ([a, b], { dims }) => nb.tensordot(a!, b!, dims),
  kron: ([a, b]) => nb.kron(a!, b!),
  trace: ([a]) => nb.trace(a!),
  einsum: (xs, { equation }) => nb.einsum(equation, ...xs),
  vectorNorm: ([x], a) => nb.linalg.vectorNorm(x!, a),
  matrixNorm: ([x], a) => nb.linalg.matrixNorm(x!, a),
  linalgNorm: ([x], a) => nb.linalg.norm(x!, a),
  norm: ([x], a) => nb.norm(x!, a),
};

/** The fixture's arguments with "inf" / "-inf" back as numbers. */
function decodeArgs(args: Record<string, unknown>): Args {
  const out: Args = {};
  for (const [k, v] of Object.entries(args)) out[k] = v === "inf" ? Infinity : v === "-inf" ? -Infinity : v;
  return out;
}

/** float32 to 1e-6 (absolute where sums cancel), float64 to 1e-12; integers, indices and bools exactly. */
const tight = (t: FixtureTensor): Tolerance =>
  t.dtype === "float32" ? { rtol: 1e-6, atol: 1e-6 } : t.dtype === "float64" ? { rtol: 1e-12, atol: 1e-13 } : {};

/**
 * On the webgpu device, the ops whose indices at ties are the device's stable sort's, not
 * PyTorch's CPU's: compared by tie-policy.ts's rule (docs/PARITY.md, "WebGPU device"). Null elsewhere.
 */
function tieCase(c: Case, input: Tensor): TieCase | null {
  if (input.device !== "webgpu" || input.dim() === 0) return null;
  const alongDim = ["sort", "argsort", "topk", "kthvalue", "mode"].includes(c.fn) || (["median", "nanmedian"].includes(c.fn) && c.args.dim !== undefined);
  if (!alongDim) return null;
  return {
    input: c.inputs[0]!,
    dim: (c.args.dim as number | undefined) ?? -1,
    reduced: ["kthvalue", "median", "nanmedian", "mode"].includes(c.fn) && c.args.keepdim !== true,
    ordered: !(c.fn === "topk" && c.args.sorted === false),
  };
}

function outputsOf(r: Result): Tensor[] {
  if (Array.isArray(r)) return r;
  if ("values" in r && "indices" in r) return [r.values, r.indices];
  return [r as Tensor];
}

describe("sorting fixtures from PyTorch", () => {
  it("covers every function the fixtures name", () => {
    for (const c of cases) expect(RUN[c.fn], c.fn).toBeTypeOf("function");
    expect(cases.length).toBeGreaterThan(200);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const inputs = c.inputs.map((t, i) => fromFixture(t, { requiresGrad: c.grad_inputs[i] }));
    const outputs = outputsOf(RUN[c.fn]!(inputs, decodeArgs(c.args)));
    expect(outputs.length, "number of outputs").toBe(c.outputs.length);
    const ties = tieCase(c, inputs[0]!);
    if (ties) expectTieOutputs(ties, outputs.length === 2 ? outputs[0]! : null, outputs[outputs.length - 1]!, c.outputs, tight(c.outputs[0]!));
    else outputs.forEach((o, i) => expectClose(o, c.outputs[i]!, tight(c.outputs[i]!), `output ${i}`));

    const terms = outputs.flatMap((o, i) => {
      const g = c.grad_outputs[i];
      return g ? [o.mul(fromFixture(g)).sum()] : [];
    });
    if (terms.length === 0) return;
    terms.reduce((a, b) => a.add(b)).backward();
    inputs.forEach((x, i) => {
      const expected = c.grads[i];
      if (expected && ties) expectTieGrad(ties, x.grad, expected, { ...defaultTolerance(expected.dtype), ...tight(expected) }, `grad of input ${i}`);
      else if (expected) expectClose(x.grad, expected, tight(expected), `grad of input ${i}`);
      else if (c.grad_inputs[i]) expect(x.grad, `input ${i} gets no gradient in PyTorch`).toBeNull();
    });
  });
});
