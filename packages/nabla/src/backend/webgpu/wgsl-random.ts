/**
 * Random draws on the device: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as
 * 1, 2, 3", SC 2011; the generator PyTorch's CUDA backend uses), a counter-based generator: draw
 * number i of a call is philox(counter = (i, stream, 0, 0), key = the call's 64-bit seed), so
 * every thread makes its own draws with no state, and one seed gives one result on any device.
 * The seed is two 32-bit words taken from the host generator (manualSeed fixes them, and each
 * call advances it): the same seed gives the same draws run after run, but not the CPU's
 * (MT19937 in PyTorch's CPU order, which no parallel kernel reproduces; PyTorch's CUDA draws
 * differ from its CPU's as well: docs/PARITY.md).
 *
 * A uniform in [0, 1) is the draw's top 24 bits · 2⁻²⁴ (every float32 value it gives is exact).
 *
 *   BERNOULLI_SHADER  out[i] = 1 where uniform_i < p (p[i] from a tensor, or one number), else 0;
 *   MULTINOMIAL_REPLACEMENT_SHADER  one thread per (row, sample): the first category whose
 *                     running sum exceeds uniform · the row's total (a zero-weight category is
 *                     never picked), as the CPU's inverse of the cumulative distribution;
 *   EXPONENTIAL_RACE_SHADER  keys p / q with q = −ln(1 − u) ~ Exp(1) per category, whose k largest
 *                     (by the sort kernel) are a sample without replacement, as the CPU draws it.
 *
 * info (i32): [n, offset of the input, seed low, seed high, then per shader: bernoulli p's bits
 * and whether p is a tensor (0/1); multinomial rows, categories, samples].
 */
import { helperSource } from "./wgsl-math.js";
import { PHILOX_WGSL } from "./wgsl-philox.js";
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

const PHILOX = `${PHILOX_WGSL}/** The i-th uniform in [0, 1) of stream \`stream\` under this call's seed. */
fn uniform(i: u32, stream: u32) -> f32 {
  let bits = philox(vec4u(i, stream, 0u, 0u), vec2u(u32(info[2]), u32(info[3]))).x;
  return f32(bits >> 8u) * (1.0 / 16777216.0);
}
fn thread_index(gid: vec3u, groups: vec3u) -> i32 { return i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u); }
`;

const ENTRY = `@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let t = thread_index(gid, groups);`;

export const BERNOULLI_SHADER = `
@group(0) @binding(0) var<storage, read> p: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
${PHILOX}
${ENTRY}
  if (t >= info[0]) { return; }
  let probability = select(bitcast<f32>(info[4]), p[info[1] + t], info[5] != 0);
  out[t] = select(0.0, 1.0, uniform(u32(t), 0u) < probability);
}
`;

export const MULTINOMIAL_REPLACEMENT_SHADER = `
@group(0) @binding(0) var<storage, read> p: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
${PHILOX}
${ENTRY}
  let rows = info[4];
  let n = info[5];
  let samples = info[6];
  if (t >= rows * samples) { return; }
  let row = info[1] + (t / samples) * n;
  var total = 0.0;
  for (var j = 0; j < n; j++) { total += p[row + j]; }
  let goal = uniform(u32(t), 0u) * total;
  var running = 0.0;
  var pick = -1;
  for (var j = 0; j < n; j++) {
    let w = p[row + j];
    if (w > 0.0) {
      pick = j;
      running += w;
      if (running > goal) { break; }
    }
  }
  out[t] = pick;
}
`;

export const EXPONENTIAL_RACE_SHADER = `${helperSource(["nb_log"])}
@group(0) @binding(0) var<storage, read> p: array<f32>;
@group(0) @binding(1) var<storage, read_write> keys: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
${PHILOX}
${ENTRY}
  if (t >= info[0]) { return; }
  // 1 − u lies in (0, 1]: q > 0 except for u = 0, where a positive weight wins outright
  let q = -nb_log(1.0 - uniform(u32(t), 0u));
  let w = p[info[1] + t];
  var key = 0.0;
  if (w > 0.0) { key = select(w / q, 3.4028234663852886e38, q == 0.0); }
  keys[t] = key;
}
`;

/** Two 32-bit words of the host generator: the seed of one device call. */
export function deviceSeed(next: () => number): [number, number] {
  return [next() | 0, next() | 0];
}
