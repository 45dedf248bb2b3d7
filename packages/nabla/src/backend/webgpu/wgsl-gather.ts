/**
 * gather and scatterAdd along the last axis, as the Backend's: out[o, j] = x[o, index[o, j]] and
 * out[o, index[o, j]] += src[o, j], one thread per (o, j). WGSL has no float atomics, so scatterAdd
 * adds through a compare-and-swap loop on the float's bits; the order of colliding additions is the
 * hardware's, so their sum may round differently from the sequential loop. gather moves elements
 * as u32 bits, so one shader serves every dtype; scatterAdd of int32 adds with atomicAdd (exact,
 * wrapping as int32 addition).
 *
 * info (i32): [outer, inner, k].
 */
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

const ENTRY = `
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  let inner = info[1];
  let k = info[2];
  if (i >= info[0] * k) { return; }
  let o = i / k;`;

export const GATHER_SHADER = `
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
${ENTRY}
  out[i] = x[o * inner + index[i]];
}
`;

export const SCATTER_ADD_SHADER = `
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
${ENTRY}
  let at = o * inner + index[i];
  let add = src[i];
  var seen = atomicLoad(&out[at]);
  loop {
    let swapped = atomicCompareExchangeWeak(&out[at], seen, bitcast<u32>(bitcast<f32>(seen) + add));
    if (swapped.exchanged) { break; }
    seen = swapped.old_value;
  }
}
`;

export const SCATTER_ADD_INT_SHADER = `
@group(0) @binding(0) var<storage, read> src: array<i32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<i32>>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
${ENTRY}
  atomicAdd(&out[o * inner + index[i]], src[i]);
}
`;
