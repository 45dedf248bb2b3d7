/**
 * Batch normalisation's fused forward and backward in wasm (assembly/batch-norm.ts), float32 or
 * float64 arrays all of one type, staged where they lie outside wasm memory, shared among the
 * threads by channel (pool.ts: batchNormThreaded); mixed types decline (false: the ops run).
 * A call costs a few µs besides its passes, as a small BatchNorm1d ([128, 512]) is called every
 * step: the running statistics move inside the forward kernel, the kernels' work area and any
 * statistics the caller does not keep are scratch, and nothing is copied that lies in wasm memory.
 */
import type { BatchNormArgs, BatchNormBackwardArgs } from "../backend.js";
import { batchNormThreaded } from "./pool.js";
import { Staging, widthOf } from "./staged.js";

export function batchNorm(a: BatchNormArgs): boolean {
  const width = widthOf(a.x, a.weight, a.bias, a.mean, a.variance, a.invstd, a.runningMean, a.runningVar, a.out);
  if (width === 0) return false;
  const wide = width === 8;
  const c = a.channels;
  const staging = new Staging();
  try {
    // the kernel's work area over [N, C] (α and β, 2C), then room for the batch's μ and σ² where not kept
    const keepsStats = !a.training || (a.mean !== null && a.variance !== null);
    const roomLength = (a.inner === 1 ? 2 * c : 0) + (keepsStats ? 0 : 2 * c);
    const room = roomLength === 0 ? 0 : staging.room(roomLength, wide).byteOffset;
    const bytes = wide ? 8 : 4;
    const statsRoom = room + (a.inner === 1 ? 2 * c * bytes : 0);
    batchNormThreaded({
      wide,
      backward: false,
      x: staging.at(a.x, true, false),
      n: a.n,
      c,
      s: a.inner,
      weight: staging.at(a.weight, true, false),
      other: staging.at(a.bias, true, false),
      mean: a.mean === null ? statsRoom : staging.at(a.mean, !a.training, a.training),
      spread: a.variance === null ? statsRoom + c * bytes : staging.at(a.variance, !a.training, a.training),
      out: staging.at(a.out, false, true),
      training: a.training,
      dweight: 0,
      dbias: 0,
      work: a.inner === 1 ? room : 0,
      eps: a.eps,
      invstd: staging.at(a.invstd, false, true),
      runningMean: a.training ? staging.at(a.runningMean, true, true) : 0,
      runningVar: a.training ? staging.at(a.runningVar, true, true) : 0,
      momentum: a.momentum,
    });
  } catch (e) {
    staging.abandon();
    throw e;
  }
  staging.done();
  return true;
}

export function batchNormBackward(a: BatchNormBackwardArgs): boolean {
  const width = widthOf(a.x, a.grad, a.weight, a.mean, a.invstd, a.gradInput, a.gradWeight, a.gradBias);
  if (width === 0) return false;
  const wide = width === 8;
  const staging = new Staging();
  try {
    batchNormThreaded({
      wide,
      backward: true,
      x: staging.at(a.x, true, false),
      other: staging.at(a.grad, true, false),
      n: a.n,
      c: a.channels,
      s: a.inner,
      weight: staging.at(a.weight, true, false),
      mean: staging.at(a.mean, true, false),
      spread: staging.at(a.invstd, true, false),
      training: a.training,
      out: staging.at(a.gradInput, false, true),
      dweight: staging.at(a.gradWeight, false, true),
      dbias: staging.at(a.gradBias, false, true),
      // the sums and their blocks, then dx's per-channel factors (4C) over [N, C]
      work: a.inner === 1 ? staging.room(4 * a.channels, wide).byteOffset : 0,
      eps: 0,
      invstd: 0,
      runningMean: 0,
      runningVar: 0,
      momentum: 0,
    });
  } catch (e) {
    staging.abandon();
    throw e;
  }
  staging.done();
  return true;
}
