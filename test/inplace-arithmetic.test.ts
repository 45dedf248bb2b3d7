/**
 * add_, sub_, mul_ and div_ compute straight into their tensor where they can (elementwise.ts's
 * addInto …, a gradient accumulated into `.grad`): the same values as the out-of-place op written
 * back, on every path the kernels take (short, SIMD, shared among threads), and the general path
 * wherever writing in place would not be the same computation.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { values } from "./helpers.js";

// 5 elements stay in JS, 3,000 take the SIMD kernel, 70,000 are shared with the pool's helpers
const SIZES = [5, 3_000, 70_000];

describe("in-place arithmetic written into the tensor", () => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const n of SIZES) {
      it(`${dtype}, ${n} elements: equals the out-of-place op, operands tensors, broadcast rows and numbers`, () => {
        const a = nb.randn([n], { dtype });
        const b = nb.rand([n], { dtype }).add(0.5);
        const row = nb.randn([n / 5 === Math.floor(n / 5) ? 5 : 1], { dtype });
        const cases: [string, (x: nb.Tensor) => nb.Tensor, (x: nb.Tensor) => nb.Tensor][] = [
          ["add_", (x) => x.add_(b), (x) => x.add(b)],
          ["add_ alpha", (x) => x.add_(b, { alpha: -0.25 }), (x) => x.add(b, { alpha: -0.25 })],
          ["sub_", (x) => x.sub_(b), (x) => x.sub(b)],
          ["mul_", (x) => x.mul_(b), (x) => x.mul(b)],
          ["div_", (x) => x.div_(b), (x) => x.div(b)],
          ["mul_ number", (x) => x.mul_(0.9), (x) => x.mul(0.9)],
          ["add_ itself", (x) => x.add_(x), (x) => x.add(x)],
        ];
        for (const [name, inPlace, outOfPlace] of cases) {
          const x = a.clone();
          const version = x.storage.version;
          const expected = values(outOfPlace(x));
          expect(inPlace(x), name).toBe(x);
          expect(values(x), name).toEqual(expected);
          expect(x.storage.version, name).toBe(version + 1);
        }
        // a row broadcast over a [rows, 5] view of the same values
        const m = a.clone().reshape([-1, row.numel()]);
        const expected = values(m.add(row));
        m.add_(row);
        expect(values(m)).toEqual(expected);
      });
    }
  }

  it("a transposed tensor, a partly overlapping operand and another dtype take the general path", () => {
    const t = nb.arange(12, { dtype: "float32" }).reshape([3, 4]).t();
    const e = values(t.mul(2));
    t.mul_(2);
    expect(values(t)).toEqual(e);
    // the operand overlaps the written elements one place over: read as it was before the write
    const v = nb.arange(6, { dtype: "float32" });
    v.narrow(0, 1, 5).add_(v.narrow(0, 0, 5));
    expect(values(v)).toEqual([0, 1, 3, 5, 7, 9]);
    const d = nb.ones([3], { dtype: "float32" });
    d.add_(nb.tensor([1, 2, 3], { dtype: "float64" }));
    expect(d.dtype).toBe("float32");
    expect(values(d)).toEqual([2, 3, 4]);
    const i = nb.tensor([1, 2], { dtype: "int32" });
    expect(() => i.mul_(nb.tensor([0.5, 0.5]))).toThrow("mul_: result type float32 can't be cast to the desired output type int32");
    expect(values(i)).toEqual([1, 2]);
    // PyTorch's errors where the value would not fit (both used to read past the value's end)
    expect(() => nb.ones([3]).add_(nb.ones([2, 3]))).toThrow("add_: output with shape [3] doesn't match the broadcast shape [2, 3]");
    expect(() => nb.ones([1, 3]).mul_(nb.ones([2, 1]))).toThrow("mul_: output with shape [1, 3] doesn't match the broadcast shape [2, 3]");
    expect(() => nb.ones([3]).copy_(nb.ones([2]))).toThrow("copy_: the size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0");
    expect(() => nb.ones([3]).copy_(nb.ones([2, 1, 3]))).toThrow("copy_: output with shape [3] doesn't match the broadcast shape [2, 1, 3]");
    expect(values(nb.zeros([2, 3]).copy_(nb.tensor([1, 2, 3])))).toEqual([1, 2, 3, 1, 2, 3]);
    expect(() => nb.ones([3]).div_(nb.ones([3]), { rounding_mode: "floor" } as never)).toThrow(/rounding_mode/);
    const flags = nb.tensor([true, false]);
    flags.add_(nb.tensor([true, true]));
    expect(flags.toArray()).toEqual([true, true]);
  });

  it("a second backward adds into the first one's .grad", () => {
    const w = nb.randn([300, 40], { requiresGrad: true });
    const x = nb.randn([40, 7]);
    const loss = () => w.matmul(x).tanh().sum();
    loss().backward();
    const first = values(w.grad!);
    const grad = w.grad!;
    loss().backward();
    expect(w.grad).toBe(grad);
    expect(values(w.grad!)).toEqual(first.map((g) => Math.fround(g + g)));
  });
});
