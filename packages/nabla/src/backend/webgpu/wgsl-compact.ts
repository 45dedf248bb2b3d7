/**
 * Stream compaction for the ops whose result holds the places of the nonzero elements (nonzero,
 * maskedSelect, a boolean mask as an index): given the inclusive running count `cum` of the
 * nonzero flags (int32, the scan kernel's cumsum), the thread of each flagged element writes its
 * multi-index, row-major, at row cum − 1 of the [count, ndim] result, so the rows come in the
 * CPU loop's order. The count itself (cum's last element) is the one value the host reads: the
 * result's shape depends on it.
 *
 * info (i32): [n, ndim, shape…].
 */
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

export const COMPACT_SHADER = `
@group(0) @binding(0) var<storage, read> cum: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let t = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  if (t >= info[0]) { return; }
  let c = cum[t];
  let before = select(0, cum[max(t - 1, 0)], t > 0);
  if (c == before) { return; }
  let ndim = info[1];
  let row = (c - 1) * ndim;
  var p = t;
  for (var d = ndim - 1; d >= 0; d--) {
    let size = info[2 + d];
    out[row + d] = p % size;
    p = p / size;
  }
}
`;
