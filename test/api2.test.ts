/**
 * The second batch of PyTorch API a ported program calls (reductions prod/amax/amin/nansum/nanmean,
 * rounding division, clampMin/clampMax/clip, addcmul/addcdiv, allclose/isclose/equal, more pointwise
 * mathematics, shape helpers): each case of test/fixtures/api2.json (scripts/make_api2_fixtures.py,
 * real PyTorch) as a function, as a Tensor method and in place where PyTorch has those, forward
 * values and gradients; then the errors, each thrown before anything changes.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { noGrad, type Tensor } from "../packages/nabla/src/index.js";
import { expectClose, fromFixture, loadFixture, type FixtureTensor, expectSameValues } from "./helpers.js";

type Arg = unknown;
interface ApiCase {
  name: string;
  fn: string;
  method: string | null;
  inplace: boolean;
  inputs: FixtureTensor[];
  args: Arg[];
  out: FixtureTensor | FixtureTensor[] | boolean;
  /** A float32 absolute tolerance where PyTorch rounds an intermediate to float32 that nabla's CPU kernels keep in float64. */
  atol32?: number;
  grad_out: FixtureTensor | FixtureTensor[] | null;
  grads: (FixtureTensor | null)[];
}

const { cases } = loadFixture<{ cases: ApiCase[] }>("api2.json");
type Call = (...args: unknown[]) => unknown;

/** The call's arguments with "$i" replaced by inputs[i] (also inside lists). */
function resolve(args: readonly Arg[], inputs: readonly Tensor[]): unknown[] {
  const one = (a: Arg): unknown => {
    if (typeof a === "string" && /^\$\d+$/.test(a)) return inputs[Number(a.slice(1))];
    if (Array.isArray(a) && a.some((v) => typeof v === "string" && v.startsWith("$"))) return a.map(one);
    return a;
  };
  return args.map(one);
}

/** The inputs the args do not name: the leading tensor arguments. */
function leading(c: ApiCase, inputs: readonly Tensor[]): Tensor[] {
  const named = JSON.stringify(c.args).match(/"\$\d+"/g) ?? [];
  return inputs.slice(0, inputs.length - new Set(named).size);
}

function tolerance(dtype: string, device: string, grad = false) {
  if (dtype === "float64") return { rtol: grad ? 1e-12 : 1e-14, atol: 1e-300 };
  if (dtype !== "float32") return { rtol: 0, atol: 0 };
  // the WebGPU device's pointwise kernels are held to 1e-4 relative + 1e-5 absolute (docs/webgpu.md)
  if (device === "webgpu") return { rtol: 1e-4, atol: 1e-5 };
  return grad ? { rtol: 1e-5, atol: 1e-6 } : { rtol: 4e-7, atol: 1e-30 };
}

describe("API batch 2 against PyTorch", () => {
  for (const c of cases) {
    it(c.name, () => {
      const differentiable = c.grad_out !== null;
      const inputs = c.inputs.map((t, i) => fromFixture(t, { requiresGrad: differentiable && c.grads[i] !== null }));
      const fn = (nb as unknown as Record<string, Call>)[c.fn];
      expect(typeof fn, `nb.${c.fn}`).toBe("function");
      const head = leading(c, inputs);
      const rest = resolve(c.args, inputs);
      const out = fn!(...head, ...rest);
      if (typeof c.out === "boolean") {
        expect(out).toBe(c.out);
        if (c.method !== null) expect((head[0] as unknown as Record<string, Call>)[c.method]!.call(head[0], ...head.slice(1), ...rest)).toBe(c.out);
        return;
      }
      const outs = (Array.isArray(c.out) ? out : [out]) as Tensor[];
      const want = Array.isArray(c.out) ? c.out : [c.out];
      expect(outs.length).toBe(want.length);
      outs.forEach((o, k) => {
        const tol = tolerance(want[k]!.dtype, o.device);
        expectClose(o, want[k]!, c.atol32 !== undefined && want[k]!.dtype === "float32" ? { ...tol, atol: Math.max(tol.atol, c.atol32) } : tol, `${c.name} out ${k}`);
      });

      // the method computes the same values as the function; the in-place method writes them into `this`
      if (c.method !== null) {
        const [self, ...others] = head;
        const m = (self as unknown as Record<string, Call>)[c.method];
        expect(typeof m, `Tensor.${c.method}`).toBe("function");
        const mo = m!.call(self, ...others, ...rest) as Tensor | Tensor[];
        (Array.isArray(mo) ? mo : [mo]).forEach((o, k) => expectSameValues(o, outs[k]!));
        if (c.inplace) {
          const copy = noGrad(() => self!.detach().clone());
          const returned = (copy as unknown as Record<string, Call>)[`${c.method}_`]!.call(copy, ...others.map((t) => t.detach()), ...rest);
          expect(returned).toBe(copy);
          expectSameValues(copy, outs[0]!.detach().to(copy.dtype));
        }
      }

      if (!differentiable) return;
      const gos = (Array.isArray(c.grad_out) ? c.grad_out : [c.grad_out!]).map((g) => fromFixture(g));
      outs.map((o, k) => o.mul(gos[k]!).sum()).reduce((a, b) => a.add(b)).backward();
      c.grads.forEach((g, i) => {
        if (g === null) return;
        expectClose(inputs[i]!.grad!, g, tolerance(g.dtype, inputs[i]!.device, true), `${c.name} grad ${i}`);
      });
    });
  }
});

describe("reductions: the errors PyTorch raises, and what it lets through", () => {
  it("amax/amin over an empty dim, nanmean of ints, a dim out of range", () => {
    expect(() => nb.amax(nb.zeros([2, 0]), 1)).toThrow(nb.ShapeError);
    expect(() => nb.amin(nb.zeros([2, 0]), 1)).toThrow("amin: expected reduction dim 1 to have non-zero size, got shape [2, 0]");
    expect(nb.amax(nb.zeros([2, 0]), 0).shape).toEqual([0]);
    expect(() => nb.nanmean(nb.tensor([1, 2], { dtype: "int32" }))).toThrow("nanmean: expected input to have floating point dtype but got int32");
    expect(() => nb.prod(nb.zeros([2, 3]), 2)).toThrow(nb.ShapeError);
    expect(() => nb.amax(nb.zeros([2, 3]), [0, 0])).toThrow("dim 0 appears multiple times");
  });

  it("prod of an empty tensor is 1, amax of a NaN is NaN, nanmean of only NaNs is NaN", () => {
    expect(nb.prod(nb.zeros([0])).item()).toBe(1);
    expect(nb.prod(nb.zeros([2, 0]), 1).toArray()).toEqual([1, 1]);
    expect(nb.amax(nb.tensor([1, NaN, 3])).item()).toBeNaN();
    expect(nb.nanmean(nb.tensor([NaN, NaN])).item()).toBeNaN();
    expect(nb.nansum(nb.tensor([NaN, NaN])).item()).toBe(0);
  });
});

describe("rounding division and one-sided clamps: errors", () => {
  it("an unknown roundingMode, an integer division by zero (before anything is written)", () => {
    const a = nb.tensor([1, 2]);
    expect(() => nb.div(a, 2, { roundingMode: "round" as never })).toThrow(nb.OptionError);
    expect(() => a.div(2, { roundingMode: "ceil" as never })).toThrow('div: expected roundingMode to be one of null, "trunc" or "floor", got "ceil"');
    const i = nb.tensor([5, 6], { dtype: "int32" });
    expect(() => nb.floorDivide(i, 0)).toThrow('div: integer division by zero (roundingMode "floor")');
    // a divisor tensor's values are checked where they are on the host (not on the webgpu device, as CUDA's PyTorch)
    if (i.device === "cpu") expect(() => i.div_(nb.tensor([1, 0], { dtype: "int32" }), { roundingMode: "trunc" })).toThrow("integer division by zero");
    expect(i.toArray()).toEqual([5, 6]);
    // a float division by zero is IEEE's, as PyTorch's
    expect(nb.floorDivide(nb.tensor([1, -1, 0]), 0).toArray()).toEqual([Infinity, -Infinity, NaN]);
    // true division stays true division with roundingMode null
    expect(nb.div(i, 4, { roundingMode: null }).toArray()).toEqual([1.25, 1.5]);
    expect(() => i.floorDivide_(2.5)).toThrow("floorDivide_: result type float32 can't be cast to the desired output type int32");
  });

  it("clampMin/clampMax need their bound", () => {
    expect(() => nb.clampMin(nb.tensor([1]), null as never)).toThrow("clampMin: expected 'min' to be a number or a Tensor, got null");
    expect(() => nb.tensor([1]).clampMax(undefined as never)).toThrow(nb.OptionError);
  });
});

describe("addcmul/addcdiv and closeness: errors", () => {
  it("addcdiv of integers, isclose of two dtypes or a negative tolerance, a non-number value", () => {
    const i = nb.tensor([1, 2], { dtype: "int32" });
    expect(() => nb.addcdiv(i, i, i)).toThrow(nb.DTypeError);
    expect(() => nb.addcdiv(i, i, i)).toThrow("addcdiv: integer division with addcdiv is not supported (tensor1 int32, tensor2 int32)");
    const f = nb.tensor([1, 2]);
    expect(() => nb.isclose(f, i)).toThrow("isclose: expected both tensors to have the same dtype, got float32 and int32");
    expect(() => nb.allclose(f, f, { rtol: -1 })).toThrow("isclose: rtol must be greater than or equal to zero, but got -1");
    expect(() => f.isclose(f, { atol: NaN })).toThrow(nb.OptionError);
    expect(() => nb.addcmul(f, f, f, { value: "2" as never })).toThrow("addcmul: expected 'value' to be a number, got string");
    // addcmul_ with a float value into an int tensor: the value is cast to int, as PyTorch's (0.5 → 0)
    expect(i.clone().addcmul_(i, i, { value: 0.5 }).toArray()).toEqual([1, 2]);
    expect(nb.addcmul(f, f, f, 2).toArray()).toEqual([3, 10]);
  });

  it("an in-place addcdiv_ needing a cast PyTorch refuses leaves the tensor as it was", () => {
    const i = nb.tensor([1, 2], { dtype: "int32" });
    expect(() => i.addcdiv_(nb.tensor([1, 2]), nb.tensor([2, 2]))).toThrow("addcdiv_: result type float32 can't be cast to the desired output type int32");
    expect(i.toArray()).toEqual([1, 2]);
  });
});

describe("pointwise mathematics of batch 2: options and dtypes", () => {
  it("logit's eps: a number, { eps } or null; NaN is refused", () => {
    const p = nb.tensor([0, 0.5, 1]);
    expect(nb.logit(p, null).toArray()).toEqual([-Infinity, 0, Infinity]);
    expect(nb.logit(p, { eps: 0.25 }).toArray()).toEqual(nb.logit(p, 0.25).toArray());
    expect(() => nb.logit(p, NaN)).toThrow("logit: expected eps to be a number or null, got NaN");
  });

  it("bool results; an in-place op whose result cannot cast is refused", () => {
    expect(nb.signbit(nb.tensor([-0, 0, -1, NaN])).toArray()).toEqual([true, false, true, false]);
    expect(nb.logicalXor(nb.tensor([1, 0]), 0).toArray()).toEqual([true, false]);
    const i = nb.tensor([1, 2], { dtype: "int32" });
    expect(() => i.exp2_()).toThrow("exp2_: result type float32 can't be cast to the desired output type int32");
    expect(i.toArray()).toEqual([1, 2]);
  });
});

describe("shapes: the helpers and their errors", () => {
  it("Tensor.where, numel/nelement, t, clone, isFloatingPoint", () => {
    const x = nb.tensor([[1, 2], [3, 4]]);
    const c = nb.tensor([[true, false], [false, true]]);
    expect(x.where(c, nb.zeros([2, 2])).toArray()).toEqual([[1, 0], [0, 4]]);
    expect(x.where(c, -1).toArray()).toEqual([[1, -1], [-1, 4]]);
    expect([nb.numel(x), x.nelement()]).toEqual([4, 4]);
    expect(nb.t(x).toArray()).toEqual([[1, 3], [2, 4]]);
    const copy = nb.clone(x);
    copy.fill_(0);
    expect(x.toArray()).toEqual([[1, 2], [3, 4]]);
    expect([x.isFloatingPoint(), nb.tensor([1], { dtype: "int32" }).isFloatingPoint(), x.double().isFloatingPoint()]).toEqual([true, false, true]);
    expect(() => nb.t(nb.zeros([2, 2, 2]))).toThrow(nb.ShapeError);
  });

  it("errors name the op and the values", () => {
    const x = nb.zeros([4, 6]);
    expect(() => nb.movedim(x, [0, 1], [0])).toThrow("movedim: Invalid source or destination dims: source (2 dims) should contain the same number of dims as destination (1 dims)");
    expect(() => nb.movedim(x, [0, 0], [0, 1])).toThrow("movedim: repeated dim in source [0, 0]");
    expect(() => nb.unflatten(x, 1, [4, -1])).toThrow("unflatten: provided sizes [4, -1] don't multiply up to the size of dim 1 (6) in the input tensor");
    expect(() => nb.unflatten(x, 1, [-1, -1])).toThrow("unflatten: only one dimension can be inferred");
    expect(() => nb.cross(nb.zeros([4, 3]), nb.zeros([4, 3]), 0)).toThrow("cross: dimension 0 does not have size 3 (shape [4, 3])");
    expect(() => nb.cross(nb.zeros([3, 3]), nb.zeros([3]))).toThrow("cross: inputs must have the same number of dimensions, got 2 and 1");
    expect(() => nb.cross(nb.zeros([2, 2]), nb.zeros([2, 2]))).toThrow("cross: no dimension of size 3");
    expect(() => nb.meshgrid([nb.zeros([2]), nb.zeros([2], { dtype: "int32" })])).toThrow(nb.DTypeError);
    expect(() => nb.meshgrid([nb.zeros([2, 2])])).toThrow("meshgrid: Expected 0D or 1D tensor in the tensor list but got a 2D tensor at position 0");
    expect(() => nb.meshgrid([nb.zeros([2])], { indexing: "ji" as never })).toThrow(nb.OptionError);
    expect(() => nb.hstack([])).toThrow("hstack: expected a non-empty list of Tensors");
    expect(() => nb.isin(1, 2)).toThrow(TypeError);
  });

  it("meshgrid takes the tensors spread too, and its grids are views of the inputs", () => {
    const [gx, gy] = nb.meshgrid(nb.tensor([1, 2, 3]), nb.tensor([4, 5]));
    expect(gx!.toArray()).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(gy!.toArray()).toEqual([[4, 5], [4, 5], [4, 5]]);
  });
});

describe("reduction options are read or refused (as main's reductions)", () => {
  it("a misspelt keepdim is a TypeError naming the op", () => {
    const x = nb.ones([2, 3]);
    expect(() => nb.prod(x, 1, { keepDim: true } as never)).toThrow(TypeError);
    expect(() => nb.amax(x, 1, { keep_dim: true } as never)).toThrow(/amax/);
    expect(() => nb.nansum(x, 1, { keepDim: true } as never)).toThrow(/nansum/);
    expect(() => nb.nanmean(x, 1, { keepDim: true } as never)).toThrow(/nanmean/);
    expect(nb.amin(x, [0, 1], true).shape).toEqual([1, 1]);
  });
});
