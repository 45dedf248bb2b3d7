/** Making tensors: from values, filled, ranges, identity, and seeded random draws. */
import { DTypeError, OptionError, ShapeError } from "../errors.js";
import { isDType, type DType, type TypedArray } from "../tensor/dtype.js";
import { defaultGenerator, type Generator } from "../tensor/random.js";
import { normalFill, randomFromToFill, randpermFill, uniformFill } from "../tensor/sampling.js";
import { Tensor, type NestedArray } from "../tensor/tensor.js";
import { emptyTensor, filledTensor, fromTypedArray } from "./helpers.js";
import { defaultDevice, isDevice, type Device } from "../backend/device.js";
import { toDevice } from "../tensor/transfer.js";
import { drawOnDevice, drawsOnDevice } from "./random-device.js";
import { CREATE_KEYS, RANDOM_KEYS, checkOptions, sizeArgs, type SizeArgs } from "./creation-args.js";
import { describe } from "./options.js";

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** Where the tensor lives: "cpu" or "webgpu"; the default device (setBackend) unless said. */
  device?: Device;
}

export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

export type ShapeArg = number | readonly number[];

/**
 * A shape checked before anything is allocated: a number or a list of numbers, each a
 * non-negative integer (not NaN, not Infinity, not 2.5). The error names the op and the size.
 */
function toShape(op: string, shape: ShapeArg): number[] {
  if (typeof shape !== "number" && !Array.isArray(shape)) {
    throw new ShapeError(`${op}: shape must be a number or a list of numbers, got ${shape === null ? "null" : typeof shape}`);
  }
  const list = typeof shape === "number" ? [shape] : shape.slice();
  for (let d = 0; d < list.length; d++) {
    if (!isSize(list[d])) {
      const what = typeof shape === "number" ? "size" : `size of dimension ${d}`;
      throw new ShapeError(`${op}: ${what} must be a non-negative integer, got ${String(list[d])} (shape [${list.join(", ")}])`);
    }
  }
  return list;
}

function isSize(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0;
}

/** A size (a count of steps, eye's n) must be a non-negative integer. */
function checkSize(op: string, what: string, value: unknown): void {
  if (!isSize(value)) throw new ShapeError(`${op}: ${what} must be a non-negative integer, got ${String(value)}`);
}

/** An end of a range (arange's start, end and step, linspace's ends, randint's bounds) must be a finite number. */
function checkFinite(op: string, what: string, value: unknown): void {
  if (!(typeof value === "number" && Number.isFinite(value))) throw new ShapeError(`${op}: ${what} must be a finite number, got ${String(value)}`);
}

function checkDType(op: string, dtype: unknown): void {
  if (dtype !== undefined && !isDType(dtype)) {
    throw new DTypeError(`${op}: unknown dtype ${JSON.stringify(dtype)} (expected float32, float64, int32 or bool)`);
  }
}

/** The device a creation function places its tensor on: the option, else the default. */
function deviceOf(op: string, device: unknown): Device {
  if (device === undefined) return defaultDevice();
  if (!isDevice(device)) throw new OptionError(`${op}: unknown device ${JSON.stringify(device)} (expected "cpu" or "webgpu")`);
  return device;
}

/**
 * Where a creation function makes a tensor of `dtype` directly: its device, except that float64
 * stays on the CPU when the device is only the default (WGSL has no f64; `finish` notes it).
 */
function placement(op: string, device: unknown, dtype: DType): Device {
  const on = deviceOf(op, device);
  return on !== "cpu" && dtype === "float64" && device === undefined ? "cpu" : on;
}

let float64Noted = false;

/**
 * Moves a tensor made on the host to its device (an upload, counted), then sets requiresGrad. A
 * float64 tensor stays on the CPU when the device is only the default (WGSL has no f64), with a
 * note the first time; asked for explicitly, the move refuses it.
 */
function finish(op: string, t: Tensor, requiresGrad?: boolean, device?: Device): Tensor {
  const target = deviceOf(op, device);
  if (target !== "cpu" && t.dtype === "float64" && device === undefined) {
    if (!float64Noted) console.warn(`nabla: ${op}: float64 tensors stay on the cpu (the webgpu device has no f64); use float32 to place them on the device`);
    float64Noted = true;
  } else if (target !== "cpu") {
    t = toDevice(t, target);
  }
  if (requiresGrad) {
    try {
      t.requiresGrad = true;
    } catch (e) {
      throw new DTypeError(`${op}: only floating point tensors can require gradients, got ${t.dtype}`);
    }
  }
  return t;
}

function typedArrayDType(data: TypedArray): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  return "bool";
}

/**
 * A tensor from nested arrays, a typed array or a number. Numbers are floating by default, as in
 * TensorFlow.js and as torch.tensor of Python floats (JavaScript cannot tell 1.0 from 1): numbers
 * give float32, only booleans give bool, and a typed array keeps its own type. Integer tensors
 * come from `{ dtype: "int32" }`, an Int32Array, or the functions that make indices (arange of
 * integers, randint, randperm, argmax …).
 */
export function tensor(data: NestedArray | TypedArray, options: CreateOptions = {}): Tensor {
  checkOptions("tensor", options, CREATE_KEYS);
  const { dtype, requiresGrad, device } = options;
  checkDType("tensor", dtype);
  if (ArrayBuffer.isView(data)) {
    const t = fromTypedArray(data as TypedArray, [data.length], dtype ?? typedArrayDType(data as TypedArray));
    return finish("tensor", t, requiresGrad, device);
  }
  const shape: number[] = [];
  for (let level: NestedArray = data; Array.isArray(level); level = level[0]!) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  const flat: number[] = [];
  let sawNumber = false;
  const walk = (value: NestedArray, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (Array.isArray(value)) throw new ShapeError(`tensor: too many dimensions at ${path}: expected a number, got an array`);
      if (typeof value === "number") {
        sawNumber = true;
      } else if (typeof value !== "boolean") {
        throw new TypeError(`tensor: expected numbers or booleans, got ${typeof value} at ${path}`);
      }
      flat.push(Number(value));
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[dim]) {
      const got = Array.isArray(value) ? value.length : typeof value;
      throw new ShapeError(`tensor: expected sequence of length ${shape[dim]} at dim ${dim} (got ${got}) at ${path}`);
    }
    value.forEach((v, i) => walk(v, dim + 1, `${path}[${i}]`));
  };
  walk(data, 0, "data");
  // no values at all, or any number, give float32; only booleans give bool
  const inferred: DType = flat.length === 0 || sawNumber ? "float32" : "bool";
  return finish("tensor", fromTypedArray(flat, shape, dtype ?? inferred), requiresGrad, device);
}

/** Zeros of a shape given as numbers or a list: `zeros(2, 3)`, `zeros([2, 3])`, then options if any. */
export function zeros(...args: SizeArgs<CreateOptions>): Tensor {
  const [shape, { dtype = "float32", requiresGrad, device } = {}] = sizeArgs<CreateOptions>("zeros", args, CREATE_KEYS);
  checkDType("zeros", dtype);
  // made on its device directly (a fill there, not an upload)
  const on = placement("zeros", device, dtype);
  return finish("zeros", emptyTensor(toShape("zeros", shape), dtype, "zeros", on), requiresGrad, device);
}

/** Ones of a shape given as numbers or a list: `ones(2, 3)`, `ones([2, 3])`, then options if any. */
export function ones(...args: SizeArgs<CreateOptions>): Tensor {
  const [shape, options = {}] = sizeArgs<CreateOptions>("ones", args, CREATE_KEYS);
  return full(shape, 1, { dtype: "float32", ...options });
}

/** A tensor filled with `value`: float32 for a number, bool for a boolean, unless `dtype` says otherwise. */
export function full(shape: ShapeArg, value: number | boolean, options: CreateOptions = {}): Tensor {
  checkOptions("full", options, CREATE_KEYS);
  if (typeof value !== "number" && typeof value !== "boolean") throw new TypeError(`full: expected fillValue to be a number or a boolean, got ${describe(value)}`);
  const { dtype, requiresGrad, device } = options;
  checkDType("full", dtype);
  const type = dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  const on = placement("full", device, type);
  return finish("full", filledTensor(toShape("full", shape), type, Number(value), on), requiresGrad, device);
}

/**
 * Values from start (inclusive) to end (exclusive) by step; `arange(n)` is 0 … n−1.
 * int32 when every argument is an integer, float32 otherwise.
 */
export function arange(start: number, end?: number | CreateOptions, step: number | CreateOptions = 1, options: CreateOptions = {}): Tensor {
  // arange(5, { dtype }) and arange(0, 5, { dtype }): the options take the place of what is left out
  if (typeof end === "object") [end, options] = [undefined, end];
  else if (typeof step === "object") [step, options] = [1, step];
  const by = step as number;
  checkOptions("arange", options, CREATE_KEYS);
  const { dtype, requiresGrad, device } = options;
  checkDType("arange", dtype);
  if (end === undefined) [start, end] = [0, start];
  checkFinite("arange", "start", start);
  checkFinite("arange", "end", end);
  checkFinite("arange", "step", by);
  if (by === 0) throw new OptionError("arange: step must be nonzero");
  if ((end - start) / by < 0) {
    throw new OptionError(`arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${by})`);
  }
  const n = Math.ceil((end - start) / by);
  if (!Number.isSafeInteger(n)) throw new ShapeError(`arange: the range from ${start} to ${end} by ${by} has ${n} elements, more than any tensor can hold`);
  const type = dtype ?? ([start, end, by].every(Number.isInteger) ? "int32" : "float32");
  const t = emptyTensor([n], type);
  for (let i = 0; i < n; i++) t.storage.data[i] = start + i * by;
  return finish("arange", t, requiresGrad, device);
}

/** `steps` evenly spaced values from start to end, both included (computed from both ends, as PyTorch does). */
export function linspace(start: number, end: number, steps: number, options: CreateOptions = {}): Tensor {
  checkOptions("linspace", options, CREATE_KEYS);
  const { dtype = "float32", requiresGrad, device } = options;
  checkDType("linspace", dtype);
  checkFinite("linspace", "start", start);
  checkFinite("linspace", "end", end);
  checkSize("linspace", "number of steps", steps);
  const t = emptyTensor([steps], dtype);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // The first half counts up from start, the rest down from end (one step gives just start).
  const half = Math.max(Math.floor(steps / 2), 1);
  for (let i = 0; i < steps; i++) t.storage.data[i] = i < half ? start + i * step : end - (steps - 1 - i) * step;
  return finish("linspace", t, requiresGrad, device);
}

/** The n×m identity (ones on the diagonal). */
export function eye(n: number, m: number | CreateOptions = n, options: CreateOptions = {}): Tensor {
  if (typeof m === "object") [m, options] = [n, m]; // eye(3, { dtype })
  checkOptions("eye", options, CREATE_KEYS);
  const { dtype = "float32", requiresGrad, device } = options;
  checkDType("eye", dtype);
  checkSize("eye", "n", n);
  checkSize("eye", "m", m);
  const t = emptyTensor([n, m], dtype);
  for (let i = 0; i < Math.min(n, m); i++) t.storage.data[i * m + i] = 1;
  return finish("eye", t, requiresGrad, device);
}

function floatingRandom(op: string, shape: ShapeArg, dtype: DType): Tensor {
  checkDType(op, dtype);
  if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`${op}: expected a floating point dtype, got ${dtype}`);
  return emptyTensor(toShape(op, shape), dtype, op);
}

/** Uniform random values in [0, 1): PyTorch's draws (24 random bits per float32, 53 per float64). */
export function rand(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, { dtype = "float32", requiresGrad, generator = defaultGenerator, device } = {}] = sizeArgs<RandomOptions>("rand", args, RANDOM_KEYS);
  const on = placement("rand", device, dtype);
  if (drawsOnDevice(on, dtype)) return finish("rand", drawOnDevice("rand", toShape("rand", shape), on, "uniform", 0, 1, generator), requiresGrad, on);
  const t = floatingRandom("rand", shape, dtype);
  uniformFill(generator, t.storage.data as Float32Array | Float64Array, 0, 1);
  return finish("rand", t, requiresGrad, device);
}

/**
 * Standard normal random values, PyTorch's for the same seed: Box–Muller on float32 blocks of 16
 * as its AVX2 kernel for 16 or more float32 values, in float64 otherwise (see sampling.ts).
 */
export function randn(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, { dtype = "float32", requiresGrad, generator = defaultGenerator, device } = {}] = sizeArgs<RandomOptions>("randn", args, RANDOM_KEYS);
  const on = placement("randn", device, dtype);
  if (drawsOnDevice(on, dtype)) return finish("randn", drawOnDevice("randn", toShape("randn", shape), on, "normal", 0, 1, generator), requiresGrad, on);
  const t = floatingRandom("randn", shape, dtype);
  normalFill(generator, t.storage.data as Float32Array | Float64Array, 0, 1);
  return finish("randn", t, requiresGrad, device);
}

/**
 * Uniform random integers in [low, high) (int32 unless told otherwise), PyTorch's draws:
 * low + (32 random bits mod (high − low)). `randint(high, shape)` starts at 0.
 */
export function randint(low: number, high: number | ShapeArg, shape?: ShapeArg | RandomOptions, options: RandomOptions = {}): Tensor {
  if (shape === undefined || (typeof shape === "object" && !Array.isArray(shape))) {
    if (shape !== undefined) options = shape as RandomOptions;
    [low, high, shape] = [0, low, high as ShapeArg];
  }
  checkOptions("randint", options, RANDOM_KEYS);
  const { dtype = "int32", generator = defaultGenerator, device } = options;
  checkDType("randint", dtype);
  for (const [what, bound] of [["low", low], ["high", high]] as const) {
    checkFinite("randint", what, bound);
    if (!Number.isInteger(bound)) throw new ShapeError(`randint: ${what} must be an integer, got ${String(bound)}`);
  }
  if ((high as number) <= low) throw new OptionError(`randint: expected integers with low < high, got low=${low}, high=${String(high)}`);
  const t = emptyTensor(toShape("randint", shape as ShapeArg), dtype, "randint");
  randomFromToFill(generator, t.storage.data, low, high as number);
  return finish("randint", t, false, device);
}

export function zerosLike(t: Tensor, options: CreateOptions = {}): Tensor {
  checkOptions("zerosLike", options, CREATE_KEYS);
  return zeros(t.shape, { dtype: t.dtype, device: t.storage.device, ...options });
}

export function onesLike(t: Tensor, options: CreateOptions = {}): Tensor {
  checkOptions("onesLike", options, CREATE_KEYS);
  return full(t.shape, 1, { dtype: t.dtype, device: t.storage.device, ...options });
}

export function fullLike(t: Tensor, value: number | boolean, options: CreateOptions = {}): Tensor {
  checkOptions("fullLike", options, CREATE_KEYS);
  return full(t.shape, value, { dtype: t.dtype, device: t.storage.device, ...options });
}

export function randLike(t: Tensor, options: RandomOptions = {}): Tensor {
  checkOptions("randLike", options, RANDOM_KEYS);
  return rand(t.shape, { dtype: t.dtype, device: t.storage.device, ...options });
}

export function randnLike(t: Tensor, options: RandomOptions = {}): Tensor {
  checkOptions("randnLike", options, RANDOM_KEYS);
  return randn(t.shape, { dtype: t.dtype, device: t.storage.device, ...options });
}

export function randintLike(t: Tensor, low: number, high: number, options: RandomOptions = {}): Tensor {
  checkOptions("randintLike", options, RANDOM_KEYS);
  return randint(low, high, t.shape, { dtype: t.dtype, device: t.storage.device, ...options });
}

/**
 * A random permutation of 0 … n−1 (int32 unless told otherwise), PyTorch's CPU shuffle for the
 * same seed: place i swaps with place i + (random() mod (n − i)), i going up.
 */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  checkOptions("randperm", options, RANDOM_KEYS);
  const { dtype = "int32", generator = defaultGenerator, device } = options;
  checkSize("randperm", "n", n);
  checkDType("randperm", dtype);
  if (dtype === "bool") throw new DTypeError("randperm: bool is not a dtype for a permutation");
  const t = emptyTensor([n], dtype);
  randpermFill(generator, t.storage.data as Int32Array | Float32Array | Float64Array);
  return finish("randperm", t, false, device);
}
