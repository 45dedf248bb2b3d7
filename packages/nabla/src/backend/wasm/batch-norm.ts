/**
 * Batch normalisation's fused forward and backward in wasm (assembly/batch-norm.ts), float32 or
 * float64 arrays all of one type, staged where they lie outside wasm memory, shared among the
 * threads by channel (pool.ts: batchNormThreaded); mixed types decline (false: the ops run).
 */
import type { BatchNormArgs, BatchNormBackwardArgs } from "../backend.js";
import { batchNormThreaded } from "./pool.js";
import { runStaged, widthOf } from "./staged.js";
import type { TypedArray } from "../../tensor/dtype.js";

/** Room for the 4C values the kernels work in over [N, C] (inner 1), written and dropped; none otherwise. */
function workFor(like: TypedArray, channels: number, inner: number): TypedArray[] {
  if (inner !== 1) return [];
  return [like instanceof Float64Array ? new Float64Array(4 * channels) : new Float32Array(4 * channels)];
}

export function batchNorm(a: BatchNormArgs): boolean {
  const width = widthOf(a.x, a.weight, a.bias, a.mean, a.variance, a.out);
  if (width === 0) return false;
  const base = { wide: width === 8, backward: false, n: a.n, c: a.channels, s: a.inner, training: a.training, dweight: 0, dbias: 0, eps: a.eps };
  const work = workFor(a.x, a.channels, a.inner);
  if (a.training) {
    runStaged([a.x, a.weight, a.bias], [a.out, a.mean, a.variance, ...work], ([x, weight, bias], [out, mean, variance, w]) =>
      batchNormThreaded({ ...base, x: x!, weight: weight!, other: bias!, mean: mean!, spread: variance!, out: out!, work: w ?? 0 }),
    );
  } else {
    runStaged([a.x, a.weight, a.bias, a.mean, a.variance], [a.out, ...work], ([x, weight, bias, mean, variance], [out, w]) =>
      batchNormThreaded({ ...base, x: x!, weight: weight!, other: bias!, mean: mean!, spread: variance!, out: out!, work: w ?? 0 }),
    );
  }
  return true;
}

export function batchNormBackward(a: BatchNormBackwardArgs): boolean {
  const width = widthOf(a.x, a.grad, a.weight, a.mean, a.invstd, a.gradInput, a.gradWeight, a.gradBias);
  if (width === 0) return false;
  const wanted = [a.gradInput, a.gradWeight, a.gradBias];
  const work = workFor(a.x, a.channels, a.inner);
  const outputs = [...wanted.filter((o) => o !== null), ...work];
  runStaged([a.x, a.grad, a.weight, a.mean, a.invstd], outputs, ([x, grad, weight, mean, invstd], staged) => {
    const [dx, dweight, dbias] = wanted.map((o) => (o === null ? 0 : staged[outputs.indexOf(o)]!));
    const w = work.length === 0 ? 0 : staged[outputs.length - 1]!;
    batchNormThreaded({ wide: width === 8, backward: true, x: x!, other: grad!, n: a.n, c: a.channels, s: a.inner, weight: weight!, mean: mean!, spread: invstd!, training: a.training, out: dx!, dweight: dweight!, dbias: dbias!, work: w, eps: 0 });
  });
  return true;
}
