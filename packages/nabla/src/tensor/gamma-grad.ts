/**
 * The reparameterised gradients of Gamma and Dirichlet (Beta) samples, ported from ATen's
 * Distributions.h (Jankowiak & Obermeyer 2018): for x ~ Gamma(α), dx/dα = −(∂F/∂α)/f at x,
 * by a Taylor series for small x, Rice's saddle point expansion for large α, and a bivariate
 * rational fit elsewhere; for Beta/Dirichlet the analogous approximations. All in float64, as
 * PyTorch's CPU kernels compute them (accscalar_t = double).
 */
/** ATen's digamma_one (Cephes): the digamma its gradient approximations use. */
function digammaOne(x: number): number {
  const PSI_10 = 2.25175258906672110764;
  if (x === 0) return Infinity;
  let additional = 0;
  const isInteger = x === Math.floor(x);
  if (x < 0) {
    if (isInteger) return Infinity;
    additional = -Math.PI / Math.tan(Math.PI * x);
    x = 1 - x;
  }
  let result = 0;
  while (x < 10) {
    result -= 1 / x;
    x += 1;
  }
  if (x === 10) return result + PSI_10 + additional;
  const A = [
    8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3, -4.16666666666666666667e-3,
    3.96825396825396825397e-3, -8.33333333333333333333e-3, 8.33333333333333333333e-2,
  ];
  let y = 0;
  if (x < 1.0e17) {
    const z = 1.0 / (x * x);
    let p = 0;
    for (const a of A) p = p * z + a;
    y = z * p;
  }
  return result + Math.log(x) - 0.5 / x - y + additional;
}

const COEF_UV = [
  [0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084],
  [0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
  [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-7],
];

/** dx/dα for x ~ Gamma(α, 1): ATen's standard_gamma_grad_one. */
export function standardGammaGrad(alpha: number, x: number): number {
  if (x < 0.8) {
    // Taylor series of the incomplete gamma function in x
    let numer = 1;
    let denom = alpha;
    let series1 = numer / denom;
    let series2 = numer / (denom * denom);
    for (let i = 1; i <= 5; i++) {
      numer *= -x / i;
      denom += 1;
      series1 += numer / denom;
      series2 += numer / (denom * denom);
    }
    const powXAlpha = Math.pow(x, alpha);
    const gammaPdf = Math.pow(x, alpha - 1) * Math.exp(-x);
    const gammaCdf = powXAlpha * series1;
    const gammaCdfAlpha = (Math.log(x) - digammaOne(alpha)) * gammaCdf - powXAlpha * series2;
    const result = -gammaCdfAlpha / gammaPdf;
    return Number.isNaN(result) ? 0 : result;
  }
  if (alpha > 8) {
    // Rice's saddle point expansion for large α
    if (0.9 * alpha <= x && x <= 1.1 * alpha) {
      const numer1 = 1 + 24 * alpha * (1 + 12 * alpha);
      const numer2 = 1440 * (alpha * alpha) + 6 * x * (53 - 120 * x) - (65 * x * x) / alpha + alpha * (107 + 3600 * x);
      const denom = 1244160 * (alpha * alpha) * (alpha * alpha);
      return (numer1 * numer2) / denom;
    }
    const denom = Math.sqrt(8 * alpha);
    const term2 = denom / (alpha - x);
    const term3 = Math.pow(x - alpha - alpha * Math.log(x / alpha), -1.5);
    const term23 = x < alpha ? term2 - term3 : term2 + term3;
    const term1 = Math.log(x / alpha) * term23 - (Math.sqrt(2 / alpha) * (alpha + x)) / ((alpha - x) * (alpha - x));
    const stirling = 1 + (1 / (12 * alpha)) * (1 + 1 / (24 * alpha));
    const numer = x * term1;
    return (-stirling * numer) / denom;
  }
  // a bivariate rational approximation in u = ln(x/α), v = ln α
  const u = Math.log(x / alpha);
  const v = Math.log(alpha);
  const c = Array.from({ length: 8 }, (_, i) => COEF_UV[0]![i]! + u * (COEF_UV[1]![i]! + u * COEF_UV[2]![i]!));
  const p = c[0]! + v * (c[1]! + v * (c[2]! + v * c[3]!));
  const q = c[4]! + v * (c[5]! + v * (c[6]! + v * c[7]!));
  return Math.exp(p / q);
}

/** Beta(α, β)'s dx/dα for x near 0 (Taylor series). */
function betaGradAlphaSmall(x: number, alpha: number, beta: number): number {
  const factor = digammaOne(alpha) - digammaOne(alpha + beta) - Math.log(x);
  let numer = 1;
  let series = (numer / alpha) * (factor + 1 / alpha);
  for (let i = 1; i <= 10; i++) {
    numer *= ((i - beta) * x) / i;
    const denom = alpha + i;
    series += (numer / denom) * (factor + 1 / denom);
  }
  const result = x * Math.pow(1 - x, -beta) * series;
  return Number.isNaN(result) ? 0 : result;
}

/** Beta(α, β)'s dx/dβ for x near 0 (Taylor series). */
function betaGradBetaSmall(x: number, alpha: number, beta: number): number {
  const factor = digammaOne(alpha + beta) - digammaOne(beta);
  let numer = 1;
  let betas = 1;
  let dbetas = 0;
  let series = factor / alpha;
  for (let i = 1; i <= 8; i++) {
    numer *= -x / i;
    dbetas = dbetas * (beta - i) + betas;
    betas = betas * (beta - i);
    series += (numer / (alpha + i)) * (dbetas + factor * betas);
  }
  const result = -Math.pow(1 - x, 1 - beta) * series;
  return Number.isNaN(result) ? 0 : result;
}

/** Beta(α, β)'s dx/dα for large α and β (Rice's saddle point expansion). */
function betaGradAlphaMid(x: number, alpha: number, beta: number): number {
  const total = alpha + beta;
  const mean = alpha / total;
  const std = Math.sqrt((alpha * beta) / (total + 1)) / total;
  if (mean - 0.1 * std <= x && x <= mean + 0.1 * std) {
    // avoid the singularity at x = mean
    const poly =
      47 * x * (beta * beta) * (beta * beta) +
      alpha *
        ((43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta +
          alpha * (3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * ((453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (8 * (1 - x) * (135 * beta - 11)))));
    const prefactorNum = ((1 + 12 * alpha) * (1 + 12 * beta)) / (total * total);
    const prefactorDen = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total);
    return ((prefactorNum / (1 - x)) * poly) / prefactorDen;
  }
  const prefactor = -x / Math.sqrt((2 * alpha * beta) / total);
  const stirling =
    ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha)) * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))) /
    (1 + 1 / (12 * total) + 1 / (288 * total * total));
  const term1Num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta);
  const axbx = alpha * (x - 1) + beta * x;
  const term1Den = Math.sqrt((2 * alpha) / beta) * Math.pow(total, 1.5) * axbx * axbx;
  const term1 = term1Num / term1Den;
  const term2 = 0.5 * Math.log(alpha / (total * x));
  const term3Num = Math.sqrt((8 * alpha * beta) / total);
  const term3Den = beta * x + alpha * (x - 1);
  const term3 = term3Num / term3Den;
  const term4Base = beta * Math.log(beta / (total * (1 - x))) + alpha * Math.log(alpha / (total * x));
  const term4 = Math.pow(term4Base, -1.5);
  const term1234 = term1 + term2 * (term3 + (x < mean ? term4 : -term4));
  return stirling * prefactor * term1234;
}

const DIRICHLET_C = [
  [
    [[1.003668233, -0.01061107488, -0.0657888334, 0.01201642863], [0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033], [-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013]],
    [[0.221950385, -0.3187676331, 0.01799915743, 0.01074823814], [-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057], [0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-5]],
    [[-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565], [0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181], [0.005900514878, -0.001936558688, -9.495446725e-6, 5.385558597e-5]],
  ],
  [
    [[1, -0.02924021934, -0.04438342661, 0.007285809825], [0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521], [-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149]],
    [[0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273], [0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956], [-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-5]],
    [[0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-5], [0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-5], [-0.0003477407336, 6.959756487e-5, 1.097287507e-5, -1.650964693e-6]],
  ],
];

/**
 * ATen's dirichlet_grad_one: for x the first coordinate of a Dirichlet sample with
 * concentration α in it and `total` summed over all, −(∂F/∂α)/f / (1 − x), i.e. the gradient
 * of a Beta(α, total − α) sample.
 */
export function dirichletGrad(x: number, alpha: number, total: number): number {
  const beta = total - alpha;
  const boundary = total * x * (1 - x);
  if (x <= 0.5 && boundary < 2.5) return betaGradAlphaSmall(x, alpha, beta);
  if (x >= 0.5 && boundary < 0.75) return -betaGradBetaSmall(1 - x, beta, alpha);
  if (alpha > 6 && beta > 6) return betaGradAlphaMid(x, alpha, beta);
  const u = Math.log(x);
  const a = Math.log(alpha) - u;
  const b = Math.log(total) - a;
  const powU = [1, u, u * u];
  const powA = [1, a, a * a];
  let p = 0;
  let q = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const ua = powU[i]! * powA[j]!;
      const cp = DIRICHLET_C[0]![i]![j]!;
      const cq = DIRICHLET_C[1]![i]![j]!;
      p += ua * (cp[0]! + b * (cp[1]! + b * (cp[2]! + b * cp[3]!)));
      q += ua * (cq[0]! + b * (cq[1]! + b * (cq[2]! + b * cq[3]!)));
    }
  }
  const approx = (x * (digammaOne(total) - digammaOne(alpha))) / beta;
  return (p / q) * approx;
}
