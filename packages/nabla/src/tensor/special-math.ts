/**
 * Special functions on plain numbers, as the C library and ATen compute them: ln|Γ| (fdlibm's
 * e_lgamma_r.c, which glibc's lgamma is for x > −2), and ATen's Cephes-derived digamma,
 * trigamma and Hurwitz zeta (ATen/native/Math.h), from which polygamma is made. The tensor ops
 * (src/ops/special.ts) and the samplers (sampling.ts) call these.
 */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** The high 32 bits of a double, sign cleared (fdlibm compares these against thresholds). */
function highWord(x: number): number {
  f64[0] = x;
  return u32[1]! & 0x7fffffff;
}

const A = [
  7.72156649015328655494e-2, 3.22467033424113591611e-1, 6.73523010531292681824e-2, 2.05808084325167332806e-2,
  7.38555086081402883957e-3, 2.89051383673415629091e-3, 1.19270763183362067845e-3, 5.10069792153511336608e-4,
  2.20862790713908385557e-4, 1.08011567247583939954e-4, 2.52144565451257326939e-5, 4.48640949618915160150e-5,
];
const TC = 1.46163214496836224576e0;
const TF = -1.21486290535849611461e-1;
const TT = -3.63867699703950536541e-18;
const T = [
  4.83836122723810047042e-1, -1.47587722994593911752e-1, 6.46249402391333854778e-2, -3.27885410759859649565e-2,
  1.79706750811820387126e-2, -1.03142241298341437450e-2, 6.10053870246291332635e-3, -3.68452016781138256760e-3,
  2.25964780900612472250e-3, -1.40346469989232843813e-3, 8.81081882437654011382e-4, -5.38595305356740546715e-4,
  3.15632070903625950361e-4, -3.12754168375120860518e-4, 3.35529192635519073543e-4,
];
const U = [
  -7.72156649015328655494e-2, 6.32827064025093366517e-1, 1.45492250137234768737e0, 9.77717527963372745603e-1,
  2.28963728064692451092e-1, 1.33810918536787660377e-2,
];
const V = [1, 2.45597793713041134822e0, 2.12848976379893395361e0, 7.69285150456672783825e-1, 1.04222645593369134254e-1, 3.21709242282423911810e-3];
const S = [
  -7.72156649015328655494e-2, 2.14982415960608852501e-1, 3.25778796408930981787e-1, 1.46350472652464452805e-1,
  2.66422703033638609560e-2, 1.84028451407337715652e-3, 3.19475326584100867617e-5,
];
const R = [1, 1.39200533467621045958e0, 7.21935547567138069525e-1, 1.71933865632803078993e-1, 1.86459191715652901344e-2, 7.77942496381893596434e-4, 7.32668430744625636189e-6];
const W = [
  4.18938533204672725052e-1, 8.33333333333329678849e-2, -2.77777777728775536470e-3, 7.93650558643019558500e-4,
  -5.95187557450339963135e-4, 8.36339918996282139126e-4, -1.63092934096575273989e-3,
];

/** sin(πx) for x < 0, reduced to a quarter period first (fdlibm's sin_pi). */
function sinPi(x: number): number {
  if (highWord(x) < 0x3fd00000) return Math.sin(Math.PI * x);
  let y = -x;
  let n: number;
  if (Math.floor(y) !== y) {
    y = 2 * (y * 0.5 - Math.floor(y * 0.5)); // |x| mod 2
    n = Math.trunc(y * 4);
  } else {
    return 0; // an integer: a pole of Γ
  }
  switch (n) {
    case 0:
      y = Math.sin(Math.PI * y);
      break;
    case 1:
    case 2:
      y = Math.cos(Math.PI * (0.5 - y));
      break;
    case 3:
    case 4:
      y = Math.sin(Math.PI * (1 - y));
      break;
    case 5:
    case 6:
      y = -Math.cos(Math.PI * (y - 1.5));
      break;
    default:
      y = Math.sin(Math.PI * (y - 2));
  }
  return -y;
}

/** ln|Γ(x)| in float64 (fdlibm's lgamma; glibc uses the same code for x > −2). */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return Infinity;
  const ix = highWord(x);
  if (ix < 0x3b900000) return x === 0 ? Infinity : -Math.log(Math.abs(x)); // |x| < 2^−70
  let nadj = 0;
  let negative = false;
  if (x < 0) {
    if (ix >= 0x43300000) return Infinity; // |x| ≥ 2^52: a negative integer
    const t = sinPi(x);
    if (t === 0) return Infinity;
    nadj = Math.log(Math.PI / Math.abs(t * x));
    x = -x;
    negative = true;
  }
  let r: number;
  if (x === 1 || x === 2) r = 0;
  else if (ix < 0x40000000) r = lgammaBelow2(x, ix);
  else if (ix < 0x40200000) {
    // 2 ≤ x < 8: ln Γ(2 + y) by a rational function, then ln Γ(x) = ln Γ(2 + y) + ln((y+2)…(y+i−1))
    const i = Math.trunc(x);
    const y = x - i;
    const p = y * (S[0]! + y * (S[1]! + y * (S[2]! + y * (S[3]! + y * (S[4]! + y * (S[5]! + y * S[6]!))))));
    const q = 1 + y * (R[1]! + y * (R[2]! + y * (R[3]! + y * (R[4]! + y * (R[5]! + y * R[6]!)))));
    r = 0.5 * y + p / q;
    let z = 1;
    for (let k = i; k >= 3; k--) z *= y + (k - 1);
    if (i >= 3) r += Math.log(z);
  } else if (ix < 0x43900000) {
    // 8 ≤ x < 2^58: Stirling's series
    const t = Math.log(x);
    const z = 1 / x;
    const y = z * z;
    const w = W[0]! + z * (W[1]! + y * (W[2]! + y * (W[3]! + y * (W[4]! + y * (W[5]! + y * W[6]!)))));
    r = (x - 0.5) * (t - 1) + w;
  } else r = x * (Math.log(x) - 1);
  return negative ? nadj - r : r;
}

/** ln Γ(x) for 0 < x < 2 (x ≠ 1): around the minimum at tc, or around 1 or 2. */
function lgammaBelow2(x: number, ix: number): number {
  let r: number;
  let y: number;
  let i: number;
  if (ix <= 0x3feccccc) {
    // ln Γ(x) = ln Γ(x + 1) − ln x
    r = -Math.log(x);
    if (ix >= 0x3fe76944) [y, i] = [1 - x, 0];
    else if (ix >= 0x3fcda661) [y, i] = [x - (TC - 1), 1];
    else [y, i] = [x, 2];
  } else {
    r = 0;
    if (ix >= 0x3ffbb4c3) [y, i] = [2 - x, 0];
    else if (ix >= 0x3ff3b4c4) [y, i] = [x - TC, 1];
    else [y, i] = [x - 1, 2];
  }
  if (i === 0) {
    const z = y * y;
    const p1 = A[0]! + z * (A[2]! + z * (A[4]! + z * (A[6]! + z * (A[8]! + z * A[10]!))));
    const p2 = z * (A[1]! + z * (A[3]! + z * (A[5]! + z * (A[7]! + z * (A[9]! + z * A[11]!)))));
    return r + (y * p1 + p2 - 0.5 * y);
  }
  if (i === 1) {
    const z = y * y;
    const w = z * y;
    const p1 = T[0]! + w * (T[3]! + w * (T[6]! + w * (T[9]! + w * T[12]!)));
    const p2 = T[1]! + w * (T[4]! + w * (T[7]! + w * (T[10]! + w * T[13]!)));
    const p3 = T[2]! + w * (T[5]! + w * (T[8]! + w * (T[11]! + w * T[14]!)));
    return r + (TF + (z * p1 - (TT - w * (p2 + y * p3))));
  }
  const p1 = y * (U[0]! + y * (U[1]! + y * (U[2]! + y * (U[3]! + y * (U[4]! + y * U[5]!)))));
  const p2 = 1 + y * (V[1]! + y * (V[2]! + y * (V[3]! + y * (V[4]! + y * V[5]!))));
  return r + (-0.5 * y + p1 / p2);
}

const PSI_10 = 2.25175258906672110764;
const DIGAMMA_A = [
  8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3, -4.16666666666666666667e-3,
  3.96825396825396825397e-3, -8.33333333333333333333e-3, 8.33333333333333333333e-2,
];

/** ψ(x) = d/dx ln Γ(x), ATen's calc_digamma: recurrence up to x ≥ 10, then the asymptotic series. */
export function digamma(x: number): number {
  if (x === 0) return Object.is(x, -0) ? Infinity : -Infinity;
  if (x < 0) {
    if (x === Math.trunc(x)) return NaN;
    const r = x - Math.trunc(x); // tan(πr) is more accurate than tan(πx)
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * r);
  }
  let result = 0;
  while (x < 10) {
    result -= 1 / x;
    x += 1;
  }
  if (x === 10) return result + PSI_10;
  let y = 0;
  if (x < 1e17) {
    const z = 1 / (x * x);
    let p = 0;
    for (const a of DIGAMMA_A) p = p * z + a;
    y = z * p;
  }
  return result + Math.log(x) - 0.5 / x - y;
}

/** ψ′(x), ATen's trigamma: reflection below ½, six steps of the recurrence, then the asymptotic series. */
export function trigamma(x: number): number {
  let sign = 1;
  let result = 0;
  if (x < 0.5) {
    sign = -1;
    const sinPiX = Math.sin(Math.PI * x);
    result -= (Math.PI * Math.PI) / (sinPiX * sinPiX);
    x = 1 - x;
  }
  for (let i = 0; i < 6; i++) {
    result += 1 / (x * x);
    x += 1;
  }
  const ixx = 1 / (x * x);
  result += (1 + 1 / (2 * x) + ixx * (1 / 6 - ixx * (1 / 30 - ixx * (1 / 42)))) / x;
  return sign * result;
}

const MACHEP = 1.11022302462515654042e-16;
const ZETA_A = [
  12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10, -2.950130727918164224e12,
  1.1646782814350067249e14, -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18,
];

/** The Hurwitz zeta function ζ(x, q) = Σₖ (k + q)^−x (Cephes, as ATen's zeta): direct sum, then Euler–Maclaurin. */
export function zeta(x: number, q: number): number {
  if (x === 1) return Infinity;
  if (x < 1) return NaN;
  if (q <= 0) {
    if (q === Math.floor(q)) return Infinity;
    if (x !== Math.floor(x)) return NaN;
  }
  let s = Math.pow(q, -x);
  let a = q;
  let i = 0;
  let b = 0;
  while (i < 9 || a <= 9) {
    i += 1;
    a += 1;
    b = Math.pow(a, -x);
    s += b;
    if (-MACHEP * s < b && b < MACHEP * s) return s;
  }
  const w = a;
  s += (b * w) / (x - 1);
  s -= 0.5 * b;
  a = 1;
  let k = 0;
  for (let j = 0; j < 12; j++) {
    a *= x + k;
    b /= w;
    let t = (a * b) / ZETA_A[j]!;
    s += t;
    t = Math.abs(t / s);
    if (t < MACHEP) return s;
    k += 1;
    a *= x + k;
    b /= w;
    k += 1;
  }
  return s;
}

/** ψ⁽ⁿ⁾(x): digamma for n = 0, trigamma for n = 1, (−1)^(n+1) n! ζ(n + 1, x) beyond (ATen's calc_polygamma). */
export function polygamma(n: number, x: number): number {
  if (n === 0) return digamma(x);
  if (n === 1) return trigamma(x);
  return (n % 2 ? 1 : -1) * Math.exp(lgamma(n + 1)) * zeta(n + 1, x);
}
