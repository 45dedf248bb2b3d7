/**
 * Batch normalisation's fused forward and backward in wasm (assembly/batch-norm.ts), float32 or
 * float64 arrays all of one type, staged where they lie outside wasm memory, shared among the
 * threads by channel (pool.ts: batchNormThreaded); mixed types decline (false: the ops run).
 */
import type { BatchNormArgs, BatchNormBackwardArgs } from "../backend.js";
import { batchNormThreaded } from "./pool.js";
import { runStaged, widthOf } from "./staged.js";

export function batchNorm(a: BatchNormArgs): boolean {
  const width = widthOf(a.x, a.weight, a.bias, a.mean, a.variance, a.out);
  if (width === 0) return false;
  const base = { wide: width === 8, backward: false, n: a.n, c: a.channels, s: a.inner, training: a.training, dweight: 0, dbias: 0, eps: a.eps };
  if (a.training) {
    runStaged([a.x, a.weight, a.bias], [a.out, a.mean, a.variance], ([x, weight, bias], [out, mean, variance]) =>
      batchNormThreaded({ ...base, x: x!, weight: weight!, other: bias!, mean: mean!, spread: variance!, out: out! }),
    );
  } else {
    runStaged([a.x, a.weight, a.bias, a.mean, a.variance], [a.out], ([x, weight, bias, mean, variance], [out]) =>
      batchNormThreaded({ ...base, x: x!, weight: weight!, other: bias!, mean: mean!, spread: variance!, out: out! }),
    );
  }
  return true;
}

export function batchNormBackward(a: BatchNormBackwardArgs): boolean {
  const width = widthOf(a.x, a.grad, a.weight, a.mean, a.invstd, a.gradInput, a.gradWeight, a.gradBias);
  if (width === 0) return false;
  const wanted = [a.gradInput, a.gradWeight, a.gradBias];
  const outputs = wanted.filter((o) => o !== null);
  runStaged([a.x, a.grad, a.weight, a.mean, a.invstd], outputs, ([x, grad, weight, mean, invstd], staged) => {
    const [dx, dweight, dbias] = wanted.map((o) => (o === null ? 0 : staged[outputs.indexOf(o)]!));
    batchNormThreaded({ wide: width === 8, backward: true, x: x!, other: grad!, n: a.n, c: a.channels, s: a.inner, weight: weight!, mean: mean!, spread: invstd!, training: a.training, out: dx!, dweight: dweight!, dbias: dbias!, eps: 0 });
  });
  return true;
}
