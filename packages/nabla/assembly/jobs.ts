// The entry point of a helper thread's work: a job block that several threads share (written by
// src/backend/wasm/pool.ts), whose kind is at byte 60.
import { matmulShared } from "./matmul";
import { matmul64Shared } from "./matmul64";
import { adamShared, adamShared64 } from "./adam";
import { unfoldShared } from "./conv";
import { directConvShared } from "./conv-direct";
import { winogradShared } from "./conv-winograd";
import { pointwiseShared } from "./pointwise";
import { poolShared } from "./pool";
import { scatterAddShared } from "./scatter";
import { rowsShared } from "./reduce";
import { batchNormShared } from "./batch-norm";

const JOB_MATMUL = 0;
const JOB_ADAM = 1;
const JOB_MATMUL64 = 2;
const JOB_ADAM64 = 3;
const JOB_UNFOLD = 4;
const JOB_DIRECT_CONV = 5;
const JOB_WINOGRAD = 7;
const JOB_POINTWISE = 6;
const JOB_POOL = 8;
const JOB_SCATTER = 9;
const JOB_ROWS = 10;
const JOB_BATCH_NORM = 11;

export function runJob(job: usize, work: usize): void {
  const kind = load<i32>(job, 60);
  if (kind == JOB_MATMUL) matmulShared(job, work);
  else if (kind == JOB_ADAM) adamShared(job);
  else if (kind == JOB_MATMUL64) matmul64Shared(job, work);
  else if (kind == JOB_ADAM64) adamShared64(job);
  else if (kind == JOB_UNFOLD) unfoldShared(job);
  else if (kind == JOB_DIRECT_CONV) directConvShared(job, work);
  else if (kind == JOB_WINOGRAD) winogradShared(job, work);
  else if (kind == JOB_POINTWISE) pointwiseShared(job);
  else if (kind == JOB_POOL) poolShared(job);
  else if (kind == JOB_SCATTER) scatterAddShared(job);
  else if (kind == JOB_ROWS) rowsShared(job);
  else if (kind == JOB_BATCH_NORM) batchNormShared(job);
}
