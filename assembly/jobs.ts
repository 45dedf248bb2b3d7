// The entry point of a helper thread's work: a job block that several threads share (written by
// src/backend/wasm/pool.ts), whose kind is at byte 60.
import { matmulShared } from "./matmul";
import { adamShared } from "./optim";
import { unfoldShared } from "./conv";

const JOB_MATMUL = 0;
const JOB_ADAM = 1;
const JOB_UNFOLD = 2;

export function runJob(job: usize, work: usize): void {
  const kind = load<i32>(job, 60);
  if (kind == JOB_MATMUL) matmulShared(job, work);
  else if (kind == JOB_ADAM) adamShared(job);
  else if (kind == JOB_UNFOLD) unfoldShared(job);
}
