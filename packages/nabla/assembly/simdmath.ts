// Vector versions of exp, sigmoid and tanh for f32x4 (Cephes-style polynomials), accurate to a
// few float32 ulps, since WebAssembly SIMD has no transcendental instructions.

// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// ln 2 split in two so that n·ln2 is subtracted without rounding error
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;

/** e^x per lane; subnormal results are exact to rounding, overflow gives +inf, NaN stays NaN. */
// @ts-ignore: decorator
@inline export function expV(x: v128): v128 {
  // exp(-104) already rounds to 0 and exp(89) to +inf: clamping keeps 2^n representable
  x = f32x4.min(f32x4.max(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1.0));
  // 2^n as two factors, each a normal float, so that results down to 2^-150 come out right
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const bias = i32x4.splat(127);
  const f1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const f2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(p, f1), f2);
}

/**
 * σ(x) = 1 / (1 + e^-x) per lane of T (f32 or f64) from e = e^-|x|, so that nothing overflows (as
 * the JS reference): 1 / (1 + e) where x ≥ 0, e / (1 + e) below. The float64 σs (simdmath64.ts,
 * lstm.ts) use it too, each with its own exp.
 */
// @ts-ignore: decorator
@inline export function sigmoidFromExp<T>(x: v128, e: v128): v128 {
  const s = v128.div<T>(v128.splat<T>(1.0), v128.add<T>(v128.splat<T>(1.0), e));
  return v128.bitselect(s, v128.mul<T>(e, s), v128.ge<T>(x, v128.splat<T>(0.0)));
}

/** σ per lane (sigmoidFromExp). */
// @ts-ignore: decorator
@inline export function sigmoidV(x: v128): v128 {
  return sigmoidFromExp<f32>(x, expV(f32x4.neg(f32x4.abs(x))));
}

/** tanh: an odd polynomial near 0 (keeps tiny inputs exact), 1 − 2/(e^2|x| + 1) elsewhere. */
// @ts-ignore: decorator
@inline export function tanhV(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = expV(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}
