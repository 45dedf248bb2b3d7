/**
 * torch's pointwise mathematics through nabla's public API (issue 11's list: trigonometric and
 * hyperbolic functions and their inverses, atan2, erf/erfc/erfinv, floor/ceil/round/trunc/frac,
 * remainder/fmod, log1p/expm1/log2/log10, rsqrt/reciprocal/square, lerp, hypot): each case of
 * test/fixtures/math.json (scripts/make_math_fixtures.py, real PyTorch) as a function, as a Tensor
 * method and in place, forward values and gradients, float32, float64 and int32 inputs.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { DTypeError, noGrad, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { expectClose, fromFixture, loadFixture, type FixtureTensor, expectSameValues } from "./helpers.js";

interface MathCase {
  name: string;
  fn: string;
  inputs: FixtureTensor[];
  args: { decimals?: number; other?: number; weight?: number };
  out: FixtureTensor;
  grad_out: FixtureTensor | null;
  grads: (FixtureTensor | null)[];
}

const { cases } = loadFixture<{ cases: MathCase[] }>("math.json");
type Call = (...args: unknown[]) => Tensor;

/** The extra arguments after the tensors, in nabla's order. */
function extraArgs(c: MathCase): unknown[] {
  if (c.args.decimals !== undefined) return [c.args.decimals];
  if (c.args.other !== undefined) return [c.args.other];
  if (c.args.weight !== undefined) return [c.args.weight];
  return [];
}

describe("pointwise mathematics against PyTorch", () => {
  it("covers every op the fixture has, as a function, a method and an in-place method", () => {
    const names = new Set(cases.map((c) => c.fn));
    expect(names.size).toBe(31);
    for (const name of names) {
      expect(typeof (nb as unknown as Record<string, unknown>)[name], name).toBe("function");
      const proto = nb.Tensor.prototype as unknown as Record<string, unknown>;
      expect(typeof proto[name], `Tensor.${name}`).toBe("function");
      expect(typeof proto[`${name}_`], `Tensor.${name}_`).toBe("function");
    }
  });

  for (const c of cases) {
    it(c.name, () => {
      const differentiable = c.grad_out !== null;
      const inputs = c.inputs.map((t, i) => fromFixture(t, { requiresGrad: differentiable && c.grads[i] !== null }));
      const extra = extraArgs(c);
      const fn = (nb as unknown as Record<string, Call>)[c.fn]!;
      const out = fn(...inputs, ...extra);
      expect(out.dtype).toBe(c.out.dtype);
      // the WebGPU device's pointwise kernels are held to 1e-4 relative + 1e-5 absolute (docs/webgpu.md)
      const onDevice = out.device === "webgpu";
      const f32 = onDevice ? { rtol: 1e-4, atol: 1e-5 } : { rtol: 4e-7, atol: 1e-30 };
      expectClose(out, c.out, c.out.dtype === "float32" ? f32 : { rtol: 1e-14, atol: 1e-300 });

      // the method and the in-place method compute the same values as the function
      const [self, ...rest] = inputs;
      const method = (self as unknown as Record<string, Call>)[c.fn]!.call(self, ...rest, ...extra);
      expectSameValues(method, out);
      if (c.out.dtype === c.inputs[0]!.dtype) {
        const copy = noGrad(() => self!.detach().clone());
        const returned = (copy as unknown as Record<string, Call>)[`${c.fn}_`]!.call(copy, ...rest.map((t) => t.detach()), ...extra);
        expect(returned).toBe(copy);
        expectSameValues(copy, noGrad(() => fn(...inputs.map((t) => t.detach()), ...extra)));
      }

      if (!differentiable) return;
      out.mul(fromFixture(c.grad_out!)).sum().backward();
      c.grads.forEach((g, i) => {
        if (g === null) return;
        expectClose(inputs[i]!.grad!, g, g.dtype === "float32" ? (onDevice ? { rtol: 1e-4, atol: 1e-5 } : { rtol: 1e-5, atol: 1e-6 }) : { rtol: 1e-12, atol: 1e-300 });
      });
    });
  }
});

describe("in-place results cast only as PyTorch casts them", () => {
  it("a float result into an int tensor is PyTorch's error, and the tensor is left as it was", () => {
    const x = tensor([1, 2, 3], { dtype: "int32" });
    for (const [call, op] of [
      [() => x.mul_(0.5), "mul_"],
      [() => x.add_(0.5), "add_"],
      [() => x.div_(2), "div_"],
      [() => x.sin_(), "sin_"],
      [() => x.sqrt_(), "sqrt_"],
      [() => x.lerp_(x, 0.5), "lerp_"],
      [() => x.add_(tensor([0.5, 1.5, 2.5])), "add_"],
    ] as const) {
      expect(call, op).toThrow(DTypeError);
      expect(call, op).toThrow(`${op}: result type float32 can't be cast to the desired output type int32`);
    }
    expect(x.toArray()).toEqual([1, 2, 3]);
    expect(() => tensor([true, false]).add_(1)).toThrow("add_: result type int32 can't be cast to the desired output type bool");
  });

  it("what does cast is written: int results into int, int into float, float64 into float32; rounding keeps ints", () => {
    expect(tensor([1, 2, 3], { dtype: "int32" }).mul_(2).toArray()).toEqual([2, 4, 6]);
    expect(tensor([1, 2, 3], { dtype: "int32" }).floor_().toArray()).toEqual([1, 2, 3]);
    expect(tensor([1, 2, 3], { dtype: "int32" }).pow_(2).toArray()).toEqual([1, 4, 9]);
    const f = tensor([1, 2]).add_(tensor([1, 2], { dtype: "int32" }));
    expect([f.dtype, f.toArray()]).toEqual(["float32", [2, 4]]);
    const g = tensor([1.5, 2.5]).mul_(tensor([2, 2], { dtype: "float64" }));
    expect([g.dtype, g.toArray()]).toEqual(["float32", [3, 5]]);
    // copy_ and fill_ store a value whatever its dtype, as PyTorch's
    expect(tensor([1, 2, 3], { dtype: "int32" }).copy_(tensor([0.5, 1.5, 2.5])).toArray()).toEqual([0, 1, 2]);
  });

  it("round's decimals: an integer, on a floating tensor", () => {
    expect(() => nb.round(tensor([1.25]), 1.5)).toThrow("round: decimals must be an integer, got 1.5");
    expect(() => nb.round(tensor([15, 25], { dtype: "int32" }), -1)).toThrow(DTypeError);
    expect(nb.round(tensor([1.25, 2.5]), { decimals: 1 }).toArray()).toEqual(nb.round(tensor([1.25, 2.5]), 1).toArray());
  });
});
