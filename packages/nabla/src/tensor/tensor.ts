/**
 * The Tensor: a strided view over typed-array storage, with autograd bookkeeping. Methods are
 * thin: each delegates to the op of the same name in src/ops, where the work and the gradient are.
 */
import "../polyfills.js";
import { runBackward, type BackwardOptions } from "../autograd/backward.js";
import { isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import type { GradNode } from "../autograd/node.js";
import { registerTensorHook, RETAIN_GRAD, type HookEntry, type RemovableHandle, type TensorHook } from "../autograd/tensor-hooks.js";
import { DTypeError, ShapeError, formatShape } from "../errors.js";
import * as ew from "../ops/elementwise.js";
import * as act from "../ops/activations.js";
import * as red from "../ops/reduce.js";
import * as shp from "../ops/shape.js";
import { matmul } from "../ops/matmul.js";
import type { DivOptions } from "../ops/rounding-division.js";
import { clamp as clampOp, type ClampBound, type ClampOptions } from "../ops/clamp.js";
import { softmax, logSoftmax } from "../ops/softmax.js";
import { gather } from "../ops/indexing.js";
import { indexSelect } from "../ops/index-select.js";
import { scalarTensor } from "../ops/helpers.js";
import { normalValues, uniformValues } from "../ops/random.js";
import { canCastResult, DTYPES, isFloating, type DType, type TypedArray } from "./dtype.js";
import { describe, isPlainObject } from "../ops/options.js";
import { formatTensor } from "./format.js";
import { broadcastShapes, normalizeDim, numelOf, shapesEqual } from "./shape.js";
import type { Storage } from "./storage.js";
import { owned } from "../memory/ownership.js";
import { defaultGenerator, type Generator } from "./random.js";
import { isDevice, type Device } from "../backend/device.js";
import { readValues, readValuesSync, toDevice, toDeviceAsync, valueFor } from "./transfer.js";

/** PyTorch's tensor type names by dtype (Tensor.type()). */
const TYPE_NAMES: Record<DType, string> = { float32: "torch.FloatTensor", float64: "torch.DoubleTensor", int32: "torch.IntTensor", bool: "torch.BoolTensor" };

/** Nested arrays of numbers (or booleans), as `toArray` returns and `tensor` accepts. */
export type NestedArray = number | boolean | NestedArray[];

type Operand = Tensor | number;

export class Tensor {
  /** The node that made this tensor (null for leaves and tensors made without grad). */
  gradFn: GradNode | null = null;
  /** The accumulated gradient, filled by `backward` for leaves that require grad. */
  grad: Tensor | null = null;
  /** Whether `backward` also fills `.grad` of this non-leaf tensor (see `retainGrad`). */
  retainsGrad = false;
  /** The hooks backward calls with this tensor's gradient (see `registerHook`); null before the first. */
  gradHooks: HookEntry[] | null = null;
  private leafRequiresGrad = false;

  /** Made by ops; users create tensors with `tensor`, `zeros`, `randn`, …. */
  constructor(
    readonly storage: Storage,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
    readonly offset: number,
  ) {}

  get dtype(): DType {
    return this.storage.dtype;
  }

  get ndim(): number {
    return this.shape.length;
  }

  dim(): number {
    return this.shape.length;
  }

  numel(): number {
    return numelOf(this.shape);
  }

  /** The shape, or the size of one dim. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    return dim === undefined ? this.shape.slice() : this.shape[normalizeDim("size", dim, this.ndim)]!;
  }

  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    return dim === undefined ? this.strides.slice() : this.strides[normalizeDim("stride", dim, this.ndim)]!;
  }

  isContiguous(): boolean {
    return shp.isContiguous(this);
  }

  // ---- autograd ---------------------------------------------------------------------------

  get requiresGrad(): boolean {
    return this.leafRequiresGrad || this.gradFn !== null;
  }

  set requiresGrad(value: boolean) {
    if (this.gradFn !== null) {
      throw new Error(
        "requiresGrad: you can only change the requiresGrad flag of leaf tensors; use detach() to get a leaf from this one",
      );
    }
    if (value && !isFloating(this.dtype)) {
      throw new DTypeError(`requiresGrad: only tensors of floating point dtype can require gradients, got ${this.dtype}`);
    }
    this.leafRequiresGrad = value;
  }

  /** Sets requiresGrad in place and returns this tensor, like PyTorch's `requires_grad_`. */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** A leaf is a tensor not made by a recorded op: user-created tensors and parameters. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /**
   * Keep `.grad` for this non-leaf tensor during backward. As in PyTorch 1.13: asked for before
   * any `registerHook`, the gradient before the hooks; after one, the gradient all hooks leave.
   */
  retainGrad(): this {
    if (this.retainsGrad) return this;
    this.retainsGrad = true;
    this.gradHooks?.push(RETAIN_GRAD);
    return this;
  }

  /**
   * PyTorch's register_hook: `hook(grad)` is called with this tensor's gradient each time
   * backward computes it (after every path has added its part), leaf or not, hooks in the order
   * registered; a tensor it returns (same shape, dtype and device) replaces the gradient, for the
   * later hooks, for `.grad` and for the gradients backward passes on. `remove()` on the returned
   * handle unregisters it. Refused on a tensor that does not require grad.
   */
  registerHook(hook: TensorHook): RemovableHandle {
    return registerTensorHook(this, hook);
  }

  /** Computes gradients of this tensor with respect to every leaf that requires grad, accumulating into `.grad`. */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    runBackward(this, gradient, options);
  }

  /** The same data, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset);
  }

  // ---- reading values -------------------------------------------------------------------

  /** The device its storage lives on: "cpu" or "webgpu". */
  get device(): Device {
    return this.storage.device;
  }

  /**
   * The single value of a one-element tensor (bool as 0/1). On the webgpu device it blocks until
   * the device has answered (Node, workers); where a thread may not block (a browser's main
   * thread) it throws, naming `await t.itemAsync()`.
   */
  item(): number {
    if (this.numel() !== 1) {
      throw new ShapeError(`item: a Tensor with ${this.numel()} elements cannot be converted to a number`);
    }
    if (this.storage.device !== "cpu") return readValuesSync(this, "item", "await t.itemAsync()")[0]!;
    return this.storage.data[this.offset]!;
  }

  /** A contiguous copy of the values in row-major order (on the webgpu device as item() reads; else `await t.dataAsync()`). */
  toTypedArray(): TypedArray {
    if (this.storage.device !== "cpu") return readValuesSync(this, "toTypedArray", "await t.dataAsync()");
    const c = shp.contiguous(this.detach());
    return c.storage.data.slice(c.offset, c.offset + c.numel());
  }

  /**
   * The values in row-major order (a copy), on any device: the asynchronous read that works
   * everywhere (`data` itself is PyTorch's `.data`, the tensor cut from autograd).
   */
  dataAsync(): Promise<TypedArray> {
    return readValues(this);
  }

  /** The values as nested arrays, as toArray, on any device. */
  async toArrayAsync(): Promise<NestedArray> {
    if (this.storage.device === "cpu") return this.toArray();
    return (await toDeviceAsync(this.detach(), "cpu")).toArray();
  }

  /** The single value of a one-element tensor, on any device (item() is the synchronous form on the CPU). */
  async itemAsync(): Promise<number> {
    if (this.numel() !== 1) {
      throw new ShapeError(`itemAsync: a Tensor with ${this.numel()} elements cannot be converted to a number`);
    }
    return (await readValues(this))[0]!;
  }

  /** The values as nested arrays (booleans for bool tensors), like PyTorch's `tolist` (on the webgpu device as item() reads). */
  toArray(): NestedArray {
    const values = this.storage.device === "cpu" ? this.toTypedArray() : readValuesSync(this, "toArray", "await t.toArrayAsync()");
    const flat = Array.from(values, (v) => (this.dtype === "bool" ? v !== 0 : v));
    const build = (dim: number, start: number): NestedArray => {
      if (dim === this.ndim) return flat[start]!;
      const inner = numelOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, start + i * inner));
    };
    return build(0, 0);
  }  /** PyTorch's name for toArray. */
  tolist(): NestedArray {
    return this.toArray();
  }


  /** Prints like PyTorch: `tensor([[1., 2.], [3., 4.]], requires_grad=True)` (on the webgpu device as item() reads). */
  toString(): string {
    if (this.storage.device !== "cpu") return formatTensor(this, readValuesSync(this, "printing", '(await t.toAsync("cpu")).toString()'));
    return formatTensor(this);
  }

  // ---- dtype and device ---------------------------------------------------------------------

  /**
   * The tensor converted to a dtype, or moved to a device ("cpu", "webgpu"), as PyTorch's `.to`:
   * itself when nothing changes. Moving back from the webgpu device is asynchronous: `toAsync`.
   */
  to(target: DType | Device): Tensor {
    if (isDevice(target)) return toDevice(this, target);
    if (typeof target !== "string" || !(DTYPES as readonly string[]).includes(target)) {
      const hint = isPlainObject(target)
        ? ' (pass the dtype or device itself: x.to("float64"))'
        : typeof target === "string" && /^(cuda|mps)(:|$)/.test(target)
          ? ' (nabla\'s GPU device is "webgpu")'
          : "";
      throw new TypeError(`to: expected a dtype (${DTYPES.join(", ")}) or a device (cpu, webgpu), got ${describe(target)}${hint}`);
    }
    return ew.toDType(this, target);
  }

  /** The tensor on `device`, from any device (a read back from the GPU is asynchronous). */
  toAsync(device: Device): Promise<Tensor> {
    return toDeviceAsync(this, device);
  }
  /** PyTorch's `.cpu()`: `to("cpu")`, itself when already there (from the webgpu device `toAsync("cpu")` where reads must wait). */
  cpu(): Tensor {
    return this.to("cpu");
  }

  /**
   * PyTorch's `.type()`: without an argument the type's name (`"torch.FloatTensor"`); with a
   * dtype, or one of those names, the tensor converted to it (itself when it has that dtype).
   * `"torch.LongTensor"` gives int32, as `long()` (nabla has no 64-bit integers).
   */
  type(): string;
  type(dtype: DType | string): Tensor;
  type(dtype?: DType | string): string | Tensor {
    if (dtype === undefined) return TYPE_NAMES[this.dtype];
    const byName = dtype === "torch.LongTensor" ? "int32" : (Object.keys(TYPE_NAMES) as DType[]).find((d) => TYPE_NAMES[d] === dtype);
    if (byName === undefined && !(DTYPES as readonly string[]).includes(dtype)) {
      throw new TypeError(`type: expected a dtype (${DTYPES.join(", ")}) or a type name (${Object.values(TYPE_NAMES).join(", ")}), got ${describe(dtype)}`);
    }
    return this.to(byName ?? (dtype as DType));
  }
  float(): Tensor {
    return this.to("float32");
  }
  double(): Tensor {
    return this.to("float64");
  }
  int(): Tensor {
    return this.to("int32");
  }
  /**
   * PyTorch's `.long()`, the class indices and counts of ported code: int32 here (nabla has no
   * 64-bit integers; indices past 2³¹ − 1 do not fit any tensor it can hold).
   */
  long(): Tensor {
    return this.to("int32");
  }
  bool(): Tensor {
    return this.to("bool");
  }

  // ---- shape and views ----------------------------------------------------------------------

  view(...shape: number[] | [readonly number[]]): Tensor {
    return shp.view(this, flatArgs(shape));
  }
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return shp.reshape(this, flatArgs(shape));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return shp.transpose(this, dim0, dim1);
  }
  /** Transpose of a tensor of at most 2 dims. */
  t(): Tensor {
    if (this.ndim > 2) throw new ShapeError(`t: expects a tensor with <= 2 dimensions, but self is ${this.ndim}D`);
    return this.ndim < 2 ? this : shp.transpose(this, 0, 1);
  }
  /** All dims reversed. */
  get T(): Tensor {
    return shp.permute(this, this.shape.map((_, i) => this.ndim - 1 - i));
  }
  /** The last two dims swapped (PyTorch's `x.mT`: a batch of matrices transposed). */
  get mT(): Tensor {
    if (this.ndim < 2) throw new ShapeError(`mT: expected a tensor of at least 2 dimensions, got shape ${formatShape(this.shape)}`);
    return shp.transpose(this, -2, -1);
  }
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return shp.permute(this, flatArgs(dims));
  }
  slice(dim: number, start?: number, end?: number, step?: number): Tensor {
    return shp.slice(this, dim, start, end, step);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return shp.narrow(this, dim, start, length);
  }
  /** The sub-tensor at `index` along `dim` (PyTorch's `x.select(dim, i)`; `x[i]` is `x.select(0, i)`). */
  select(dim: number, index: number): Tensor {
    return shp.select(this, dim, index);
  }
  expand(...sizes: number[] | [readonly number[]]): Tensor {
    return shp.expand(this, flatArgs(sizes));
  }
  expandAs(other: Tensor): Tensor {
    return shp.expand(this, other.shape);
  }
  squeeze(dim?: number): Tensor {
    return shp.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return shp.unsqueeze(this, dim);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return shp.flatten(this, startDim, endDim);
  }
  contiguous(): Tensor {
    return shp.contiguous(this);
  }
  clone(): Tensor {
    return shp.clone(this);
  }
  gather(dim: number, index: Tensor): Tensor {
    return gather(this, dim, index);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return indexSelect(this, dim, index);
  }

  // ---- arithmetic ---------------------------------------------------------------------------

  /** this + alpha·other (`x.add(y, { alpha: 2 })`; alpha 1 unless given). */
  add(other: Operand, options?: ew.AlphaOptions): Tensor {
    return ew.add(this, other, options);
  }
  /** this − alpha·other. */
  sub(other: Operand, options?: ew.AlphaOptions): Tensor {
    return ew.sub(this, other, options);
  }
  mul(other: Operand): Tensor {
    return ew.mul(this, other);
  }
  /** this / other; `{ roundingMode: "floor" | "trunc" }` rounds the quotient (torch.div's rounding_mode). */
  div(other: Operand, options?: DivOptions): Tensor {
    return ew.div(this, other, options);
  }
  pow(exponent: Operand): Tensor {
    return ew.pow(this, exponent);
  }
  neg(): Tensor {
    return ew.neg(this);
  }
  exp(): Tensor {
    return ew.exp(this);
  }
  log(): Tensor {
    return ew.log(this);
  }
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  abs(): Tensor {
    return ew.abs(this);
  }
  sign(): Tensor {
    return ew.sign(this);
  }
  /** min(max(x, min), max): `x.clamp(min, max)` or `x.clamp({ min, max })`, bounds numbers, tensors or null. */
  clamp(options: ClampOptions): Tensor;
  clamp(min: ClampBound, max?: ClampBound): Tensor;
  clamp(minOrOptions?: ClampBound | ClampOptions, max?: ClampBound): Tensor {
    return clampOp(this, minOrOptions as ClampBound, max);
  }
  maximum(other: Tensor): Tensor {
    return ew.maximum(this, other);
  }
  minimum(other: Tensor): Tensor {
    return ew.minimum(this, other);
  }
  sigmoid(): Tensor {
    return ew.sigmoid(this);
  }
  tanh(): Tensor {
    return ew.tanh(this);
  }
  relu(): Tensor {
    return ew.relu(this);
  }
  /** x where |x| > lambd, else 0 (PyTorch's Tensor.hardshrink). */
  hardshrink({ lambd = 0.5 }: { lambd?: number } = {}): Tensor {
    return act.hardshrinkChecked(this, lambd);
  }
  /** x for x > 0, weight·x otherwise, weight of 1 element or one per channel (PyTorch's Tensor.prelu). */
  prelu(weight: Tensor): Tensor {
    return act.prelu(this, weight);
  }
  softmax(dim: number): Tensor {
    return softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return logSoftmax(this, dim);
  }
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }

  // ---- comparisons (bool results) -------------------------------------------------------------

  eq(other: Operand): Tensor {
    return ew.eq(this, other);
  }
  ne(other: Operand): Tensor {
    return ew.ne(this, other);
  }
  lt(other: Operand): Tensor {
    return ew.lt(this, other);
  }
  le(other: Operand): Tensor {
    return ew.le(this, other);
  }
  gt(other: Operand): Tensor {
    return ew.gt(this, other);
  }
  ge(other: Operand): Tensor {
    return ew.ge(this, other);
  }
  logicalNot(): Tensor {
    return ew.logicalNot(this);
  }

  // ---- reductions ---------------------------------------------------------------------------

  sum(dim?: red.Dims | red.SumOptions, options?: red.SumOptions | boolean): Tensor {
    return red.sum(this, dim, options);
  }
  mean(dim?: red.Dims | red.SumOptions, options?: red.SumOptions | boolean): Tensor {
    return red.mean(this, dim, options);
  }
  /** With no dim, the largest value; with a dim, `{ values, indices }` along it. */
  max(): Tensor;
  max(dim: number, options?: red.ReduceOptions | boolean): red.ValuesIndices;
  /** x.max(other): the elementwise maximum, as PyTorch's. */
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor, options?: red.ReduceOptions | boolean): Tensor | red.ValuesIndices {
    if (dim instanceof Tensor) return red.max(this, dim);
    return dim === undefined ? red.max(this) : red.max(this, dim, options);
  }
  min(): Tensor;
  min(dim: number, options?: red.ReduceOptions | boolean): red.ValuesIndices;
  /** x.min(other): the elementwise minimum, as PyTorch's. */
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor, options?: red.ReduceOptions | boolean): Tensor | red.ValuesIndices {
    if (dim instanceof Tensor) return red.min(this, dim);
    return dim === undefined ? red.min(this) : red.min(this, dim, options);
  }
  argmax(dim?: number, options?: red.ReduceOptions | boolean): Tensor {
    return red.argmax(this, dim, options);
  }
  argmin(dim?: number, options?: red.ReduceOptions | boolean): Tensor {
    return red.argmin(this, dim, options);
  }
  /** Variance along dim: `x.var(1, { correction: 0, keepdim: true })` or PyTorch's `x.var(1, false, true)` (unbiased, keepdim). */
  var(dim?: red.Dims, options?: red.VarOptions | boolean, keepdim?: boolean): Tensor {
    return red.variance(this, dim, options, keepdim);
  }
  std(dim?: red.Dims, options?: red.VarOptions | boolean, keepdim?: boolean): Tensor {
    return red.std(this, dim, options, keepdim);
  }
  logsumexp(dim: red.Dims, options?: red.ReduceOptions | boolean): Tensor {
    return red.logsumexp(this, dim, options);
  }

  // ---- in place (for optimizers and initialisation; not recorded by autograd) ------------------

  /** Throws when an in-place op named `op` may not change this tensor (for the method families in methods/). */
  checkInPlace(op: string): void {
    if (isGradEnabled() && this.requiresGrad && this.isLeaf) {
      throw new Error(
        `${op}: a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad(() => …)`,
      );
    }
    // PyTorch records in-place ops in the graph; nabla does not, so a gradient through one would
    // be silently wrong: refuse, and point to the out-of-place op
    if (isGradEnabled() && this.requiresGrad) {
      throw new Error(
        `${op}: in-place operations on a tensor that requires grad are not recorded by autograd; ` +
          `use the out-of-place op (e.g. y = y.add(z) for y.add_(z)), or noGrad(() => …) if no gradient should flow`,
      );
    }
  }

  /**
   * Writes `value` (broadcast to this shape, cast to this dtype) into this tensor, as the in-place
   * op `op`: refused on tensors that require grad in grad mode, bumps the version. Given a function,
   * computes the value under noGrad and frees what that made once it is written. `result`: the
   * value is the op's result (add_, sin_ …), which PyTorch writes only where its dtype casts to
   * this one (canCastResult), not a value to store whatever its dtype (copy_, fill_, maskedFill_).
   * @internal for the in-place methods of src/tensor/methods.
   */
  assign(op: string, value: Tensor | (() => Tensor), { result = false, into }: { result?: boolean; into?: () => boolean } = {}): this {
    this.checkInPlace(op);
    owned(() =>
      noGrad(() => {
        // the op computed straight into this tensor (elementwise.ts's addInto …), where it can be
        if (into?.() === true) return;
        const v = value instanceof Tensor ? value : value();
        if (result && !canCastResult(v.dtype, this.dtype)) {
          throw new DTypeError(`${op}: result type ${v.dtype} can't be cast to the desired output type ${this.dtype}`);
        }
        checkWritableShape(op, v.shape, this.shape, result);
        // values from the other device (copy_ of a CPU tensor, the random fills made on the host, a
        // float64 CPU operand that pulled the op to the CPU) cross in one counted copy
        shp.assignInto(this, valueFor(op, v, this));
      }),
    );
    this.storage.version++;
    return this;
  }

  /**
   * Frees this tensor's storage now, for every view of it, instead of when the garbage collector
   * finds it unreachable; reading it afterwards throws. Never required: for big tensors in a loop
   * that should not wait for the collector.
   */
  free(): void {
    this.storage.free();
  }

  /** `using t = …` (TypeScript 5.2+) frees the storage at the end of the block, as free(). */
  [Symbol.dispose](): void {
    this.storage.free("by `using` at the end of its block");
  }

  copy_(src: Tensor): this {
    return this.assign("copy_", src);
  }
  fill_(value: number): this {
    return this.assign("fill_", () => scalarTensor(value, this.dtype, this.storage.device));
  }
  zero_(): this {
    return this.fill_(0);
  }
  add_(other: Operand, options?: ew.AlphaOptions): this {
    return this.assign("add_", () => ew.add(this, other, options), { result: true, into: () => ew.addInto(this, other, options) });
  }
  sub_(other: Operand, options?: ew.AlphaOptions): this {
    return this.assign("sub_", () => ew.sub(this, other, options), { result: true, into: () => ew.subInto(this, other, options) });
  }
  mul_(other: Operand): this {
    return this.assign("mul_", () => ew.mul(this, other), { result: true, into: () => ew.mulInto(this, other) });
  }
  div_(other: Operand, options?: DivOptions): this {
    return this.assign("div_", () => ew.div(this, other, options), { result: true, into: () => ew.divInto(this, other, options) });
  }
  /** clamp in place: `x.clamp_(min, max)` or `x.clamp_({ min, max })`, bounds numbers, tensors (broadcast to x) or null. */
  clamp_(options: ClampOptions): this;
  clamp_(min: ClampBound, max?: ClampBound): this;
  clamp_(minOrOptions?: ClampBound | ClampOptions, max?: ClampBound): this {
    return this.assign("clamp_", () => clampOp(this, minOrOptions as ClampBound, max), RESULT);
  }
  /** Fills with uniform random values in [low, high), PyTorch's draws for the same seed. */
  uniform_(low = 0, high = 1, generator: Generator = defaultGenerator): this {
    return this.assign("uniform_", () => uniformValues(this, low, high, generator));
  }
  /** Fills with normal random values of the given mean and standard deviation, PyTorch's draws for the same seed. */
  normal_(mean = 0, std = 1, generator: Generator = defaultGenerator): this {
    return this.assign("normal_", () => normalValues(this, mean, std, generator));
  }
}

/**
 * That a value of `shape` may be written into a tensor of `target` shape, with PyTorch's errors:
 * an op's result must have the tensor's shape (`x.add_(y)` where y would broadcast x to a bigger
 * shape is refused), a value to store must broadcast to it without growing it.
 */
function checkWritableShape(op: string, shape: readonly number[], target: readonly number[], result: boolean): void {
  if (shapesEqual(shape, target)) return;
  const broadcast = broadcastShapes(op, target, shape);
  if (result || !shapesEqual(broadcast, target)) {
    throw new ShapeError(`${op}: output with shape ${formatShape(target)} doesn't match the broadcast shape ${formatShape(broadcast)}`);
  }
}

/** assign's option for the in-place arithmetic: the value is the op's result, written only where its dtype casts. */
const RESULT = { result: true } as const;

/** Accepts both `view(2, 3)` and `view([2, 3])`. */
function flatArgs(args: number[] | [readonly number[]]): number[] {
  return Array.isArray(args[0]) ? (args[0] as readonly number[]).slice() : (args as number[]);
}
