/**
 * Reductions over the last axis of a contiguous [outer, inner] block, one workgroup of 256 threads
 * per row: each thread folds a strided slice of the row, then the workgroup folds the 256 partial
 * results as a tree in workgroup memory. max and min propagate NaN, as PyTorch's (tested by bits,
 * as WGSL may assume no NaN); logsumexp takes the row's maximum first, as the JS kernel; the arg
 * reductions carry (value, index) pairs, where the first NaN wins and then the first extreme.
 *
 * int32 and bool rows (bool stored as u32) fold in i32: sum and prod wrap as int32 arithmetic
 * does (the JS kernel's float64 sum stored with ToInt32 is the same modulo 2³²), max and min and
 * the arg reductions compare integers.
 *
 * info (i32): [outer, inner]; workgroup (x, y) numbers the row x + y·65535.
 */
import type { ArgReduceOp, ReduceOp } from "../backend.js";
import { helperSource } from "./wgsl-math.js";
import { loadAs, storageType, storeAs, type GpuDType } from "./wgsl-types.js";

export const REDUCE_WORKGROUP = 256;
export const ROWS_PER_DIMENSION = 65535;

const FOLDS: Record<Exclude<ReduceOp, "logsumexp">, { identity: string; combine: string; helpers: string[] }> = {
  sum: { identity: "0.0", combine: "(a + b)", helpers: [] },
  prod: { identity: "1.0", combine: "(a * b)", helpers: [] },
  max: { identity: "-nb_inf()", combine: "nb_maximum(a, b)", helpers: ["nb_maximum", "nb_inf"] },
  min: { identity: "nb_inf()", combine: "nb_minimum(a, b)", helpers: ["nb_minimum", "nb_inf"] },
};

const INT_FOLDS: Record<Exclude<ReduceOp, "logsumexp">, { identity: string; combine: string }> = {
  sum: { identity: "0i", combine: "(a + b)" },
  prod: { identity: "1i", combine: "(a * b)" },
  max: { identity: "(-2147483647i - 1i)", combine: "max(a, b)" },
  min: { identity: "2147483647i", combine: "min(a, b)" },
};

const HEAD = `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;

var<workgroup> partial: array<f32, ${REDUCE_WORKGROUP}>;
`;

/** A reduction of int32 or bool rows into `out` (int32 for sum and prod, the input's dtype for max and min). */
function intReduceShader(op: Exclude<ReduceOp, "logsumexp">, x: GpuDType, out: GpuDType): string {
  const helpers = new Set<string>();
  const load = loadAs("x[base + j]", x, "i32", helpers);
  const fold = INT_FOLDS[op];
  return `
@group(0) @binding(0) var<storage, read> x: array<${storageType(x)}>;
@group(0) @binding(1) var<storage, read_write> out: array<${storageType(out)}>;
@group(0) @binding(2) var<storage, read> info: array<i32>;

var<workgroup> partial: array<i32, ${REDUCE_WORKGROUP}>;
fn fold_${op}(a: i32, b: i32) -> i32 { return ${fold.combine}; }
${ENTRY}
${treeFold(op, fold.identity, load)}
  if (lid == 0u) { out[row] = ${storeAs("partial[0]", false, "i32", out, helpers)}; }
}
`;
}

/** Folds the row with fold_<name>, leaving the result in partial[0] for every thread. */
function treeFold(name: string, identity: string, map = "x[base + j]"): string {
  return `
  var acc_${name} = ${identity};
  for (var j = i32(lid); j < inner; j += ${REDUCE_WORKGROUP}) { acc_${name} = fold_${name}(acc_${name}, ${map}); }
  partial[lid] = acc_${name};
  workgroupBarrier();
  for (var s = ${REDUCE_WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { partial[lid] = fold_${name}(partial[lid], partial[lid + s]); }
    workgroupBarrier();
  }`;
}

const ENTRY = `
@compute @workgroup_size(${REDUCE_WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = i32(wg.x + wg.y * ${ROWS_PER_DIMENSION}u);
  let outer = info[0];
  let inner = info[1];
  if (row >= outer) { return; }
  let base = row * inner;`;

/** The reduction's shader; x and out float32 unless given (int32 and bool rows as intReduceShader). */
export function reduceShader(op: ReduceOp, x: GpuDType = "float32", out: GpuDType = x): string {
  if (x !== "float32" || out !== "float32") {
    if (op === "logsumexp") throw new TypeError(`webgpu reduce logsumexp: expected float32 rows, got ${x}`);
    return intReduceShader(op, x, out);
  }
  if (op === "logsumexp") {
    // max(x) + log Σ e^(x − max); a row whose maximum is ±inf or NaN is that maximum
    return `
${helperSource(["nb_maximum", "nb_inf", "nb_isfinite", "nb_exp", "nb_log"])}
${HEAD}
fn fold_max(a: f32, b: f32) -> f32 { return nb_maximum(a, b); }
fn fold_sum(a: f32, b: f32) -> f32 { return a + b; }
${ENTRY}
${treeFold("max", "-nb_inf()")}
  // the same maximum in every thread, as WGSL's uniformity rules need before the next barriers
  let m = workgroupUniformLoad(&partial[0]);
  if (!nb_isfinite(m)) {
    if (lid == 0u) { out[row] = m; }
    return;
  }
${treeFold("sum", "0.0", "nb_exp(x[base + j] - m)")}
  if (lid == 0u) { out[row] = m + nb_log(partial[0]); }
}
`;
  }
  const fold = FOLDS[op];
  return `
${helperSource(fold.helpers)}
${HEAD}
fn fold_${op}(a: f32, b: f32) -> f32 { return ${fold.combine}; }
${ENTRY}
${treeFold(op, fold.identity)}
  if (lid == 0u) { out[row] = partial[0]; }
}
`;
}

/**
 * Rows at most this long are folded by one thread each (shortRowReduceShader) instead of a
 * workgroup each: a workgroup of 256 threads with eight barriers for a row of a few elements
 * costs a GPU little but a software device (SwiftShader runs a workgroup's threads as fibers,
 * switching at each barrier) about a millisecond, and the backward of a broadcast or of a batched
 * matmul reduces thousands of such rows (a [T, N, I]·Wᵀ weight's gradient is G·I rows of T).
 */
export const SHORT_ROW = 64;
/** Threads per workgroup of the short-row reduction, one row each. */
export const SHORT_ROW_WORKGROUP = 64;

/** The short-row kernels' entry: one thread per row (`row`, of `inner` elements from `base`), rows past `outer` idle. */
const SHORT_ROW_ENTRY = `@compute @workgroup_size(${SHORT_ROW_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let row = i32(gid.x + gid.y * groups.x * ${SHORT_ROW_WORKGROUP}u);
  let outer = info[0];
  let inner = info[1];
  if (row >= outer) { return; }
  let base = row * inner;`;

/**
 * The reduction of rows of at most SHORT_ROW elements, one thread per row folding it in order
 * (the same values as reduceShader's tree up to the rounding of float sums and products).
 * Dispatched over ceil(outer / SHORT_ROW_WORKGROUP) workgroups laid out by grid2d; info as reduceShader's.
 */
export function shortRowReduceShader(op: ReduceOp, x: GpuDType = "float32", out: GpuDType = x): string {
  const float = x === "float32" && out === "float32";
  if (!float && op === "logsumexp") throw new TypeError(`webgpu reduce logsumexp: expected float32 rows, got ${x}`);
  const helpers = new Set<string>(float ? (op === "logsumexp" ? ["nb_maximum", "nb_inf", "nb_isfinite", "nb_exp", "nb_log"] : FOLDS[op].helpers) : []);
  const type = float ? "f32" : "i32";
  const load = float ? "x[base + j]" : loadAs("x[base + j]", x, "i32", helpers);
  let body: string;
  if (op === "logsumexp") {
    body = `
  var m = -nb_inf();
  for (var j = 0; j < inner; j++) { m = nb_maximum(m, x[base + j]); }
  if (!nb_isfinite(m)) { out[row] = m; return; }
  var acc = 0.0;
  for (var j = 0; j < inner; j++) { acc += nb_exp(x[base + j] - m); }
  out[row] = m + nb_log(acc);`;
  } else {
    const fold = float ? FOLDS[op] : INT_FOLDS[op];
    body = `
  var acc: ${type} = ${fold.identity};
  for (var j = 0; j < inner; j++) { acc = fold(acc, ${load}); }
  out[row] = ${float ? "acc" : storeAs("acc", false, "i32", out, helpers)};`;
  }
  const foldFn = op === "logsumexp" ? "" : `fn fold(a: ${type}, b: ${type}) -> ${type} { return ${(float ? FOLDS[op] : INT_FOLDS[op]).combine}; }`;
  return `
${helperSource([...helpers])}
@group(0) @binding(0) var<storage, read> x: array<${storageType(x)}>;
@group(0) @binding(1) var<storage, read_write> out: array<${storageType(out)}>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
${foldFn}
${SHORT_ROW_ENTRY}${body}
}
`;
}

/**
 * The arg reductions' order of (value, index) pairs, PyTorch's: `beats(v, i, w, k)` says whether
 * (v, i) wins over (w, k): a NaN first (float32), then the ${"max"}imum or minimum, then the first
 * of equals. Compared in f32 for float32 rows, in i32 for int32 and bool (u32) rows.
 */
function beatsSource(op: ArgReduceOp, dtype: GpuDType): string {
  const better = op === "max" ? ">" : "<";
  if (dtype !== "float32") {
    return `
/** Whether (v, i) beats (w, k): the ${op}imum, then the first of equals. */
fn beats(v: i32, i: i32, w: i32, k: i32) -> bool {
  if (v == w) { return i < k; }
  return v ${better} w;
}`;
  }
  return `
/** Whether (v, i) beats (w, k): the first NaN, then the ${op}imum, then the first of equals. */
fn beats(v: f32, i: i32, w: f32, k: i32) -> bool {
  let nv = nb_isnan(v);
  let nw = nb_isnan(w);
  if (nv || nw) { return nv && (!nw || i < k); }
  if (v == w) { return i < k; }
  return v ${better} w;
}`;
}

/** The arg reduction's shader: values as reduceShader's, the indices (i32) in binding 3. */
export function argReduceShader(op: ArgReduceOp, dtype: GpuDType = "float32"): string {
  if (dtype !== "float32") return intArgReduceShader(op, dtype);
  return `
${helperSource(["nb_isnan", "nb_inf"])}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read_write> indices: array<i32>;

var<workgroup> values: array<f32, ${REDUCE_WORKGROUP}>;
var<workgroup> places: array<i32, ${REDUCE_WORKGROUP}>;

${beatsSource(op, "float32")}
${ENTRY}
  var best = ${op === "max" ? "-nb_inf()" : "nb_inf()"};
  var at = 0x7fffffff;
  for (var j = i32(lid); j < inner; j += ${REDUCE_WORKGROUP}) {
    let v = x[base + j];
    if (beats(v, j, best, at)) { best = v; at = j; }
  }
  values[lid] = best;
  places[lid] = at;
  workgroupBarrier();
  for (var s = ${REDUCE_WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s && beats(values[lid + s], places[lid + s], values[lid], places[lid])) {
      values[lid] = values[lid + s];
      places[lid] = places[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    out[row] = values[0];
    indices[row] = places[0];
  }
}
`;
}

/**
 * The arg reduction of rows of at most SHORT_ROW elements, one thread per row scanning it in
 * order with argReduceShader's `beats` (so the same pair wins: the first NaN, else the first
 * extreme); bindings and info as argReduceShader's, dispatched as shortRowReduceShader.
 */
export function shortRowArgReduceShader(op: ArgReduceOp, dtype: GpuDType = "float32"): string {
  const float = dtype === "float32";
  const type = storageType(dtype);
  const lowest = float ? (op === "max" ? "-nb_inf()" : "nb_inf()") : op === "max" ? "(-2147483647i - 1i)" : "2147483647i";
  return `
${float ? helperSource(["nb_isnan", "nb_inf"]) : ""}
@group(0) @binding(0) var<storage, read> x: array<${type}>;
@group(0) @binding(1) var<storage, read_write> out: array<${type}>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read_write> indices: array<i32>;
${beatsSource(op, dtype)}
${SHORT_ROW_ENTRY}
  var best = ${lowest};
  var at = 0x7fffffff;
  for (var j = 0; j < inner; j++) {
    let v = ${float ? "x[base + j]" : "i32(x[base + j])"};
    if (beats(v, j, best, at)) { best = v; at = j; }
  }
  out[row] = ${float ? "best" : `${type}(best)`};
  indices[row] = at;
}
`;
}

/**
 * Softmax (or log-softmax) of each row, as the reference in src/ops/softmax.ts: m = the row's
 * maximum (0 for a row of −inf), e = e^(x − m), then e / Σe or (x − m) − log Σe.
 */
export function softmaxShader(log: boolean): string {
  return `
${helperSource(["nb_maximum", "nb_inf", "nb_exp", "nb_log"])}
${HEAD}
fn fold_max(a: f32, b: f32) -> f32 { return nb_maximum(a, b); }
fn fold_sum(a: f32, b: f32) -> f32 { return a + b; }
${ENTRY}
${treeFold("max", "-nb_inf()")}
  let top = workgroupUniformLoad(&partial[0]);
  let m = select(top, 0.0, top == -nb_inf());
${treeFold("sum", "0.0", "nb_exp(x[base + j] - m)")}
  let s = workgroupUniformLoad(&partial[0]);
  for (var j = i32(lid); j < inner; j += ${REDUCE_WORKGROUP}) {
    ${log ? "out[base + j] = (x[base + j] - m) - nb_log(s);" : "out[base + j] = nb_exp(x[base + j] - m) / s;"}
  }
}
`;
}

/** Softmax (or log-softmax) of rows of at most SHORT_ROW elements, one thread per row, as softmaxShader's formulas. */
export function shortRowSoftmaxShader(log: boolean): string {
  return `
${helperSource(["nb_maximum", "nb_inf", "nb_exp", "nb_log"])}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;

${SHORT_ROW_ENTRY}
  var top = -nb_inf();
  for (var j = 0; j < inner; j++) { top = nb_maximum(top, x[base + j]); }
  let m = select(top, 0.0, top == -nb_inf());
  var s = 0.0;
  for (var j = 0; j < inner; j++) { s += nb_exp(x[base + j] - m); }
  for (var j = 0; j < inner; j++) {
    ${log ? "out[base + j] = (x[base + j] - m) - nb_log(s);" : "out[base + j] = nb_exp(x[base + j] - m) / s;"}
  }
}
`;
}

/** The arg reduction of int32 or bool rows: the first extreme value (no NaN to look for). */
function intArgReduceShader(op: ArgReduceOp, dtype: GpuDType): string {
  const type = storageType(dtype);
  return `
@group(0) @binding(0) var<storage, read> x: array<${type}>;
@group(0) @binding(1) var<storage, read_write> out: array<${type}>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read_write> indices: array<i32>;

var<workgroup> values: array<i32, ${REDUCE_WORKGROUP}>;
var<workgroup> places: array<i32, ${REDUCE_WORKGROUP}>;

${beatsSource(op, dtype)}
${ENTRY}
  var best = ${op === "max" ? "(-2147483647i - 1i)" : "2147483647i"};
  var at = 0x7fffffff;
  for (var j = i32(lid); j < inner; j += ${REDUCE_WORKGROUP}) {
    let v = i32(x[base + j]);
    if (beats(v, j, best, at)) { best = v; at = j; }
  }
  values[lid] = best;
  places[lid] = at;
  workgroupBarrier();
  for (var s = ${REDUCE_WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s && beats(values[lid + s], places[lid + s], values[lid], places[lid])) {
      values[lid] = values[lid + s];
      places[lid] = places[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    out[row] = ${type}(values[0]);
    indices[row] = places[0];
  }
}
`;
}
