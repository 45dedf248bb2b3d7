/**
 * The kernel interface. Ops above it (src/ops) own shapes, dtypes, broadcasting and gradients;
 * a backend only runs loops over typed arrays. It knows no op by name: every elementwise op is a
 * pointwise expression (src/ops/pointwise) that the `pointwise` family runs; the other families
 * are reductions, matmul, gather/scatter and the windows of convolution and pooling. The plain-JS
 * backend implements every kernel for every dtype and is the reference; a faster backend
 * (WebAssembly) may implement the float32/float64 hot paths and hand the rest to the JS one.
 */
import type { DType, TypedArray } from "../tensor/dtype.js";
import type { MemoryHeld } from "../errors.js";
import type { Kernel } from "../ops/pointwise/plan.js";
import type { Conv2dGeometry } from "./convolution.js";
import { defaultDevice, setDefaultDevice, startWebGpu } from "./device.js";

/** A strided window onto a typed array: element (i0, i1, …) lives at offset + Σ ik·strides[k]. */
export interface StridedView {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Reductions over the last axis of a contiguous [outer, inner] block. */
export type ReduceOp = "sum" | "prod" | "max" | "min" | "logsumexp";

/** Reductions that also return where the extreme value sits. */
export type ArgReduceOp = "max" | "min";

export interface MatmulArgs {
  /** [...batch, M, K] with broadcast batch strides (0 where a batch dim is broadcast). */
  readonly a: StridedView;
  /** [...batch, K, N] likewise. */
  readonly b: StridedView;
  /** Contiguous [...batch, M, N]. */
  readonly out: TypedArray;
  readonly batchShape: readonly number[];
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** One Adam or AdamW update of one parameter, in place, over contiguous buffers of equal length. */
export interface AdamStepArgs {
  readonly param: TypedArray;
  readonly grad: TypedArray;
  readonly expAvg: TypedArray;
  readonly expAvgSq: TypedArray;
  /** AMSGrad's running maximum of expAvgSq, or null without AMSGrad. */
  readonly maxExpAvgSq: TypedArray | null;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW: decay the weights by (1 − lr·λ) instead of adding λ·θ to the gradient. */
  readonly decoupled: boolean;
  readonly maximize: boolean;
  /** The step number t ≥ 1, for the bias corrections. */
  readonly step: number;
}

/** One SGD step over a parameter's flat buffers (the rule is in src/optim/sgd.ts). */
export interface SgdStepArgs {
  readonly param: TypedArray;
  readonly grad: TypedArray;
  /** The momentum buffer, or null without momentum. */
  readonly momentumBuffer: TypedArray | null;
  /** Whether the buffer is new: then it starts as the gradient itself. */
  readonly firstStep: boolean;
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly maximize: boolean;
}

/** One Adadelta update of one parameter (the rule is in src/optim/adadelta.ts), in place, over contiguous buffers of equal length. */
export interface AdadeltaStepArgs {
  readonly param: TypedArray;
  readonly grad: TypedArray;
  /** E[g²]. */
  readonly squareAvg: TypedArray;
  /** E[Δ²]. */
  readonly accDelta: TypedArray;
  readonly lr: number;
  readonly rho: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly maximize: boolean;
}

/** Max pooling over windows of a 4-D [N, C, H, W] input; padding is skipped (never picked). */
export interface MaxPool2dArgs {
  /** [N, C, H, W], any strides. */
  readonly x: StridedView;
  /** (height, width) pairs. */
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
  /** Output (oH, oW); every window holds at least one input element. */
  readonly out: readonly number[];
  /** Contiguous [N, C, oH, oW]: each window's largest element (the first NaN wins, then the first largest). */
  readonly values: TypedArray;
  /** Contiguous [N, C, oH, oW]: where that element sits in its input plane, h·W + w; null when no gradient needs them. */
  readonly indices: Int32Array | null;
}

export interface Backend {
  readonly name: string;
  /**
   * Storage for `size` elements, zeroed unless `zeroed` is false (the caller then writes every
   * element, and a backend may skip clearing a reused block); a WASM backend may place it in its
   * own memory. `tracked` false: the caller frees the array itself (release) or calls `track`
   * before anything else could drop it, so the backend need not ask the garbage collector to
   * report it (registering costs ~0.2 µs, and each registered array dead at a collection ~0.3 µs more).
   */
  alloc(dtype: DType, size: number, zeroed?: boolean, op?: string, tracked?: boolean): TypedArray;
  /** Takes back storage made by alloc that nothing will read again (a backend with its own heap reuses it), tracked or not. */
  release?(array: TypedArray): void;
  /** From now on the collector frees this array (made by alloc with `tracked` false) once it is unreachable. */
  track?(array: TypedArray): void;
  /** Whether alloc placed this array in the backend's own heap (where release matters). */
  inHeap?(array: TypedArray): boolean;
  /** What the backend's own heap holds, for OutOfMemoryError messages. */
  memoryHeld?(): MemoryHeld;
  /** The backend's own heap, where it has one (memory.stats() and friends read it). */
  readonly memory?: BackendMemory;
  /** Copies a strided view into contiguous `out` (converting dtype as `out`'s type demands; to bool means ≠ 0). */
  copy(x: StridedView, out: TypedArray): void;
  /** Writes src (already broadcast to dst's shape) into the strided positions of dst, in place. */
  assign(dst: StridedView, src: StridedView): void;
  /**
   * out[i] = kernel(inputs[0][i], inputs[1][i], …; params) for a pointwise expression, the inputs
   * already broadcast to out's shape (zero strides where broadcast), out contiguous; a condition
   * is stored as 1 or 0.
   */
  pointwise(kernel: Kernel, inputs: readonly StridedView[], out: TypedArray, params: readonly number[]): void;
  /** x is contiguous [outer, inner]; out[o] = reduce(x[o, :]). */
  reduce(op: ReduceOp, x: TypedArray, outer: number, inner: number, out: TypedArray): void;
  /** Like reduce for max/min, also writing the first index of the extreme value (NaN wins, as in PyTorch). */
  argReduce(op: ArgReduceOp, x: TypedArray, outer: number, inner: number, values: TypedArray, indices: Int32Array): void;
  matmul(args: MatmulArgs): void;
  /** out[o, j] = x[o, index[o, j]] for contiguous x [outer, inner] and index [outer, k]. */
  gather(x: TypedArray, index: Int32Array, outer: number, inner: number, k: number, out: TypedArray): void;
  /**
   * out[o, index[o, j]] += src[o, j]; out is [outer, inner], src and index [outer, k]. With
   * `zeroFirst` out holds nothing yet (uninitialized storage) and is zeroed first, so that the
   * kernel can zero it a piece at a time, beside the additions.
   */
  scatterAdd(src: TypedArray, index: Int32Array, outer: number, inner: number, k: number, out: TypedArray, zeroFirst?: boolean): void;
  /**
   * col2im: out[n, c, oh·sH + i·dH, ow·sW + j·dW] += cols[n, c, i, j, oh, ow] for cols of shape
   * [N, C, kH, kW, oH, oW] (any strides) into contiguous out [N, C, H, W], taps (i, j) in order.
   */
  fold2d(cols: StridedView, size: readonly number[], stride: readonly number[], dilation: readonly number[], out: TypedArray): void;
  /** Max pooling with indices (the gradient is a scatterAdd of the output gradient at the indices). */
  maxPool2d(args: MaxPool2dArgs): void;
  /**
   * The convolution family (geometry and formula in convolution.ts), each working through the
   * batch in blocks whose scratch stays within getConvolutionScratch():
   * conv2d writes y [N, O, oH, oW] from x, the weight [O, C/groups, kH, kW] and a bias [O] or null;
   */
  conv2d(g: Conv2dGeometry, x: StridedView, weight: StridedView, bias: StridedView | null, out: TypedArray): void;
  /** conv2dInput writes x's gradient [N, C, H, W] (every element) from y's gradient gy (the transposed convolution); */
  conv2dInput(g: Conv2dGeometry, gy: StridedView, weight: StridedView, out: TypedArray): void;
  /** conv2dWeight writes the weight's gradient [O, C/groups, kH, kW] (every element) from x and gy. */
  conv2dWeight(g: Conv2dGeometry, x: StridedView, gy: StridedView, out: TypedArray): void;
  /** Kernels a backend may offer for speed; the ops and optimizers have a reference path without them. */
  readonly fused?: FusedKernels;
  /** Applies options given to setBackend (each backend reads the ones it knows). */
  configure?(options: BackendOptions): void;
  /** The options in effect. */
  options?(): BackendOptions;
}

/** Counters of a backend's own heap, in bytes (see src/memory). */
export interface MemoryStats {
  /** In storage and scratch handed out and not yet freed. */
  readonly allocated: number;
  /** Freed and kept for reuse. */
  readonly cached: number;
  /** allocated + cached: the span of the heap. */
  readonly reserved: number;
  /** The most allocated since the start or the last resetPeak(). */
  readonly peak: number;
  /** Blocks handed out and not yet freed. */
  readonly count: number;
  /** The most the heap may span. */
  readonly limit: number;
  /** Forced garbage collections the heap has asked for (memory.setCollection). */
  readonly collections: number;
}

export interface BackendMemory {
  stats(): MemoryStats;
  resetPeak(): void;
  /** Caps the heap (bytes), or lifts the cap with null. */
  setLimit(bytes: number | null): void;
}

/** Options for setBackend. */
export interface BackendOptions {
  /**
   * wasm: use the build with relaxed SIMD (fused multiply-add: ~20% faster matmul, products
   * rounded once instead of twice). On by default where the engine runs it without flags
   * (browsers, Node 22+); on Node 20 asking for it sets V8's flag for it, process-wide.
   */
  relaxedSimd?: boolean;
}

/**
 * Optional capabilities a backend may offer for speed: each does in one pass what a reference
 * path (ops, src/optim's tensor-op rules) does in several, and is held to that reference by the
 * tests. A backend offers any, all or none; each may decline a call
 * (return false), e.g. for a dtype it does not handle, and the reference path then runs.
 */
/**
 * One LSTM step's pointwise part (nn/functional/lstm-cell.ts), over contiguous float32 or float64
 * arrays of one type, N rows of H units: the gate pre-activations are xw + (hw + bias), PyTorch's
 * order (x·W_ihᵀ + b_ih) + (h·W_hhᵀ + b_hh); i,f,g,o = σ,σ,tanh,σ of them; c' = f·c + i·g;
 * h' = o·tanh(c').
 */
export interface LstmCellArgs {
  /** N·4H: x·W_ihᵀ + b_ih. */
  readonly xw: TypedArray;
  /** N·4H: h·W_hhᵀ. */
  readonly hw: TypedArray;
  /** 4H (b_hh, added to every row) or null. */
  readonly bias: TypedArray | null;
  /** N·H: the cell state. */
  readonly c: TypedArray;
  readonly rows: number;
  readonly hidden: number;
  /** 2·N·H written: h' then c'. */
  readonly out: TypedArray;
  /** N·4H written: the activated gates i, f, g, o (what the backward reads). */
  readonly gates: TypedArray;
}

/** The backward of LstmCellArgs' step, from its saved gates and c (c' = f·c + i·g is recomputed, the same bits). */
export interface LstmCellBackwardArgs {
  /** N·4H: the activated gates the forward wrote. */
  readonly gates: TypedArray;
  readonly c: TypedArray;
  /** 2·N·H: the gradients of h' then c'. */
  readonly grad: TypedArray;
  readonly rows: number;
  readonly hidden: number;
  /** N·4H written: the gradient of the gate pre-activations (of xw, of hw, and summed over rows of bias). */
  readonly gradGates: TypedArray;
  /** N·H written: the gradient of c. */
  readonly gradC: TypedArray;
}

/**
 * One GRU step's pointwise part (nn/functional/gru-cell.ts), arrays as LstmCellArgs': with
 * hn = hw_n + b_n, r,z = σ(xw + (hw + bias)) for the first two gates, n = tanh(xw_n + r·hn),
 * h' = n + z·(h − n).
 */
export interface GruCellArgs {
  /** N·3H: x·W_ihᵀ + b_ih. */
  readonly xw: TypedArray;
  /** N·3H: h·W_hhᵀ. */
  readonly hw: TypedArray;
  /** 3H (b_hh) or null. */
  readonly bias: TypedArray | null;
  /** N·H: the hidden state. */
  readonly h: TypedArray;
  readonly rows: number;
  readonly hidden: number;
  /** N·H written: h'. */
  readonly out: TypedArray;
  /** N·4H written: r, z, n and hn (what the backward reads). */
  readonly gates: TypedArray;
}

/** The backward of GruCellArgs' step, from its saved gates and h. */
export interface GruCellBackwardArgs {
  readonly gates: TypedArray;
  readonly h: TypedArray;
  /** N·H: the gradient of h'. */
  readonly grad: TypedArray;
  readonly rows: number;
  readonly hidden: number;
  /** N·3H written: the gradient of xw (of the input gates' pre-activations). */
  readonly gradXw: TypedArray;
  /** N·3H written: the gradient of hw (and, summed over rows, of bias). */
  readonly gradHw: TypedArray;
  /** N·H written: the gradient of h through the step's pointwise part (not through hw). */
  readonly gradH: TypedArray;
}

/**
 * Batch normalisation of contiguous x [N, C, S] (S: the positions of a channel, 1 for [N, C]),
 * every array float32 or float64 alike (src/nn/functional/batch-norm-fused.ts).
 */
export interface BatchNormArgs {
  readonly x: TypedArray;
  readonly n: number;
  readonly channels: number;
  readonly inner: number;
  /** C each, or null: w = 1, b = 0. */
  readonly weight: TypedArray | null;
  readonly bias: TypedArray | null;
  /**
   * Training: the batch's μ and biased σ² (C each) written where given (null: not wanted);
   * evaluation: the μ and σ² to normalise with (the running ones, or copies) read.
   */
  readonly training: boolean;
  readonly mean: TypedArray | null;
  readonly variance: TypedArray | null;
  /** Written where given: 1/√(σ² + ε) (C), what the backward takes. */
  readonly invstd: TypedArray | null;
  /**
   * Training: the running statistics (C each, null: none) moved towards the batch's in place,
   * r ← r·(1 − momentum) + s·momentum with the unbiased variance, as src/nn/functional/running-stats.ts
   * computes it (each operation rounded to the arrays' type, in its order).
   */
  readonly runningMean: TypedArray | null;
  readonly runningVar: TypedArray | null;
  readonly momentum: number;
  readonly eps: number;
  /** N·C·S written: (x − μ)/√(σ² + ε)·w + b. */
  readonly out: TypedArray;
}

export interface BatchNormBackwardArgs {
  readonly x: TypedArray;
  /** N·C·S: the gradient of the output. */
  readonly grad: TypedArray;
  readonly n: number;
  readonly channels: number;
  readonly inner: number;
  readonly weight: TypedArray | null;
  /** The μ and 1/√(σ² + ε) the forward normalised with (C each). */
  readonly mean: TypedArray;
  readonly invstd: TypedArray;
  /** Whether μ and σ² were the batch's (then they depend on x), not constants. */
  readonly training: boolean;
  /** Written where given: the gradients of x (N·C·S), of weight and of bias (C each). */
  readonly gradInput: TypedArray | null;
  readonly gradWeight: TypedArray | null;
  readonly gradBias: TypedArray | null;
}

export interface FusedKernels {
  /** Softmax (or log-softmax) over the last axis of contiguous [outer, inner] (the forward only). */
  softmax?(x: TypedArray, outer: number, inner: number, out: TypedArray, log: boolean): boolean;
  /** An Adam or AdamW step (PyTorch's formulas, src/optim/adam-update.ts) over flat buffers, in place. */
  adamStep?(args: AdamStepArgs): boolean;
  /** An SGD step (momentum, dampening, Nesterov, weight decay, maximize; src/optim/sgd.ts) in place. */
  sgdStep?(args: SgdStepArgs): boolean;
  /** An Adadelta step in one pass, with the tensor-op reference's float operations in its order; false when the reference must run. */
  adadeltaStep?(args: AdadeltaStepArgs): boolean;
  /** An LSTM step's gates and states in one pass (a recurrent net's ~10 pointwise ops per step). */
  lstmCell?(args: LstmCellArgs): boolean;
  /** Its backward in one pass. */
  lstmCellBackward?(args: LstmCellBackwardArgs): boolean;
  /** A GRU step's gates and state in one pass. */
  gruCell?(args: GruCellArgs): boolean;
  /** Its backward in one pass. */
  gruCellBackward?(args: GruCellBackwardArgs): boolean;
  /** Batch normalisation in PyTorch's CPU kernel's passes: the statistics (and the running ones' update), then the output. */
  batchNorm?(args: BatchNormArgs): boolean;
  /** Its backward: the per-channel sums in one pass, the input's gradient in another. */
  batchNormBackward?(args: BatchNormBackwardArgs): boolean;
  /**
   * Dropout's keep-mask in bulk (src/nn/functional/dropout.ts): out[i] = scale where the i-th
   * double drawn from the MT19937 words `mt` at position `index` is below keep, else 0, the words
   * advanced as Generator.nextDouble advances them. Returns the new position, or null when the
   * caller must draw one by one.
   */
  keepMask?(mt: Uint32Array, index: number, out: TypedArray, keep: number, scale: number): number | null;
}

let current: Backend | null = null;
const registry = new Map<string, Backend>();

export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
  if (current === null) current = backend;
}

/** The backend every op runs on. */
export function backend(): Backend {
  if (current === null) throw new Error("nabla: no backend registered");
  return current;
}

/**
 * Chooses the backend by name: `"wasm"` (the default where WebAssembly SIMD runs) or `"js"`, with
 * its options; or `"webgpu"`, which starts the GPU device asynchronously (`await
 * setBackend("webgpu")`) and makes it the default device of new tensors, the CPU backend running
 * what stays on the CPU. A CPU backend's name makes the CPU the default device again.
 */
export function setBackend(name: "webgpu", options?: BackendOptions): Promise<void>;
export function setBackend(name: string, options?: BackendOptions): void;
export function setBackend(name: string, options: BackendOptions = {}): void | Promise<void> {
  if (typeof options !== "object" || options === null) throw new TypeError(`setBackend: options must be an object, got ${String(options)}`);
  if (name === "webgpu") return startWebGpu().then(() => setDefaultDevice("webgpu"));
  const found = registry.get(name);
  if (!found) {
    throw new RangeError(`setBackend: unknown backend "${name}" (available: ${listBackends().join(", ")})`);
  }
  found.configure?.(options);
  current = found;
  setDefaultDevice("cpu");
}

/** The backend new tensors go to: "webgpu" when it is the default device, else the CPU backend's name. */
export function getBackend(): string {
  return defaultDevice() === "webgpu" ? "webgpu" : backend().name;
}

/** The current backend's options in effect, e.g. `{ relaxedSimd: true }`. */
export function getBackendOptions(): BackendOptions {
  return backend().options?.() ?? {};
}

export function listBackends(): string[] {
  return [...registry.keys(), "webgpu"];
}
