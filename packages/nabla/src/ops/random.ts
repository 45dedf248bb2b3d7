/**
 * Random ops that take tensors: in-place fills (uniform_, normal_, bernoulli_, exponential_),
 * bernoulli, multinomial, normal with tensor mean/std, and poisson. Each draws what PyTorch's CPU
 * kernel draws in the order it draws it (sampling.ts), so the same seed gives the same samples;
 * uniform_ and normal_ on a webgpu tensor draw on the device instead (random-device.ts).
 */
import { DTypeError, OptionError, ShapeError, formatShape } from "../errors.js";
import { isFloating, type DType, type TypedArray } from "../tensor/dtype.js";
import { defaultGenerator, type Generator } from "../tensor/random.js";
import {
  bernoulliScalarFill,
  bernoulliTensorFill,
  exponentialFill,
  multinomialRowWithReplacement,
  normalFill,
  samplePoisson,
  uniformFill,
} from "../tensor/sampling.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { webgpuContext } from "../backend/device.js";
import { BERNOULLI_SHADER, EXPONENTIAL_RACE_SHADER, MULTINOMIAL_REPLACEMENT_SHADER, deviceSeed } from "../backend/webgpu/wgsl-random.js";
import { add, mul, toDType } from "./elementwise.js";
import { emptyTensor, resultTensor } from "./helpers.js";
import { drawOnDevice, drawsOnDevice } from "./random-device.js";
import { deviceRandom } from "../backend/webgpu/wgsl-philox.js";
import { sum } from "./reduce.js";
import { contiguous, expand, isContiguous, reshape } from "./shape.js";
import { noGrad } from "../autograd/grad-mode.js";
import { kernelDevice } from "../backend/device.js";
import { toDevice } from "../tensor/transfer.js";
import { checkOptions, optionKeys } from "./options.js";

type FloatArray = Float32Array | Float64Array;

/**
 * The order in which PyTorch's TensorIterator visits the elements of a non-contiguous `t`:
 * memory order (a transposed view is filled along its storage), as logical indices; null for a
 * contiguous tensor, which is visited in logical order.
 */
function iterationOrder(t: Tensor): Int32Array | null {
  if (isContiguous(t)) return null;
  const n = t.numel();
  const offsets = new Float64Array(n);
  const index = new Int32Array(t.ndim);
  for (let k = 0; k < n; k++) {
    let off = 0;
    for (let d = 0; d < t.ndim; d++) off += index[d]! * t.strides[d]!;
    offsets[k] = off;
    for (let d = t.ndim - 1; d >= 0; d--) {
      if (++index[d]! < t.shape[d]!) break;
      index[d] = 0;
    }
  }
  return Int32Array.from({ length: n }, (_, k) => k).sort((a, b) => offsets[a]! - offsets[b]!);
}

/**
 * Values for every element of `t`, drawn in PyTorch's iteration order and returned as a
 * contiguous tensor in t's logical order, ready for `t.copy_`. `draw` fills its array in
 * iteration order; `order` maps iteration position to logical index (null: the same).
 */
export function drawFor(t: Tensor, draw: (out: TypedArray, order: Int32Array | null) => void): Tensor {
  const out = resultTensor(t.shape, t.dtype);
  const data = out.storage.data;
  const order = iterationOrder(t);
  if (order === null) {
    draw(data, null);
    return out;
  }
  const drawn = data.slice();
  draw(drawn, order);
  order.forEach((logical, k) => (data[logical] = drawn[k]!));
  return out;
}

function requireFloatingTensor(op: string, t: Tensor): void {
  if (!isFloating(t.dtype)) throw new DTypeError(`${op}: expected a floating point tensor (float32 or float64), got ${t.dtype}`);
}

function checkFinite(op: string, name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new OptionError(`${op}: expected ${name} to be a finite number, got ${String(value)}`);
}

/** Values for uniform_(low, high) on t. */
export function uniformValues(t: Tensor, low: number, high: number, generator: Generator): Tensor {
  requireFloatingTensor("uniform_", t);
  checkFinite("uniform_", "from", low);
  checkFinite("uniform_", "to", high);
  if (low > high) throw new OptionError(`uniform_: expects to return a [from, to) range, but found from=${low} > to=${high}`);
  if (drawsOnDevice(t.storage.device, t.dtype)) return drawOnDevice("uniform_", t.shape, t.storage.device, "uniform", low, high, generator);
  return drawFor(t, (out) => uniformFill(generator, out as FloatArray, low, high));
}

/** Values for normal_(mean, std) on t. */
export function normalValues(t: Tensor, mean: number, std: number, generator: Generator): Tensor {
  requireFloatingTensor("normal_", t);
  checkFinite("normal_", "mean", mean);
  if (!(std >= 0)) throw new OptionError(`normal_: expects std >= 0.0, but found std ${std}`);
  if (drawsOnDevice(t.storage.device, t.dtype)) return drawOnDevice("normal_", t.shape, t.storage.device, "normal", mean, std, generator);
  return drawFor(t, (out, order) => normalFill(generator, out as FloatArray, mean, std, order === null));
}

/** Values for bernoulli_(p) on t: p a probability, or a tensor of them broadcast to t's shape. */
export function bernoulliValues(t: Tensor, p: number | Tensor, generator: Generator): Tensor {
  if (p instanceof Tensor) {
    requireFloatingTensor("bernoulli_", p);
    if (p.ndim > t.ndim || p.shape.some((s, i) => s !== 1 && s !== t.shape[t.ndim - p.ndim + i])) {
      throw new ShapeError(`bernoulli_: the probabilities of shape ${formatShape(p.shape)} cannot be expanded to the tensor's shape ${formatShape(t.shape)}`);
    }
    const logical = contiguous(noGrad(() => expand(p.detach(), t.shape))).toTypedArray() as FloatArray;
    checkProbabilities("bernoulli_", logical);
    return drawFor(t, (out, order) => {
      // each probability is read with the element it decides, in the same order
      const probs = order === null ? logical : logical.map((_, k) => logical[order[k]!]!);
      bernoulliTensorFill(generator, out, probs);
    });
  }
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new OptionError(`bernoulli_: expects p to be in [0, 1], but got p=${String(p)}`);
  return drawFor(t, (out) => bernoulliScalarFill(generator, out, p));
}

function checkProbabilities(op: string, p: FloatArray): void {
  for (let i = 0; i < p.length; i++) {
    if (!(p[i]! >= 0 && p[i]! <= 1)) throw new OptionError(`${op}: expected all probabilities in [0, 1], got ${p[i]} at index ${i}`);
  }
}

/** Values for exponential_(λ) on t: −ln(1 − u)/λ from a double u per element. */
export function exponentialValues(t: Tensor, lambda: number, generator: Generator): Tensor {
  requireFloatingTensor("exponential_", t);
  if (!(lambda > 0)) throw new OptionError(`exponential_: expects lambda > 0.0, but found lambda=${lambda}`);
  return drawFor(t, (out) => exponentialFill(generator, out as FloatArray, lambda));
}

export interface GeneratorOption {
  generator?: Generator;
}

/**
 * 0/1 draws with the probabilities in `input` (PyTorch's torch.bernoulli(input)), or with one
 * probability `p` for every element (torch.bernoulli(input, p)); the result has input's shape
 * and dtype.
 */
export const GENERATOR_KEYS = optionKeys<GeneratorOption>({ generator: true });
const MULTINOMIAL_KEYS = optionKeys<MultinomialOptions>({ replacement: true, generator: true });

export function bernoulli(input: Tensor, p?: number | GeneratorOption, options: GeneratorOption = {}): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`bernoulli: expected input to be a Tensor, got ${describe(input)}`);
  if (typeof p === "object" && p !== null) [options, p] = [p, undefined];
  checkOptions("bernoulli", options, GENERATOR_KEYS);
  if (p !== undefined && typeof p !== "number") throw new TypeError(`bernoulli: expected p to be a number, got ${describe(p)}`);
  const generator = options.generator ?? defaultGenerator;
  if (input.storage.device !== "cpu") {
    if (deviceRandom.enabled) return bernoulliOnDevice(input, p, generator);
    // device draws off (deviceRandom): the host's draws, PyTorch's CPU numbers, uploaded
    return toDevice(bernoulli(input.detach().to("cpu"), p, { generator }), input.storage.device);
  }
  const out = emptyTensor(input.shape, input.dtype);
  return noGrad(() => out.copy_(bernoulliValues(out, p ?? input, generator)));
}

/**
 * bernoulli on the webgpu device (wgsl-random.ts): Philox draws from a seed taken from the
 * generator, so a seed fixes the result, but not the CPU's draws (docs/PARITY.md). Tensor
 * probabilities are checked on the device (the CPU's error at the next read).
 */
function bernoulliOnDevice(input: Tensor, p: number | undefined, generator: Generator): Tensor {
  if (p === undefined) requireFloatingTensor("bernoulli_", input);
  if (p !== undefined && !(p >= 0 && p <= 1)) throw new OptionError(`bernoulli_: expects p to be in [0, 1], but got p=${String(p)}`);
  const gpu = webgpuContext("bernoulli");
  // with a number p the input only gives the shape (and dtype); its values are not read
  const probs = p === undefined ? contiguous(input.detach()) : input;
  const n = probs.numel();
  if (p === undefined) {
    gpu.checkValues(probs.storage.gpu, probs.offset, n, 0, 1, (v) => new OptionError(`bernoulli_: expected all probabilities in [0, 1], got ${v}`));
  }
  const out = resultTensor(input.shape, "float32", "bernoulli", input.storage.device);
  const [low, high] = deviceSeed(() => generator.nextUint32());
  const pBits = new Int32Array(new Float32Array([p ?? 0]).buffer)[0]!;
  gpu.threads("bernoulli", () => BERNOULLI_SHADER, [probs.storage.gpu, out.storage.gpu], [n, probs.offset, low, high, pBits, p === undefined ? 1 : 0], n);
  return input.dtype === "float32" ? out : toDType(out, input.dtype);
}

export interface MultinomialOptions extends GeneratorOption {
  /** Draw with replacement (default false: each category at most once per row). */
  replacement?: boolean;
}

/**
 * numSamples category indices (int32) per row of `probs` (1-D or 2-D, non-negative weights that
 * need not sum to 1), as torch.multinomial: with replacement by inverting the cumulative
 * distribution with one double per sample; without, as PyTorch does, the categories with the
 * largest p / q for q ~ Exp(1) drawn per category (the Gumbel-max trick).
 */
export function multinomial(probs: Tensor, numSamples: number, options: MultinomialOptions | boolean = {}): Tensor {
  if (typeof options !== "boolean") checkOptions("multinomial", options, MULTINOMIAL_KEYS);
  const { replacement = false, generator = defaultGenerator } = typeof options === "boolean" ? { replacement: options } : options;
  if (!(probs instanceof Tensor)) throw new TypeError(`multinomial: expected probs to be a Tensor, got ${describe(probs)}`);
  if (probs.ndim < 1 || probs.ndim > 2) throw new ShapeError(`multinomial: prob_dist must be 1 or 2 dim, got shape ${formatShape(probs.shape)}`);
  if (!isFloating(probs.dtype)) throw new DTypeError(`multinomial: only supports floating-point dtypes for input, got ${probs.dtype}`);
  if (!Number.isInteger(numSamples) || numSamples <= 0) throw new OptionError(`multinomial: cannot sample numSamples <= 0 samples (got ${numSamples})`);
  const nCategories = probs.shape[probs.ndim - 1]!;
  if (!replacement && numSamples > nCategories) {
    throw new OptionError(`multinomial: cannot sample numSamples (${numSamples}) > prob_dist.size(-1) (${nCategories}) samples without replacement`);
  }
  if (nCategories > 1 << 24) throw new OptionError(`multinomial: number of categories cannot exceed 2^24 (got ${nCategories})`);
  const nDist = probs.ndim === 2 ? probs.shape[0]! : 1;
  const outShape = probs.ndim === 2 ? [nDist, numSamples] : [numSamples];
  if (probs.storage.device !== "cpu") {
    if (deviceRandom.enabled) return multinomialOnDevice(probs, numSamples, replacement, generator, nDist, nCategories, outShape);
    return toDevice(multinomial(probs.detach().to("cpu"), numSamples, { replacement, generator }), probs.storage.device);
  }
  const out = emptyTensor(outShape, "int32");
  if (out.numel() === 0) return out;
  const p = contiguous(probs.detach()).toTypedArray() as FloatArray;
  const result = out.storage.data as Int32Array;
  if (replacement) {
    for (let i = 0; i < nDist; i++) {
      const row = p.subarray(i * nCategories, (i + 1) * nCategories);
      for (let j = 0; j < nCategories; j++) {
        if (!(row[j]! >= 0)) {
          if (Number.isNaN(row[j])) throw new OptionError("multinomial: invalid multinomial distribution (encountering probability entry = infinity or NaN)");
          throw new OptionError(`multinomial: invalid multinomial distribution (encountering probability entry < 0): ${row[j]} in row ${i}`);
        }
        if (!Number.isFinite(row[j]!)) throw new OptionError("multinomial: invalid multinomial distribution (encountering probability entry = infinity or NaN)");
      }
      let sum = 0;
      for (let j = 0; j < nCategories; j++) sum += row[j]!;
      if (!(sum > 0)) throw new OptionError(`multinomial: invalid multinomial distribution (sum of probabilities <= 0) in row ${i}`);
      multinomialRowWithReplacement(generator, row, numSamples, result, i * numSamples);
    }
    return out;
  }
  for (let i = 0; i < p.length; i++) {
    if (!(p[i]! >= 0 && p[i]! < Infinity)) throw new OptionError("multinomial: probability tensor contains either `inf`, `nan` or element < 0");
  }
  for (let i = 0; i < nDist; i++) {
    if (p.subarray(i * nCategories, (i + 1) * nCategories).every((v) => v === 0)) {
      throw new OptionError(`multinomial: invalid multinomial distribution (sum of probabilities <= 0) in row ${i}`);
    }
  }
  // q ~ Exp(1) per category, then the categories with the largest p / q (in p's dtype)
  const q = p instanceof Float32Array ? new Float32Array(p.length) : new Float64Array(p.length);
  exponentialFill(generator, q, 1);
  for (let i = 0; i < q.length; i++) q[i] = p[i]! / q[i]!;
  for (let i = 0; i < nDist; i++) {
    const row = q.subarray(i * nCategories, (i + 1) * nCategories);
    const best = largestIndices(row, numSamples);
    result.set(best, i * numSamples);
  }
  return out;
}

/**
 * multinomial on the webgpu device (wgsl-random.ts), from Philox draws seeded by the generator:
 * with replacement, one thread per sample inverts its row's cumulative weights; without, each
 * category's key p / q (q ~ Exp(1)) and the sort kernel's k largest, as the CPU samples it (so
 * the distributions agree; the draws do not: docs/PARITY.md). The weights are checked on the
 * device (non-negative and finite, a positive sum per row: the CPU's errors at the next read).
 */
function multinomialOnDevice(probs: Tensor, numSamples: number, replacement: boolean, generator: Generator, rows: number, n: number, outShape: number[]): Tensor {
  const device = probs.storage.device;
  const gpu = webgpuContext("multinomial");
  const out = resultTensor(outShape, "int32", "multinomial", device);
  if (out.numel() === 0) return out;
  const p = contiguous(toDType(probs.detach(), "float32"));
  gpu.checkValues(p.storage.gpu, p.offset, p.numel(), 0, 3.4028234663852886e38, () => new OptionError("multinomial: probability tensor contains either `inf`, `nan` or element < 0"));
  const sums = contiguous(sum(reshape(p, [rows, n]), 1));
  gpu.checkValues(sums.storage.gpu, sums.offset, rows, 1.1754943508222875e-38, Infinity, () => new OptionError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)"));
  const [low, high] = deviceSeed(() => generator.nextUint32());
  if (replacement) {
    gpu.threads("multinomial", () => MULTINOMIAL_REPLACEMENT_SHADER, [p.storage.gpu, out.storage.gpu], [rows * numSamples, p.offset, low, high, rows, n, numSamples], rows * numSamples);
    return out;
  }
  const keys = resultTensor([rows, n], "float32", "multinomial", device);
  gpu.threads("multinomial:keys", () => EXPONENTIAL_RACE_SHADER, [p.storage.gpu, keys.storage.gpu], [rows * n, p.offset, low, high], rows * n);
  const values = resultTensor([rows, numSamples], "float32", "multinomial", device);
  gpu.sort(keys.storage.gpu, 0, rows, n, numSamples, true, values.storage.gpu, out.storage.gpu);
  return out;
}

/** The indices of the k largest values, largest first (the first index wins a tie). */
function largestIndices(row: FloatArray, k: number): number[] {
  if (k === 1) {
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j]! > row[best]! || (Number.isNaN(row[j]) && !Number.isNaN(row[best]))) best = j;
    return [best];
  }
  return Array.from({ length: row.length }, (_, j) => j)
    .sort((a, b) => row[b]! - row[a]! || a - b)
    .slice(0, k);
}

export interface NormalOptions extends GeneratorOption {
  dtype?: DType;
  requiresGrad?: boolean;
}

/**
 * Normal draws, as torch.normal: `normal(mean, std)` with a tensor for either or both (their
 * broadcast shape; the standard normals are drawn first, then scaled by std and shifted by mean
 * in the tensor's dtype, as PyTorch does), or `normal(mean, std, size)` with two numbers.
 */
export function normal(mean: Tensor | number, std: Tensor | number, size?: readonly number[] | NormalOptions, options: NormalOptions = {}): Tensor {
  if (size !== undefined && !Array.isArray(size)) [options, size] = [size as NormalOptions, undefined];
  const generator = options.generator ?? defaultGenerator;
  const isNum = (v: unknown): v is number => typeof v === "number";
  if (!(mean instanceof Tensor) && !isNum(mean)) throw new TypeError(`normal: expected mean to be a Tensor or a number, got ${describe(mean)}`);
  if (!(std instanceof Tensor) && !isNum(std)) throw new TypeError(`normal: expected std to be a Tensor or a number, got ${describe(std)}`);
  if (isNum(std) && !(std >= 0)) throw new OptionError(`normal: expects std >= 0.0, but found std ${std}`);
  if (std instanceof Tensor) {
    requireFloatingTensor("normal", std);
    const values = std.toTypedArray();
    for (let i = 0; i < values.length; i++) if (!(values[i]! >= 0)) throw new OptionError(`normal: expects all elements of std >= 0.0, but found ${values[i]} at index ${i}`);
  }
  if (mean instanceof Tensor) requireFloatingTensor("normal", mean);
  return noGrad(() => {
    if (isNum(mean) && isNum(std)) {
      if (size === undefined) throw new OptionError("normal: with a number mean and std, give the size: normal(mean, std, size)");
      const out = emptyTensor(size as number[], options.dtype ?? "float32");
      requireFloatingTensor("normal", out);
      normalFill(generator, out.storage.data as FloatArray, mean, std);
      if (options.requiresGrad) out.requiresGrad = true;
      return out;
    }
    if (size !== undefined) throw new OptionError("normal: size is only taken with a number mean and std");
    const dtype = mean instanceof Tensor ? mean.dtype : (std as Tensor).dtype;
    // the draws are the host generator's; they join the parameters on their device (one upload)
    const device = kernelDevice("normal", [mean, std].filter((t): t is Tensor => t instanceof Tensor));
    if (mean instanceof Tensor && isNum(std)) {
      // normal_(0, std) on a tensor shaped like mean, then + mean
      const out = emptyTensor(mean.shape, dtype);
      normalFill(generator, out.storage.data as FloatArray, 0, std);
      return add(toDevice(out, device), mean.detach());
    }
    const shape = mean instanceof Tensor ? broadcastShapes("normal", mean.shape, (std as Tensor).shape) : (std as Tensor).shape;
    const out = emptyTensor(shape, dtype);
    normalFill(generator, out.storage.data as FloatArray, 0, 1);
    return add(mul(toDevice(out, device), (std as Tensor).detach()), mean instanceof Tensor ? mean.detach() : mean);
  });
}

/** Poisson counts with the rates in `rates` (PyTorch's sample_poisson per element), in rates' dtype. */
export function poisson(rates: Tensor, { generator = defaultGenerator }: GeneratorOption = {}): Tensor {
  if (!(rates instanceof Tensor)) throw new TypeError(`poisson: expected rates to be a Tensor, got ${describe(rates)}`);
  requireFloatingTensor("poisson", rates);
  const lambdas = rates.toTypedArray();
  for (let i = 0; i < lambdas.length; i++) {
    if (!(lambdas[i]! >= 0)) throw new OptionError(`poisson: invalid Poisson rate, expected rate to be non-negative, got ${lambdas[i]} at index ${i}`);
  }
  const out = emptyTensor(rates.shape, rates.dtype);
  const data = out.storage.data;
  for (let i = 0; i < data.length; i++) data[i] = samplePoisson(generator, lambdas[i]!);
  return out;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Tensor) return `a Tensor of shape ${formatShape(value.shape)}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

