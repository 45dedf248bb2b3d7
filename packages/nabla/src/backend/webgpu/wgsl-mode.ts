/**
 * mode along the rows of the sort kernel's output: each row of `sorted` [outer, n] (ascending,
 * stable, NaN last) and its `indices`, one thread per row walking the runs of equal values; the
 * first longest run wins (the smallest of equally frequent values, as the CPU kernel), and the
 * result's index is its last element's: the largest input index holding the value (the CPU's
 * std::sort may leave another of the equal values last; PyTorch's CPU does likewise). NaN equals
 * nothing (each NaN its own run of 1, as the CPU's `!==`). Values move as u32 bits.
 *
 * info (i32): [outer, n].
 */
import type { GpuDType } from "./wgsl-types.js";
import { helperSource } from "./wgsl-math.js";
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

export function modeShader(dtype: GpuDType): string {
  const equal =
    dtype === "float32"
      ? `${helperSource(["nb_isnan"])}
fn equal(a: u32, b: u32) -> bool { let x = bitcast<f32>(a); let y = bitcast<f32>(b); return !nb_isnan(x) && x == y; }`
      : "fn equal(a: u32, b: u32) -> bool { return a == b; }";
  return `${equal}
@group(0) @binding(0) var<storage, read> sorted: array<u32>;
@group(0) @binding(1) var<storage, read_write> values: array<u32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read> indices: array<i32>;
@group(0) @binding(4) var<storage, read_write> picked: array<i32>;
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let r = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  let n = info[1];
  if (r >= info[0]) { return; }
  let row = r * n;
  var best = 0;
  var run = 0;
  var at = row;
  for (var i = 0; i < n; i++) {
    run++;
    if (i == n - 1 || !equal(sorted[row + i], sorted[row + i + 1])) {
      if (run > best) { best = run; at = row + i; }
      run = 0;
    }
  }
  values[r] = sorted[at];
  picked[r] = indices[at];
}
`;
}
