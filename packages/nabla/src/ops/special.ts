/**
 * Special functions as differentiable pointwise ops: lgamma = ln|Γ(x)|, digamma = ψ(x) and
 * polygamma(n, x) = ψ⁽ⁿ⁾(x), each the derivative of the one before, so gradients of any order
 * exist (d/dx ln Γ = ψ, d/dx ψ⁽ⁿ⁾ = ψ⁽ⁿ⁺¹⁾). The values are ATen's algorithms in float64
 * (src/tensor/special-math.ts), rounded once for float32 tensors. On the webgpu device the same
 * algorithms run in float32 (wgsl-special.ts; polygamma for n ≤ 1, the orders gradients reach).
 */
import { recordOp } from "../autograd/node.js";
import { webgpuContext } from "../backend/device.js";
import { specialShader, type SpecialFunction } from "../backend/webgpu/wgsl-special.js";
import { OptionError } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { digamma as digammaOf, lgamma as lgammaOf, polygamma as polygammaOf } from "../tensor/special-math.js";
import { Tensor } from "../tensor/tensor.js";
import { toDevice } from "../tensor/transfer.js";
import { mul, toDType } from "./elementwise.js";
import { resultTensor } from "./helpers.js";
import { contiguous } from "./shape.js";

/** f applied to every element of x (int and bool inputs give float32, as in PyTorch); `gpu` names its WGSL form. */
function pointwise(x: Tensor, f: (v: number) => number, gpu: SpecialFunction | null): Tensor {
  if (x.storage.device !== "cpu") {
    if (gpu !== null) return onDevice(x, gpu);
    // polygamma with n ≥ 2 (the Hurwitz zeta function has no WGSL form here): on the host, one
    // counted read and one upload (docs/PARITY.md, host-computed ops)
    return toDevice(pointwise(x.detach().to("cpu"), f, null), x.storage.device);
  }
  const dtype = isFloating(x.dtype) ? x.dtype : "float32";
  const values = x.toTypedArray();
  const out = resultTensor(x.shape, dtype);
  const data = out.storage.data;
  for (let i = 0; i < data.length; i++) data[i] = f(values[i]!);
  return out;
}

/** The function on the webgpu device: one thread per element of x made contiguous float32. */
function onDevice(x: Tensor, fn: SpecialFunction): Tensor {
  const input = contiguous(toDType(x.detach(), "float32"));
  const out = resultTensor(x.shape, "float32", fn, x.storage.device);
  webgpuContext(fn).threads(`special:${fn}`, () => specialShader(fn), [input.storage.gpu, out.storage.gpu], [input.numel(), input.offset], input.numel());
  return out;
}

function checkTensor(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? "null" : typeof x}`);
}

/** ln|Γ(x)|, with d/dx = ψ(x). */
export function lgamma(x: Tensor): Tensor {
  checkTensor("lgamma", x);
  return recordOp("LgammaBackward0", pointwise(x, lgammaOf, "lgamma"), [x], (g) => [mul(g, digamma(x))], [x]);
}

/** ψ(x) = d/dx ln Γ(x), with d/dx = ψ′(x) = polygamma(1, x). */
export function digamma(x: Tensor): Tensor {
  checkTensor("digamma", x);
  return recordOp("DigammaBackward0", pointwise(x, digammaOf, "digamma"), [x], (g) => [mul(g, polygamma(1, x))], [x]);
}

/** ψ⁽ⁿ⁾(x), the n-th derivative of ψ (n = 0 is digamma), with d/dx = ψ⁽ⁿ⁺¹⁾(x). */
export function polygamma(n: number, x: Tensor): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new OptionError(`polygamma: n must be a non-negative integer, got ${String(n)}`);
  checkTensor("polygamma", x);
  const out = pointwise(x, (v) => polygammaOf(n, v), n === 0 ? "digamma" : n === 1 ? "trigamma" : null);
  return recordOp("PolygammaBackward0", out, [x], (g) => [mul(g, polygamma(n + 1, x))], [x]);
}
