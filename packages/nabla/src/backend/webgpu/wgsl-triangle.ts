/**
 * tril / triu in place on a contiguous [batch, rows, cols] buffer: zeros the elements outside the
 * triangle (lower keeps j − i ≤ diagonal, upper keeps j − i ≥ diagonal), as zeroOutsideTriangle
 * in src/ops/triangular.ts. Zero bits are 0.0, 0 and false alike, so one shader serves every
 * dtype. One thread per element.
 *
 * info (i32): [n, rows, cols, diagonal, lower (0/1)].
 */
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

export const TRIANGLE_SHADER = `
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<storage, read> info: array<i32>;
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let t = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  if (t >= info[0]) { return; }
  let j = t % info[2];
  let i = (t / info[2]) % info[1];
  let offset = j - i - info[3];
  let outside = select((offset < 0), (offset > 0), info[4] != 0);
  if (outside) { out[t] = 0u; }
}
`;
