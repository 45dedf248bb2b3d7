/** Weight initialisation, as torch.nn.init: every function fills a tensor in place and returns it. */
import { noGrad } from "../autograd/grad-mode.js";
import { OptionError, ShapeError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { defaultGenerator, type Generator } from "../tensor/random.js";
import { fromTypedArray } from "../ops/helpers.js";
import { normalFill } from "../tensor/sampling.js";

export type Nonlinearity = "linear" | "conv1d" | "conv2d" | "conv3d" | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

/** The recommended gain for a nonlinearity (PyTorch's calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "conv3d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope)); // Python's slope ** 2 is exactly slope·slope
    }
    case "selu":
      return 3 / 4;
    default:
      throw new OptionError(`calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/** fan_in and fan_out of a weight: [out, in, ...kernel] as in PyTorch. */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) {
    throw new ShapeError(`init: fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got ${t.ndim})`);
  }
  const receptive = t.shape.slice(2).reduce((p, s) => p * s, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

export function uniform_(t: Tensor, a = 0, b = 1, generator: Generator = defaultGenerator): Tensor {
  return noGrad(() => t.uniform_(a, b, generator));
}

export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  return noGrad(() => t.normal_(mean, std, generator));
}

export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (for leaky_relu). */
  a?: number;
  mode?: "fan_in" | "fan_out";
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

/**
 * U(−bound, bound) with bound = √3·gain/√fan, He et al. 2015; computed in PyTorch's order
 * (std = gain/√fan, then bound = √3·std) so the float bounds, and so the weights, are PyTorch's.
 */
export function kaimingUniform_(t: Tensor, { a = 0, mode = "fan_in", nonlinearity = "leaky_relu", generator }: KaimingOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const fan = mode === "fan_in" ? fanIn : fanOut;
  const std = calculateGain(nonlinearity, a) / Math.sqrt(fan);
  const bound = Math.sqrt(3) * std;
  return uniform_(t, -bound, bound, generator);
}

/** N(0, std²) with std = gain / √fan. */
export function kaimingNormal_(t: Tensor, { a = 0, mode = "fan_in", nonlinearity = "leaky_relu", generator }: KaimingOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const fan = mode === "fan_in" ? fanIn : fanOut;
  return normal_(t, 0, calculateGain(nonlinearity, a) / Math.sqrt(fan), generator);
}

/** U(−a, a) with a = √3·gain·√(2 / (fan_in + fan_out)), Glorot & Bengio 2010 (in PyTorch's order). */
export function xavierUniform_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  const a = Math.sqrt(3) * std;
  return uniform_(t, -a, a, generator);
}

export function xavierNormal_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

/**
 * A (semi-)orthogonal matrix, Saxe et al. 2013, as PyTorch's orthogonal_: the Q of the QR
 * decomposition of a standard normal [rows, numel/rows] matrix (drawn as PyTorch's normal_ draws
 * it in the tensor's dtype; transposed when wider than tall), with Q's columns signed so that R
 * has a positive diagonal, times `gain`. The QR is modified Gram–Schmidt in float64 (LAPACK's
 * Householder in PyTorch: the same Q, to rounding). Rows (or columns, whichever are fewer) come
 * out orthonormal: W·Wᵀ = gain²·I or Wᵀ·W = gain²·I.
 */
export function orthogonal_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  if (t.ndim < 2) throw new ShapeError(`orthogonal_: only tensors with 2 or more dimensions are supported, got shape [${t.shape.join(", ")}]`);
  const rows = t.shape[0]!;
  const cols = t.numel() / Math.max(rows, 1);
  if (rows === 0 || cols === 0) return t;
  const wide = rows < cols;
  const [m, n] = wide ? [cols, rows] : [rows, cols];
  // a: m×n column-major normal draws, orthonormalised in place by modified Gram–Schmidt.
  const flat = t.dtype === "float64" ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  normalFill(generator, flat, 0, 1);
  const q = new Float64Array(m * n);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) q[wide ? i * m + j : j * m + i] = flat[i * cols + j]!;
  for (let j = 0; j < n; j++) {
    const cj = j * m;
    for (let k = 0; k < j; k++) {
      const ck = k * m;
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[ck + i]! * q[cj + i]!;
      for (let i = 0; i < m; i++) q[cj + i] = q[cj + i]! - dot * q[ck + i]!;
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[cj + i]! * q[cj + i]!;
    norm = Math.sqrt(norm);
    // R's diagonal is this norm (positive), so no sign flip is needed after MGS.
    for (let i = 0; i < m; i++) q[cj + i] = norm > 0 ? q[cj + i]! / norm : 0;
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = gain * q[wide ? i * m + j : j * m + i]!;
  return noGrad(() => t.copy_(fromTypedArray(out, t.shape, "float64")));
}

/** Fills a [out, in] matrix with the identity (PyTorch's eye_): ones on the diagonal, zeros elsewhere. */
export function eye_(t: Tensor): Tensor {
  if (t.ndim !== 2) throw new ShapeError(`eye_: only 2-D tensors are supported, got shape [${t.shape.join(", ")}]`);
  const [r, c] = t.shape as [number, number];
  const out = new Float64Array(r * c);
  for (let i = 0; i < Math.min(r, c); i++) out[i * c + i] = 1;
  return noGrad(() => t.copy_(fromTypedArray(out, t.shape, "float64")));
}

/** N(mean, std²) truncated to [a, b] by redrawing values outside (PyTorch's trunc_normal_). */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, generator: Generator = defaultGenerator): Tensor {
  const out = new Float64Array(t.numel());
  for (let i = 0; i < out.length; i++) {
    let v: number;
    do v = mean + std * generator.nextNormal();
    while (v < a || v > b);
    out[i] = v;
  }
  return noGrad(() => t.copy_(fromTypedArray(out, t.shape, "float64")));
}

/**
 * The default of PyTorch's Linear and ConvNd reset_parameters: weight by kaiming_uniform with
 * a = √5 (so U(−1/√fanIn, 1/√fanIn)), bias by U(−1/√fanIn, 1/√fanIn).
 */
export function defaultLayerInit_(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
