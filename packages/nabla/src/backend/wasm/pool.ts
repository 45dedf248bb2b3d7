/**
 * Big matmuls, Adam steps, pointwise runs, convolutions, max pooling and its backward, and row
 * reductions (float32 and float64) split across threads: each helper is a worker with its own
 * instance of the kernel module over the same shared memory, so operands and results need no
 * copying. All threads, the caller's included, take chunks of the work off one atomic counter
 * (assembly/jobs.ts), so a core that is busy with other work slows the split down instead of
 * stalling it; the caller then waits for the helpers to finish their last chunk.
 * Helpers are worker_threads in Node (platform-node.ts) and Web Workers in a cross-origin
 * isolated page (platform-browser.ts); elsewhere everything runs on the caller's thread.
 */
import { allocBytes } from "./heap.js";
import { kernels, memory, moduleBytes, onModuleChange, startKernels, started } from "./instance.js";
import { getNumThreads, workersUnavailable } from "./num-threads.js";
import { platform } from "#platform";

/** Below this many multiply-adds waking a helper costs more than it saves. */
const PARALLEL_MACS = 1 << 18;

interface Helper {
  /** The control block the worker watches (see worker-source.ts). */
  readonly ctl: Int32Array;
  /** Its own packing buffers. */
  readonly work: number;
}

const IDLE = 2;
const POSTED = 1;
const STOP = 3;
/** A posted task the worker has claimed (worker-source.ts): the caller must wait for it. */
const RUNNING = 4;

/** Whether this thread may block in Atomics.wait: a browser's main thread may not, so it spins. */
let canBlock = true;

/** Waits until ctl[0] is no longer `value`. */
function waitWhile(ctl: Int32Array, value: number): void {
  // the helper is finishing its last chunk: spin briefly before sleeping
  for (let i = 0; i < 4000 && Atomics.load(ctl, 0) === value; i++);
  while (Atomics.load(ctl, 0) === value) {
    if (canBlock) {
      try {
        Atomics.wait(ctl, 0, value);
        continue;
      } catch {
        canBlock = false;
      }
    }
    for (let i = 0; i < 1000 && Atomics.load(ctl, 0) === value; i++);
  }
}

const helpers: Helper[] = [];

/** A new kernel module (relaxed SIMD switched on or off): stop the helpers, new ones start on it. */
onModuleChange(() => {
  for (const h of helpers) {
    Atomics.store(h.ctl, 0, STOP);
    Atomics.notify(h.ctl, 0);
  }
  helpers.length = 0;
});

function ensureHelpers(count: number): void {
  while (platform.spawn !== null && helpers.length < count) {
    const slot = allocBytes(64, true)!.ptr;
    const work = allocBytes(workBytes(), true)!.ptr;
    const ctl = new Int32Array(memory.buffer, slot, 16);
    Atomics.store(ctl, 0, 0);
    try {
      platform.spawn(memory, moduleBytes, slot, workersUnavailable);
    } catch {
      // e.g. a content security policy without worker-src blob:
      workersUnavailable();
      return;
    }
    helpers.push({ ctl, work });
  }
}

/** Bytes of packing scratch one thread needs for either GEMM. */
export function workBytes(): number {
  return Math.max(kernels.workBytes(), kernels.workBytes64());
}

/**
 * Chunks per thread: more lets a thread that the OS delays fall behind gracefully, but every
 * chunk repacks one operand, which costs more than it saves on the smaller products.
 */
const chunksPerThread = (macs: number): number => (macs >= 1 << 26 ? 2 : 1);

/**
 * Below this many floats an Adam step is not worth sharing: at ~1 ns a float, 16K of them take
 * ~16 µs, a few times what handing half to an awake helper costs (as PARALLEL_POINTWISE reasons).
 * LeNet-5's fc1 weight (48,000) is shared from here: its optimizer step at two threads went from
 * ~92 to ~67 µs (10th percentiles); at 64K every LeNet parameter ran on one thread.
 */
const PARALLEL_ADAM = 1 << 14;

/** What runJob (assembly/jobs.ts) does with the job block: its kind sits at int 15. */
const JOB_MATMUL = 0;
const JOB_ADAM = 1;
const JOB_MATMUL64 = 2;
const JOB_ADAM64 = 3;
const JOB_UNFOLD = 4;
const JOB_DIRECT_CONV = 5;
const JOB_WINOGRAD = 7;
const JOB_POINTWISE = 6;
const JOB_POOL = 8;
const JOB_SCATTER = 9;
const JOB_ROWS = 10;
const JOB_BATCH_NORM = 11;

/** Below this many floats written an im2col or col2im is not worth sharing. */
const PARALLEL_UNFOLD = 1 << 17;

interface JobBlock {
  ints: Int32Array;
  floats: Float32Array;
  doubles: Float64Array;
}

/** The job block all threads read (256 bytes: ints, and floats or doubles through the other views). */
let job: JobBlock | null = null;

function jobBlock(): JobBlock {
  if (job === null) {
    const ptr = allocBytes(256, true)!.ptr; // may grow the memory: take the buffer after
    job = { ints: new Int32Array(memory.buffer, ptr, 64), floats: new Float32Array(memory.buffer, ptr, 64), doubles: new Float64Array(memory.buffer, ptr, 32) };
  }
  return job;
}

/** Idle helpers to share a job of `amount` with, none below `threshold`. */
function readyHelpers(amount: number, threshold: number): Helper[] {
  const want = getNumThreads();
  ensureHelpers(want - 1);
  if (amount < threshold) return [];
  return helpers.filter((h) => Atomics.load(h.ctl, 0) === IDLE).slice(0, want - 1);
}

/** Runs the job in the block on the caller and the given helpers, and waits for all of them. */
function runShared(block: Int32Array, ready: Helper[], work: number): void {
  Atomics.store(block, 0, 0); // the chunk counter
  for (const h of ready) {
    h.ctl[1] = block.byteOffset;
    h.ctl[2] = h.work;
    Atomics.store(h.ctl, 0, POSTED);
    Atomics.notify(h.ctl, 0);
  }
  kernels.runJob(block.byteOffset, work);
  let failed = false;
  for (const h of ready) {
    // the caller has taken every chunk: a helper that has not woken yet (on a busy machine, a
    // scheduler slice of milliseconds) is told there is nothing to do instead of waited for
    if (Atomics.compareExchange(h.ctl, 0, POSTED, IDLE) === POSTED) continue;
    waitWhile(h.ctl, RUNNING);
    failed ||= h.ctl[13] !== 0;
  }
  if (failed) throw new Error("nabla: a kernel worker trapped");
}

/**
 * C = A·B (C += A·B with `accumulate`) as kernels.matmul, or kernels.matmul64
 * (wide), shared with idle helpers; `allowDot` lets the float32 kernel take its dot-product path
 * for small x·Wᵀ-shaped products (matmul's own calls do; the convolutions keep the GEMM's rounding): the longer-to-pack operand is kept whole and the other axis
 * cut into chunks that every thread takes from one atomic counter.
 */
export function matmulThreaded(
  a: number, sam: number, sak: number,
  b: number, sbk: number, sbn: number,
  c: number, ldc: number,
  m: number, k: number, n: number,
  work: number,
  accumulate = false,
  wide = false,
  allowDot = false,
): void {
  // bit 1: the float32 kernel may take its dot-product path (assembly/matmul.ts ALLOW_DOT)
  const acc = (accumulate ? 1 : 0) | (allowDot ? 2 : 0);
  // a float64 multiply-add costs about twice a float32 one: the same work for half the MACs
  const ready = readyHelpers(m * n * k * (wide ? 2 : 1), PARALLEL_MACS);
  if (ready.length === 0) {
    if (wide) kernels.matmul64(a, sam, sak, b, sbk, sbn, c, ldc, m, k, n, work, acc);
    else kernels.matmul(a, sam, sak, b, sbk, sbn, c, ldc, m, k, n, work, acc);
    return;
  }
  // every chunk repacks the operand it does not cut: B (4 or 8 bytes an element) when cutting
  // rows, A (16, pre-broadcast) when cutting columns
  const byCols = (wide ? 2 : 4) * m < n;
  const unit = byCols ? 8 : 4; // whole micro-tiles per chunk
  const total = byCols ? n : m;
  const parts = ready.length + 1;
  const size = Math.ceil(total / (parts * chunksPerThread(m * n * k)) / unit) * unit;
  const { ints } = jobBlock();
  const fields = [0, Math.ceil(total / size), size, byCols ? 1 : 0, a, sam, sak, b, sbk, sbn, c, ldc, m, k, n, wide ? JOB_MATMUL64 : JOB_MATMUL];
  for (let i = 1; i < fields.length; i++) ints[i] = fields[i]!;
  ints[16] = acc;
  runShared(ints, ready, work);
}

/** The arguments of kernels.adamStep, after the four buffer addresses and the length. */
export interface AdamScalars {
  beta1: number; oneMinusBeta1: number; beta2: number; oneMinusBeta2: number; eps: number;
  weightDecay: number; decay: number; decoupled: number; maximize: number; stepSize: number; bc2: number;
}

/**
 * kernels.adamStep (or adamStep64 when wide) over n elements, cut into a few chunks a thread where
 * the buffer is big, so that a helper the OS delays is caught up by the others (elementwise: the
 * values do not depend on how the chunks fall).
 */
export function adamThreaded(param: number, grad: number, m: number, v: number, vmax: number, n: number, s: AdamScalars, wide = false): void {
  const ready = readyHelpers(n, PARALLEL_ADAM);
  if (ready.length === 0) {
    (wide ? kernels.adamStep64 : kernels.adamStep)(
      param, grad, m, v, vmax, n, s.beta1, s.oneMinusBeta1, s.beta2, s.oneMinusBeta2, s.eps,
      s.weightDecay, s.decay, s.decoupled, s.maximize, s.stepSize, s.bc2,
    );
    return;
  }
  const size = Math.ceil(n / (4 * (ready.length + 1)) / 16) * 16; // whole cache lines per chunk
  const { ints, floats, doubles } = jobBlock();
  const fields = [0, Math.ceil(n / size), size, 0, param, grad, m, v, vmax, n];
  for (let i = 1; i < fields.length; i++) ints[i] = fields[i]!;
  // the layout adamSharedOf (assembly/adam.ts) reads: flags at ints 10-11, the scalars from byte 64
  ints[10] = s.decoupled;
  ints[11] = s.maximize;
  ints[15] = wide ? JOB_ADAM64 : JOB_ADAM;
  const scalars = [s.beta1, s.oneMinusBeta1, s.beta2, s.oneMinusBeta2, s.eps, s.weightDecay, s.decay, s.stepSize, s.bc2];
  if (wide) doubles.set(scalars, 8);
  else floats.set(scalars, 16);
  runShared(ints, ready, 0);
}

/** A convolution's geometry as the unfold kernels take it (assembly/conv.ts). */
export interface UnfoldArgs {
  nb: number; c: number; h: number; w: number; kh: number; kw: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; oh: number; ow: number;
}

/**
 * kernels.im2col (x at element strides `strides` into cols) or kernels.col2im (cols into out),
 * float32 or, `wide`, float64 (im2col64, col2im64), shared with idle helpers in chunks of
 * channels, whose rows of cols (and planes of out) no other channel touches.
 */
export function unfoldThreaded(which: "im2col" | "col2im", src: number, strides: readonly number[], g: UnfoldArgs, dst: number, wide = false): void {
  const floats = g.c * g.kh * g.kw * g.nb * g.oh * g.ow;
  const ready = g.c > 1 ? readyHelpers(floats * (wide ? 2 : 1), PARALLEL_UNFOLD) : [];
  if (ready.length === 0) {
    if (which === "im2col") {
      const [s0, s1, s2, s3] = strides as [number, number, number, number];
      (wide ? kernels.im2col64 : kernels.im2col)(src, s0, s1, s2, s3, g.nb, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow, dst);
    } else {
      (wide ? kernels.col2im64 : kernels.col2im)(src, g.nb, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow, dst);
    }
    return;
  }
  const size = Math.ceil(g.c / Math.min(g.c, 4 * (ready.length + 1)));
  const { ints } = jobBlock();
  const [s0, s1, s2, s3] = which === "im2col" ? strides : [0, 0, 0, 0];
  // which: 0 im2col, 1 col2im, plus 2 for float64 (assembly/conv.ts unfoldShared)
  const kind = (which === "im2col" ? 0 : 1) + (wide ? 2 : 0);
  const fields = [0, Math.ceil(g.c / size), size, kind, src, s0, s1, s2, s3, g.nb, g.c, g.h, g.w, g.kh, g.kw, JOB_UNFOLD,
    g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow, dst];
  for (let i = 1; i < fields.length; i++) ints[i] = fields[i]!;
  runShared(ints, ready, 0);
}

/** What the direct convolution kernels read (assembly/conv-direct.ts): the geometry as the unfold kernels take it, without sw (1) and nb (all of n). */
export interface DirectConvArgs {
  n: number; c: number; h: number; w: number; o: number; groups: number; kh: number; kw: number;
  sh: number; ph: number; pw: number; dh: number; dw: number; oh: number; ow: number;
}

/** The weight gradient's shared scratch (assembly/conv-direct-weight.ts): staged planes and gyT, and whether to add to dW. */
export interface DirectWeightScratch {
  planes: number; gyT: number; accumulate: boolean;
}

/**
 * A direct convolution job over g.n samples, shared with idle helpers: the forward kernel (which
 * 0: x at element strides `xs`, weights packed by kernels.packWeights at `mid`, into contiguous
 * y at `dst`) in chunks of samples, each thread staging its planes in its own work buffer
 * (`work` for the caller; kernels.directConvBytes says how much); or the weight gradient's
 * prepare step (which 2: x at `xs` and gy at `mid`, at element strides `gs`, into the scratch's
 * planes and gyT) in chunks of samples, then its tiles (which 1: into contiguous dW at `dst`) in
 * one range of units a thread; or the weight gradient with columns in the lanes (which 3: x and
 * gy as for 2, into dW) in one range of units (output-channel tile, input channel, kernel row) a
 * thread; or the input gradient
 * (which 4: gy at `x`, strides `xs`, weights packed by kernels.packInputWeights at `mid`, into
 * contiguous gx at `dst`; g's sizes are x's) in chunks of samples; or the forward with channels in
 * the lanes (which 5: as 0, weights packed by kernels.packLaneWeights). `macs` sizes the split:
 * multiply-adds, or for the prepare step (which 2, a strided copy) the floats it stages, shared
 * from PARALLEL_POINTWISE floats as a pointwise op is (LeNet's conv2 stages ~180K: it ran on one
 * thread under PARALLEL_MACS).
 */
export function directConvThreaded(
  which: 0 | 1 | 2 | 3 | 4 | 5, g: DirectConvArgs, x: number, xs: readonly number[], mid: number, gs: readonly number[], dst: number, macs: number, work: number,
  scratch: DirectWeightScratch | null = null,
): void {
  const ready = readyHelpers(macs, which === 2 ? PARALLEL_POINTWISE : PARALLEL_MACS);
  const parts = ready.length + 1;
  const bySamples = which === 0 || which === 2 || which === 4 || which === 5;
  const total = bySamples ? g.n : which === 1 ? kernels.weightUnitCount(g.c, g.o, g.groups, g.kh, g.kw) : kernels.weightColumnUnitCount(g.c, g.o, g.groups, g.kh);
  // samples and the channel kernel's units: a few chunks a thread, so that a delayed one is
  // caught up; the column kernel's units: one range a thread (its chunks each stage every
  // sample again)
  const chunks = Math.min(total, which !== 3 && parts > 1 ? 4 * parts : parts);
  const size = Math.ceil(total / chunks);
  const { ints } = jobBlock();
  const fields = [0, Math.ceil(total / size), size, which, x, xs[0]!, xs[1]!, xs[2]!, xs[3]!, g.n, g.c, g.h, g.w, g.o, g.groups, JOB_DIRECT_CONV,
    g.kh, g.kw, g.sh, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow, mid, gs[0] ?? 0, gs[1] ?? 0, gs[2] ?? 0, gs[3] ?? 0, dst,
    scratch?.planes ?? 0, scratch?.gyT ?? 0, scratch?.accumulate === true ? 1 : 0];
  for (let i = 1; i < fields.length; i++) ints[i] = fields[i]!;
  runShared(ints, ready, work);
}

/**
 * A Winograd job (assembly/conv-winograd.ts: winogradShared: forward or weight gradient) over `chunks` chunks of
 * `size` samples, shared with idle helpers; `fields` are its ints from byte 16 on (the kind's slot
 * at byte 60 included, overwritten), the scratch holding a slot for each of getNumThreads()
 * threads. False when a chunk's values were out of the transforms' range.
 */
export function winogradThreaded(chunks: number, size: number, fields: readonly number[], macs: number, work: number): boolean {
  const ready = readyHelpers(macs, PARALLEL_MACS);
  const { ints } = jobBlock();
  ints[1] = chunks;
  ints[2] = size;
  ints[3] = 0; // the slot counter
  for (let i = 0; i < fields.length; i++) ints[4 + i] = fields[i]!;
  ints[15] = JOB_WINOGRAD;
  ints[26] = 0; // the failure flag (fields holds a placeholder for it)
  runShared(ints, ready, work);
  return ints[26] === 0;
}

/**
 * Below this many elements a pointwise kernel is not worth sharing: a cheap one (an add) does
 * ~4 elements a nanosecond, so 64K of them take ~15 µs, a few times what handing half to an awake
 * helper costs (helpers stay awake ~2 ms after a task, so a loop of big ops keeps them so).
 */
export const PARALLEL_POINTWISE = 1 << 16;

/**
 * A pointwise kernel (`code`, as kernels.pointwiseF32/F64 take it) over operands that are each one
 * dense run of `n` elements (input addresses 0 where the kernel has fewer inputs), shared with
 * idle helpers in chunks of whole cache lines. Returns false, having done nothing, where no helper
 * is free: the caller then runs the kernel itself.
 */
export function pointwiseThreaded(code: number, wide: boolean, x0: number, x1: number, x2: number, out: number, n: number, params: number): boolean {
  const ready = readyHelpers(n, PARALLEL_POINTWISE);
  if (ready.length === 0) return false;
  // a few chunks a thread, so that one the OS delays is caught up by the others
  const size = Math.ceil(n / (4 * (ready.length + 1)) / 64) * 64;
  const { ints } = jobBlock();
  const fields = [0, Math.ceil(n / size), size, wide ? 1 : 0, code, x0, x1, x2, out, n, params];
  for (let i = 1; i < fields.length; i++) ints[i] = fields[i]!;
  ints[15] = JOB_POINTWISE;
  runShared(ints, ready, 0);
  return true;
}

/** Below this many input elements read a max pooling is not worth sharing (a few compares each: as cheap as a pointwise op's). */
const PARALLEL_POOL = 1 << 16;

/**
 * A max pooling (kernels.maxPool2d or maxPool2d64's arguments, `wide` for float64) shared with
 * idle helpers in chunks of whole input planes (assembly/pool.ts: poolShared), each plane pooled
 * as the one-thread kernel pools it. Returns false, having done nothing, where it is too small to
 * share or no helper is free: the caller then runs the kernel itself.
 */
export function maxPoolThreaded(
  wide: boolean, x: number, strides: readonly number[], n: number, c: number, h: number, w: number,
  kernel: readonly number[], stride: readonly number[], padding: readonly number[], dilation: readonly number[],
  oh: number, ow: number, values: number, indices: number,
): boolean {
  const planes = n * c;
  const ready = planes < 2 ? [] : readyHelpers(planes * oh * ow * kernel[0]! * kernel[1]!, PARALLEL_POOL);
  if (ready.length === 0) return false;
  // a few chunks a thread, so that one the OS delays is caught up by the others
  const size = Math.ceil(planes / Math.min(planes, 4 * (ready.length + 1)));
  const { ints } = jobBlock();
  const fields = [0, Math.ceil(planes / size), size, wide ? 1 : 0, x, strides[0]!, strides[1]!, strides[2]!, strides[3]!, n, c, h, w,
    kernel[0]!, kernel[1]!, JOB_POOL, stride[0]!, stride[1]!, padding[0]!, padding[1]!, dilation[0]!, dilation[1]!, oh, ow, values, indices];
  for (let i = 1; i < fields.length; i++) ints[i] = fields[i]!;
  runShared(ints, ready, 0);
  return true;
}

/**
 * Below this many elements written a scatterAdd is not worth sharing (one add at a random place in
 * a row, or a zeroed element, each: as cheap as a pointwise op's).
 */
const PARALLEL_SCATTER = 1 << 16;

/**
 * out[o, index[o, j]] += src[o, j] (kernels.scatterAdd or scatterAdd64's arguments, `wide` for
 * float64), with `zero` over an out that holds nothing yet (zeroed first), shared with idle helpers
 * in chunks of whole rows (assembly/scatter.ts: scatterAddShared), each added as the one-thread
 * kernel adds it. Where nothing is shared a zeroed one still runs as chunks on the caller, each
 * zeroed just before its rows are added (while they are in cache).
 */
export function scatterAddThreaded(wide: boolean, src: number, index: number, outer: number, inner: number, k: number, out: number, zero: boolean): void {
  if (outer === 0) return;
  const ready = outer < 2 ? [] : readyHelpers(outer * (zero ? inner : k), PARALLEL_SCATTER);
  if (ready.length === 0 && !zero) {
    (wide ? kernels.scatterAdd64 : kernels.scatterAdd)(src, index, outer, inner, k, out);
    return;
  }
  // a few chunks a thread, so that one the OS delays is caught up by the others
  const size = Math.ceil(outer / Math.min(outer, 4 * (ready.length + 1)));
  const { ints } = jobBlock();
  const fields = [0, Math.ceil(outer / size), size, wide ? 1 : 0, src, index, outer, inner, k, out, zero ? 1 : 0];
  for (let i = 1; i < fields.length; i++) ints[i] = fields[i]!;
  ints[15] = JOB_SCATTER;
  runShared(ints, ready, 0);
}

/** The row kernels rowsThreaded runs (assembly/reduce.ts: rowsShared reads the code). */
export const ROWS = { sum: 0, max: 1, sum64: 2, prod64: 3, logsumexp64: 4, max64: 5, min64: 6 } as const;

/**
 * A row reduction (kernels.sumRows and the like: `which`, over contiguous x [outer, inner] into
 * out [outer]) shared with idle helpers in chunks of whole rows, each reduced as the one-thread
 * kernel reduces it. Returns false, having done nothing, where it is too small to share (from
 * PARALLEL_POINTWISE elements, a pass as cheap as a pointwise op's) or no helper is free.
 */
export function rowsThreaded(which: number, x: number, outer: number, inner: number, out: number): boolean {
  const ready = outer < 2 ? [] : readyHelpers(outer * inner, PARALLEL_POINTWISE);
  if (ready.length === 0) return false;
  const size = Math.ceil(outer / Math.min(outer, 4 * (ready.length + 1)));
  const { ints } = jobBlock();
  const fields = [0, Math.ceil(outer / size), size, which, x, outer, inner, out];
  for (let i = 1; i < fields.length; i++) ints[i] = fields[i]!;
  ints[15] = JOB_ROWS;
  runShared(ints, ready, 0);
  return true;
}

/** A batch-norm job's operands (assembly/batch-norm.ts: the addresses, 0 for an absent one). */
export interface BatchNormJob {
  wide: boolean;
  backward: boolean;
  x: number;
  n: number;
  c: number;
  s: number;
  weight: number;
  /** bias (forward) or dy (backward). */
  other: number;
  mean: number;
  /** var (forward) or invstd (backward). */
  spread: number;
  /** y or dx. */
  out: number;
  training: boolean;
  dweight: number;
  dbias: number;
  /** [N, C] (s = 1): room for the values the kernel works in (2C forward, 4C backward), else 0. */
  work: number;
  eps: number;
  /** The forward's: 1/√(σ² + ε) written (0: not wanted), the running statistics updated in training (0: none). */
  invstd: number;
  runningMean: number;
  runningVar: number;
  momentum: number;
}

/**
 * Batch normalisation's forward or backward (kernels.batchNorm…) shared with idle helpers in chunks
 * of whole channels (assembly/batch-norm.ts: batchNormShared), each computed as the one-thread
 * kernel computes it; from PARALLEL_POINTWISE elements (each channel's passes are as cheap as a
 * pointwise op's), else on the caller alone.
 */
export function batchNormThreaded(j: BatchNormJob): void {
  const ready = j.c < 2 ? [] : readyHelpers(j.n * j.c * j.s, PARALLEL_POINTWISE);
  if (ready.length === 0) {
    if (j.backward) {
      (j.wide ? kernels.batchNormBackward64 : kernels.batchNormBackward)(j.x, j.other, j.n, j.c, j.s, j.weight, j.mean, j.spread, j.training ? 1 : 0, j.out, j.dweight, j.dbias, j.work);
    } else {
      (j.wide ? kernels.batchNorm64 : kernels.batchNorm)(
        j.x, j.n, j.c, j.s, j.weight, j.other, j.mean, j.spread, j.invstd, j.eps, j.out, j.training ? 1 : 0, j.runningMean, j.runningVar, j.momentum, j.work,
      );
    }
    return;
  }
  // over [N, C] the kernel takes channels a vector (4 float32, 2 float64) at a time and the rest one
  // by one, with other roundings: chunks of whole vectors keep the one-thread grouping
  const even = Math.ceil(j.c / Math.min(j.c, 4 * (ready.length + 1)));
  const size = j.s === 1 ? Math.ceil(even / 4) * 4 : even;
  const { ints, doubles } = jobBlock();
  const mode = (j.backward ? 2 : 0) + (j.wide ? 1 : 0);
  const fields = [0, Math.ceil(j.c / size), size, mode, j.x, j.n, j.c, j.s, j.weight, j.other, j.mean, j.spread, j.out, j.training ? 1 : 0, j.dweight, JOB_BATCH_NORM, j.dbias, j.work];
  for (let i = 1; i < fields.length; i++) ints[i] = fields[i]!;
  doubles[9] = j.eps; // byte 72
  ints[20] = j.invstd; // byte 80
  ints[21] = j.runningMean;
  ints[22] = j.runningVar;
  doubles[12] = j.momentum; // byte 96
  runShared(ints, ready, 0);
}

/** Helpers started and idle, after asking for `want` threads in all (tests wait on this). */
export function idleHelpers(want = getNumThreads()): number {
  // the helpers run the kernels' module on its memory: a test asking before any op has started them
  if (!started) startKernels();
  ensureHelpers(want - 1);
  return helpers.filter((h) => Atomics.load(h.ctl, 0) === IDLE).length;
}
