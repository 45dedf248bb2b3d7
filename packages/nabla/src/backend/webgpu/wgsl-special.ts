/**
 * lgamma = ln|Γ(x)|, digamma = ψ(x) and trigamma = ψ′(x) in float32, one thread per element of a
 * contiguous float32 input: the algorithms of src/tensor/special-math.ts (fdlibm's lgamma, ATen's
 * digamma and trigamma), which the CPU runs in float64 and rounds once, here run in f32 with the
 * same coefficients (WGSL has no f64). `log`, `sin` and `tan` are the library's WGSL forms
 * (wgsl-math.ts: musl's logf, SLEEF's sin/tan), since WGSL's own are loose; NaN and ±inf are
 * tested by their bits. So the results carry a few float32 roundings where the CPU's carry one:
 * docs/PARITY.md gives the tolerance (relative, plus an absolute floor near lgamma's zeros at 1
 * and 2, where a relative bound cannot hold for any float32 evaluation).
 *
 * polygamma(n, x) for n ≥ 2 is (−1)^(n+1) n! ζ(n + 1, x), the Hurwitz zeta by Cephes' algorithm as
 * ATen's `zeta` (a direct sum, then the Euler–Maclaurin tail with the Bernoulli coefficients A[]);
 * in f32 as PyTorch's CUDA form (its acc_type for float on CUDA is float), where the CPU's runs in
 * float64; large x is rescaled so that results in float32's range do not flush to 0. The order
 * and the factor (−1)^(n+1) n! come in `info`.
 *
 * info (i32): [n, offset of x] (polygamma: then the order n, and (−1)^(n+1) n! as f32 bits).
 */
import { helperSource } from "./wgsl-math.js";
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

export type SpecialFunction = "lgamma" | "digamma" | "trigamma" | "polygamma";

const PI = "3.14159265358979323846";

/** ln|Γ(x)| (fdlibm's e_lgamma_r.c in f32: the ranges' thresholds as values instead of high words). */
const LGAMMA = `
fn nb_sin_pi_neg(x: f32) -> f32 {
  // sin(πx) for x < 0, reduced to a quarter period first (fdlibm's sin_pi)
  if (abs(x) < 0.25) { return nb_sin(${PI} * x); }
  var y = -x;
  if (floor(y) == y) { return 0.0; }
  y = 2.0 * (y * 0.5 - floor(y * 0.5));
  let n = i32(y * 4.0);
  var s: f32;
  switch (n) {
    case 0: { s = nb_sin(${PI} * y); }
    case 1, 2: { s = nb_cos(${PI} * (0.5 - y)); }
    case 3, 4: { s = nb_sin(${PI} * (1.0 - y)); }
    case 5, 6: { s = -nb_cos(${PI} * (y - 1.5)); }
    default: { s = nb_sin(${PI} * (y - 2.0)); }
  }
  return -s;
}
fn nb_lgamma_below2(x: f32) -> f32 {
  var r = 0.0;
  var y: f32;
  var i: i32;
  if (x < 0.9) {
    r = -nb_log(x);
    if (x >= 0.7315998) { y = 1.0 - x; i = 0; }
    else if (x >= 0.23163998) { y = x - (1.46163214496836224576 - 1.0); i = 1; }
    else { y = x; i = 2; }
  } else {
    if (x >= 1.7316313) { y = 2.0 - x; i = 0; }
    else if (x >= 1.2316322) { y = x - 1.46163214496836224576; i = 1; }
    else { y = x - 1.0; i = 2; }
  }
  if (i == 0) {
    let z = y * y;
    let p1 = 7.72156649015328655494e-2 + z * (6.73523010531292681824e-2 + z * (7.38555086081402883957e-3 + z * (1.19270763183362067845e-3 + z * (2.20862790713908385557e-4 + z * 2.52144565451257326939e-5))));
    let p2 = z * (3.22467033424113591611e-1 + z * (2.05808084325167332806e-2 + z * (2.89051383673415629091e-3 + z * (5.10069792153511336608e-4 + z * (1.08011567247583939954e-4 + z * 4.48640949618915160150e-5)))));
    return r + (y * p1 + p2 - 0.5 * y);
  }
  if (i == 1) {
    let z = y * y;
    let w = z * y;
    let p1 = 4.83836122723810047042e-1 + w * (-3.27885410759859649565e-2 + w * (6.10053870246291332635e-3 + w * (-1.40346469989232843813e-3 + w * 3.15632070903625950361e-4)));
    let p2 = -1.47587722994593911752e-1 + w * (1.79706750811820387126e-2 + w * (-3.68452016781138256760e-3 + w * (8.81081882437654011382e-4 + w * -3.12754168375120860518e-4)));
    let p3 = 6.46249402391333854778e-2 + w * (-1.03142241298341437450e-2 + w * (2.25964780900612472250e-3 + w * (-5.38595305356740546715e-4 + w * 3.35529192635519073543e-4)));
    return r + (-1.21486290535849611461e-1 + (z * p1 - (-3.63867699703950536541e-18 - w * (p2 + y * p3))));
  }
  let p1 = y * (-7.72156649015328655494e-2 + y * (6.32827064025093366517e-1 + y * (1.45492250137234768737 + y * (9.77717527963372745603e-1 + y * (2.28963728064692451092e-1 + y * 1.33810918536787660377e-2)))));
  let p2 = 1.0 + y * (2.45597793713041134822 + y * (2.12848976379893395361 + y * (7.69285150456672783825e-1 + y * (1.04222645593369134254e-1 + y * 3.21709242282423911810e-3))));
  return r + (-0.5 * y + p1 / p2);
}
fn nb_special(x0: f32) -> f32 {
  if (nb_isnan(x0)) { return x0; }
  if (nb_isinf(x0)) { return nb_inf(); }
  var x = x0;
  if (abs(x) < 8.470329472543003e-22) {
    if (x == 0.0) { return nb_inf(); }
    return -nb_log(abs(x));
  }
  var nadj = 0.0;
  var negative = false;
  if (x < 0.0) {
    // every float32 from 2^23 up is an integer: a pole
    if (x <= -8388608.0) { return nb_inf(); }
    let t = nb_sin_pi_neg(x);
    if (t == 0.0) { return nb_inf(); }
    nadj = nb_log(${PI} / abs(t * x));
    x = -x;
    negative = true;
  }
  var r: f32;
  if (x == 1.0 || x == 2.0) { r = 0.0; }
  else if (x < 2.0) { r = nb_lgamma_below2(x); }
  else if (x < 8.0) {
    let i = i32(x);
    let y = x - f32(i);
    let p = y * (-7.72156649015328655494e-2 + y * (2.14982415960608852501e-1 + y * (3.25778796408930981787e-1 + y * (1.46350472652464452805e-1 + y * (2.66422703033638609560e-2 + y * (1.84028451407337715652e-3 + y * 3.19475326584100867617e-5))))));
    let q = 1.0 + y * (1.39200533467621045958 + y * (7.21935547567138069525e-1 + y * (1.71933865632803078993e-1 + y * (1.86459191715652901344e-2 + y * (7.77942496381893596434e-4 + y * 7.32668430744625636189e-6)))));
    r = 0.5 * y + p / q;
    var z = 1.0;
    for (var k = i; k >= 3; k--) { z *= y + f32(k - 1); }
    if (i >= 3) { r += nb_log(z); }
  } else if (x < 2.8823037615171174e17) {
    let t = nb_log(x);
    let z = 1.0 / x;
    let y = z * z;
    let w = 4.18938533204672725052e-1 + z * (8.33333333333329678849e-2 + y * (-2.77777777728775536470e-3 + y * (7.93650558643019558500e-4 + y * (-5.95187557450339963135e-4 + y * (8.36339918996282139126e-4 + y * -1.63092934096575273989e-3)))));
    r = (x - 0.5) * (t - 1.0) + w;
  } else { r = x * (nb_log(x) - 1.0); }
  return select(r, nadj - r, negative);
}`;

/** ψ(x): ATen's calc_digamma, the reflection done first (not by recursion) for x < 0. */
const DIGAMMA = `
fn nb_special(x0: f32) -> f32 {
  var x = x0;
  if (x == 0.0) { return select(-nb_inf(), nb_inf(), (bitcast<u32>(x) & 0x80000000u) != 0u); }
  if (nb_isnan(x)) { return x; }
  var result = 0.0;
  if (x < 0.0) {
    if (x == trunc(x)) { return nb_nan(); }
    if (nb_isinf(x)) { return nb_nan(); }
    // tan(πr) is more accurate than tan(πx); its period is 1, so r is taken into [−½, ½] (exactly),
    // where the f32 product πr has no cancellation near π to lose (the CPU's float64 has none to lose)
    var r = x - trunc(x);
    if (r < -0.5) { r += 1.0; }
    result = -${PI} / nb_tan(${PI} * r);
    x = 1.0 - x;
  }
  if (nb_isinf(x)) { return x; }
  loop {
    if (x >= 10.0) { break; }
    result -= 1.0 / x;
    x += 1.0;
  }
  if (x == 10.0) { return result + 2.25175258906672110764; }
  var y = 0.0;
  if (x < 1e17) {
    let z = 1.0 / (x * x);
    let p = ((((((8.33333333333333333333e-2 * z - 2.10927960927960927961e-2) * z + 7.57575757575757575758e-3) * z - 4.16666666666666666667e-3) * z + 3.96825396825396825397e-3) * z - 8.33333333333333333333e-3) * z + 8.33333333333333333333e-2);
    y = z * p;
  }
  return result + nb_log(x) - 0.5 / x - y;
}`;

/** ψ′(x): ATen's trigamma (reflection below ½, six steps of the recurrence, the asymptotic series). */
const TRIGAMMA = `
fn nb_special(x0: f32) -> f32 {
  var x = x0;
  if (nb_isnan(x)) { return x; }
  var sign = 1.0;
  var result = 0.0;
  if (x < 0.5) {
    sign = -1.0;
    // sin² has period 1: the argument taken into [−½, ½] exactly keeps πr accurate in f32
    let s = nb_sin(${PI} * (x - round(x)));
    result -= (${PI} * ${PI}) / (s * s);
    x = 1.0 - x;
  }
  for (var i = 0; i < 6; i++) {
    result += 1.0 / (x * x);
    x += 1.0;
  }
  let ixx = 1.0 / (x * x);
  result += (1.0 + 1.0 / (2.0 * x) + ixx * (1.0 / 6.0 - ixx * (1.0 / 30.0 - ixx * (1.0 / 42.0)))) / x;
  return sign * result;
}`;

/**
 * (−1)^(n+1) n! ζ(s, q) for an integer order s = n + 1 ≥ 3: ATen's zeta (Cephes; MACHEP is its
 * double constant, as in its CUDA float form). The powers (k + q)^−s are exact integer powers by
 * squaring (WGSL's pow is exp2(y·log2 x), whose error grows with the exponent). Where q^−s nears
 * float32's underflow (large q), every term is scaled by q^s (the terms become (q/(k + q))^s, the
 * sum's tests are scale-free) and q^−s is applied at the end in two halves, after the factor: a
 * result in float32's range stays there, where the unscaled sum (PyTorch's CUDA float kernel)
 * flushes its terms to 0.
 */
const POLYGAMMA = `
fn nb_pow_neg(a: f32, s: i32) -> f32 {
  var base = a;
  var e = s;
  var p = 1.0;
  loop {
    if ((e & 1) != 0) { p *= base; }
    e = e >> 1u;
    if (e == 0) { break; }
    base *= base;
  }
  return 1.0 / p;
}
fn nb_polygamma(s: i32, q: f32, factor: f32) -> f32 {
  let MACHEP = 1.11022302462515654042e-16;
  var A = array<f32, 12>(12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
    -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18);
  let x = f32(s);
  if (q <= 0.0 && q == floor(q)) { return factor * nb_inf(); }
  let scaled = q > 1.0 && nb_pow_neg(q, s) < 1e-30;
  let unit = select(1.0, q, scaled);
  var sum = nb_pow_neg(q / unit, s);
  var a = q;
  var b = 0.0;
  var i = 0;
  var done = false;
  // every f32 from 2^23 up is an integer (a pole, above): a += 1 always moves a here
  loop {
    if (!(i < 9 || a <= 9.0)) { break; }
    i += 1;
    a += 1.0;
    b = nb_pow_neg(a / unit, s);
    sum += b;
    if (-MACHEP * sum < b && b < MACHEP * sum) { done = true; break; }
  }
  if (!done) {
    let w = a;
    sum += b * w / (x - 1.0);
    sum -= 0.5 * b;
    var f = 1.0;
    var k = 0.0;
    for (var j = 0; j < 12; j++) {
      f *= x + k;
      b /= w;
      let t = f * b / A[j];
      sum += t;
      if (abs(t / sum) < MACHEP) { break; }
      k += 1.0;
      f *= x + k;
      b /= w;
      k += 1.0;
    }
  }
  if (!scaled) { return factor * sum; }
  let half = s / 2;
  return sum * nb_pow_neg(q, half) * factor * nb_pow_neg(q, s - half);
}
fn nb_special(x: f32) -> f32 {
  return nb_polygamma(info[2] + 1, x, bitcast<f32>(info[3]));
}`;

const BODIES: Record<SpecialFunction, { code: string; helpers: string[] }> = {
  lgamma: { code: LGAMMA, helpers: ["nb_isnan", "nb_isinf", "nb_inf", "nb_log", "nb_sin", "nb_cos"] },
  digamma: { code: DIGAMMA, helpers: ["nb_isnan", "nb_isinf", "nb_inf", "nb_nan", "nb_log", "nb_tan"] },
  trigamma: { code: TRIGAMMA, helpers: ["nb_isnan", "nb_sin"] },
  polygamma: { code: POLYGAMMA, helpers: ["nb_inf"] },
};

export function specialShader(fn: SpecialFunction): string {
  const { code, helpers } = BODIES[fn];
  return `${helperSource(helpers)}
${code}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let t = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  if (t >= info[0]) { return; }
  out[t] = nb_special(x[info[1] + t]);
}
`;
}
