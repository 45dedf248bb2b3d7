/**
 * searchsorted: for each value, where it would be inserted into its row of sorted boundaries
 * (one shared row, or one per row of values), through a sorter (the indices that sort each row)
 * if given: PyTorch's lower/upper bound loops, as searchRows in src/ops/searchsorted.ts. Their
 * negated tests (`!(b >= v)`, `!(b > v)`) send a NaN past the end; here NaN is tested by its bits
 * (WGSL lets comparisons assume there is none). One thread per value; boundaries and values in
 * one type (f32 or i32, the op converts them first).
 *
 * info (i32): [rows, m (values per row), n (boundaries per row), shared (0/1), right (0/1),
 * has sorter (0/1), boundaries offset, values offset, sorter offset].
 */
import { helperSource } from "./wgsl-math.js";
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

export function searchsortedShader(type: "f32" | "i32"): string {
  const nan = (x: string) => (type === "f32" ? `nb_isnan(${x})` : "false");
  return `${type === "f32" ? helperSource(["nb_isnan"]) : ""}
@group(0) @binding(0) var<storage, read> boundaries: array<${type}>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read> values: array<${type}>;
@group(0) @binding(4) var<storage, read> sorter: array<i32>;
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let t = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  let m = info[1];
  let n = info[2];
  if (t >= info[0] * m) { return; }
  let base = select((t / m) * n, 0, info[3] != 0);
  let v = values[info[7] + t];
  var start = 0;
  var end = n;
  loop {
    if (start >= end) { break; }
    let mid = start + ((end - start) >> 1u);
    var at = base + mid;
    if (info[5] != 0) { at = base + sorter[info[8] + base + mid]; }
    let b = boundaries[info[6] + at];
    let unordered = ${nan("b")} || ${nan("v")};
    let goRight = select((unordered || (b < v)), (unordered || (b <= v)), info[4] != 0);
    if (goRight) { start = mid + 1; } else { end = mid; }
  }
  out[t] = start;
}
`;
}
