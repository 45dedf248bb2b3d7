/**
 * Every case of test/fixtures/shaping.json (made with PyTorch by scripts/make_shaping_fixtures.py):
 * the same call in nabla, its outputs against PyTorch's, then backward of Σ out·gradOut and each
 * input's gradient against PyTorch's. Covers split/chunk/unbind/tensorSplit, repeat/tile/
 * repeatInterleave, flip/roll, diag/diagonal/diagEmbed, tril/triu, maskedFill/maskedSelect,
 * nonzero, any/all, isnan…nanToNum, clamp with tensor bounds, x.index / indexPut, indexAdd/
 * indexCopy/indexFill and scatter/scatterAdd/scatterReduce.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { sl, Tensor, type IndexItem } from "../packages/nabla/src/index.js";
import { expectClose, fromFixture, loadFixture, type FixtureTensor } from "./helpers.js";

interface ShapingCase {
  name: string;
  op: string;
  inputs: FixtureTensor[];
  grad: boolean[];
  args: unknown[];
  kwargs: Record<string, unknown>;
  outputs: FixtureTensor[];
  grad_outputs: (FixtureTensor | null)[];
  grads: (FixtureTensor | null)[];
}

const { cases } = loadFixture<{ cases: ShapingCase[] }>("shaping.json");

/** An encoded argument (see the script's docstring) as the value nabla's call takes. */
function decode(arg: unknown, inputs: Tensor[]): unknown {
  if (arg === "nan") return NaN;
  if (arg === "inf") return Infinity;
  if (arg === "-inf") return -Infinity;
  if (Array.isArray(arg)) return arg.map((a) => decode(a, inputs));
  if (typeof arg === "object" && arg !== null) {
    const o = arg as { t?: number; slice?: (number | null)[]; index?: unknown[] };
    if (o.t !== undefined) return inputs[o.t];
    if (o.slice !== undefined) return sl(o.slice[0], o.slice[1], o.slice[2]);
    if (o.index !== undefined) return o.index.map((a) => decode(a, inputs));
  }
  return arg;
}

type Any = never;

/** The nabla call for PyTorch's `op(*args, **kwargs)`. */
function run(op: string, a: unknown[], kw: Record<string, unknown>): Tensor | Tensor[] {
  const x = a[0] as Tensor;
  const n = (i: number) => a[i] as number;
  const t = (i: number) => a[i] as Tensor;
  switch (op) {
    case "split":
      return nb.split(x, a[1] as number | number[], a[2] as number | undefined);
    case "chunk":
      return nb.chunk(x, n(1), a[2] as number | undefined);
    case "unbind":
      return nb.unbind(x, a[1] as number | undefined);
    case "tensor_split":
      return nb.tensorSplit(x, a[1] as number | number[] | Tensor, a[2] as number | undefined);
    case "repeat":
      return x.repeat(a[1] as number[]);
    case "tile":
      return x.tile(a[1] as number[]);
    case "repeat_interleave":
      return a.length === 1 ? nb.repeatInterleave(x) : nb.repeatInterleave(x, a[1] as number | Tensor, { dim: kw.dim as number | undefined });
    case "flip":
      return x.flip(a[1] as number[]);
    case "roll":
      return nb.roll(x, a[1] as number | number[], a[2] as number | number[] | undefined);
    case "diag":
      return nb.diag(x, a[1] as number | undefined);
    case "diagonal":
      return nb.diagonal(x, ...(a.slice(1) as number[]));
    case "diag_embed":
      return nb.diagEmbed(x, ...(a.slice(1) as number[]));
    case "tril":
      return nb.tril(x, n(1));
    case "triu":
      return nb.triu(x, n(1));
    case "masked_fill":
      return nb.maskedFill(x, t(1), a[2] as number | Tensor);
    case "masked_select":
      return nb.maskedSelect(x, t(1));
    case "nonzero":
      return nb.nonzero(x);
    case "nonzero_tuple":
      return nb.nonzero(x, { asTuple: true });
    case "any":
      return a.length === 1 ? nb.any(x) : nb.any(x, n(1), { keepdim: (a[2] as boolean | undefined) ?? false });
    case "all":
      return a.length === 1 ? nb.all(x) : nb.all(x, n(1), { keepdim: (a[2] as boolean | undefined) ?? false });
    case "isnan":
      return nb.isnan(x);
    case "isinf":
      return nb.isinf(x);
    case "isposinf":
      return nb.isposinf(x);
    case "isneginf":
      return nb.isneginf(x);
    case "nan_to_num":
      return nb.nanToNum(x, kw as nb.NanToNumOptions);
    case "clamp":
      return nb.clamp(x, a[1] as nb.ClampBound, a[2] as nb.ClampBound);
    case "getitem":
      return x.index(a[1] as IndexItem[]);
    case "setitem":
      return nb.indexPut(x, a[1] as IndexItem[], a[2] as Tensor | number);
    case "index_put":
      return nb.indexPut(x, a[1] as IndexItem[], t(2), { accumulate: (kw.accumulate as boolean | undefined) ?? false });
    case "index_add":
      return nb.indexAdd(x, n(1), t(2), t(3), { alpha: kw.alpha as number | undefined });
    case "index_copy":
      return nb.indexCopy(x, n(1), t(2), t(3));
    case "index_fill":
      return nb.indexFill(x, n(1), t(2), a[3] as number | Tensor);
    case "scatter":
      return nb.scatter(x, n(1), t(2), a[3] as Tensor | number, { reduce: kw.reduce as Any });
    case "scatter_add":
      return nb.scatterAdd(x, n(1), t(2), t(3));
    case "scatter_reduce":
      return nb.scatterReduce(x, n(1), t(2), t(3), a[4] as nb.ScatterReduce, { includeSelf: kw.include_self as boolean | undefined });
  }
  throw new Error(`no nabla call for ${op}`);
}

describe("shape, indexing and mask ops against PyTorch", () => {
  it("the fixture holds every op", () => {
    const ops = new Set(cases.map((c) => c.op));
    expect(ops.size).toBe(35);
  });

  for (const c of cases) {
    it(c.name, () => {
      const inputs = c.inputs.map((t, i) => fromFixture(t, { requiresGrad: c.grad[i] }));
      const result = run(c.op, decode(c.args, inputs) as unknown[], c.kwargs);
      const outputs = Array.isArray(result) ? result : [result];
      expect(outputs.length, "number of outputs").toBe(c.outputs.length);
      outputs.forEach((o, k) => expectClose(o, c.outputs[k]!, {}, `output ${k}`));

      const terms = outputs.flatMap((o, k) => {
        const g = c.grad_outputs[k];
        return g ? [o.mul(fromFixture(g)).sum()] : [];
      });
      if (terms.length === 0) return;
      terms.reduce((p, q) => p.add(q)).backward();
      inputs.forEach((x, i) => {
        const expected = c.grads[i];
        if (expected === null || expected === undefined) return;
        expectClose(x.grad, expected, {}, `grad of input ${i}`);
      });
    });
  }
});
