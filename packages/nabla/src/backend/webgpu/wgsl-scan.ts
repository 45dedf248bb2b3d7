/**
 * Cumulative scans along the rows of a contiguous [outer, n] tensor (the op's dim moved last),
 * one thread per row walking it in order, as the CPU kernels in src/ops/scan.ts do:
 *
 *   cumsum / cumprod: the running sum or product (float32 in f32, so it rounds at every step where
 *     the CPU accumulates in float64 and rounds once per element; int32 in wrapping i32, exact),
 *     from the row's end backwards with `reverse` (cumsum's gradient).
 *   logcumsumexp: log(eᵃ + eᵇ) as PyTorch's _log_add_exp_helper (log1p(exp(min − max)) + max; two
 *     equal infinities stay as they are), float32 only.
 *   cummax / cummin: the running extreme and the latest index where it was reached (ties move the
 *     index forward), a NaN taking over from where it appears, as PyTorch's cummax_cummin_helper.
 *
 * A row per thread keeps the order (and so the rounding) of the sequential loop; rows of
 * thousands of elements with few rows use few threads, which a work-efficient parallel scan
 * would not (docs/webgpu.md, what is left).
 *
 * info (i32): [outer, n, offset of x, reverse (0/1)].
 */
import { helperSource } from "./wgsl-math.js";
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

export type ScanKernel = "sum" | "prod" | "logsumexp";

const ENTRY = `
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let r = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  let n = info[1];
  if (r >= info[0]) { return; }
  let base = r * n;`;

export function scanShader(kind: ScanKernel, type: "f32" | "i32"): string {
  if (kind === "logsumexp" && type !== "f32") throw new TypeError(`webgpu scan logsumexp: expected float32, got ${type}`);
  const zero = type === "f32" ? "0.0" : "0";
  const start = kind === "sum" ? zero : kind === "prod" ? (type === "f32" ? "1.0" : "1") : "-nb_inf()";
  const step = kind === "sum" ? "acc + v" : kind === "prod" ? "acc * v" : "nb_log_add_exp(v, acc)";
  const helpers =
    kind === "logsumexp"
      ? `${helperSource(["nb_isnan", "nb_nan", "nb_inf", "nb_isfinite", "nb_log1p", "nb_exp"])}
fn nb_log_add_exp(x: f32, y: f32) -> f32 {
  // NaN by its bits (SwiftShader's NaN != NaN is false)
  if (nb_isnan(x) || nb_isnan(y)) { return nb_nan(); }
  var lo = x; var hi = y;
  if (y < x) { lo = y; hi = x; }
  if (lo != hi || nb_isfinite(lo)) { return nb_log1p(nb_exp(lo - hi)) + hi; }
  return x;
}`
      : "";
  return `${helpers}
@group(0) @binding(0) var<storage, read> x: array<${type}>;
@group(0) @binding(1) var<storage, read_write> out: array<${type}>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
${ENTRY}
  var acc: ${type} = ${start};
  for (var s = 0; s < n; s++) {
    let i = base + select(s, n - 1 - s, info[3] != 0);
    let v = x[info[2] + i];
    acc = ${step};
    out[i] = acc;
  }
}
`;
}

/** cummax / cummin: values (x's type) and indices (int32), both [outer, n]. */
export function cumExtremumShader(op: "max" | "min", type: "f32" | "i32"): string {
  const nan = type === "f32" ? "nb_isnan(v)" : "false";
  const bestNumber = type === "f32" ? "!nb_isnan(best)" : "true";
  return `${type === "f32" ? helperSource(["nb_isnan"]) : ""}
@group(0) @binding(0) var<storage, read> x: array<${type}>;
@group(0) @binding(1) var<storage, read_write> values: array<${type}>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read_write> indices: array<i32>;
${ENTRY}
  var best = x[info[2] + base];
  var at = 0;
  for (var i = 0; i < n; i++) {
    let v = x[info[2] + base + i];
    if (${nan} || (${bestNumber} && v ${op === "max" ? ">=" : "<="} best)) {
      best = v;
      at = i;
    }
    values[base + i] = best;
    indices[base + i] = at;
  }
}
`;
}

/**
 * cumprod's input gradient per row, exact with zeros, as cumprodGradRows in src/ops/scan.ts (in
 * f32 where the CPU accumulates in float64): before the first zero, (Σ_{j≥k} g_j·out_j) / x_k
 * summed from the zero backwards; at the first zero, out_{zero−1}·Σ_{j≥zero} g_j·Π_{zero<i≤j} x_i;
 * after it, 0. The running products before the zero are written to `result` first and read back.
 *
 * Bindings: x, result, info [outer, n, offset of x, offset of g], g.
 */
export const CUMPROD_GRAD_SHADER = `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> result: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
${ENTRY}
  let xb = info[2] + base;
  let gb = info[3] + base;
  var zero = n;
  for (var i = 0; i < n; i++) {
    if (x[xb + i] == 0.0) { zero = i; break; }
  }
  var prefix = 1.0;
  for (var j = 0; j < zero; j++) {
    prefix = prefix * x[xb + j];
    result[base + j] = prefix;
  }
  let before = select(1.0, result[base + max(zero - 1, 0)], zero > 0);
  var tail = 0.0;
  for (var k = zero - 1; k >= 0; k--) {
    tail = tail + g[gb + k] * result[base + k];
    result[base + k] = tail / x[xb + k];
  }
  if (zero == n) { return; }
  var product = 1.0;
  var acc = 0.0;
  for (var j = zero; j < n; j++) {
    if (j > zero) { product = product * x[xb + j]; }
    acc = acc + g[gb + j] * product;
  }
  result[base + zero] = before * acc;
  for (var k = zero + 1; k < n; k++) { result[base + k] = 0.0; }
}
`;
