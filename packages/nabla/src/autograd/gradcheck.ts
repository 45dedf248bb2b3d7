/**
 * Checks analytical gradients against central finite differences, like torch.autograd.gradcheck.
 * Inputs must be float64 leaves; outputs may be one tensor or several.
 */
import { DTypeError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { noGrad } from "./grad-mode.js";
import { fromTypedArray } from "../ops/helpers.js";
import { checkOptions, optionKeys } from "../ops/options.js";

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw with the mismatching Jacobians (default) instead of returning false. */
  raiseException?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

/** Storage offsets of every element of t, in row-major order (works for strided views). */
function elementOffsets(t: Tensor): number[] {
  const offsets: number[] = [];
  const walk = (dim: number, off: number) => {
    if (dim === t.ndim) offsets.push(off);
    else for (let i = 0; i < t.shape[dim]!; i++) walk(dim + 1, off + i * t.strides[dim]!);
  };
  walk(0, t.offset);
  return offsets;
}

function outputsOf(fn: Fn, inputs: Tensor[]): Tensor[] {
  const out = fn(...inputs);
  return Array.isArray(out) ? out : [out];
}

function flatValues(outputs: Tensor[]): number[] {
  return outputs.flatMap((o) => Array.from(o.toTypedArray(), Number));
}

const GRADCHECK_KEYS = optionKeys<GradcheckOptions>({ eps: true, atol: true, rtol: true, raiseException: true });

export function gradcheck(fn: Fn, inputs: Tensor[], options: GradcheckOptions = {}): boolean {
  checkOptions("gradcheck", options, GRADCHECK_KEYS);
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = options;
  inputs.forEach((x, i) => {
    if (x.requiresGrad && x.dtype !== "float64") {
      throw new DTypeError(`gradcheck: input ${i} requires grad but is ${x.dtype}; gradcheck needs float64 inputs`);
    }
  });
  const outputs = outputsOf(fn, inputs);
  const outSizes = outputs.map((o) => o.numel());
  const totalOut = outSizes.reduce((p, s) => p + s, 0);

  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i]!;
    if (!x.requiresGrad) continue;
    const offsets = elementOffsets(x);
    // numerical[j][k]: d output_k / d x_j by central differences
    const numerical = offsets.map((off) => {
      const data = x.storage.data;
      const original = data[off]!;
      data[off] = original + eps;
      const plus = noGrad(() => flatValues(outputsOf(fn, inputs)));
      data[off] = original - eps;
      const minus = noGrad(() => flatValues(outputsOf(fn, inputs)));
      data[off] = original;
      return plus.map((p, k) => (p - minus[k]!) / (2 * eps));
    });
    // analytical[j][k]: from one backward pass per output element
    const analytical = offsets.map(() => new Array<number>(totalOut).fill(0));
    let k = 0;
    outputs.forEach((o, oi) => {
      if (!o.requiresGrad) {
        k += outSizes[oi]!;
        return;
      }
      for (let e = 0; e < outSizes[oi]!; e++, k++) {
        const seed = new Float64Array(outSizes[oi]!);
        seed[e] = 1;
        for (const inp of inputs) inp.grad = null;
        o.backward(fromTypedArray(seed, o.shape, o.dtype), { retainGraph: true });
        const g = x.grad === null ? null : (x.grad as Tensor).toTypedArray();
        offsets.forEach((_, j) => (analytical[j]![k] = g === null ? 0 : g[j]!));
      }
    });
    for (const inp of inputs) inp.grad = null;
    for (let j = 0; j < offsets.length; j++) {
      for (let kk = 0; kk < totalOut; kk++) {
        const a = analytical[j]![kk]!;
        const n = numerical[j]![kk]!;
        if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n))) {
          if (!raiseException) return false;
          throw new Error(
            `gradcheck: Jacobian mismatch for output element ${kk} with respect to input ${i}, element ${j}:\n` +
              `numerical: ${n}\nanalytical: ${a}\n(atol ${atol}, rtol ${rtol}, eps ${eps})`,
          );
        }
      }
    }
  }
  return true;
}
