/**
 * scatter along any dim, as src/ops/scatter.ts's loop: for every position p of the index (an
 * N-d strided view), out[p with p[dim] replaced by index[p]] takes src[p] (a strided view) or a
 * number, written ("assign"), added ("add") or multiplied ("multiply"). One thread per position.
 *
 * With a repeated index the CPU loop's last write wins, and so it does here, deterministically,
 * in two kernels: "claim" has every position record itself at its target (atomicMax into an
 * int32 `winner` buffer the size of out, filled with −1 first), then "assign" writes only the
 * positions that won. "add" and "multiply" combine atomically: int32 with atomicAdd or a
 * compare-and-swap multiply (wrapping), float32 through a compare-and-swap loop on the bits (the
 * order of colliding updates is the hardware's, so sums may round differently from the loop),
 * bool as "or" and "and" (PyTorch's sum and product of bools stored as bool). "amax" and "amin"
 * (scatterReduce) keep the larger or smaller: int32 with atomicMax/atomicMin, bool as or/and,
 * float32 by compare-and-swap where a NaN from src wins and a NaN already there stays (the CPU
 * loop's std::max order, as PyTorch's kernel).
 *
 * Values move as u32 bits. info (i32): [n, rank, dim, index offset, src offset, has src (0/1),
 * the number's bits (without src), shape (rank), index strides (rank), out strides (rank),
 * src strides (rank)].
 */
import type { GpuDType } from "./wgsl-types.js";
import { atomicAccumulate } from "./wgsl-index-select.js";
import { helperSource } from "./wgsl-math.js";
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

export type ScatterMode = "claim" | "assign" | "add" | "multiply" | "amax" | "amin";

const ENTRY = `
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  if (p >= info[0]) { return; }
  let rank = info[1];
  let dim = info[2];
  var rest = p;
  var at = info[3];
  var dest = 0;
  var read_at = info[4];
  var coords: array<i32, 16>;
  for (var d = rank - 1; d >= 0; d--) {
    let size = info[7 + d];
    coords[d] = rest % size;
    rest = rest / size;
    at += coords[d] * info[7 + rank + d];
    read_at += coords[d] * info[7 + 3 * rank + d];
  }
  let picked = index[at];
  for (var d = 0; d < rank; d++) {
    dest += select(coords[d], picked, d == dim) * info[7 + 2 * rank + d];
  }`;

/** The most dims an index may have (the coordinates live in a fixed array). */
export const SCATTER_MAX_RANK = 16;

const SOURCE = "select(bitcast<u32>(info[6]), src[read_at], info[5] != 0)";

export function scatterShader(mode: ScatterMode, dtype: GpuDType): string {
  const info = "@group(0) @binding(3) var<storage, read> info: array<i32>;";
  const src = "@group(0) @binding(0) var<storage, read> src: array<u32>;";
  const index = "@group(0) @binding(1) var<storage, read> index: array<i32>;";
  switch (mode) {
    case "claim":
      // bindings 0–2 (no src): index, winner, info
      return `@group(0) @binding(0) var<storage, read> index: array<i32>;
@group(0) @binding(1) var<storage, read_write> winner: array<atomic<i32>>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
${ENTRY}
  atomicMax(&winner[dest], p);
}
`;
    case "assign":
      return `${src}
${index}
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
${info}
@group(0) @binding(4) var<storage, read> winner: array<i32>;
${ENTRY}
  if (winner[dest] == p) { out[dest] = ${SOURCE}; }
}
`;
    case "add":
      return `${src}
${index}
@group(0) @binding(2) var<storage, read_write> out: array<atomic<${dtype === "int32" ? "i32" : "u32"}>>;
${info}
${ENTRY}
  ${atomicAccumulate(dtype, "out[dest]", SOURCE)}
}
`;
    case "amax":
    case "amin":
      return `${helperSource(["nb_isnan"])}
${src}
${index}
@group(0) @binding(2) var<storage, read_write> out: array<atomic<${dtype === "int32" ? "i32" : "u32"}>>;
${info}
${ENTRY}
  ${atomicExtreme(mode, dtype, "out[dest]", SOURCE)}
}
`;
    case "multiply":
      return `${src}
${index}
@group(0) @binding(2) var<storage, read_write> out: array<atomic<${dtype === "int32" ? "i32" : "u32"}>>;
${info}
${ENTRY}
  ${atomicMultiply(dtype, "out[dest]", SOURCE)}
}
`;
  }
}

function atomicExtreme(mode: "amax" | "amin", dtype: GpuDType, target: string, value: string): string {
  if (dtype === "int32") return `atomic${mode === "amax" ? "Max" : "Min"}(&${target}, bitcast<i32>(${value}));`;
  if (dtype === "bool") return `atomic${mode === "amax" ? "Or" : "And"}(&${target}, ${value});`;
  const better = mode === "amax" ? "v > old" : "v < old";
  return `{
    let v = bitcast<f32>(${value});
    var seen = atomicLoad(&${target});
    loop {
      let old = bitcast<f32>(seen);
      // a NaN already there stays; a NaN from src wins
      if (nb_isnan(old) || !(nb_isnan(v) || ${better})) { break; }
      let swapped = atomicCompareExchangeWeak(&${target}, seen, bitcast<u32>(v));
      if (swapped.exchanged) { break; }
      seen = swapped.old_value;
    }
  }`;
}

function atomicMultiply(dtype: GpuDType, target: string, by: string): string {
  if (dtype === "bool") return `atomicAnd(&${target}, ${by});`;
  const [t, wrap, unwrap] = dtype === "int32" ? ["i32", "", ""] : ["f32", "bitcast<u32>(", ")"];
  const load = dtype === "int32" ? "seen" : "bitcast<f32>(seen)";
  return `{
    let times = bitcast<${t}>(${by});
    var seen = atomicLoad(&${target});
    loop {
      let swapped = atomicCompareExchangeWeak(&${target}, seen, ${wrap}${load} * times${unwrap});
      if (swapped.exchanged) { break; }
      seen = swapped.old_value;
    }
  }`;
}
