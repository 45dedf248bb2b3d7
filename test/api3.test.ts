/**
 * The third batch of PyTorch API a ported program calls: inferenceMode, Tensor.cpu and
 * Tensor.type; broadcasting helpers, takeAlongDim, quantile/nanquantile, Tensor.unfold (the
 * sliding window), fliplr/flipud/rot90 (test/fixtures/api3.json from scripts/make_api3_fixtures.py,
 * real PyTorch: each case as a function and as a Tensor method where PyTorch has one, forward
 * values and gradients), then the errors.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { tensor, type Tensor } from "../packages/nabla/src/index.js";
import { expectClose, expectSameValues, fromFixture, loadFixture, type FixtureTensor } from "./helpers.js";

interface ApiCase {
  name: string;
  /** nabla's function; null where PyTorch has only the Tensor method. */
  fn: string | null;
  method: string | null;
  inputs: FixtureTensor[];
  args: unknown[];
  out: FixtureTensor | FixtureTensor[];
  grad_out: FixtureTensor | FixtureTensor[] | null;
  grads: (FixtureTensor | null)[];
  /** An absolute tolerance where nabla sums in another order and a result is far smaller than its terms. */
  atol?: number;
}

const { cases } = loadFixture<{ cases: ApiCase[] }>("api3.json");
type Call = (...args: unknown[]) => unknown;

/** The call's arguments with "$i" replaced by inputs[i] (also as an option's value). */
function resolve(args: readonly unknown[], inputs: readonly Tensor[]): unknown[] {
  const one = (a: unknown): unknown => (typeof a === "string" && /^\$\d+$/.test(a) ? inputs[Number(a.slice(1))] : a);
  return args.map((a) => (a !== null && typeof a === "object" && !Array.isArray(a) ? Object.fromEntries(Object.entries(a).map(([k, v]) => [k, one(v)])) : one(a)));
}

/** The inputs the args do not name: the leading tensor arguments. */
function leading(c: ApiCase, inputs: readonly Tensor[]): Tensor[] {
  const named = JSON.stringify(c.args).match(/"\$\d+"/g) ?? [];
  return inputs.slice(0, inputs.length - new Set(named).size);
}

function tolerance(dtype: string, device: string, grad = false, atol = 0) {
  const base = baseTolerance(dtype, device, grad);
  return { rtol: base.rtol, atol: Math.max(base.atol, atol) };
}

function baseTolerance(dtype: string, device: string, grad: boolean) {
  if (dtype === "float64") return { rtol: grad ? 1e-13 : 1e-15, atol: 1e-300 };
  if (dtype !== "float32") return { rtol: 0, atol: 0 };
  // the WebGPU device's pointwise kernels are held to 1e-4 relative + 1e-5 absolute (docs/webgpu.md)
  if (device === "webgpu") return { rtol: 1e-4, atol: 1e-5 };
  // quantile's float32 lerp: PyTorch rounds end − start to float32 before its fused multiply-add,
  // nabla's kernel takes the difference exactly: a few ulps of the values' scale (|x| ≲ 3) apart
  return grad ? { rtol: 2e-6, atol: 1e-6 } : { rtol: 2e-7, atol: 1.2e-7 };
}

/**
 * The webgpu device sorts stably, PyTorch's CPU build unstably: among equal input values another
 * one may take a quantile's gradient. What each group of equal values receives in all is the same.
 */
function expectTiesShareAlike(input: FixtureTensor, got: Tensor, want: FixtureTensor, label: string): void {
  const values = fromFixture(input).toTypedArray();
  const g = got.toTypedArray();
  const w = fromFixture(want).toTypedArray();
  const sums = new Map<number, [number, number]>();
  values.forEach((v, k) => {
    const [a, b] = sums.get(v) ?? [0, 0];
    sums.set(v, [a + g[k]!, b + w[k]!]);
  });
  for (const [v, [a, b]] of sums) expect(Math.abs(a - b), `${label}: gradient of the elements equal to ${v}: ${a} vs ${b}`).toBeLessThan(1e-4 + 1e-4 * Math.abs(b));
}

describe("API batch 3 against PyTorch", () => {
  for (const c of cases) {
    it(c.name, () => {
      const differentiable = c.grad_out !== null;
      // gcd and lcm have CPU kernels only (on the webgpu device they say so)
      const device = c.fn === "gcd" || c.fn === "lcm" ? "cpu" : undefined;
      const inputs = c.inputs.map((t, i) => fromFixture(t, { requiresGrad: differentiable && c.grads[i] !== null, device }));
      const head = leading(c, inputs);
      const rest = resolve(c.args, inputs);
      const viaMethod = () => {
        const m = (head[0] as unknown as Record<string, Call>)[c.method!];
        expect(typeof m, `Tensor.${c.method}`).toBe("function");
        return m!.call(head[0], ...head.slice(1), ...rest);
      };
      let out: unknown;
      if (c.fn === null) out = viaMethod();
      else {
        const fn = (nb as unknown as Record<string, Call>)[c.fn];
        expect(typeof fn, `nb.${c.fn}`).toBe("function");
        out = fn!(...head, ...rest);
      }
      const outs = (Array.isArray(c.out) ? out : [out]) as Tensor[];
      const want = Array.isArray(c.out) ? c.out : [c.out];
      expect(outs.length).toBe(want.length);
      outs.forEach((o, k) => expectClose(o, want[k]!, tolerance(want[k]!.dtype, o.device, false, c.atol), `${c.name} out ${k}`));
      // the method computes the same values as the function
      if (c.fn !== null && c.method !== null) {
        const mo = viaMethod() as Tensor | Tensor[];
        (Array.isArray(mo) ? mo : [mo]).forEach((o, k) => expectSameValues(o, outs[k]!));
      }
      if (!differentiable) return;
      const gos = (Array.isArray(c.grad_out) ? c.grad_out : [c.grad_out!]).map((g) => fromFixture(g));
      outs.map((o, k) => o.mul(gos[k]!).sum()).reduce((a, b) => a.add(b)).backward();
      c.grads.forEach((g, i) => {
        if (g === null) return;
        const got = inputs[i]!.grad!;
        if (got.device === "webgpu" && c.fn?.includes("quantile")) expectTiesShareAlike(c.inputs[i]!, got, g, `${c.name} grad ${i}`);
        else expectClose(got, g, tolerance(g.dtype, got.device, true, c.atol), `${c.name} grad ${i}`);
      });
    });
  }
});

describe("inferenceMode, cpu(), type()", () => {
  it("inferenceMode records nothing, as noGrad, and returns fn's value", () => {
    const x = tensor([1, 2]).requiresGrad_();
    const y = nb.inferenceMode(() => x.mul(2));
    expect([y.requiresGrad, y.gradFn, nb.isGradEnabled()]).toEqual([false, null, true]);
    expect(y.toArray()).toEqual([2, 4]);
  });

  it("cpu() is to('cpu'): the tensor itself when it is there", () => {
    const x = tensor([1, 2], { device: "cpu" });
    expect(x.cpu()).toBe(x);
  });

  it("type(): PyTorch's type names, and conversion by dtype or name", () => {
    const x = tensor([1.5, 2]);
    expect([x.type(), x.double().type(), x.int().type(), x.bool().type()]).toEqual(["torch.FloatTensor", "torch.DoubleTensor", "torch.IntTensor", "torch.BoolTensor"]);
    expect(x.type("float64").dtype).toBe("float64");
    expect(x.type("torch.IntTensor").toArray()).toEqual([1, 2]);
    expect(x.type("float32")).toBe(x);
    expect(x.type("torch.LongTensor").dtype).toBe("int32"); // as long(): no 64-bit integers
    expect(() => x.type("torch.HalfTensor")).toThrow('type: expected a dtype (float32, float64, int32, bool) or a type name (torch.FloatTensor, torch.DoubleTensor, torch.IntTensor, torch.BoolTensor), got the string "torch.HalfTensor"');
  });
});

describe("batch 3: errors name the op, the argument and the values", () => {
  const x = nb.randn([3, 4]);
  it("broadcasting", () => {
    expect(() => nb.broadcastTo(x, [3, 5])).toThrow("broadcastTo: the expanded size of the tensor (5) must match the existing size (4) at non-singleton dimension 1");
    expect(() => nb.broadcastTensors(x, nb.zeros([2, 4]))).toThrow("broadcastTensors: tensor 1 of shape [2, 4] does not broadcast with the shape [3, 4] of the tensors before it");
    expect(nb.broadcastTensors([x, nb.zeros([1])]).map((t) => t.shape)).toEqual([[3, 4], [3, 4]]);
    expect(nb.broadcastShapes([2, 1], [3], 1)).toEqual([2, 3]);
  });

  it("takeAlongDim", () => {
    expect(() => nb.takeAlongDim(x, tensor([0, 1, 2], { dtype: "int32" }), 1)).toThrow(
      "takeAlongDim: input and indices should have the same number of dimensions, but got 2 dimensions for input, and 1 dimensions for indices",
    );
    expect(() => nb.takeAlongDim(x, tensor([[0.5]]), 1)).toThrow("takeAlongDim: dtype of indices should be int32 (PyTorch's Long), got float32");
    expect(() => nb.takeAlongDim(x, nb.zeros([2, 1], { dtype: "int32" }), 1)).toThrow("takeAlongDim: input [3, 4] and indices [2, 1] do not broadcast in the dims other than 1");
  });

  it("unfold, fliplr, flipud, rot90", () => {
    expect(() => x.unfold(1, 5, 1)).toThrow("unfold: maximum size for tensor at dimension 1 is 4 but size is 5");
    expect(() => x.unfold(1, 2, 0)).toThrow("unfold: step must be a positive integer, got 0");
    expect(x.unfold(1, 0, 1).shape).toEqual([3, 5, 0]);
    expect(tensor(2).unfold(0, 1, 1).toArray()).toEqual([2]);
    expect(() => nb.fliplr(nb.zeros([3]))).toThrow("fliplr: input must be >= 2-d, got 1-d");
    expect(() => nb.flipud(tensor(1))).toThrow("flipud: input must be >= 1-d, got 0-d");
    expect(() => nb.rot90(x, 1, [0, 0])).toThrow("rot90: expected rotation dims to be different, but got dim0 = 0 and dim1 = 0");
    expect(() => nb.rot90(x, 1, [0])).toThrow("rot90: expected total rotation dims == 2, but got dims = 1");
    expect(() => x.rot90(1.5)).toThrow("rot90: k must be an integer, got 1.5");
    expect(x.rot90(undefined, [1, 0]).toArray()).toEqual(nb.rot90(x, -1).toArray());
  });

  it("quantile", () => {
    // q's values are read where they are on the host (a q on the webgpu device is not checked)
    const x = nb.randn([3, 4], { device: "cpu" });
    expect(() => nb.quantile(x, 1.5)).toThrow("quantile: q must be in the range [0, 1] but got 1.5");
    expect(() => nb.quantile(x, tensor([0.5, 2], { device: "cpu" }))).toThrow("quantile: q values must be in the range [0, 1], got 2");
    expect(() => nb.quantile(x, tensor([[0.5]]))).toThrow("quantile: q must be a scalar or 1D tensor, got 2D");
    expect(() => nb.quantile(x, tensor([0.5], { dtype: "float64" }))).toThrow("quantile: q tensor must be same dtype as the input tensor (float32), got float64");
    expect(() => nb.quantile(x, 0.5, { interpolation: "foo" as never })).toThrow("quantile: interpolation must be one of linear, lower, higher, midpoint or nearest, but got foo");
    expect(() => nb.nanquantile(x.int(), 0.5)).toThrow("nanquantile: input tensor must be either float or double dtype, got int32");
    expect(() => nb.quantile(nb.zeros([0]), 0.5)).toThrow("quantile: input tensor must be non-empty");
    expect(() => nb.quantile(x, 0.5, 2)).toThrow(nb.ShapeError);
    expect(() => nb.quantile(x, 0.5, "1" as never)).toThrow(/^quantile: argument 'dim' \(position 1\) must be an integer/);
  });
});

describe("cov, corrcoef, cartesianProd, combinations, heaviside: errors", () => {
  it("name the op, the argument and the values", () => {
    const m = nb.randn([2, 4], { device: "cpu" });
    expect(() => nb.cov(nb.zeros([2, 2, 2]))).toThrow("cov: expected input to have two or fewer dimensions but got an input with 3 dimensions");
    expect(() => nb.cov(m, { fweights: tensor([1, 2, 3, 4]) })).toThrow("cov: expected fweights to have integral dtype (int32), got float32");
    expect(() => nb.cov(m, { fweights: tensor([1, -2, 3, 4], { dtype: "int32", device: "cpu" }) })).toThrow("cov: fweights cannot be negative");
    expect(() => nb.cov(m, { aweights: tensor([1, 2]) })).toThrow("cov: expected aweights to have the same numel as there are observations in the input but got 2 != 4");
    expect(() => nb.cov(m, { ddof: 1 } as never)).toThrow(/^cov: unknown option 'ddof'/);
    // one observation: degrees of freedom 0, a division by zero as PyTorch's
    expect(nb.cov(tensor([[1], [2]])).toArray()).toEqual([[NaN, NaN], [NaN, NaN]]);
    expect(() => nb.cartesianProd(tensor([1, 2]), nb.zeros([2, 2]))).toThrow("cartesianProd: expect a 1D vector, but got tensors[1] of shape [2, 2]");
    expect(() => nb.combinations(tensor([1, 2]), -1)).toThrow("combinations: Expect a non-negative number, but got -1");
    expect(nb.combinations(tensor([1, 2]), 0).shape).toEqual([0]);
    const prime = tensor([2147483647], { dtype: "int32", device: "cpu" });
    expect(() => nb.lcm(prime, tensor([2], { dtype: "int32", device: "cpu" }))).toThrow("lcm: the result 4294967294 (of 2147483647 and 2) does not fit in int32");
    expect(() => nb.gcd(tensor([1.5]), tensor([2.5]))).toThrow("gcd: not implemented for float32 (expected int32 tensors)");
    expect(() => nb.heaviside(tensor([1]), tensor([1], { dtype: "float64" }))).toThrow("heaviside: heaviside is not yet implemented for tensors with different dtypes (input float32, values float64)");
  });
});

describe("in-place view ops: squeeze_, unsqueeze_, t_, transpose_", () => {
  it("take the out-of-place view's shape and strides, return this, leave other views alone (PyTorch's shapes)", () => {
    const x = nb.zeros([2, 1, 3]);
    const other = x.view([6]);
    expect(x.squeeze_()).toBe(x);
    expect(x.shape).toEqual([2, 3]);
    expect(x.unsqueeze_(0).shape).toEqual([1, 2, 3]);
    expect(x.transpose_(0, 2).shape).toEqual([3, 2, 1]);
    expect(other.shape).toEqual([6]);
    const y = nb.arange(6).view([2, 3]);
    y.t_();
    expect([y.toArray(), y.stride()]).toEqual([[[0, 3], [1, 4], [2, 5]], [1, 3]]);
    expect(nb.zeros([3]).t_().shape).toEqual([3]);
    expect(nb.zeros([2, 1]).squeeze_(0).shape).toEqual([2, 1]);
  });

  it("refused on a tensor that requires grad; a backward that saved the tensor refuses after it", () => {
    const w = tensor([[1, 2, 3]]).requiresGrad_();
    expect(() => w.squeeze_()).toThrow("squeeze_: a leaf tensor that requires grad is being used in an in-place operation");
    const saved = tensor([[4, 5, 6]]);
    const y = w.mul(saved);
    saved.squeeze_(0);
    expect(() => y.sum().backward()).toThrow("modified by an inplace operation");
  });
});
