/**
 * Counting values on the device: bincount and histc, deterministic.
 *
 *   BINCOUNT_SHADER   one thread per element adds 1 to its value's count with an integer atomic
 *                     (exact in any order);
 *   BINCOUNT_WEIGHTED_SHADER  one thread per bin adds the weights of the elements holding its
 *                     value in input order, in f32: the CPU loop's sums rounding for rounding
 *                     (O(n·bins) work, every bin in parallel; float atomics would add in the
 *                     hardware's order, a result that changes from run to run);
 *   HISTC_SHADER      one thread per element finds its bin as the CPU's histc does in float32,
 *                     ((x − min)·bins)/(max − min) truncated (the last bin closed on the right;
 *                     NaN and values outside [min, max] left out), and adds 1 to that bin's u32
 *                     count atomically. WGSL's division may be 2.5 ulp off the correctly rounded
 *                     one: an exact multiple of the width is checked by its product, so values on a
 *                     bin's edge land as on the CPU; a quotient within a few roundings of an edge
 *                     but not on it may land in the neighbouring bin (docs/PARITY.md).
 *
 * info (i32): bincount [n, offset of x, bins, offset of weights]; histc [n, offset of x, bins,
 * bits of min, bits of max] (f32 bits of the bounds, already rounded to float32 as the CPU's).
 */
import { helperSource } from "./wgsl-math.js";
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

const THREAD = `let t = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);`;
const ENTRY = `@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  ${THREAD}`;

export const BINCOUNT_SHADER = `
@group(0) @binding(0) var<storage, read> x: array<i32>;
@group(0) @binding(1) var<storage, read_write> counts: array<atomic<i32>>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
${ENTRY}
  if (t >= info[0]) { return; }
  atomicAdd(&counts[x[info[1] + t]], 1);
}
`;

export const BINCOUNT_WEIGHTED_SHADER = `
@group(0) @binding(0) var<storage, read> x: array<i32>;
@group(0) @binding(1) var<storage, read_write> sums: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
${ENTRY}
  if (t >= info[2]) { return; }
  var s = 0.0;
  for (var i = 0; i < info[0]; i++) {
    if (x[info[1] + i] == t) { s += weights[info[3] + i]; }
  }
  sums[t] = s;
}
`;

export const HISTC_SHADER = `${helperSource(["nb_isnan"])}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
${ENTRY}
  if (t >= info[0]) { return; }
  let v = x[info[1] + t];
  let bins = info[2];
  let lo = bitcast<f32>(info[3]);
  let hi = bitcast<f32>(info[4]);
  if (nb_isnan(v) || v < lo || v > hi) { return; }
  let width = hi - lo;
  let scaled = (v - lo) * f32(bins);
  let q = scaled / width;
  var pos = i32(trunc(q));
  // an exact multiple of the width: the edge itself, whatever WGSL's division rounded to
  let edge = round(q);
  if (edge * width == scaled) { pos = i32(edge); }
  pos = clamp(pos, 0, bins - 1);
  atomicAdd(&counts[pos], 1u);
}
`;
