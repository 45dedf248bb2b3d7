/**
 * WGSL (float32) forms of the pointwise primitives WGSL has no builtin for, or whose builtin
 * differs from PyTorch: NaN-propagating maximum/minimum, pow of a negative base, fmod and Python's
 * remainder, expm1/log1p without cancellation, a sigmoid that never overflows, erf/erfc/erfinv
 * (ports of src/ops/pointwise/scalar-math.ts in float32). NaN and ±inf are tested by their bits:
 * WGSL lets a compiler assume `x != x` is false.
 *
 * Each helper names the helpers it calls, so a shader carries only what its kernel uses.
 */

interface Helper {
  readonly uses: readonly string[];
  readonly source: string;
}

export const WGSL_HELPERS: Readonly<Record<string, Helper>> = {
  // through a var: WGSL's constant evaluation rejects a NaN or infinite constant
  nb_nan: { uses: [], source: "fn nb_nan() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }" },
  nb_inf: { uses: [], source: "fn nb_inf() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }" },
  nb_isnan: { uses: [], source: "fn nb_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }" },
  nb_isinf: { uses: [], source: "fn nb_isinf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }" },
  nb_isfinite: { uses: [], source: "fn nb_isfinite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) < 0x7f800000u; }" },
  // |r| with x's sign bit: an odd function's result, −0 at −0 (select(r, −r, x < 0) gives +0 there)
  nb_with_sign_of: {
    uses: [],
    source: "fn nb_with_sign_of(r: f32, x: f32) -> f32 { return bitcast<f32>((bitcast<u32>(r) & 0x7fffffffu) | (bitcast<u32>(x) & 0x80000000u)); }",
  },
  // compilers may compile != as an ordered comparison, false where either side is NaN
  nb_ne: { uses: ["nb_isnan"], source: "fn nb_ne(a: f32, b: f32) -> bool { return nb_isnan(a) || nb_isnan(b) || a != b; }" },
  nb_maximum: {
    uses: ["nb_isnan", "nb_nan"],
    source: "fn nb_maximum(a: f32, b: f32) -> f32 { if (nb_isnan(a) || nb_isnan(b)) { return nb_nan(); } return select(b, a, a > b); }",
  },
  nb_minimum: {
    uses: ["nb_isnan", "nb_nan"],
    source: "fn nb_minimum(a: f32, b: f32) -> f32 { if (nb_isnan(a) || nb_isnan(b)) { return nb_nan(); } return select(b, a, a < b); }",
  },
  // 2^e·v for any integer e, in two steps: WGSL leaves ldexp undefined past an exponent of 128
  nb_ldexp: {
    uses: [],
    source: "fn nb_ldexp(v: f32, e: i32) -> f32 { let c = clamp(e, -300, 256); return ldexp(ldexp(v, c / 2), c - c / 2); }",
  },
  // a^b for finite a > 0 and finite b, as 2^(b·log₂ a) with the exponent's integer part split off
  // exactly: log₂ a = k + log₂ m (m in [√½, √2)), b = b_h + b_l with b_h of 12 significant bits, so
  // b_h·k is exact; only b·log₂ m (|log₂ m| ≤ ½) and b_l·k are rounded. WGSL's pow, exp2(b·log₂ a),
  // rounds the whole product (93 ulps at 707^11.4 on SwiftShader)
  nb_pow_positive: {
    uses: ["nb_log", "nb_exp", "nb_ldexp", "nb_inf"],
    source: `fn nb_pow_positive(a: f32, b: f32) -> f32 {
  let parts = frexp(a);
  var m = parts.fract;
  var k = parts.exp;
  if (m < 0.70710678118654752) { m = m * 2.0; k = k - 1; }
  let kf = f32(k);
  let bh = bitcast<f32>(bitcast<u32>(b) & 0xfffff000u);
  let whole = bh * kf;
  let n = floor(whole);
  let r = (whole - n) + ((b - bh) * kf + b * (nb_log(m) * 1.4426950408889634));
  if (abs(r) > 512.0) { return select(0.0, nb_inf(), r > 0.0); }
  let rn = round(r);
  return nb_ldexp(nb_exp((r - rn) * 0.69314718055994531), i32(n) + i32(rn));
}`,
  },
  // WGSL's pow is undefined for a negative base: take |a|^b and the sign an integer exponent gives
  nb_pow: {
    uses: ["nb_isnan", "nb_nan", "nb_inf", "nb_isfinite", "nb_pow_positive"],
    source: `fn nb_pow(a: f32, b: f32) -> f32 {
  if (b == 0.0 || a == 1.0) { return 1.0; }
  if (nb_isnan(a) || nb_isnan(b)) { return nb_nan(); }
  let integer = b == trunc(b);
  let odd = integer && trunc(b * 0.5) != b * 0.5;
  let m = abs(a);
  var r: f32;
  if (m == 0.0) { r = select(nb_inf(), 0.0, b > 0.0); }
  else if (nb_isfinite(m) && nb_isfinite(b)) { r = nb_pow_positive(m, b); }
  else { r = pow(m, b); }
  if (a < 0.0 || (a == 0.0 && (bitcast<u32>(a) & 0x80000000u) != 0u)) {
    if (!integer && m != 0.0 && m != nb_inf()) { return nb_nan(); }
    if (odd) { return -r; }
  }
  return r;
}`,
  },
  // WGSL leaves log, sqrt, asin and acos outside their domains undefined (SwiftShader returns
  // numbers there): NaN below the domain and −inf at log's pole are made explicit
  // musl's logf (under 1 ulp): SwiftShader's log is off by ~2e-8 absolutely near 1, which
  // log1p(x)'s and asinh's small arguments turn into whole relative errors; NaN kept
  nb_log: {
    uses: ["nb_nan", "nb_inf", "nb_isnan"],
    source: `fn nb_log(x: f32) -> f32 {
  if (nb_isnan(x) || x == nb_inf()) { return x; }
  if (x < 0.0) { return nb_nan(); }
  if (x == 0.0) { return -nb_inf(); }
  let parts = frexp(x);
  var f = parts.fract;
  var k = parts.exp;
  if (f < 0.70710678118654752) { f = f * 2.0; k = k - 1; }
  f = f - 1.0;
  let s = f / (2.0 + f);
  let z = s * s;
  let w = z * z;
  let t1 = w * (0.40000972152 + w * 0.24279078841);
  let t2 = z * (0.66666662693 + w * 0.28498786688);
  let hfsq = 0.5 * f * f;
  let dk = f32(k);
  return s * (hfsq + t2 + t1) + dk * 9.0580006145e-06 - hfsq + f + dk * 6.9313812256e-01;
}`,
  },
  nb_log2: { uses: ["nb_log"], source: "fn nb_log2(x: f32) -> f32 { return nb_log(x) * 1.4426950408889634; }" },
  nb_sqrt: { uses: ["nb_nan"], source: "fn nb_sqrt(x: f32) -> f32 { if (x < 0.0) { return nb_nan(); } return sqrt(x); }" },
  nb_asin: { uses: ["nb_nan"], source: "fn nb_asin(x: f32) -> f32 { if (abs(x) > 1.0) { return nb_nan(); } return asin(x); }" },
  // acos from asin of a reduced argument (fdlibm's): WGSL's acos is atan2(√(1 − x²), x), whose
  // 1 − x² cancels near ±1 (SwiftShader's was 1270 ulps off at 1 − 2⁻²²); 1 − |x| is exact there
  nb_acos: {
    uses: ["nb_nan"],
    source: `fn nb_acos(x: f32) -> f32 {
  let m = abs(x);
  if (m > 1.0) { return nb_nan(); }
  if (m <= 0.5) { return 1.57079632679489662 - asin(x); }
  let r = 2.0 * asin(sqrt(0.5 * (1.0 - m)));
  return select(r, 3.14159265358979324 - r, x < 0.0);
}`,
  },
  // exp(NaN) is not NaN on every driver (SwiftShader returns inf), and SwiftShader's overflows
  // short of float32's range (e^88 = 1.65e38): past 80, (e^(x/2))²
  // SLEEF's expf (1 ulp): WGSL's exp is exp2(x·log₂e), whose product's rounding grows with |x|
  // (SwiftShader's e^76 was 61 ulps off): e^x = 2^q·e^s, x = q·ln 2 + s with ln 2 split in two
  // (q·ln2_hi exact), s in [−ln2/2, ln2/2] by its polynomial; 2^q in two halves (2^128 is not a float)
  nb_exp: {
    uses: ["nb_isnan", "nb_inf"],
    source: `fn nb_exp(x: f32) -> f32 {
  if (nb_isnan(x)) { return x; }
  if (x > 88.8) { return nb_inf(); }
  if (x < -104.0) { return 0.0; }
  let q = round(x * 1.44269504088896341);
  var s = fma(q, -0.693145751953125, x);
  s = fma(q, -1.428606765330187045e-06, s);
  var u = 0.000198527617612853646278381;
  u = fma(u, s, 0.00139304355252534151077271);
  u = fma(u, s, 0.00833336077630519866943359);
  u = fma(u, s, 0.0416664853692054748535156);
  u = fma(u, s, 0.166666671633720397949219);
  u = fma(u, s, 0.5);
  u = fma(s * s, u, s) + 1.0;
  let k = i32(q); // in [−150, 128]: each half within ldexp's defined range
  return ldexp(ldexp(u, k / 2), k - k / 2);
}`,
  },
  // WGSL only promises sin and cos to 2^-11 absolutely (SwiftShader is ~1e-4 off): SLEEF's
  // float32 sin/cos (3.5 ulp), reduced by multiples of π split in three (Cody–Waite)
  nb_sin_poly: {
    uses: [],
    source: `fn nb_sin_poly(d: f32) -> f32 {
  let s = d * d;
  var u = 2.6083159809786593541503e-06;
  u = fma(u, s, -0.0001981069071916863322258);
  u = fma(u, s, 0.00833307858556509017944336);
  u = fma(u, s, -0.166666597127914428710938);
  return fma(s, u * d, d);
}`,
  },
  // sin(−0) = −0: the reduction's x − 0·π is +0
  nb_sin: {
    uses: ["nb_sin_poly"],
    source: `fn nb_sin(x: f32) -> f32 {
  if (x == 0.0) { return x; }
  let q = round(x * 0.318309886183790671537767526745);
  var d = fma(q, -3.1414794921875, x);
  d = fma(q, -0.00011315941810607910156, d);
  d = fma(q, -1.9841872589410058936e-09, d);
  let odd = (i32(q) & 1) != 0;
  return nb_sin_poly(select(d, -d, odd));
}`,
  },
  nb_cos: {
    uses: ["nb_sin_poly"],
    source: `fn nb_cos(x: f32) -> f32 {
  let q = 1.0 + 2.0 * round(x * 0.318309886183790671537767526745 - 0.5);
  var d = fma(q, -3.1414794921875 * 0.5, x);
  d = fma(q, -0.00011315941810607910156 * 0.5, d);
  d = fma(q, -1.9841872589410058936e-09 * 0.5, d);
  let flip = (i32(q) & 2) == 0;
  return nb_sin_poly(select(d, -d, flip));
}`,
  },
  nb_tan: { uses: ["nb_sin", "nb_cos"], source: "fn nb_tan(x: f32) -> f32 { return nb_sin(x) / nb_cos(x); }" },
  // exact, as C's fmod: subtract the largest |b|·2^k not above the rest, each subtraction exact
  // (Sterbenz), at most one per binary order of magnitude between |a| and |b|
  nb_fmod: {
    uses: ["nb_isnan", "nb_isinf", "nb_nan"],
    source: `fn nb_fmod(a: f32, b: f32) -> f32 {
  if (nb_isnan(a) || nb_isnan(b) || nb_isinf(a) || b == 0.0) { return nb_nan(); }
  if (nb_isinf(b)) { return a; }
  var r = abs(a);
  let m = abs(b);
  let em = frexp(m).exp;
  for (var i = 0; i < 300 && r >= m; i++) {
    var t = ldexp(m, frexp(r).exp - em);
    if (t > r) { t = t * 0.5; }
    r = r - t;
  }
  return bitcast<f32>(bitcast<u32>(r) | (bitcast<u32>(a) & 0x80000000u));
}`,
  },
  nb_remainder: {
    uses: ["nb_fmod"],
    source: "fn nb_remainder(a: f32, b: f32) -> f32 { let r = nb_fmod(a, b); if (r != 0.0 && ((r < 0.0) != (b < 0.0))) { return r + b; } return r; }",
  },
  nb_hypot: {
    uses: ["nb_isinf", "nb_inf"],
    source: `fn nb_hypot(a: f32, b: f32) -> f32 {
  if (nb_isinf(a) || nb_isinf(b)) { return nb_inf(); }
  let m = max(abs(a), abs(b));
  if (m == 0.0) { return 0.0; }
  let x = a / m;
  let y = b / m;
  return m * sqrt(x * x + y * y);
}`,
  },
  // Kahan's: (e^x − 1)·x / log(e^x) cancels the rounding of e^x
  nb_expm1: {
    uses: ["nb_isnan", "nb_log", "nb_exp"],
    source: `fn nb_expm1(x: f32) -> f32 {
  if (nb_isnan(x)) { return x; }
  let u = nb_exp(x);
  if (u == 1.0) { return x; }
  let um1 = u - 1.0;
  // past 20 the correction is below an ulp (and um1·x could overflow)
  if (um1 == -1.0 || x > 20.0) { return um1; }
  return um1 * x / nb_log(u);
}`,
  },
  // log(1 + x) = 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …), s = x/(2 + x), for x in (−0.5, 1) where
  // log(1 + x) would carry 1 + x's rounding (7.6 ulps at 0.1): |s| ≤ ⅓, so nine terms reach 2⁻²⁸.
  // Kahan's (1 + x) − 1 correction does not survive compilers that fold it to x
  nb_log1p: {
    uses: ["nb_isnan", "nb_nan", "nb_inf", "nb_log"],
    source: `fn nb_log1p(x: f32) -> f32 {
  if (nb_isnan(x)) { return x; }
  if (x < -1.0) { return nb_nan(); }
  if (x == -1.0) { return -nb_inf(); }
  // below 2⁻²⁴ log1p(x) rounds to x (and s would fall below float32's normal range at 1e-38)
  if (abs(x) < 5.9604645e-8) { return x; }
  if (x > -0.5 && x < 1.0) {
    let s = x / (2.0 + x);
    let z = s * s;
    var p = 1.0 / 17.0;
    p = 1.0 / 15.0 + z * p; p = 1.0 / 13.0 + z * p; p = 1.0 / 11.0 + z * p; p = 1.0 / 9.0 + z * p;
    p = 1.0 / 7.0 + z * p; p = 1.0 / 5.0 + z * p; p = 1.0 / 3.0 + z * p;
    return 2.0 * fma(s * z, p, s);
  }
  return nb_log(1.0 + x);
}`,
  },
  nb_sigmoid: {
    uses: ["nb_exp"],
    source: "fn nb_sigmoid(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + nb_exp(-x)); } let e = nb_exp(x); return e / (1.0 + e); }",
  },
  // through expm1, without the builtins' cancellation at small x; tanh(±10) is ±1 in float32
  // fdlibm's: −t/(t + 2), t = e^(−2|x|) − 1, below 1; 1 − 2/(e^(2|x|) + 1) from 1 on, where
  // t/(t + 2) of t = e^(2x) − 1 rounded its quotient near ±1 (7 ulps at 4.19); ±1 past 10 in float32
  nb_tanh: {
    uses: ["nb_with_sign_of", "nb_expm1", "nb_isnan"],
    source: `fn nb_tanh(x: f32) -> f32 {
  if (nb_isnan(x)) { return x; }
  let m = abs(x);
  var r: f32;
  if (m > 10.0) { r = 1.0; }
  else if (m >= 1.0) { r = 1.0 - 2.0 / (nb_expm1(2.0 * m) + 2.0); }
  else { let t = nb_expm1(-2.0 * m); r = -t / (t + 2.0); }
  return nb_with_sign_of(r, x);
}`,
  },
  nb_sinh: {
    uses: ["nb_with_sign_of", "nb_expm1", "nb_exp"],
    source: `fn nb_sinh(x: f32) -> f32 {
  let m = abs(x);
  var r: f32;
  if (m < 1.0) { let t = nb_expm1(m); r = 0.5 * (t + t / (t + 1.0)); }
  else if (m > 88.0) { let h = nb_exp(0.5 * m); r = (0.5 * h) * h; }
  else if (m > 20.0) { r = 0.5 * nb_exp(m); }
  else { let e = nb_exp(m); r = 0.5 * (e - 1.0 / e); }
  return nb_with_sign_of(r, x);
}`,
  },
  // e^|x|/2 past 20, where 1/e^|x| is below an ulp; past 88 as (e^(|x|/2)/2)·e^(|x|/2), so that
  // cosh(89) does not overflow with e^89 (e^(|x| − ln 2) would round |x| − ln 2: 56 ulps at 50)
  nb_cosh: {
    uses: ["nb_exp"],
    source: `fn nb_cosh(x: f32) -> f32 {
  let m = abs(x);
  if (m > 88.0) { let h = nb_exp(0.5 * m); return (0.5 * h) * h; }
  if (m > 20.0) { return 0.5 * nb_exp(m); }
  let e = nb_exp(m);
  return 0.5 * (e + 1.0 / e);
}`,
  },
  // the signed zeros and infinities as C's atan2 (SwiftShader's gets atan2(0, inf) wrong)
  nb_atan2: {
    uses: ["nb_isnan", "nb_isinf", "nb_nan"],
    source: `fn nb_atan2(a: f32, b: f32) -> f32 {
  if (nb_isnan(a) || nb_isnan(b)) { return nb_nan(); }
  let negA = (bitcast<u32>(a) & 0x80000000u) != 0u;
  let negB = (bitcast<u32>(b) & 0x80000000u) != 0u;
  var r: f32;
  if (nb_isinf(a) && nb_isinf(b)) { r = select(0.78539816339744831, 2.35619449019234492, negB); }
  else if (nb_isinf(a)) { r = 1.57079632679489662; }
  else if (nb_isinf(b) || a == 0.0) { r = select(0.0, 3.14159265358979324, negB); }
  else { return atan2(a, b); }
  return select(r, -r, negA);
}`,
  },
  // log(2|x|) past 4096, where m² would overflow on the way (asinh(inf) = inf)
  nb_asinh: {
    uses: ["nb_with_sign_of", "nb_log1p", "nb_log"],
    source: `fn nb_asinh(x: f32) -> f32 {
  let m = abs(x);
  var r: f32;
  if (m > 4096.0) { r = nb_log(m) + 0.69314718055994531; } else { r = nb_log1p(m + m * m / (1.0 + sqrt(1.0 + m * m))); }
  return nb_with_sign_of(r, x);
}`,
  },
  // log(2x) past 4096, where t² would overflow on the way (acosh(1e19) was inf)
  nb_acosh: {
    uses: ["nb_log1p", "nb_log", "nb_nan"],
    source: `fn nb_acosh(x: f32) -> f32 {
  if (x < 1.0) { return nb_nan(); }
  if (x > 4096.0) { return nb_log(x) + 0.69314718055994531; }
  let t = x - 1.0;
  return nb_log1p(t + sqrt(2.0 * t + t * t));
}`,
  },
  // ½·log1p(2|x|/(1 − |x|)) with x's sign: for x near −1 the unsigned form took log1p of ≈ −1
  nb_atanh: {
    uses: ["nb_with_sign_of", "nb_log1p", "nb_nan"],
    source: `fn nb_atanh(x: f32) -> f32 {
  let m = abs(x);
  if (m > 1.0) { return nb_nan(); }
  let r = 0.5 * nb_log1p(2.0 * m / (1.0 - m));
  return nb_with_sign_of(r, x);
}`,
  },
  // e^(−a²) without a²'s rounding, which e^(−a²) turns into a relative error of a²·2⁻²⁴ (36 ulps
  // at 8.5): a = h + l with h of 12 significant bits, so h² is exact, and a² = h² + l(a + h)
  nb_exp_neg_square: {
    uses: ["nb_exp"],
    source: `fn nb_exp_neg_square(a: f32) -> f32 {
  let h = bitcast<f32>(bitcast<u32>(a) & 0xfffff000u);
  let l = a - h;
  return nb_exp(-h * h) * nb_exp(-l * (a + h));
}`,
  },
  // erfc(a) for a ≥ 2.5 by its continued fraction, from the tail (float32 needs far fewer terms than 120)
  nb_erfc_tail: {
    uses: ["nb_exp_neg_square"],
    source: `fn nb_erfc_tail(a: f32) -> f32 {
  var frac = a;
  for (var k = 40; k >= 1; k--) { frac = a + f32(k) * 0.5 / frac; }
  return nb_exp_neg_square(a) * 0.5641895835 / frac;
}`,
  },
  // erf(x) for |x| < 1 by its Taylor series, 2/√π·Σ (−1)ⁿx^(2n+1)/(n!(2n+1)), to n = 12 (the
  // next term is under 2⁻²⁸ of the sum); Horner in x². Beyond 1, 1 − erfc(x) is the accurate form
  nb_erf_series: {
    uses: [],
    source: `fn nb_erf_series(x: f32) -> f32 {
  let z = x * x;
  var p = 1.0 / 11975040000.0;
  p = fma(p, z, -1.0 / 918086400.0); p = fma(p, z, 1.0 / 76204800.0); p = fma(p, z, -1.0 / 6894720.0);
  p = fma(p, z, 1.0 / 685440.0); p = fma(p, z, -1.0 / 75600.0); p = fma(p, z, 1.0 / 9360.0);
  p = fma(p, z, -1.0 / 1320.0); p = fma(p, z, 1.0 / 216.0); p = fma(p, z, -1.0 / 42.0);
  p = fma(p, z, 1.0 / 10.0); p = fma(p, z, -1.0 / 3.0);
  return 1.1283791670955126 * fma(x * z, p, x);
}`,
  },
  // erfc(a) for a ≥ 0.5: the continued fraction from 2.5 on; below, erfc(2.5) + ∫ₐ^2.5 2/√π e^(−t²) dt
  // by 5-point Gauss–Legendre on 8 panels
  nb_erfc_positive: {
    uses: ["nb_erfc_tail", "nb_exp_neg_square"],
    source: `fn nb_erfc_positive(x: f32) -> f32 {
  if (x > 10.0) { return 0.0; }
  if (x >= 2.5) { return nb_erfc_tail(x); }
  var nodes = array<f32, 5>(-0.906179845938664, -0.5384693101056831, 0.0, 0.5384693101056831, 0.906179845938664);
  var weights = array<f32, 5>(0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665, 0.2369268850561891);
  let h = (2.5 - x) / 8.0;
  // summed per panel, then the panels, and scaled once: fewer roundings than one running sum
  var integral = 0.0;
  for (var p = 0; p < 8; p++) {
    let mid = x + (f32(p) + 0.5) * h;
    var panel = 0.0;
    for (var i = 0; i < 5; i++) { panel += weights[i] * nb_exp_neg_square(mid + nodes[i] * h * 0.5); }
    integral += panel;
  }
  return nb_erfc_tail(2.5) + 0.56418958354775628 * h * integral;
}`,
  },
  nb_erf: {
    uses: ["nb_isnan", "nb_erf_series", "nb_erfc_positive"],
    source: `fn nb_erf(x: f32) -> f32 {
  if (nb_isnan(x) || x == 0.0) { return x; } // erf(±0) = ±0
  let a = abs(x);
  let s = select(1.0, -1.0, x < 0.0);
  if (a >= 4.0) { return s; }
  if (a < 1.0) { return nb_erf_series(x); }
  return s * (1.0 - nb_erfc_positive(a));
}`,
  },
  // 1 − erf(x) only where erf(x) ≤ ½ (x < 0.5): 2 − erfc(−x) from −1 down
  nb_erfc: {
    uses: ["nb_isnan", "nb_erf_series", "nb_erfc_positive"],
    source: `fn nb_erfc(x: f32) -> f32 {
  if (nb_isnan(x)) { return x; }
  if (x >= 0.5) { return nb_erfc_positive(x); }
  if (x > -1.0) { return 1.0 - nb_erf_series(x); }
  if (x > -4.0) { return 2.0 - nb_erfc_positive(-x); }
  return 2.0;
}`,
  },
  // Φ(x), the standard normal's distribution function: ½·erfc(−x/√2) below 0, where ½(1 + erf(x/√2)) cancels
  nb_gelu_cdf: {
    uses: ["nb_erf", "nb_erfc"],
    source: `fn nb_gelu_cdf(x: f32) -> f32 {
  let t = x * 0.70710678118654752;
  if (x < 0.0) { return 0.5 * nb_erfc(-t); }
  return 0.5 * (1.0 + nb_erf(t));
}`,
  },
  // Giles' single-precision approximation and one Newton step: on erf(x) − y, or for |y| ≥ ½ on
  // (1 − |y|) − erfc(|x|), exact 1 − |y| (Sterbenz), where erf(x) − y cancels (1260 ulps at 0.9996)
  nb_erfinv: {
    uses: ["nb_isnan", "nb_nan", "nb_inf", "nb_erf", "nb_erfc", "nb_exp_neg_square"],
    source: `fn nb_erfinv(y: f32) -> f32 {
  if (nb_isnan(y) || y < -1.0 || y > 1.0) { return nb_nan(); }
  if (y == 1.0) { return nb_inf(); }
  if (y == -1.0) { return -nb_inf(); }
  if (y == 0.0) { return y; }
  var w = -log((1.0 - y) * (1.0 + y));
  var p: f32;
  if (w < 5.0) {
    w = w - 2.5;
    p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w; p = -3.5233877e-6 + p * w; p = -4.39150654e-6 + p * w; p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w; p = -0.00417768164 + p * w; p = 0.246640727 + p * w; p = 1.50140941 + p * w;
  } else {
    w = sqrt(w) - 3.0;
    p = -0.000200214257;
    p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w; p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w; p = 0.00943887047 + p * w; p = 1.00167406 + p * w; p = 2.83297682 + p * w;
  }
  var x = p * y;
  let m = abs(x);
  var err: f32;
  if (abs(y) >= 0.5) { err = select(1.0, -1.0, y < 0.0) * ((1.0 - abs(y)) - nb_erfc(m)); } else { err = nb_erf(x) - y; }
  x -= err / (1.1283791671 * nb_exp_neg_square(m));
  return x;
}`,
  },
  // ---- int32 (i32) kernels: the JS backend computes in float64 and stores with ToInt32 ----
  // ToInt32 of a float, as storing into an Int32Array: truncate, wrap modulo 2^32, NaN and ±inf to 0
  nb_to_i32: {
    uses: [],
    source: `fn nb_to_i32(x: f32) -> i32 {
  let bits = bitcast<u32>(x);
  let e = i32((bits >> 23u) & 0xffu) - 127;
  if (e < 0 || e == 128) { return 0; }
  if (e < 31) { return i32(trunc(x)); }
  if (e > 54) { return 0; }
  let low = i32(((bits & 0x7fffffu) | 0x800000u) << u32(e - 23));
  return select(low, -low, (bits & 0x80000000u) != 0u);
}`,
  },
  // a / b rounded toward zero; 0 for b = 0 (±inf or NaN in float64, which ToInt32 makes 0)
  nb_div_i32: { uses: [], source: "fn nb_div_i32(a: i32, b: i32) -> i32 { if (b == 0) { return 0; } return a / b; }" },
  // floor(a / b), Python's and PyTorch's floor division
  nb_floordiv_i32: {
    uses: [],
    source: `fn nb_floordiv_i32(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) { return q - 1; }
  return q;
}`,
  },
  nb_ceildiv_i32: {
    uses: [],
    source: `fn nb_ceildiv_i32(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let q = a / b;
  if (a % b != 0 && ((a < 0) == (b < 0))) { return q + 1; }
  return q;
}`,
  },
  // C's remainder (the dividend's sign); 0 for b = 0, as the JS kernel's NaN stored as int32
  nb_fmod_i32: { uses: [], source: "fn nb_fmod_i32(a: i32, b: i32) -> i32 { if (b == 0) { return 0; } return a % b; }" },
  // Python's remainder (the divisor's sign)
  nb_remainder_i32: {
    uses: ["nb_fmod_i32"],
    source: "fn nb_remainder_i32(a: i32, b: i32) -> i32 { let r = nb_fmod_i32(a, b); if (r != 0 && ((r < 0) != (b < 0))) { return r + b; } return r; }",
  },
  // exact powers by squaring, wrapping as PyTorch's; a negative exponent truncates a^b toward 0
  nb_pow_i32: {
    uses: [],
    source: `fn nb_pow_i32(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(1, -1, (b & 1) != 0); }
    return 0;
  }
  var result = 1;
  var base = a;
  var e = b;
  loop {
    if (e == 0) { break; }
    if ((e & 1) != 0) { result = result * base; }
    base = base * base;
    e = e >> 1u;
  }
  return result;
}`,
  },
};

/** The source of the named helpers and everything they call, each once, callees first. */
export function helperSource(names: Iterable<string>): string {
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    done.add(name);
    const helper = WGSL_HELPERS[name];
    if (helper === undefined) throw new Error(`webgpu: no WGSL helper ${name}`);
    for (const dep of helper.uses) visit(dep);
    out.push(helper.source);
  };
  for (const n of names) visit(n);
  return out.join("\n");
}
