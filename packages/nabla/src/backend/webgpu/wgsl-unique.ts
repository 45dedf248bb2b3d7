/**
 * unique and uniqueConsecutive on the device, over n items (values, or rows of `width` values:
 * the slices along a dim) of a contiguous buffer, in four kernels around one count read:
 *
 *   order   the items' stable sort (unique; uniqueConsecutive keeps the input order): the thread
 *           of item i counts the items before it, lexicographically by their values (NaN last,
 *           as the CPU's numeric sort; ties by position), and writes i at that rank: O(n²·width),
 *           every item in parallel, as the sort kernel (wgsl-sort.ts);
 *   flags   1 where an item starts a group: the first, or one that differs from the item before
 *           it in that order (any value ≠; NaN never equals anything, so each NaN is its own
 *           group, as in the CPU kernel; −0 equals +0);
 *   (the flags' running count by the scan kernel; its last element, the number of groups, is
 *   read back: the result's size)
 *   groups  each position's group (running count − 1) becomes its item's inverse; a group's first
 *           position records where the group starts and which item represents it;
 *   counts  a group's size: where the next group starts minus where it starts.
 *
 * Values move as u32 bits and are compared as the dtype (f32 with NaN by its bits, i32, u32 for
 * bool). info (i32) for order: [n, width, offset of x, sort (0/1)]; flags: [n, width, offset of x]; groups: [n]; counts: [groups, n].
 */
import type { GpuDType } from "./wgsl-types.js";
import { helperSource } from "./wgsl-math.js";
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

const HEAD = `
fn thread_index(gid: vec3u, groups: vec3u) -> i32 { return i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u); }`;

/** WGSL for comparing two elements given as u32 bits: `less` (NaN last), `tie` (equal for ordering: NaNs tie), `equal` (for grouping: NaN never). */
function compareSource(dtype: GpuDType): string {
  if (dtype !== "float32") {
    const key = dtype === "int32" ? "bitcast<i32>" : "";
    return `fn less(a: u32, b: u32) -> bool { return ${key}(a) < ${key}(b); }
fn tie(a: u32, b: u32) -> bool { return a == b; }
fn equal(a: u32, b: u32) -> bool { return a == b; }`;
  }
  return `${helperSource(["nb_isnan"])}
fn less(a: u32, b: u32) -> bool {
  let x = bitcast<f32>(a);
  let y = bitcast<f32>(b);
  let nx = nb_isnan(x);
  let ny = nb_isnan(y);
  return (!nx && ny) || (!nx && !ny && x < y);
}
fn tie(a: u32, b: u32) -> bool {
  let x = bitcast<f32>(a);
  let y = bitcast<f32>(b);
  return (nb_isnan(x) && nb_isnan(y)) || (!nb_isnan(x) && !nb_isnan(y) && x == y);
}
fn equal(a: u32, b: u32) -> bool {
  let x = bitcast<f32>(a);
  let y = bitcast<f32>(b);
  return !nb_isnan(x) && !nb_isnan(y) && x == y;
}`;
}

/** The stable sorted order of the items (order[rank] = item), or the identity where info[3] is 0. */
export function uniqueOrderShader(dtype: GpuDType): string {
  return `${compareSource(dtype)}${HEAD}
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> order: array<i32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
/** item a comes before item b lexicographically (ties: false) */
fn item_less(a: i32, b: i32) -> bool {
  let w = info[1];
  for (var j = 0; j < w; j++) {
    let u = x[info[2] + a * w + j];
    let v = x[info[2] + b * w + j];
    if (!tie(u, v)) { return less(u, v); }
  }
  return false;
}
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = thread_index(gid, groups);
  let n = info[0];
  if (i >= n) { return; }
  if (info[3] == 0) { order[i] = i; return; }
  var rank = 0;
  for (var j = 0; j < n; j++) {
    if (j != i && (item_less(j, i) || (j < i && !item_less(i, j)))) { rank++; }
  }
  order[rank] = i;
}
`;
}

/** flags[k] = 1 where the item at position k of the order starts a group. */
export function uniqueFlagsShader(dtype: GpuDType): string {
  return `${compareSource(dtype)}${HEAD}
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> flags: array<i32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read> order: array<i32>;
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let k = thread_index(gid, groups);
  if (k >= info[0]) { return; }
  if (k == 0) { flags[0] = 1; return; }
  let w = info[1];
  let a = info[2] + order[k - 1] * w;
  let b = info[2] + order[k] * w;
  var differs = 0;
  for (var j = 0; j < w; j++) {
    if (!equal(x[a + j], x[b + j])) { differs = 1; break; }
  }
  flags[k] = differs;
}
`;
}

/** inverse[order[k]] = group of k; a group's first position: its start, and its representative item. */
export const UNIQUE_GROUPS_SHADER = `${HEAD}
@group(0) @binding(0) var<storage, read> cum: array<i32>;
@group(0) @binding(1) var<storage, read_write> inverse: array<i32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read> order: array<i32>;
@group(0) @binding(4) var<storage, read_write> starts: array<i32>;
@group(0) @binding(5) var<storage, read_write> representatives: array<i32>;
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let k = thread_index(gid, groups);
  if (k >= info[0]) { return; }
  let g = cum[k] - 1;
  inverse[order[k]] = g;
  let before = select(0, cum[max(k - 1, 0)], k > 0);
  if (cum[k] != before) {
    starts[g] = k;
    representatives[g] = order[k];
  }
}
`;

/** counts[g] = where group g + 1 starts (n for the last) − where g starts. */
export const UNIQUE_COUNTS_SHADER = `${HEAD}
@group(0) @binding(0) var<storage, read> starts: array<i32>;
@group(0) @binding(1) var<storage, read_write> counts: array<i32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let g = thread_index(gid, groups);
  let total = info[0];
  if (g >= total) { return; }
  let next = select(info[1], starts[min(g + 1, total - 1)], g + 1 < total);
  counts[g] = next - starts[g];
}
`;
