/**
 * Special functions as differentiable pointwise ops: lgamma = ln|Γ(x)|, digamma = ψ(x) and
 * polygamma(n, x) = ψ⁽ⁿ⁾(x), each the derivative of the one before, so gradients of any order
 * exist (d/dx ln Γ = ψ, d/dx ψ⁽ⁿ⁾ = ψ⁽ⁿ⁺¹⁾). The values are ATen's algorithms in float64
 * (src/tensor/special-math.ts), rounded once for float32 tensors. On the webgpu device the same
 * algorithms run in float32 (wgsl-special.ts), polygamma for n ≥ 2 as ATen's Hurwitz zeta.
 */
import { recordOp } from "../autograd/node.js";
import { webgpuContext } from "../backend/device.js";
import { specialShader, type SpecialFunction } from "../backend/webgpu/wgsl-special.js";
import { OptionError } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { digamma as digammaOf, lgamma as lgammaOf, polygamma as polygammaOf } from "../tensor/special-math.js";
import { Tensor } from "../tensor/tensor.js";
import { mul, toDType } from "./elementwise.js";
import { resultTensor } from "./helpers.js";
import { contiguous } from "./shape.js";

/** A special function on the webgpu device: its WGSL form, and any more i32 arguments it reads from `info`. */
interface DeviceForm {
  fn: SpecialFunction;
  args?: readonly number[];
}

/** f applied to every element of x (int and bool inputs give float32, as in PyTorch); `gpu` is its form on the device. */
function pointwise(x: Tensor, f: (v: number) => number, gpu: DeviceForm): Tensor {
  if (x.storage.device !== "cpu") return onDevice(x, gpu);
  const dtype = isFloating(x.dtype) ? x.dtype : "float32";
  const values = x.toTypedArray();
  const out = resultTensor(x.shape, dtype);
  const data = out.storage.data;
  for (let i = 0; i < data.length; i++) data[i] = f(values[i]!);
  return out;
}

/** The function on the webgpu device: one thread per element of x made contiguous float32. */
function onDevice(x: Tensor, { fn, args = [] }: DeviceForm): Tensor {
  const input = contiguous(toDType(x.detach(), "float32"));
  const out = resultTensor(x.shape, "float32", fn, x.storage.device);
  webgpuContext(fn).threads(`special:${fn}`, () => specialShader(fn), [input.storage.gpu, out.storage.gpu], [input.numel(), input.offset, ...args], input.numel());
  return out;
}

const f32Bits = new Float32Array(1);
const i32Bits = new Int32Array(f32Bits.buffer);

/**
 * polygamma(n, ·) for n ≥ 2 on the device: the order, and the factor (−1)^(n+1) n! as the CPU
 * computes it (exp(lgamma(n + 1)) in float64), rounded to float32 and passed as its bits.
 */
function polygammaForm(n: number): DeviceForm {
  f32Bits[0] = (n % 2 ? 1 : -1) * Math.exp(lgammaOf(n + 1));
  return { fn: "polygamma", args: [n, i32Bits[0]!] };
}

function checkTensor(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? "null" : typeof x}`);
}

/** ln|Γ(x)|, with d/dx = ψ(x). */
export function lgamma(x: Tensor): Tensor {
  checkTensor("lgamma", x);
  return recordOp("LgammaBackward0", pointwise(x, lgammaOf, { fn: "lgamma" }), [x], (g) => [mul(g, digamma(x))], [x]);
}

/** ψ(x) = d/dx ln Γ(x), with d/dx = ψ′(x) = polygamma(1, x). */
export function digamma(x: Tensor): Tensor {
  checkTensor("digamma", x);
  return recordOp("DigammaBackward0", pointwise(x, digammaOf, { fn: "digamma" }), [x], (g) => [mul(g, polygamma(1, x))], [x]);
}

/** ψ⁽ⁿ⁾(x), the n-th derivative of ψ (n = 0 is digamma), with d/dx = ψ⁽ⁿ⁺¹⁾(x). */
export function polygamma(n: number, x: Tensor): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new OptionError(`polygamma: n must be a non-negative integer, got ${String(n)}`);
  checkTensor("polygamma", x);
  const out = pointwise(x, (v) => polygammaOf(n, v), n === 0 ? { fn: "digamma" } : n === 1 ? { fn: "trigamma" } : polygammaForm(n));
  return recordOp("PolygammaBackward0", out, [x], (g) => [mul(g, polygamma(n + 1, x))], [x]);
}
