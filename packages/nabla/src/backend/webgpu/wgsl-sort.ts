/**
 * Sorting the rows of a contiguous [outer, n] tensor (the op's dim moved last) by rank: the
 * thread of element i counts the elements of its row that come before it, and that count is
 * where i goes. The order is PyTorch's: ascending with NaN last, or descending with NaN first;
 * equal values (−0 and +0 are equal, NaNs are equal to each other) keep their input order, so the
 * result is the stable sort's (PyTorch's `stable=True`; an unstable sort may order ties any way,
 * and the CPU's introsort orders them its own way). `k` < n keeps only the first k places of
 * each row: topk, which therefore returns ties in input order and is always sorted.
 *
 * O(n) work per element, O(n²) per row, but every element in parallel and no workgroup memory:
 * right for the rows programs sort (a few thousand: top-k of logits, argsort of scores); a
 * bitonic or radix sort is the form for long rows (docs/webgpu.md, what is left).
 *
 * Values move as u32 bits (every dtype); they are compared as the dtype: f32 (NaN by its bits:
 * WGSL lets an implementation assume no NaN), i32, or u32 for bool.
 *
 * info (i32): [outer, n, offset of x, k, descending (0/1)].
 */
import type { GpuDType } from "./wgsl-types.js";
import { helperSource } from "./wgsl-math.js";
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

/** WGSL for `before(a, b)`: a comes strictly before b in the order (ties are broken by index outside). */
function beforeSource(dtype: GpuDType): string {
  if (dtype !== "float32") {
    const t = dtype === "int32" ? "i32" : "u32";
    return `fn key(bits: u32) -> ${t} { return ${dtype === "int32" ? "bitcast<i32>(bits)" : "bits"}; }
fn before(a: ${t}, b: ${t}, descending: bool) -> bool { return select((a < b), (a > b), descending); }
fn same(a: ${t}, b: ${t}) -> bool { return a == b; }`;
  }
  return `${helperSource(["nb_isnan"])}
fn key(bits: u32) -> f32 { return bitcast<f32>(bits); }
fn before(a: f32, b: f32, descending: bool) -> bool {
  let na = nb_isnan(a);
  let nb = nb_isnan(b);
  if (descending) { return (na && !nb) || (!na && !nb && a > b); }
  return (!na && nb) || (!na && !nb && a < b);
}
fn same(a: f32, b: f32) -> bool { return (nb_isnan(a) && nb_isnan(b)) || a == b; }`;
}

export function sortShader(dtype: GpuDType): string {
  return `${beforeSource(dtype)}
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> values: array<u32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read_write> indices: array<i32>;
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let t = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  let n = info[1];
  if (t >= info[0] * n) { return; }
  let i = t % n;
  let row = info[2] + (t - i);
  let descending = info[4] != 0;
  let bits = x[row + i];
  let me = key(bits);
  var rank = 0;
  for (var j = 0; j < n; j++) {
    let other = key(x[row + j]);
    if (before(other, me, descending) || (j < i && same(other, me))) { rank++; }
  }
  let k = info[3];
  if (rank < k) {
    let at = (t / n) * k + rank;
    values[at] = bits;
    indices[at] = i;
  }
}
`;
}
