/**
 * A WebGPU device owned by a worker, seen from the caller's thread: a GpuDevice (gpu-types.ts)
 * whose every call is forwarded to the worker (remote-server.ts), so that the caller can read a
 * buffer synchronously: it posts the read and blocks with Atomics.wait on a SharedArrayBuffer
 * until the worker, whose event loop WebGPU's mapAsync needs, has copied the bytes into it.
 * WebGPU itself has no blocking map (neither the spec nor Dawn's Node binding), so this is how
 * `t.item()` works on the device in Node and in workers.
 *
 * Cost: object handles (buffers, pipelines, bind groups, encoders, passes) are ids chosen here,
 * synchronously, and calls are words appended to a batch, posted at a submit, before a read, and
 * at the end of the current task when a promise waits for an answer; a kernel costs a few array
 * pushes here and its real calls on the worker's thread, which runs beside the caller's.
 *
 * Where the thread may not block (a browser's main thread refuses Atomics.wait; a page that is not
 * cross-origin isolated has no SharedArrayBuffer) a synchronous read throws; the asynchronous API
 * works everywhere.
 */
import type {
  GpuAdapter,
  GpuBindGroup,
  GpuBindGroupLayout,
  GpuBuffer,
  GpuCommandEncoder,
  GpuComputePass,
  GpuComputePipeline,
  GpuDevice,
  GpuLimits,
  GpuQueue,
  GpuShaderModule,
  Gpu,
} from "./gpu-types.js";
import { DESTROYING, ERROR_FILTERS, FAILED, Op, REPLY_HEADER_BYTES, Reply, Stop, STOPPED, WAITING, type Batch, type FromWorker, type ToWorker } from "./remote-protocol.js";

/** Writes up to this size travel in the batch's arena; larger ones as their own buffer, moved. */
const ARENA_WRITE = 64 * 1024;

/** The caller's end of the worker (worker_threads in Node, a Web Worker in browsers). */
export interface WorkerPort {
  post(message: ToWorker, transfer: ArrayBuffer[]): void;
  onMessage(handler: (message: FromWorker) => void): void;
  /** Called if the worker dies (an error its loop did not catch). */
  onError(handler: (message: string) => void): void;
  /** Whether the worker keeps the process alive (Node): only while an answer is awaited. */
  hold(held: boolean): void;
  /**
   * Calls `handler` synchronously as the process is about to end, before the platform ends the
   * worker (Node's 'exit' event: the program's end, `process.exit`, an uncaught error); nothing
   * where workers simply end with their page. Returns the function that removes it.
   */
  onExit(handler: () => void): () => void;
  terminate(): void;
}

/**
 * How long the process's end waits for a silent worker (no beat: remote-protocol.ts, Stop) before
 * ending anyway: a live worker beats every STOP_BEAT_MS while it waits for its promises, and is
 * silent inside Dawn's calls (a submit waiting for room in the queue) and its destroy (waited for
 * without a limit: Node's own end of the worker would wait for it as long).
 */
const STOP_SILENCE_MS = 30_000;

let probe: Int32Array | null = null;

/**
 * Why this thread cannot block on a synchronous read, or null where it can: SharedArrayBuffer is
 * missing (a page that is not cross-origin isolated) or Atomics.wait throws (a browser's main
 * thread). Asked at each read (a wait of 0 ms on a value that is not there returns at once), so
 * that it answers for the thread asking.
 */
export function blockingRefusal(): string | null {
  if (typeof SharedArrayBuffer !== "function") return "this context has no SharedArrayBuffer (a page must be cross-origin isolated)";
  try {
    probe ??= new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(probe, 0, 1, 0);
    return null;
  } catch (e) {
    return `this thread may not block (${(e as Error).message}; a browser's main thread never may)`;
  }
}

interface Request {
  readonly promise: Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Listed with a synchronous read, whose reply then carries its result (error scopes, compilation info). */
  readonly small: boolean;
}

class Handle {
  constructor(
    readonly remote: RemoteDevice,
    readonly id: number,
  ) {}
}

class RemoteBuffer extends Handle implements GpuBuffer {
  /** The bytes of the last mapAsync, until unmap. */
  private mapped: { offset: number; bytes: ArrayBuffer } | null = null;
  constructor(
    remote: RemoteDevice,
    id: number,
    readonly size: number,
  ) {
    super(remote, id);
  }
  mapAsync(mode: number, offset = 0, size?: number): Promise<void> {
    const answer = this.remote.request(false, Op.mapAsync, this.id, mode, offset, size ?? -1) as Promise<ArrayBuffer>;
    return answer.then((bytes) => {
      this.mapped = { offset, bytes };
    });
  }
  getMappedRange(offset?: number, size?: number): ArrayBuffer {
    const m = this.mapped;
    if (m === null) throw new Error("webgpu: getMappedRange on a buffer that is not mapped");
    const from = (offset ?? m.offset) - m.offset;
    if (from === 0 && (size === undefined || size === m.bytes.byteLength)) return m.bytes;
    return m.bytes.slice(from, size === undefined ? undefined : from + size);
  }
  unmap(): void {
    this.mapped = null;
    this.remote.call(Op.unmap, this.id);
  }
  destroy(): void {
    this.remote.release(this);
    this.remote.call(Op.destroyBuffer, this.id);
  }
}

class RemoteShaderModule extends Handle implements GpuShaderModule {
  getCompilationInfo(): Promise<{ readonly messages: readonly { readonly type: string; readonly message: string; readonly lineNum: number }[] }> {
    return this.remote.request(true, Op.getCompilationInfo, this.id) as Promise<{ messages: { type: string; message: string; lineNum: number }[] }>;
  }
}

class RemotePipeline extends Handle implements GpuComputePipeline {
  /** One layout per index, asked once (the kernels ask on every dispatch). */
  private readonly layouts: Handle[] = [];
  getBindGroupLayout(index: number): GpuBindGroupLayout {
    let layout = this.layouts[index];
    if (layout === undefined) {
      layout = this.layouts[index] = this.remote.made(Handle);
      this.remote.call(Op.getBindGroupLayout, layout.id, this.id, index);
    }
    return layout as GpuBindGroupLayout;
  }
}

class RemotePass extends Handle implements GpuComputePass {
  setPipeline(pipeline: GpuComputePipeline): void {
    this.remote.call(Op.setPipeline, this.id, (pipeline as RemotePipeline).id);
  }
  setBindGroup(index: number, group: GpuBindGroup): void {
    this.remote.call(Op.setBindGroup, this.id, index, (group as Handle).id);
  }
  dispatchWorkgroups(x: number, y = 1, z = 1): void {
    this.remote.call(Op.dispatchWorkgroups, this.id, x, y, z);
  }
  end(): void {
    this.remote.call(Op.endPass, this.id);
  }
}

class RemoteEncoder extends Handle implements GpuCommandEncoder {
  beginComputePass(): GpuComputePass {
    const pass = new RemotePass(this.remote, this.remote.nextId());
    this.remote.call(Op.beginComputePass, pass.id, this.id);
    return pass;
  }
  copyBufferToBuffer(source: GpuBuffer, sourceOffset: number, destination: GpuBuffer, destinationOffset: number, size: number): void {
    this.remote.call(Op.copyBufferToBuffer, this.id, (source as RemoteBuffer).id, sourceOffset, (destination as RemoteBuffer).id, destinationOffset, size);
  }
  finish(): unknown {
    const commands = this.remote.nextId();
    this.remote.call(Op.finish, this.id, commands);
    return commands;
  }
}

class RemoteQueue implements GpuQueue {
  constructor(private readonly remote: RemoteDevice) {}
  submit(commands: unknown[]): void {
    this.remote.call(Op.submit, commands.length, ...(commands as number[]));
    this.remote.post();
  }
  writeBuffer(buffer: GpuBuffer, offset: number, data: ArrayBufferView, dataOffset = 0, size?: number): void {
    const unit = (data as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    const length = size === undefined ? data.byteLength - dataOffset * unit : size * unit;
    this.remote.write((buffer as RemoteBuffer).id, offset, new Uint8Array(data.buffer, data.byteOffset + dataOffset * unit, length));
  }
  onSubmittedWorkDone(): Promise<void> {
    return this.remote.request(true, Op.onSubmittedWorkDone) as Promise<void>;
  }
}

export class RemoteDevice implements GpuDevice {
  readonly queue: GpuQueue = new RemoteQueue(this);
  readonly lost: Promise<{ readonly reason?: string; readonly message: string }>;
  /**
   * The largest reply area of a synchronous read, in bytes: a larger read comes in chunks of this
   * size (one round trip each) rather than holding a shared copy of the whole buffer.
   */
  maxReplyBytes = 16 * 1024 * 1024;
  private id = 0;
  private words: number[] = [];
  private extras: unknown[] = [];
  private moved: ArrayBuffer[] = [];
  private arena: Uint8Array | null = null;
  private arenaUsed = 0;
  private acks: number[] = [];
  private readonly requests = new Map<number, Request>();
  /** What each settled request's promise resolved to, for a synchronous look (`settledNow`). */
  private readonly settled = new WeakMap<Promise<unknown>, { value: unknown }>();
  private postQueued = false;
  private shared: SharedArrayBuffer | null = null;
  private destroyed = false;
  /** Removes the process-end hook (`stopAtExit`). */
  private readonly unhookExit: () => void;
  private loseDevice!: (info: { reason?: string; message: string }) => void;
  /** Handles the caller dropped: the worker forgets their objects at the next batch. */
  private readonly forgetting = new FinalizationRegistry<number>((id) => {
    if (!this.destroyed) this.words.push(Op.forget, id);
  });

  constructor(
    private readonly port: WorkerPort,
    readonly limits: GpuLimits,
    /** The worker's stop words (remote-protocol.ts, Stop), or null without SharedArrayBuffer. */
    private readonly stopped: Int32Array | null,
  ) {
    this.lost = new Promise((resolve) => (this.loseDevice = resolve));
    port.onMessage((m) => this.receive(m));
    this.unhookExit = port.onExit(() => this.stopAtExit());
    port.onError((message) => {
      const dead = new Error(`webgpu: the device worker died: ${message}`);
      this.unhookExit();
      this.destroyed = true;
      this.abandon(dead);
      this.loseDevice({ reason: "unknown", message: dead.message });
    });
  }

  // ---- the calls (GpuDevice) ---------------------------------------------------------------

  createBuffer(descriptor: { size: number; usage: number; mappedAtCreation?: boolean; label?: string }): GpuBuffer {
    if (descriptor.mappedAtCreation) throw new Error("webgpu: a worker-owned device cannot map a buffer at creation (write it with queue.writeBuffer)");
    const buffer = new RemoteBuffer(this, this.nextId(), descriptor.size);
    this.forgetting.register(buffer, buffer.id, buffer);
    this.call(Op.createBuffer, buffer.id, descriptor.size, descriptor.usage);
    return buffer;
  }

  createShaderModule(descriptor: { code: string; label?: string }): GpuShaderModule {
    const module = this.made(RemoteShaderModule);
    this.call(Op.createShaderModule, module.id, this.extra(descriptor.code), descriptor.label === undefined ? -1 : this.extra(descriptor.label));
    return module;
  }

  createComputePipeline(descriptor: { layout: "auto"; compute: { module: GpuShaderModule; entryPoint: string }; label?: string }): GpuComputePipeline {
    const pipeline = this.made(RemotePipeline);
    const label = descriptor.label === undefined ? -1 : this.extra(descriptor.label);
    this.call(Op.createComputePipeline, pipeline.id, (descriptor.compute.module as RemoteShaderModule).id, this.extra(descriptor.compute.entryPoint), label);
    return pipeline;
  }

  createBindGroup(descriptor: { layout: GpuBindGroupLayout; entries: { binding: number; resource: { buffer: GpuBuffer; offset?: number; size?: number } }[] }): GpuBindGroup {
    const group = this.made(Handle);
    const w = this.words;
    w.push(Op.createBindGroup, group.id, (descriptor.layout as Handle).id, descriptor.entries.length);
    for (const { binding, resource } of descriptor.entries) w.push(binding, (resource.buffer as RemoteBuffer).id, resource.offset ?? -1, resource.size ?? -1);
    return group as GpuBindGroup;
  }

  createCommandEncoder(): GpuCommandEncoder {
    const encoder = new RemoteEncoder(this, this.nextId());
    this.call(Op.createCommandEncoder, encoder.id);
    return encoder;
  }

  pushErrorScope(filter: "validation" | "out-of-memory" | "internal"): void {
    this.call(Op.pushErrorScope, ERROR_FILTERS.indexOf(filter));
  }

  popErrorScope(): Promise<{ readonly message: string } | null> {
    return this.request(true, Op.popErrorScope) as Promise<{ message: string } | null>;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.call(Op.destroyDevice);
    this.post();
    this.destroyed = true;
    this.abandon(new Error("webgpu: the device was destroyed"));
  }

  /**
   * The process is ending (the program's end, `process.exit`, an uncaught error: this runs in
   * Node's 'exit' event, before Node ends the worker). Ending the worker while Dawn still holds a
   * pending promise (an error scope or a map that the worker's thread, busy replaying calls, has
   * not taken up yet) makes Dawn's Node binding abort the whole process ("Promise not resolved or
   * rejected", a fatal napi_throw), losing the program's own error and exit code. So the calls
   * not yet sent are dropped (nothing will read their results), the worker is told to destroy
   * the device, and this thread blocks until it has (its `stopped` words): as long as the kernels
   * already submitted take to run, for Dawn's destroy waits for them (as would Node's own end of
   * the worker, and as a program that ends normally with kernels queued does), but no longer than
   * STOP_SILENCE_MS without a beat from the worker. Never throws: the program's error and exit
   * code stand as they are.
   */
  private stopAtExit(): void {
    try {
      if (!this.destroyed) {
        this.words = [];
        this.extras = [];
        this.moved = [];
        this.arena = null;
        this.arenaUsed = 0;
        this.destroy();
      }
      const words = this.stopped;
      if (words === null || blockingRefusal() !== null) return;
      let beat = Atomics.load(words, Stop.beat);
      for (;;) {
        const state = Atomics.load(words, Stop.state);
        if (state === STOPPED) return;
        if (Atomics.wait(words, Stop.state, state, STOP_SILENCE_MS) !== "timed-out" || state === DESTROYING) continue;
        const now = Atomics.load(words, Stop.beat);
        if (now === beat) return; // a silent worker: dead or stuck, nothing to wait for
        beat = now;
      }
    } catch {
      // the process ends either way; the program's own outcome is what it reports
    }
  }

  /**
   * Rejects the reads awaited (a reader is waiting on them); the small requests (error scopes)
   * stay unanswered, as nothing can be said of a device that is gone.
   */
  private abandon(error: Error): void {
    for (const r of this.requests.values()) if (!r.small) r.reject(error);
    this.requests.clear();
    this.port.hold(false);
  }

  // ---- reading synchronously ---------------------------------------------------------------

  /**
   * `size` bytes of `buffer` from `offset` (multiples of 4), once every call made before has run,
   * blocking this thread until they are here; throws where the thread may not block
   * (`blockingRefusal`). The results of the error scopes and other small requests still awaited
   * come back with it, so `settledNow` answers for every one of them afterwards.
   */
  readSync(buffer: GpuBuffer, offset: number, size: number): ArrayBuffer {
    const refusal = blockingRefusal();
    if (refusal !== null) throw new Error(`webgpu: a synchronous read needs to block until the device answers, and ${refusal}`);
    if (this.destroyed) throw new Error("webgpu: the device was destroyed");
    const shared = this.replyArea(size);
    const header = new Int32Array(shared, 0, Reply.words);
    const pending = [...this.requests].filter(([, r]) => r.small).map(([id]) => id);
    Atomics.store(header, Reply.state, WAITING);
    this.post({ buffer: (buffer as RemoteBuffer).id, offset, size, pending, shared });
    this.wait(header);
    const total = header[Reply.total]!;
    let data: ArrayBuffer;
    let results: Uint8Array;
    if (header[Reply.chunk] === total) {
      // one chunk (the common case): one copy out of the shared area
      data = new Uint8Array(shared, REPLY_HEADER_BYTES, size).slice().buffer;
      results = new Uint8Array(shared, REPLY_HEADER_BYTES + size, total - size).slice();
    } else {
      const bytes = new Uint8Array(total);
      for (let at = 0; ; ) {
        const chunk = header[Reply.chunk]!;
        bytes.set(new Uint8Array(shared, REPLY_HEADER_BYTES, chunk), at);
        at += chunk;
        if (at >= total) break;
        Atomics.store(header, Reply.state, WAITING);
        this.port.post({ kind: "more", offset: at }, []);
        this.wait(header);
      }
      data = bytes.buffer.slice(0, size);
      results = bytes.subarray(size);
    }
    for (const [id, ok, value] of JSON.parse(new TextDecoder().decode(results)) as [number, boolean, unknown][]) this.settle(id, ok, value, false);
    return data;
  }

  /** Blocks until the worker has answered in `header`'s area; throws the worker's error where it failed. */
  private wait(header: Int32Array): void {
    while (Atomics.load(header, Reply.state) === WAITING) Atomics.wait(header, Reply.state, WAITING);
    if (header[Reply.state] === FAILED) {
      const message = new Uint8Array(header.buffer, REPLY_HEADER_BYTES, header[Reply.chunk]!).slice();
      throw new Error(new TextDecoder().decode(message));
    }
  }

  /** What `promise` (made by this device) resolved to, if it has; null while it has not (or it failed). */
  settledNow<T>(promise: Promise<T>): { readonly value: T } | null {
    return (this.settled.get(promise) as { value: T } | undefined) ?? null;
  }

  /** The shared area of a read of `size` bytes: grown as needed, up to maxReplyBytes (longer replies come in chunks). */
  private replyArea(size: number): SharedArrayBuffer {
    const want = Math.min(this.maxReplyBytes, size + 4096) + REPLY_HEADER_BYTES;
    if (this.shared === null || this.shared.byteLength < want) this.shared = new SharedArrayBuffer(want);
    return this.shared;
  }

  // ---- the batch -----------------------------------------------------------------------------

  /** A fresh id for a handle or a request. */
  nextId(): number {
    return ++this.id;
  }

  /** A new handle of `kind`, forgotten by the worker once the caller drops it. */
  made<H extends Handle>(kind: new (remote: RemoteDevice, id: number) => H): H {
    const handle = new kind(this, this.nextId());
    this.forgetting.register(handle, handle.id);
    return handle;
  }

  /** A buffer destroyed by the caller: its object goes with the destroy, not with the collector. */
  release(buffer: RemoteBuffer): void {
    this.forgetting.unregister(buffer);
  }

  call(...words: number[]): void {
    if (this.destroyed) throw new Error("webgpu: the device was destroyed");
    for (const w of words) this.words.push(w);
  }

  /** A call whose answer comes back as a promise (posted at the end of this task at the latest). */
  request(small: boolean, op: number, ...args: number[]): Promise<unknown> {
    const id = this.nextId();
    let resolve!: (value: unknown) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<unknown>((yes, no) => ((resolve = yes), (reject = no)));
    if (this.destroyed) {
      reject(new Error("webgpu: the device was destroyed"));
      return promise;
    }
    this.requests.set(id, { promise, resolve, reject, small });
    if (this.requests.size === 1) this.port.hold(true);
    this.words.push(op, id, ...args);
    if (!this.postQueued) {
      this.postQueued = true;
      queueMicrotask(() => this.post());
    }
    return promise;
  }

  /** Bytes for queue.writeBuffer, copied now (the caller may change them after the call). */
  write(buffer: number, offset: number, bytes: Uint8Array): void {
    if (bytes.length > ARENA_WRITE) {
      const copy = bytes.slice().buffer as ArrayBuffer;
      this.moved.push(copy);
      this.call(Op.writeExtra, buffer, offset, this.extra(copy));
      return;
    }
    let arena = this.arena;
    if (arena === null || this.arenaUsed + bytes.length > arena.length) {
      const grown = new Uint8Array(Math.max(4096, 2 * (this.arenaUsed + bytes.length)));
      if (arena !== null) grown.set(arena.subarray(0, this.arenaUsed));
      arena = this.arena = grown;
    }
    arena.set(bytes, this.arenaUsed);
    this.call(Op.writeArena, buffer, offset, this.arenaUsed, bytes.length);
    this.arenaUsed += bytes.length;
  }

  private extra(value: unknown): number {
    return this.extras.push(value) - 1;
  }

  /** Sends the calls made so far (with `read`, as that read's message). */
  post(read?: Omit<Extract<ToWorker, { kind: "read" }>, keyof Batch | "kind">): void {
    this.postQueued = false;
    if (read === undefined && this.words.length === 0 && this.acks.length === 0) return;
    const words = Float64Array.from(this.words);
    const arena = this.arena === null ? null : (this.arena.buffer as ArrayBuffer).slice(0, this.arenaUsed);
    const batch: Batch = { words, extras: this.extras, arena, acks: this.acks };
    const transfer = [words.buffer, ...this.moved];
    if (arena !== null) transfer.push(arena);
    this.words = [];
    this.extras = [];
    this.moved = [];
    this.acks = [];
    this.arenaUsed = 0;
    this.port.post(read === undefined ? { kind: "batch", ...batch } : { kind: "read", ...batch, ...read }, transfer);
  }

  private receive(m: FromWorker): void {
    if (m.kind === "settled") this.settle(m.id, m.ok, m.value, true);
    else if (m.kind === "lost") this.loseDevice({ reason: m.reason, message: m.message });
  }

  /** A request's answer, from a message (`viaMessage`: the worker keeps it until acknowledged) or a read's reply. */
  private settle(id: number, ok: boolean, value: unknown, viaMessage: boolean): void {
    const r = this.requests.get(id);
    if (r === undefined) return; // answered already, by a read's reply
    this.requests.delete(id);
    if (viaMessage && r.small) this.acks.push(id);
    if (ok) {
      this.settled.set(r.promise, { value });
      r.resolve(value);
    } else {
      r.reject(new Error(String(value)));
    }
    if (this.requests.size === 0) this.port.hold(false);
  }
}

/** A device whose buffers can be read synchronously: the worker-owned one. */
export function isRemoteDevice(device: GpuDevice): device is RemoteDevice {
  return device instanceof RemoteDevice;
}

export interface RemoteStart {
  readonly device: RemoteDevice;
  readonly adapter: GpuAdapter;
  readonly gpu: Gpu;
}

/**
 * A device owned by a new worker. `noAdapter` makes the error of a platform without an adapter
 * (device.ts words it, for both routes).
 */
export async function startRemoteDevice(
  startWorker: () => Promise<WorkerPort>,
  options: { powerPreference?: "low-power" | "high-performance"; dawnFlags?: readonly string[] },
  noAdapter: () => Error,
): Promise<RemoteStart> {
  const port = await startWorker();
  const stopped = typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(Stop.words * 4) : null;
  const ready = await new Promise<Extract<FromWorker, { kind: "ready" }>>((resolve, reject) => {
    port.hold(true);
    port.onMessage((m) => {
      if (m.kind === "ready") resolve(m);
      else if (m.kind === "failed") reject(m.noAdapter ? noAdapter() : new Error(`webgpu: the device worker could not start the device: ${m.message}`));
    });
    // a worker that dies before answering would otherwise leave the start waiting forever
    port.onError((message) => reject(new Error(`webgpu: the device worker died while starting the device: ${message}`)));
    port.post({ kind: "start", powerPreference: options.powerPreference, dawnFlags: options.dawnFlags ?? [], stopped }, []);
  }).catch((e: unknown) => {
    port.terminate();
    throw e;
  }).finally(() => port.hold(false));
  const limits = ready.limits as unknown as GpuLimits;
  const device = new RemoteDevice(port, limits, stopped === null ? null : new Int32Array(stopped));
  const adapter: GpuAdapter = {
    limits,
    info: ready.info,
    requestDevice: () => Promise.reject(new Error("webgpu: the worker's adapter has handed out its device")),
  };
  const gpu: Gpu = { requestAdapter: () => Promise.reject(new Error("webgpu: the device's entry point lives in its worker")) };
  return { device, adapter, gpu };
}
