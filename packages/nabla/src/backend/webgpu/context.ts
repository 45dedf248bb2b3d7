/**
 * One WebGPU device and the kernels that run on it, over float32 buffers from the device's pool:
 * the pointwise family (WGSL generated from the ops' kernel expressions), assign, matmul, the
 * reductions, gather/scatterAdd, the convolution family, pooling, and the fused softmax and
 * optimizer steps. The methods mirror the Backend interface's (src/backend/backend.ts) with GPU
 * buffers where it has typed arrays, so that a backend holding tensors on the GPU can be built on
 * them (docs/webgpu.md); every kernel is queued, nothing waits, and only `read` brings data back.
 *
 * Transfers of tensor data are counted (`transfers`; a kernel's small argument buffers are not):
 * the issue's test that a training step stays on the GPU will read them.
 */
import type { AdamStepArgs, ArgReduceOp, ReduceOp, SgdStepArgs } from "../backend.js";
import type { Kernel } from "../../ops/pointwise/plan.js";
import { acquireDevice, type AcquiredDevice, type DeviceOptions } from "./device.js";
import { BufferUsage, MapMode, type GpuBuffer, type GpuCommandEncoder, type GpuComputePipeline, type GpuDevice } from "./gpu-types.js";
import { BufferPool, type GpuArray } from "./pool.js";
import { blockingRefusal, isRemoteDevice } from "./remote-device.js";
import { POINTWISE_WORKGROUP, assignShader, computeTypeOf, pointwiseKey, pointwiseShader, type PointwiseTypes } from "./wgsl-pointwise.js";
import { fromBytes, gpuDTypeOf, uploadable, type GpuDType } from "./wgsl-types.js";
import { MATMUL_TILE, matmulShader } from "./wgsl-matmul.js";
import { adamShader, sgdShader } from "./wgsl-optim.js";
import { GATHER_SHADER, SCATTER_ADD_INT_SHADER, SCATTER_ADD_SHADER } from "./wgsl-gather.js";
import { CONV2D_INPUT_SHADER, CONV2D_SHADER, CONV2D_WEIGHT_SHADER } from "./wgsl-conv.js";
import { CONV_TILE_N, convGemmShader, convRowsPerThread, convTileM, type ConvGemmKind } from "./wgsl-conv-gemm.js";
import type { Conv2dGeometry } from "../convolution.js";
import { webgpuStartLimit } from "../device.js";
import { FOLD_SHADER, MAX_POOL_SHADER } from "./wgsl-pooling.js";
import { ROWS_PER_DIMENSION, SHORT_ROW, SHORT_ROW_WORKGROUP, argReduceShader, reduceShader, shortRowArgReduceShader, shortRowReduceShader, shortRowSoftmaxShader, softmaxShader } from "./wgsl-reduce.js";
import { FILL_SHADER } from "./wgsl-fill.js";
import { INDEX_CHECK_NONE, INDEX_CHECK_SHADER, INDEX_CHECK_VALUE_SHADER, VALUE_CHECK_SHADER } from "./wgsl-index-check.js";
import { INDEX_SELECT_SHADER, indexAddShader } from "./wgsl-index-select.js";
import { SCATTER_MAX_RANK, scatterShader, type ScatterMode } from "./wgsl-scatter.js";
import { CUMPROD_GRAD_SHADER, cumExtremumShader, scanShader, type ScanKernel } from "./wgsl-scan.js";
import { sortShader } from "./wgsl-sort.js";
import { TRIANGLE_SHADER } from "./wgsl-triangle.js";
import { searchsortedShader } from "./wgsl-searchsorted.js";
import { PHILOX_BITS_SHADER, PHILOX_FILL_SHADER, PHILOX_KIND, type PhiloxKind } from "./wgsl-philox.js";

export type { GpuArray } from "./pool.js";
export type { GpuDType } from "./wgsl-types.js";

/** Kernels recorded before a submit. */
const BATCH = 64;

/** A strided window onto a GPU buffer, as StridedView is onto a typed array (strides in elements). */
export interface GpuStridedView {
  readonly data: GpuArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export interface GpuMatmulArgs {
  /** [...batch, M, K] with broadcast batch strides (0 where a batch dim is broadcast). */
  readonly a: GpuStridedView;
  /** [...batch, K, N] likewise. */
  readonly b: GpuStridedView;
  /** Contiguous [...batch, M, N]. */
  readonly out: GpuArray;
  readonly batchShape: readonly number[];
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** AdamStepArgs over GPU buffers of `length` elements each. */
export type GpuAdamStepArgs = Omit<AdamStepArgs, "param" | "grad" | "expAvg" | "expAvgSq" | "maxExpAvgSq"> & {
  readonly param: GpuArray;
  readonly grad: GpuArray;
  readonly expAvg: GpuArray;
  readonly expAvgSq: GpuArray;
  readonly maxExpAvgSq: GpuArray | null;
  readonly length: number;
};

/** SgdStepArgs over GPU buffers of `length` elements each. */
export type GpuSgdStepArgs = Omit<SgdStepArgs, "param" | "grad" | "momentumBuffer"> & {
  readonly param: GpuArray;
  readonly grad: GpuArray;
  readonly momentumBuffer: GpuArray | null;
  readonly length: number;
};

export class WebGpuContext {
  readonly pool: BufferPool;
  /** Host→device and device→host copies so far. */
  readonly transfers = { toDevice: 0, toHost: 0 };
  /**
   * Synchronous reads of a few int32 values that fix the size of an op's result (nonzero's count,
   * unique's groups, bincount's largest value, histc's default range): the one wait on the device
   * those ops make, as PyTorch's CUDA forms synchronize there. Not tensor data: not in `transfers`.
   */
  sizeReads = 0;
  /**
   * Kernels dispatched so far and their workgroups: what a step asks of the device, which the tests
   * bound where a kernel's grid should follow its data (a workgroup per short row made an LSTM
   * step thousands of barrier-laden workgroups on a software device).
   */
  readonly dispatched = { kernels: 0, workgroups: 0 };
  private readonly pipelines = new Map<string, GpuComputePipeline>();
  /**
   * Kernels are recorded into one command encoder and submitted together (a submit per kernel
   * costs more than a small kernel): when BATCH have piled up, and before an upload, a read or the
   * pool destroying cached buffers. Buffers released meanwhile (a kernel's arguments, the caller's
   * release) wait in `held` until the submit, so that nothing recorded sees them reused.
   */
  private pending: GpuCommandEncoder | null = null;
  private recorded = 0;
  private held: GpuArray[] = [];
  /**
   * Whether conv2d, conv2dInput and conv2dWeight run as tiled implicit GEMMs (the default) or as
   * the direct kernels, one thread per output: the plain form the tiled ones are tested against,
   * and what runs anyway where a GEMM's grid would pass the device's limits.
   */
  tiledConvolution = true;
  /** Index checks queued since the last read, by id: each makes its op's error from the failing value (wgsl-index-check.ts). */
  private indexChecks = new Map<number, { error: (value: number) => Error; float: boolean }>();
  private nextIndexCheck = 1;
  /** The checks' flag buffer (u32 ×3), made on the first check. */
  private indexFlag: GpuArray | null = null;
  /** Validation error scopes of shaders compiled so far, checked by `read` (WebGPU reports them late). */
  private readonly compileChecks: { readonly scope: Promise<{ readonly message: string } | null>; readonly key: string; readonly code: string }[] = [];

  private constructor(
    readonly device: GpuDevice,
    readonly acquired: AcquiredDevice,
  ) {
    this.pool = new BufferPool(device, webgpuStartLimit(), () => this.flush());
  }

  /** Submits the kernels recorded so far and frees their argument buffers for reuse. */
  flush(): void {
    if (this.pending === null) return;
    this.device.queue.submit([this.pending.finish()]);
    this.pending = null;
    this.recorded = 0;
    for (const a of this.held) this.pool.release(a);
    this.held = [];
  }

  private encoder(): GpuCommandEncoder {
    return (this.pending ??= this.device.createCommandEncoder());
  }

  static async create(options: DeviceOptions = {}): Promise<WebGpuContext> {
    const acquired = await acquireDevice(options);
    return new WebGpuContext(acquired.device, acquired);
  }

  /** A buffer holding a copy of `data`, of the typed array's dtype (a Uint8Array is bool, stored as u32). */
  upload(data: Float32Array | Int32Array | Uint8Array, op = "upload"): GpuArray {
    const array = this.pool.acquire(data.length, op, gpuDTypeOf(data, op));
    // queue.writeBuffer runs ahead of kernels still recorded: submit them first, so that uploads and
    // kernels run in the order written even for a buffer handed to the pool directly
    this.flush();
    if (data.length > 0) this.device.queue.writeBuffer(array.buffer, 0, uploadable(data));
    this.transfers.toDevice++;
    return array;
  }

  /** A buffer for `length` elements of `dtype` with unspecified contents (the kernel writing it writes all). */
  alloc(length: number, op = "alloc", dtype: GpuDType = "float32"): GpuArray {
    return this.pool.acquire(length, op, dtype);
  }

  /** Takes a buffer back; while kernels are recorded and not submitted, only once they are. */
  release(array: GpuArray): void {
    if (this.pending === null) this.pool.release(array);
    else this.held.push(array);
  }

  /** The buffer's elements, once every kernel queued before has run. */
  async read(array: GpuArray): Promise<Float32Array> {
    return new Float32Array(await this.readBytes(array));
  }

  /** The buffer's elements as the typed array of its dtype (Uint8Array for bool), once every kernel queued before has run. */
  async readTyped(array: GpuArray): Promise<Float32Array | Int32Array | Uint8Array> {
    return fromBytes(await this.readBytes(array), array.dtype);
  }

  /** The buffer's elements read as int32 (the indices of argReduce). */
  async readInt32(array: GpuArray): Promise<Int32Array> {
    return new Int32Array(await this.readBytes(array));
  }

  private async readBytes(array: GpuArray): Promise<ArrayBuffer> {
    await this.reportIndexError();
    const failure = this.compileFailure(await Promise.all(this.compileChecks.map((c) => c.scope)));
    if (failure) throw new Error(failure);
    // a buffer the device could not allocate: OutOfMemoryError rather than garbage
    await this.pool.settle();
    const bytes = array.length * 4;
    if (bytes === 0) return new ArrayBuffer(0);
    this.flush();
    const staging = this.device.createBuffer({ size: bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(array.buffer, 0, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    this.transfers.toHost++;
    await staging.mapAsync(MapMode.READ);
    const result = staging.getMappedRange().slice(0);
    staging.unmap();
    staging.destroy();
    return result;
  }

  /** The message of the first shader that failed to compile, given each check's error (null: compiled). */
  private compileFailure(errors: readonly ({ readonly message: string } | null | undefined)[]): string | null {
    const i = errors.findIndex((e) => e !== null && e !== undefined);
    if (i < 0) return null;
    const { key, code } = this.compileChecks[i]!;
    return `webgpu: kernel ${key} failed to compile: ${errors[i]!.message}\n${code}`;
  }

  /**
   * Why this thread cannot read the device's buffers synchronously, or null where it can: a worker
   * must own the device (remote-device.ts) and this thread must be allowed to block.
   */
  syncReadRefusal(): string | null {
    if (!isRemoteDevice(this.device)) {
      return "the device runs on this thread, whose WebGPU can only map a buffer asynchronously (a worker-owned device reads synchronously: the default in Node, `{ worker: true }` elsewhere)";
    }
    return blockingRefusal();
  }

  /**
   * readTyped, synchronously: blocks until the worker owning the device has read the buffer.
   * Throws where syncReadRefusal says why not; reports failed shaders and the device's
   * out-of-memory as the asynchronous read does.
   */
  readTypedSync(array: GpuArray): Float32Array | Int32Array | Uint8Array {
    const remote = this.device;
    const refusal = this.syncReadRefusal();
    if (refusal !== null || !isRemoteDevice(remote)) throw new Error(`webgpu: cannot read synchronously: ${refusal}`);
    this.reportIndexErrorSync((buffer) => remote.readSync(buffer, 0, 12));
    const bytes = array.length * 4;
    this.flush();
    const data = bytes === 0 ? new ArrayBuffer(0) : remote.readSync(array.buffer, 0, bytes);
    if (bytes > 0) this.transfers.toHost++;
    // the read's reply brought the verdict of every error scope asked before it
    const failure = this.compileFailure(this.compileChecks.map((c) => remote.settledNow(c.scope)?.value));
    if (failure) throw new Error(failure);
    this.pool.settleSync((scope) => remote.settledNow(scope));
    return fromBytes(data, array.dtype);
  }

  /**
   * `count` 32-bit values of `array` from element `offset`, read now (the thread blocking until the
   * device has run every kernel queued before), for an op whose result's size depends on them
   * (`sizeReads`). Throws where the thread may not block, naming `op` and the reason.
   */
  readSizeSync(op: string, array: GpuArray, offset: number, count: number): Int32Array {
    const remote = this.device;
    const refusal = this.syncReadRefusal();
    if (refusal !== null || !isRemoteDevice(remote)) {
      throw new Error(`${op}: the size of the result depends on values on the webgpu device, which cannot be read synchronously here (${refusal}): move the input to the CPU first with \`await t.toAsync("cpu")\``);
    }
    this.reportIndexErrorSync((buffer) => remote.readSync(buffer, 0, 12));
    this.flush();
    const data = remote.readSync(array.buffer, offset * 4, count * 4);
    this.sizeReads++;
    const failure = this.compileFailure(this.compileChecks.map((c) => remote.settledNow(c.scope)?.value));
    if (failure) throw new Error(failure);
    this.pool.settleSync((scope) => remote.settledNow(scope));
    return new Int32Array(data);
  }

  /**
   * out[i] = kernel(inputs[0][i], …; params) with the inputs broadcast to out's shape, out
   * contiguous (a condition stored as 1 or 0). out may be one of the inputs' buffers (in place):
   * WebGPU forbids binding a buffer both for reading and writing, so the result then goes through
   * a scratch buffer.
   */
  pointwise(kernel: Kernel, inputs: readonly GpuStridedView[], out: GpuArray, params: readonly number[]): void {
    if (inputs.length !== kernel.arity) throw new RangeError(`webgpu pointwise ${kernel.key}: expected ${kernel.arity} inputs, got ${inputs.length}`);
    if (params.length !== kernel.params) throw new RangeError(`webgpu pointwise ${kernel.key}: expected ${kernel.params} params, got ${params.length}`);
    if (kernel.arity === 0) throw new RangeError(`webgpu pointwise ${kernel.key}: a kernel without inputs is a constant (fill it instead)`);
    const n = out.length;
    if (n === 0) return;
    const shape = inputs[0]!.shape;
    const { dims, strides } = mergeDims(shape, inputs.map((v) => v.strides));
    const info = [n, dims.length, ...dims];
    inputs.forEach((v, i) => info.push(v.offset, ...strides[i]!));
    const aliased = inputs.some((v) => v.data.buffer === out.buffer);
    const target = aliased ? this.pool.acquire(n, `pointwise ${kernel.key}`, out.dtype) : out;
    const buffers = [...inputs.map((v) => v.data.buffer), target.buffer];
    const dtypes = inputs.map((v) => v.data.dtype);
    const types: PointwiseTypes = { inputs: dtypes, out: out.dtype, compute: computeTypeOf(dtypes, out.dtype, params) };
    const pipeline = this.pipeline(`pointwise:${pointwiseKey(kernel, types)}`, () => pointwiseShader(kernel, types));
    const scratch = [this.scalars(new Int32Array(info))];
    // an i32 kernel's params as ToInt32 makes them (the ops pass integers there)
    if (kernel.params > 0) scratch.push(this.scalars(types.compute === "i32" ? new Int32Array(params) : new Float32Array(params)));
    const groups = Math.ceil(n / POINTWISE_WORKGROUP);
    const copy = aliased ? { from: target, to: out } : null;
    this.dispatch(pipeline, [...buffers, ...scratch.map((s) => s.buffer)], grid2d(groups), copy, aliased ? [...scratch, target] : scratch);
  }

  /**
   * Writes src (already broadcast to dst's shape) into the strided positions of dst, in place.
   * Where both views share a buffer (x[1:] = x[:-1]), src is read from a copy taken first.
   */
  assign(dst: GpuStridedView, src: GpuStridedView): void {
    const n = dst.shape.reduce((p, s) => p * s, 1);
    if (n === 0) return;
    const { dims, strides } = mergeDims(dst.shape, [dst.strides, src.strides]);
    const info = this.scalars(new Int32Array([n, dims.length, ...dims, dst.offset, ...strides[0]!, src.offset, ...strides[1]!]));
    let from = src.data;
    const shared = src.data.buffer === dst.data.buffer;
    if (shared) {
      from = this.pool.acquire(src.data.length, "assign", src.data.dtype);
      this.encoder().copyBufferToBuffer(src.data.buffer, 0, from.buffer, 0, src.data.length * 4);
    }
    const [from_, to] = [src.data.dtype, dst.data.dtype];
    const pipeline = this.pipeline(`assign:${from_}->${to}`, () => assignShader(from_, to));
    this.dispatch(pipeline, [from.buffer, dst.data.buffer, info.buffer], grid2d(Math.ceil(n / POINTWISE_WORKGROUP)), null, shared ? [info, from] : [info]);
  }

  /** out[o] = reduce(x[o, :]) over contiguous x [outer, inner]. */
  reduce(op: ReduceOp, x: GpuArray, outer: number, inner: number, out: GpuArray): void {
    if (outer === 0) return;
    if (inner === 0 && (op === "max" || op === "min")) {
      throw new RangeError(`webgpu reduce ${op}: cannot reduce an empty dimension (it has no identity)`);
    }
    if (inner <= SHORT_ROW) {
      // short rows: a thread each, not a workgroup each (see SHORT_ROW)
      const pipeline = this.pipeline(`reduceShort:${op}:${x.dtype}->${out.dtype}`, () => shortRowReduceShader(op, x.dtype, out.dtype));
      const info = this.scalars(new Int32Array([outer, inner]));
      this.dispatch(pipeline, [x.buffer, out.buffer, info.buffer], grid2d(Math.ceil(outer / SHORT_ROW_WORKGROUP)), null, [info]);
      return;
    }
    this.rows(`reduce:${op}:${x.dtype}->${out.dtype}`, () => reduceShader(op, x.dtype, out.dtype), [x, out], outer, inner);
  }

  /** Like reduce for max/min, also writing (as int32) the first index of the extreme value; NaN wins. */
  argReduce(op: ArgReduceOp, x: GpuArray, outer: number, inner: number, values: GpuArray, indices: GpuArray): void {
    if (outer === 0) return;
    if (inner === 0) throw new RangeError(`webgpu argReduce ${op}: cannot reduce an empty dimension`);
    if (values.dtype !== x.dtype) throw new TypeError(`webgpu argReduce ${op}: values must be ${x.dtype} as x, got ${values.dtype}`);
    if (inner <= SHORT_ROW) {
      // short rows (a classifier's few logits per sample): a thread each, not a workgroup each (see SHORT_ROW)
      const pipeline = this.pipeline(`argReduceShort:${op}:${x.dtype}`, () => shortRowArgReduceShader(op, x.dtype));
      const info = this.scalars(new Int32Array([outer, inner]));
      this.dispatch(pipeline, [x.buffer, values.buffer, info.buffer, indices.buffer], grid2d(Math.ceil(outer / SHORT_ROW_WORKGROUP)), null, [info]);
      return;
    }
    this.rows(`argReduce:${op}:${x.dtype}`, () => argReduceShader(op, x.dtype), [x, values, indices], outer, inner);
  }

  /** Softmax (or log-softmax) over the last axis of contiguous [outer, inner] into out of the same shape. */
  softmax(x: GpuArray, outer: number, inner: number, out: GpuArray, log: boolean): void {
    float32Only(log ? "logSoftmax" : "softmax", x, out);
    if (outer === 0 || inner === 0) return;
    if (inner <= SHORT_ROW) {
      // short rows (attention over a few positions): a thread each, not a workgroup each (see SHORT_ROW)
      const info = this.scalars(new Int32Array([outer, inner]));
      const pipeline = this.pipeline(log ? "logSoftmaxShort" : "softmaxShort", () => shortRowSoftmaxShader(log));
      this.dispatch(pipeline, [x.buffer, out.buffer, info.buffer], grid2d(Math.ceil(outer / SHORT_ROW_WORKGROUP)), null, [info]);
      return;
    }
    this.rows(log ? "logSoftmax" : "softmax", () => softmaxShader(log), [x, out], outer, inner);
  }

  /** One Adam or AdamW step in place (PyTorch's formulas, as src/backend/js/optim-steps.ts). */
  adamStep(a: GpuAdamStepArgs): void {
    float32Only("adamStep", a.param, a.grad, a.expAvg, a.expAvgSq, a.maxExpAvgSq);
    if (a.length === 0) return;
    const shape = { amsgrad: a.maxExpAvgSq !== null, decoupled: a.decoupled, maximize: a.maximize, weightDecay: a.weightDecay !== 0 };
    const key = `adam:${Object.entries(shape).filter(([, on]) => on).map(([k]) => k).join(",")}`;
    const hyper = [
      a.lr / (1 - a.beta1 ** a.step), Math.sqrt(1 - a.beta2 ** a.step), 1 - a.lr * a.weightDecay,
      a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.eps, a.weightDecay,
    ];
    const buffers = [a.param, a.grad, a.expAvg, a.expAvgSq];
    this.elementwise(key, () => adamShader(shape), buffers, a.length, hyper, a.maxExpAvgSq ? [a.maxExpAvgSq] : []);
  }

  /** One SGD step in place (momentum, dampening, Nesterov, weight decay, maximize). */
  sgdStep(a: GpuSgdStepArgs): void {
    float32Only("sgdStep", a.param, a.grad, a.momentumBuffer);
    if (a.length === 0) return;
    const momentum = a.momentumBuffer !== null;
    const shape = { momentum, firstStep: momentum && a.firstStep, nesterov: momentum && a.nesterov, maximize: a.maximize, weightDecay: a.weightDecay !== 0 };
    const key = `sgd:${Object.entries(shape).filter(([, on]) => on).map(([k]) => k).join(",")}`;
    const hyper = [a.lr, a.momentum, 1 - a.dampening, a.weightDecay];
    this.elementwise(key, () => sgdShader(shape), [a.param, a.grad], a.length, hyper, a.momentumBuffer ? [a.momentumBuffer] : []);
  }

  /** One thread per element; bindings: `buffers`, info [n], hyper (f32), then `after`. */
  private elementwise(key: string, source: () => string, buffers: readonly GpuArray[], n: number, hyper: readonly number[], after: readonly GpuArray[]): void {
    const pipeline = this.pipeline(key, source);
    const info = this.scalars(new Int32Array([n]));
    const numbers = this.scalars(new Float32Array(hyper));
    const all = [...buffers.map((b) => b.buffer), info.buffer, numbers.buffer, ...after.map((b) => b.buffer)];
    this.dispatch(pipeline, all, grid2d(Math.ceil(n / POINTWISE_WORKGROUP)), null, [info, numbers]);
  }

  /** out[o, j] = x[o, index[o, j]] for contiguous x [outer, inner] and index (int32) [outer, k]. */
  gather(x: GpuArray, index: GpuArray, outer: number, inner: number, k: number, out: GpuArray): void {
    if (out.dtype !== x.dtype) throw new TypeError(`webgpu gather: out must be ${x.dtype} as x, got ${out.dtype}`);
    this.indexed("gather", GATHER_SHADER, x, index, outer, inner, k, out);
  }

  /** out[o, index[o, j]] += src[o, j]; out is [outer, inner], src and index (int32) [outer, k]. */
  scatterAdd(src: GpuArray, index: GpuArray, outer: number, inner: number, k: number, out: GpuArray): void {
    if (src.dtype !== out.dtype) throw new TypeError(`webgpu scatterAdd: src (${src.dtype}) and out (${out.dtype}) must have one dtype`);
    if (out.dtype === "bool") {
      // PyTorch's sum of bools stored as bool: "or" (the scatter kernel's bool add)
      const rows = (data: GpuArray): GpuStridedView => ({ data, shape: [outer, k], strides: [k, 1], offset: 0 });
      this.scatter("add", out, [outer, inner], 1, rows(index), rows(src));
    } else if (out.dtype === "int32") this.indexed("scatterAdd:int32", SCATTER_ADD_INT_SHADER, src, index, outer, inner, k, out);
    else this.indexed("scatterAdd", SCATTER_ADD_SHADER, src, index, outer, inner, k, out);
  }

  private indexed(key: string, code: string, x: GpuArray, index: GpuArray, outer: number, inner: number, k: number, out: GpuArray): void {
    if (outer * k === 0) return;
    const pipeline = this.pipeline(key, () => code);
    const info = this.scalars(new Int32Array([outer, inner, k]));
    this.dispatch(pipeline, [x.buffer, index.buffer, out.buffer, info.buffer], grid2d(Math.ceil((outer * k) / POINTWISE_WORKGROUP)), null, [info]);
  }

  /** y [N, O, oH, oW] from x [N, C, H, W], the weight [O, C/groups, kH, kW] and a bias [O] or null (Backend.conv2d). */
  conv2d(g: Conv2dGeometry, x: GpuStridedView, weight: GpuStridedView, bias: GpuStridedView | null, out: GpuArray): void {
    float32Only("conv2d", x.data, weight.data, bias?.data ?? null, out);
    const size = g.n * g.o * g.oh * g.ow;
    // without a bias the weight stands in for its binding (never read)
    const buffers = [x.data.buffer, weight.data.buffer, (bias ?? weight).data.buffer, out.buffer];
    this.convolution("conv2d", CONV2D_SHADER, g, [x, weight, bias], buffers, size, { kind: "forward", rows: g.o / g.groups, columns: g.n * g.oh * g.ow });
  }

  /** x's gradient [N, C, H, W] from y's gradient gy (Backend.conv2dInput). */
  conv2dInput(g: Conv2dGeometry, gy: GpuStridedView, weight: GpuStridedView, out: GpuArray): void {
    float32Only("conv2dInput", gy.data, weight.data, out);
    const gemm = { kind: "input" as const, rows: g.c / g.groups, columns: g.n * g.h * g.w };
    this.convolution("conv2dInput", CONV2D_INPUT_SHADER, g, [gy, weight, null], [gy.data.buffer, weight.data.buffer, out.buffer], g.n * g.c * g.h * g.w, gemm);
  }

  /** The weight's gradient [O, C/groups, kH, kW] from x and gy (Backend.conv2dWeight). */
  conv2dWeight(g: Conv2dGeometry, x: GpuStridedView, gy: GpuStridedView, out: GpuArray): void {
    float32Only("conv2dWeight", x.data, gy.data, out);
    const columns = (g.c / g.groups) * g.kh * g.kw;
    this.convolution("conv2dWeight", CONV2D_WEIGHT_SHADER, g, [x, gy, null], [x.data.buffer, gy.data.buffer, out.buffer], (g.o * g.c * g.kh * g.kw) / g.groups, { kind: "weight", rows: g.o / g.groups, columns });
  }

  /** Backend.maxPool2d over GPU buffers: values [N, C, oH, oW] and their places h·W + w (int32). */
  maxPool2d(a: { x: GpuStridedView; kernel: readonly number[]; stride: readonly number[]; padding: readonly number[]; dilation: readonly number[]; out: readonly number[]; values: GpuArray; indices: GpuArray }): void {
    float32Only("maxPool2d", a.x.data, a.values);
    const [n, c, h, w] = a.x.shape as [number, number, number, number];
    const [oh, ow] = a.out as [number, number];
    const size = n * c * oh * ow;
    if (size === 0) return;
    const info = this.scalars(new Int32Array([n, c, h, w, ...a.kernel, ...a.stride, ...a.padding, ...a.dilation, oh, ow, a.x.offset, ...a.x.strides]));
    const pipeline = this.pipeline("maxPool2d", () => MAX_POOL_SHADER);
    this.dispatch(pipeline, [a.x.data.buffer, a.values.buffer, a.indices.buffer, info.buffer], grid2d(Math.ceil(size / POINTWISE_WORKGROUP)), null, [info]);
  }

  /** Backend.fold2d (col2im) over GPU buffers: adds cols [N, C, kH, kW, oH, oW] into out [N, C, H, W]. */
  fold2d(cols: GpuStridedView, size: readonly number[], stride: readonly number[], dilation: readonly number[], out: GpuArray): void {
    float32Only("fold2d", cols.data, out);
    const [n, c, kh, kw, oh, ow] = cols.shape as [number, number, number, number, number, number];
    const [h, w] = size as [number, number];
    const total = n * c * h * w;
    if (total === 0) return;
    const info = this.scalars(new Int32Array([n, c, h, w, kh, kw, oh, ow, ...stride, ...dilation, cols.offset, ...cols.strides]));
    const pipeline = this.pipeline("fold2d", () => FOLD_SHADER);
    this.dispatch(pipeline, [cols.data.buffer, out.buffer, info.buffer], grid2d(Math.ceil(total / POINTWISE_WORKGROUP)), null, [info]);
  }

  /**
   * The convolution family's dispatch: the implicit GEMM (wgsl-conv-gemm.ts) where `gemm` says
   * which and its grid fits the device, else the direct kernel `code`, one thread per output.
   */
  private convolution(key: string, code: string, g: Conv2dGeometry, views: readonly (GpuStridedView | null)[], buffers: GpuBuffer[], size: number, gemm: { kind: ConvGemmKind; rows: number; columns: number } | null = null): void {
    if (size === 0) return;
    const geometry = [g.n, g.c, g.h, g.w, g.o, g.groups, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow];
    const operand = (v: GpuStridedView | null, rank: number): number[] => (v === null ? new Array<number>(rank + 1).fill(0) : [v.offset, ...v.strides.slice(0, rank)]);
    const bias = views[2] ?? null;
    const info = this.scalars(new Int32Array([...geometry, ...operand(views[0]!, 4), ...operand(views[1]!, 4), ...operand(bias, 1), bias === null ? 0 : 1]));
    const most = this.device.limits.maxComputeWorkgroupsPerDimension;
    const rows = convRowsPerThread(gemm?.rows ?? 0);
    const grid: [number, number, number] = gemm ? [Math.ceil(gemm.columns / CONV_TILE_N), Math.ceil(gemm.rows / convTileM(rows)), g.groups] : [0, 0, 0];
    if (gemm && this.tiledConvolution && grid.every((d) => d <= most)) {
      const pipeline = this.pipeline(`${key}:gemm${rows}`, () => convGemmShader(gemm.kind, rows));
      this.dispatch(pipeline, [...buffers, info.buffer], grid, null, [info]);
      return;
    }
    const pipeline = this.pipeline(key, () => code);
    this.dispatch(pipeline, [...buffers, info.buffer], grid2d(Math.ceil(size / POINTWISE_WORKGROUP)), null, [info]);
  }

  /** One workgroup per row of [outer, inner]; bindings: x, out, info, then any more buffers. */
  private rows(key: string, source: () => string, [x, out, ...more]: readonly GpuArray[], outer: number, inner: number): void {
    const pipeline = this.pipeline(key, source);
    const info = this.scalars(new Int32Array([outer, inner]));
    const grid: [number, number, number] = [Math.min(outer, ROWS_PER_DIMENSION), Math.ceil(outer / ROWS_PER_DIMENSION), 1];
    this.dispatch(pipeline, [x!.buffer, out!.buffer, info.buffer, ...more.map((m) => m.buffer)], grid, null, [info]);
  }

  /** out[batch] = a[batch] · b[batch], as the Backend's matmul. */
  matmul({ a, b, out, batchShape, m, k, n }: GpuMatmulArgs): void {
    const batches = batchShape.reduce((p, s) => p * s, 1);
    if (batches === 0 || m === 0 || n === 0) return;
    if (batches > this.device.limits.maxComputeWorkgroupsPerDimension) {
      throw new RangeError(`webgpu matmul: ${batches} batches exceed the device's ${this.device.limits.maxComputeWorkgroupsPerDimension} workgroups per dimension`);
    }
    const r = batchShape.length;
    const at = (v: GpuStridedView, i: number): number => v.strides[i] ?? 0;
    const info = [
      m, k, n, r,
      a.offset, at(a, r), at(a, r + 1),
      b.offset, at(b, r), at(b, r + 1),
      ...batchShape,
      ...Array.from({ length: r }, (_, i) => at(a, i)),
      ...Array.from({ length: r }, (_, i) => at(b, i)),
    ];
    const infoBuffer = this.scalars(new Int32Array(info));
    const type = a.data.dtype;
    if (b.data.dtype !== type || out.dtype !== type || type === "bool") {
      throw new TypeError(`webgpu matmul: expected float32 or int32 operands and output of one dtype, got ${a.data.dtype}, ${b.data.dtype} and ${out.dtype}`);
    }
    const pipeline = this.pipeline(`matmul:${type}`, () => matmulShader(type === "int32" ? "i32" : "f32"));
    const grid: [number, number, number] = [Math.ceil(n / MATMUL_TILE), Math.ceil(m / MATMUL_TILE), batches];
    this.dispatch(pipeline, [a.data.buffer, b.data.buffer, out.buffer, infoBuffer.buffer], grid, null, [infoBuffer]);
  }

  /** Writes `value` into the first `array.length` elements, as float32 or, with `int`, as int32 bits. */
  fill(array: GpuArray, value: number, int = false): void {
    if (array.length === 0) return;
    const bits = new Uint32Array((int ? new Int32Array([value]) : new Float32Array([value])).buffer);
    const info = this.scalars(new Uint32Array([array.length, bits[0]!]));
    const pipeline = this.pipeline("fill", () => FILL_SHADER);
    this.dispatch(pipeline, [array.buffer, info.buffer], grid2d(Math.ceil(array.length / POINTWISE_WORKGROUP)), null, [info]);
  }

  /**
   * Philox4x32-10 on the device (wgsl-philox.ts): `n` draws of `kind` into `out` under `key` (two
   * int32 words) from counter `counter` on, with a and b the kind's two float32 parameters; or,
   * with kind "bits", the four raw words of each of `n` counters into the int32 `out`.
   */
  philox(kind: PhiloxKind | "bits", out: GpuArray, n: number, key: readonly [number, number], counter: readonly [number, number, number, number], a = 0, b = 0): void {
    if (n === 0) return;
    const ab = new Int32Array(new Float32Array([a, b]).buffer);
    const kindCode = kind === "bits" ? -1 : PHILOX_KIND[kind];
    const info = this.scalars(new Int32Array([n, key[0], key[1], ...counter, kindCode, ab[0]!, ab[1]!]));
    const pipeline = kind === "bits" ? this.pipeline("philox:bits", () => PHILOX_BITS_SHADER) : this.pipeline("philox", () => PHILOX_FILL_SHADER);
    this.dispatch(pipeline, [out.buffer, info.buffer], grid2d(Math.ceil(n / POINTWISE_WORKGROUP)), null, [info]);
  }

  /** Copies `length` elements bit for bit from `from` (at element `fromOffset`) to the start of `to`, in queue order. */
  copyElements(from: GpuArray, fromOffset: number, to: GpuArray, length: number): void {
    if (length === 0) return;
    this.encoder().copyBufferToBuffer(from.buffer, fromOffset * 4, to.buffer, 0, length * 4);
  }

  /**
   * Queues a check that the `n` int32 elements of `index` from `offset` lie in [low, high); a
   * violation is reported by the next read (of any buffer), which throws `error(value)` for the
   * first failing element of the first failing check (wgsl-index-check.ts).
   */
  checkIndices(index: GpuArray, offset: number, n: number, low: number, high: number, error: (value: number) => Error): void {
    if (index.dtype !== "int32") throw new TypeError(`webgpu checkIndices: expected an int32 index, got ${index.dtype}`);
    this.check("indexCheck", INDEX_CHECK_SHADER, index, offset, n, [low, high], error, false);
  }

  /** As checkIndices for float32 values in the closed range [low, high] (NaN fails); the error gets the failing value. */
  checkValues(x: GpuArray, offset: number, n: number, low: number, high: number, error: (value: number) => Error): void {
    float32Only("checkValues", x);
    const bits = new Int32Array(new Float32Array([low, high]).buffer);
    this.check("valueCheck", VALUE_CHECK_SHADER, x, offset, n, [bits[0]!, bits[1]!], error, true);
  }

  private check(key: string, code: string, values: GpuArray, offset: number, n: number, [low, high]: readonly number[], error: (value: number) => Error, float: boolean): void {
    if (n === 0) return;
    if (this.indexFlag === null) {
      this.indexFlag = this.pool.acquire(3, "index checks", "int32");
      this.fill(this.indexFlag, -1, true);
    }
    const id = this.nextIndexCheck++;
    this.indexChecks.set(id, { error, float });
    const info = this.scalars(new Int32Array([n, offset, low!, high!, id]));
    const buffers = [values.buffer, this.indexFlag.buffer, info.buffer];
    this.dispatch(this.pipeline(key, () => code), buffers, grid2d(Math.ceil(n / POINTWISE_WORKGROUP)), null, []);
    this.dispatch(this.pipeline("indexCheckValue", () => INDEX_CHECK_VALUE_SHADER), buffers, [1, 1, 1], null, [info]);
  }

  /** Throws the error of the first index check that failed since the last read, if any (and clears the flag). */
  private async reportIndexError(): Promise<void> {
    const flag = this.indexFlag;
    if (flag === null || this.indexChecks.size === 0) return;
    this.flush();
    const staging = this.device.createBuffer({ size: 12, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(flag.buffer, 0, staging, 0, 12);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(MapMode.READ);
    const words = new Uint32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    this.throwIndexError(flag, words);
  }

  /** reportIndexError for the synchronous read: `read` brings the flag's 12 bytes back at once. */
  private reportIndexErrorSync(read: (buffer: GpuBuffer) => ArrayBuffer): void {
    const flag = this.indexFlag;
    if (flag === null || this.indexChecks.size === 0) return;
    this.flush();
    this.throwIndexError(flag, new Uint32Array(read(flag.buffer)));
  }

  /** Clears the checks read by `words` (the flag's contents) and throws the first failure's error, if any. */
  private throwIndexError(flag: GpuArray, [id, , value]: Uint32Array): void {
    const checks = this.indexChecks;
    this.indexChecks = new Map();
    if (id === INDEX_CHECK_NONE) return;
    this.fill(flag, -1, true);
    this.flush();
    const check = checks.get(id!);
    if (!check) throw new Error(`webgpu: index check ${id} failed (value bits ${value})`);
    throw check.error(check.float ? new Float32Array(new Uint32Array([value!]).buffer)[0]! : value! | 0);
  }

  /**
   * out[o, j, i] = x[xOffset + (o·size + index[indexOffset + j])·inner + i] for x contiguous
   * [outer, size, inner] and k checked indices: out is [outer, k, inner] (wgsl-index-select.ts).
   */
  indexSelect(x: GpuArray, xOffset: number, index: GpuArray, indexOffset: number, outer: number, size: number, inner: number, k: number, out: GpuArray): void {
    if (out.dtype !== x.dtype) throw new TypeError(`webgpu indexSelect: out must be ${x.dtype} as x, got ${out.dtype}`);
    this.selection("indexSelect", INDEX_SELECT_SHADER, [x, index, out], [outer, size, inner, k, xOffset, indexOffset]);
  }

  /** out[o, index[j], i] += src[srcOffset + (o·k + j)·inner + i], out contiguous [outer, size, inner], in place. */
  indexAdd(src: GpuArray, srcOffset: number, index: GpuArray, indexOffset: number, outer: number, size: number, inner: number, k: number, out: GpuArray): void {
    if (src.dtype !== out.dtype) throw new TypeError(`webgpu indexAdd: src (${src.dtype}) and out (${out.dtype}) must have one dtype`);
    this.selection(`indexAdd:${out.dtype}`, indexAddShader(out.dtype), [src, index, out], [outer, size, inner, k, srcOffset, indexOffset]);
  }

  private selection(key: string, code: string, [x, index, out]: readonly GpuArray[], info: readonly number[]): void {
    const [outer, , inner, k] = info as [number, number, number, number];
    const n = outer * k * inner;
    if (n === 0) return;
    const args = this.scalars(new Int32Array(info));
    this.dispatch(this.pipeline(key, () => code), [x!.buffer, index!.buffer, out!.buffer, args.buffer], grid2d(Math.ceil(n / POINTWISE_WORKGROUP)), null, [args]);
  }

  /**
   * Scatters src (a strided view, or the number `value`) into out (contiguous, `outShape`) along
   * `dim` at a strided int32 index of checked values: written (the last write wins, as the CPU
   * loop), added or multiplied (wgsl-scatter.ts).
   */
  scatter(mode: Exclude<ScatterMode, "claim">, out: GpuArray, outShape: readonly number[], dim: number, index: GpuStridedView, src: GpuStridedView | number): void {
    const n = index.shape.reduce((p, s) => p * s, 1);
    if (n === 0) return;
    const rank = index.shape.length;
    if (rank > SCATTER_MAX_RANK) throw new RangeError(`webgpu scatter: at most ${SCATTER_MAX_RANK} dims, got ${rank}`);
    if (typeof src !== "number" && src.data.dtype !== out.dtype) throw new TypeError(`webgpu scatter: src (${src.data.dtype}) and out (${out.dtype}) must have one dtype`);
    const outStrides = outShape.map((_, d) => outShape.slice(d + 1).reduce((p, s) => p * s, 1));
    const bits = typeof src === "number" ? new Int32Array((out.dtype === "float32" ? new Float32Array([src]) : new Int32Array([src])).buffer)[0]! : 0;
    const view = typeof src === "number" ? null : src;
    const info = this.scalars(new Int32Array([
      n, rank, dim, index.offset, view?.offset ?? 0, view === null ? 0 : 1, bits,
      ...index.shape, ...index.strides, ...outStrides, ...(view?.strides ?? index.shape.map(() => 0)),
    ]));
    const grid = grid2d(Math.ceil(n / POINTWISE_WORKGROUP));
    // without src the index stands in for its binding (never read)
    const source = (view?.data ?? index.data).buffer;
    if (mode !== "assign") {
      const pipeline = this.pipeline(`scatter:${mode}:${out.dtype}`, () => scatterShader(mode, out.dtype));
      this.dispatch(pipeline, [source, index.data.buffer, out.buffer, info.buffer], grid, null, [info]);
      return;
    }
    const winner = this.pool.acquire(out.length, "scatter", "int32");
    this.fill(winner, -1, true);
    this.dispatch(this.pipeline("scatter:claim", () => scatterShader("claim", out.dtype)), [index.data.buffer, winner.buffer, info.buffer], grid, null, []);
    const pipeline = this.pipeline("scatter:assign", () => scatterShader("assign", out.dtype));
    this.dispatch(pipeline, [source, index.data.buffer, out.buffer, info.buffer, winner.buffer], grid, null, [info, winner]);
  }

  /** Running sums, products or log-sum-exps of the rows of contiguous x [outer, n] from `offset` into out (wgsl-scan.ts). */
  scan(kind: ScanKernel, x: GpuArray, offset: number, outer: number, n: number, reverse: boolean, out: GpuArray): void {
    if (x.dtype !== out.dtype || x.dtype === "bool") throw new TypeError(`webgpu scan ${kind}: expected float32 or int32 input and output of one dtype, got ${x.dtype} and ${out.dtype}`);
    const type = x.dtype === "int32" ? "i32" : "f32";
    this.rowWise(`scan:${kind}:${type}`, () => scanShader(kind, type), [x, out], [outer, n, offset, reverse ? 1 : 0], outer);
  }

  /** cummax / cummin of the rows of contiguous x [outer, n]: values and the latest index of each (int32). */
  cumExtremum(op: "max" | "min", x: GpuArray, offset: number, outer: number, n: number, values: GpuArray, indices: GpuArray): void {
    if (x.dtype !== values.dtype || x.dtype === "bool") throw new TypeError(`webgpu cum${op}: expected float32 or int32 input and values of one dtype, got ${x.dtype} and ${values.dtype}`);
    const type = x.dtype === "int32" ? "i32" : "f32";
    this.rowWise(`cum${op}:${type}`, () => cumExtremumShader(op, type), [x, values, indices], [outer, n, offset, 0], outer);
  }

  /** cumprod's input gradient for the rows of contiguous x and g [outer, n] (each from its offset) into result, zeros in x included. */
  cumprodGrad(x: GpuArray, xOffset: number, g: GpuArray, gOffset: number, outer: number, n: number, result: GpuArray): void {
    float32Only("cumprodGrad", x, g, result);
    this.rowWise("cumprodGrad", () => CUMPROD_GRAD_SHADER, [x, result, g], [outer, n, xOffset, gOffset], outer);
  }

  /**
   * Sorts the rows of contiguous x [outer, n] from `offset` (stable; NaN last ascending, first
   * descending), keeping the first k of each: values [outer, k] and their indices (int32).
   */
  sort(x: GpuArray, offset: number, outer: number, n: number, k: number, descending: boolean, values: GpuArray, indices: GpuArray): void {
    if (values.dtype !== x.dtype) throw new TypeError(`webgpu sort: values must be ${x.dtype} as x, got ${values.dtype}`);
    if (k === 0) return;
    this.rowWise(`sort:${x.dtype}`, () => sortShader(x.dtype), [x, values, indices], [outer, n, offset, k, descending ? 1 : 0], outer * n);
  }

  /** Zeros, in place, the elements of contiguous [batch, rows, cols] `out` outside the lower (or upper) triangle from `diagonal` (wgsl-triangle.ts). */
  triangle(out: GpuArray, batch: number, rows: number, cols: number, diagonal: number, lower: boolean): void {
    const n = batch * rows * cols;
    if (n === 0) return;
    const info = this.scalars(new Int32Array([n, rows, cols, diagonal, lower ? 1 : 0]));
    this.dispatch(this.pipeline("triangle", () => TRIANGLE_SHADER), [out.buffer, info.buffer], grid2d(Math.ceil(n / POINTWISE_WORKGROUP)), null, [info]);
  }

  /**
   * searchsorted (wgsl-searchsorted.ts): insertion points (int32, rows·m) of contiguous values
   * [rows, m] into contiguous boundaries (one row of n, or one per row), through a checked sorter.
   */
  searchsorted(a: { boundaries: GpuArray; boundariesOffset: number; values: GpuArray; valuesOffset: number; sorter: GpuArray | null; sorterOffset: number; rows: number; m: number; n: number; shared: boolean; right: boolean; out: GpuArray }): void {
    if (a.boundaries.dtype !== a.values.dtype || a.values.dtype === "bool") {
      throw new TypeError(`webgpu searchsorted: expected float32 or int32 boundaries and values of one dtype, got ${a.boundaries.dtype} and ${a.values.dtype}`);
    }
    const type = a.values.dtype === "int32" ? "i32" : "f32";
    const info = [a.rows, a.m, a.n, a.shared ? 1 : 0, a.right ? 1 : 0, a.sorter === null ? 0 : 1, a.boundariesOffset, a.valuesOffset, a.sorterOffset];
    // without a sorter the boundaries stand in for its binding (never read)
    this.rowWise(`searchsorted:${type}`, () => searchsortedShader(type), [a.boundaries, a.out, a.values, a.sorter ?? a.boundaries], info, a.rows * a.m);
  }

  /**
   * A kernel of the data-dependent and sampling families (wgsl-special.ts, wgsl-compact.ts,
   * wgsl-unique.ts, wgsl-mode.ts, wgsl-histogram.ts, wgsl-random.ts), one thread per `threads`:
   * bindings x, out, info (the int32 `info`), then `more`. `key` names the shader in the cache.
   */
  threads(key: string, source: () => string, buffers: readonly GpuArray[], info: readonly number[], threads: number): void {
    this.rowWise(key, source, buffers, info, threads);
  }

  /** One thread per `threads`; bindings: x, out, info, then any more buffers. */
  private rowWise(key: string, source: () => string, [x, out, ...more]: readonly GpuArray[], info: readonly number[], threads: number): void {
    if (threads === 0) return;
    const args = this.scalars(new Int32Array(info));
    this.dispatch(this.pipeline(key, source), [x!.buffer, out!.buffer, args.buffer, ...more.map((m) => m.buffer)], grid2d(Math.ceil(threads / POINTWISE_WORKGROUP)), null, [args]);
  }

  /** Frees every buffer and the device. */
  destroy(): void {
    this.flush();
    this.pool.emptyCache();
    this.device.destroy();
  }

  /** A small read-only buffer of numbers (shape, strides, params) for one dispatch. */
  private scalars(values: Int32Array | Float32Array | Uint32Array): GpuArray {
    // a buffer no recorded kernel uses (buffers released while kernels are recorded wait in
    // `held`), so writing it now is safe; dispatch holds it in turn
    const array = this.pool.acquire(values.length, "kernel arguments");
    this.device.queue.writeBuffer(array.buffer, 0, values);
    return array;
  }

  private pipeline(key: string, source: () => string): GpuComputePipeline {
    let found = this.pipelines.get(key);
    if (found === undefined) {
      const code = source();
      this.device.pushErrorScope("validation");
      const module = this.device.createShaderModule({ code, label: key });
      found = this.device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" }, label: key });
      const scope = this.device.popErrorScope();
      scope.catch(() => {}); // a device destroyed first rejects it: nothing to report then
      this.compileChecks.push({ scope, key, code });
      this.pipelines.set(key, found);
    }
    return found;
  }

  private dispatch(
    pipeline: GpuComputePipeline,
    buffers: readonly GpuBuffer[],
    grid: readonly [number, number, number],
    copy: { from: GpuArray; to: GpuArray } | null,
    /** Buffers this kernel alone uses, returned to the pool once it is submitted. */
    scratch: readonly GpuArray[],
  ): void {
    this.dispatched.kernels++;
    this.dispatched.workgroups += grid[0] * grid[1] * grid[2];
    const group = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const encoder = this.encoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    pass.end();
    if (copy) encoder.copyBufferToBuffer(copy.from.buffer, 0, copy.to.buffer, 0, copy.to.length * 4);
    this.held.push(...scratch);
    if (++this.recorded >= BATCH) this.flush();
  }
}

/**
 * The kernels with only a float32 form (convolution, pooling, softmax, the optimizer steps: the
 * ops run them on floating tensors only, as PyTorch does) refuse other buffers by name.
 */
function float32Only(op: string, ...arrays: readonly (GpuArray | null)[]): void {
  const other = arrays.find((a) => a !== null && a.dtype !== "float32");
  if (other) throw new TypeError(`webgpu ${op}: expected float32 buffers, got ${other.dtype}`);
}

/** Workgroups laid out in two dimensions where one would pass the 65535 limit. */
function grid2d(groups: number): [number, number, number] {
  if (groups <= ROWS_PER_DIMENSION) return [groups, 1, 1];
  return [ROWS_PER_DIMENSION, Math.ceil(groups / ROWS_PER_DIMENSION), 1];
}

/**
 * The shape with adjacent dimensions merged wherever every operand walks them as one (stride of
 * the outer = stride of the inner × its size), and size-1 dimensions dropped: a contiguous or
 * uniformly broadcast operation becomes rank 1.
 */
export function mergeDims(shape: readonly number[], strides: readonly (readonly number[])[]): { dims: number[]; strides: number[][] } {
  const dims: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, i) => out[i]![last] === s[d]! * size)) {
      dims[last] = dims[last]! * size;
      strides.forEach((s, i) => (out[i]![last] = s[d]!));
    } else {
      dims.push(size);
      strides.forEach((s, i) => out[i]!.push(s[d]!));
    }
  }
  if (dims.length === 0) return { dims: [1], strides: strides.map(() => [0]) };
  return { dims, strides: out };
}
