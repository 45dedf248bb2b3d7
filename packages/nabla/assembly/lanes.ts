// A float type's SIMD lanes, for kernels written once over T = f32 (f32x4) or f64 (f64x2) with
// AssemblyScript's generic v128 operations (v128.add<T>, v128.splat<T>, …): the compiler makes one
// copy per type, and these sizes are constants in each, so the copies compile as the hand-written
// per-type kernels did. rnn-cell.ts, matmul.ts, sgd.ts and adam.ts are written so.

/** Values of T in one v128: 4 (f32) or 2 (f64). */
// @ts-ignore: decorator
@inline export function lanesOf<T>(): usize {
  return 16 / sizeof<T>();
}

/** log2 of T's bytes, 2 (f32) or 3 (f64): the shift from an element index to a byte offset. */
// @ts-ignore: decorator
@inline export function shiftOf<T>(): usize {
  return sizeof<T>() == 8 ? 3 : 2;
}

/** The vector at p, or (at a ragged end) the one value at p in lane 0. */
// @ts-ignore: decorator
@inline export function loadLanes<T>(p: usize, whole: bool): v128 {
  return whole ? v128.load(p) : v128.load_zero<T>(p);
}

/** Stores v at p, or (at a ragged end) only its lane 0. */
// @ts-ignore: decorator
@inline export function storeLanes<T>(p: usize, v: v128, whole: bool): void {
  if (whole) v128.store(p, v);
  else store<T>(p, v128.extract_lane<T>(v, 0));
}

/** c + a·b: one fused multiply-add with relaxed SIMD, else a multiply and an add. */
// @ts-ignore: decorator
@inline export function maddOf<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(c, v128.mul<T>(a, b));
}
