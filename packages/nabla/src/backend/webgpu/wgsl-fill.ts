/**
 * Filling a buffer with one 32-bit pattern (zeros for new tensors, ones for a backward's seed,
 * any number for `full`): the value is passed as its bits, so the same kernel fills float32,
 * int32 and bool (u32) storage.
 *
 * info (u32): [n, bits].
 */
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

export const FILL_SHADER = `
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<storage, read> info: array<u32>;
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u;
  if (i >= info[0]) { return; }
  out[i] = info[1];
}
`;
