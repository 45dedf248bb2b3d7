/**
 * Bounds checks of index tensors on the device. An op whose index was computed on the GPU cannot
 * read it on the host to check it (that would wait for the device), so the check runs as a kernel
 * and reports a violation through a small flag buffer, which the context reads before the next
 * read of any tensor and turns into the op's own error (the CPU's message): as CUDA's device-side
 * asserts, the error surfaces late, at the next read, and the failing op's result is unspecified.
 *
 * Every check has an id (increasing); the flag holds the id of the first check that failed, the
 * first failing position in it and the index value there, so the error names the same value the
 * CPU loop meets first. Two kernels per check: one thread per index element records the failing
 * check and the smallest failing position (atomicMin), then one thread copies that position's
 * value (the first kernel's threads cannot know which of them is first until all have run).
 *
 * The same flag serves checks of float32 values (a loss's probabilities in [0, 1]): closed
 * bounds, NaN failing, the value kept as its bits.
 *
 * flag (u32 ×3): [failed check id (NONE if none), first failing position, its value (i32 or f32 bits)].
 * info (i32): [n, offset, low, high, id]: the index's n elements from `offset` must lie in [low,
 * high) (for float32 values: low and high are f32 bits, and the bounds are closed).
 */
import { helperSource } from "./wgsl-math.js";
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

/** The flag's "no check failed": larger than every id, so atomicMin keeps the first failure. */
export const INDEX_CHECK_NONE = 0xffffffff;

const BINDINGS = `
@group(0) @binding(0) var<storage, read> index: array<i32>;
@group(0) @binding(1) var<storage, read_write> flag: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> info: array<i32>;`;

export const INDEX_CHECK_SHADER = `${BINDINGS}
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  if (p >= info[0]) { return; }
  let v = index[info[1] + p];
  if (v >= info[2] && v < info[3]) { return; }
  let id = u32(info[4]);
  // an earlier check that failed keeps the flag (its kernels ran before this one)
  if (atomicMin(&flag[0], id) < id) { return; }
  atomicMin(&flag[1], u32(p));
}
`;

export const INDEX_CHECK_VALUE_SHADER = `${BINDINGS}
@compute @workgroup_size(1)
fn main() {
  if (atomicLoad(&flag[0]) != u32(info[4])) { return; }
  atomicStore(&flag[2], bitcast<u32>(index[info[1] + i32(atomicLoad(&flag[1]))]));
}
`;

export const VALUE_CHECK_SHADER = `${helperSource(["nb_isnan"])}
@group(0) @binding(0) var<storage, read> index: array<f32>;
@group(0) @binding(1) var<storage, read_write> flag: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  if (p >= info[0]) { return; }
  let v = index[info[1] + p];
  // NaN by its bits: WGSL lets comparisons assume there is none
  if (!nb_isnan(v) && v >= bitcast<f32>(info[2]) && v <= bitcast<f32>(info[3])) { return; }
  let id = u32(info[4]);
  if (atomicMin(&flag[0], id) < id) { return; }
  atomicMin(&flag[1], u32(p));
}
`;
