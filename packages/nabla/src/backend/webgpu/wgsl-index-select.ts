/**
 * index_select and its adjoint index_add along the middle axis of a contiguous [outer, size,
 * inner] tensor, with a 1-d int32 index of k entries already checked to lie in [0, size) (the op
 * checks it, on the host or on the device: wgsl-index-check.ts):
 *
 *   indexSelect: out[o, j, i] = x[o, index[j], i]       (out [outer, k, inner], u32 bits: every dtype)
 *   indexAdd:    out[o, index[j], i] += src[o, j, i]    (out [outer, size, inner], in place)
 *
 * One thread per element of the selection. Embedding lookups are an indexSelect of a [V, D]
 * table (outer 1, inner D): a row is read where it lies, the table is never copied. indexAdd
 * adds colliding rows atomically: float32 through a compare-and-swap loop on the bits (WGSL has
 * no float atomics; the order of colliding additions is the hardware's), int32 with atomicAdd
 * (exact, wrapping), bool with atomicOr (PyTorch's sum of bools stored as bool is their "or").
 *
 * info (i32): [outer, size, inner, k, x/src offset, index offset].
 */
import type { GpuDType } from "./wgsl-types.js";
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

const ENTRY = `
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let t = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  let size = info[1];
  let inner = info[2];
  let k = info[3];
  if (t >= info[0] * k * inner) { return; }
  let i = t % inner;
  let j = (t / inner) % k;
  let o = t / (inner * k);
  let at = (o * size + index[info[5] + j]) * inner + i;`;

export const INDEX_SELECT_SHADER = `
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
${ENTRY}
  out[t] = x[info[4] + at];
}
`;

/** The statement that adds `add` (src's element, as stored) into out[at] atomically, per dtype. */
export function atomicAccumulate(dtype: GpuDType, target: string, add: string): string {
  if (dtype === "int32") return `atomicAdd(&${target}, bitcast<i32>(${add}));`;
  if (dtype === "bool") return `atomicOr(&${target}, ${add});`;
  return `{
    let plus = bitcast<f32>(${add});
    var seen = atomicLoad(&${target});
    loop {
      let swapped = atomicCompareExchangeWeak(&${target}, seen, bitcast<u32>(bitcast<f32>(seen) + plus));
      if (swapped.exchanged) { break; }
      seen = swapped.old_value;
    }
  }`;
}

export function indexAddShader(dtype: GpuDType): string {
  return `
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<${dtype === "int32" ? "i32" : "u32"}>>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
${ENTRY}
  ${atomicAccumulate(dtype, "out[at]", "src[info[4] + t]")}
}
`;
}
