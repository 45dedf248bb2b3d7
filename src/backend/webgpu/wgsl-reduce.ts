/**
 * Reductions over the last axis of a contiguous [outer, inner] block, one workgroup of 256 threads
 * per row: each thread folds a strided slice of the row, then the workgroup folds the 256 partial
 * results as a tree in workgroup memory. max and min propagate NaN, as PyTorch's (tested by bits,
 * as WGSL may assume no NaN).
 *
 * meta (i32): [outer, inner]; workgroup (x, y) numbers the row x + y·65535.
 */
import type { ReduceOp } from "../backend.js";
import { helperSource } from "./wgsl-math.js";

/** The reductions these shaders do (logsumexp is left to softmax's kernels). */
export type GpuReduceOp = Exclude<ReduceOp, "logsumexp">;

export const REDUCE_WORKGROUP = 256;
export const ROWS_PER_DIMENSION = 65535;

const FORMS: Record<GpuReduceOp, { identity: string; combine: string; helpers: string[] }> = {
  sum: { identity: "0.0", combine: "(a + b)", helpers: [] },
  prod: { identity: "1.0", combine: "(a * b)", helpers: [] },
  max: { identity: "-nb_inf()", combine: "nb_maximum(a, b)", helpers: ["nb_maximum", "nb_inf"] },
  min: { identity: "nb_inf()", combine: "nb_minimum(a, b)", helpers: ["nb_minimum", "nb_inf"] },
};

export function reduceShader(op: GpuReduceOp): string {
  const form = FORMS[op];
  return `
${helperSource(form.helpers)}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;

var<workgroup> partial: array<f32, ${REDUCE_WORKGROUP}>;

fn combine(a: f32, b: f32) -> f32 { return ${form.combine}; }

@compute @workgroup_size(${REDUCE_WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = i32(wg.x + wg.y * ${ROWS_PER_DIMENSION}u);
  let outer = info[0];
  let inner = info[1];
  if (row >= outer) { return; }
  let base = row * inner;
  var acc = ${form.identity};
  for (var j = i32(lid); j < inner; j += ${REDUCE_WORKGROUP}) { acc = combine(acc, x[base + j]); }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = ${REDUCE_WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { partial[lid] = combine(partial[lid], partial[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u) { out[row] = partial[0]; }
}
`;
}
