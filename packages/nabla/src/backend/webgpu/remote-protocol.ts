/**
 * What the caller's side of a worker-owned WebGPU device (remote-device.ts) and the worker that
 * owns it (remote-server.ts) say to each other.
 *
 * Calls travel as batches: a Float64Array of words (an opcode, then its numbers: object ids,
 * sizes, offsets), the strings and large byte arrays they name (`extras`, by index), and one
 * arena of the small writes' bytes. Object ids are chosen by the caller, synchronously, so a
 * kernel's calls cost a few array pushes on the caller's thread; the worker keeps the real
 * objects in a map. Results that WebGPU hands out through promises come back as `settled`
 * messages by request id.
 *
 * A synchronous read travels as a `read` message with a SharedArrayBuffer; the worker answers in
 * it (header below, then the bytes) and wakes the caller, which waits with Atomics.wait.
 */

/** The opcodes of the words. Passed to the worker's loop as a value: it runs from its source text and imports nothing. */
export const Op = {
  createBuffer: 1, // id size usage
  destroyBuffer: 2, // id
  createShaderModule: 3, // id codeExtra labelExtra(-1: none)
  createComputePipeline: 4, // id module entryPointExtra labelExtra
  getBindGroupLayout: 5, // id pipeline index
  createBindGroup: 6, // id layout n, then n × (binding buffer offset(-1) size(-1))
  createCommandEncoder: 7, // id
  beginComputePass: 8, // id encoder
  setPipeline: 9, // pass pipeline
  setBindGroup: 10, // pass index group
  dispatchWorkgroups: 11, // pass x y z
  endPass: 12, // pass
  copyBufferToBuffer: 13, // encoder source sourceOffset destination destinationOffset size
  finish: 14, // encoder commandBuffer
  submit: 15, // n, then n command buffers
  writeArena: 16, // buffer offset arenaOffset length
  writeExtra: 17, // buffer offset extra
  pushErrorScope: 18, // filter (0 validation, 1 out-of-memory, 2 internal)
  popErrorScope: 19, // request
  onSubmittedWorkDone: 20, // request
  getCompilationInfo: 21, // request module
  mapAsync: 22, // request buffer mode offset size(-1)
  unmap: 23, // buffer
  forget: 24, // id (the caller dropped its handle)
  destroyDevice: 25,
} as const;

export const ERROR_FILTERS = ["validation", "out-of-memory", "internal"] as const;

/** A batch of calls. */
export interface Batch {
  readonly words: Float64Array;
  readonly extras: readonly unknown[];
  readonly arena: ArrayBuffer | null;
  /** Request ids whose `settled` message the caller has taken: the worker may forget their results. */
  readonly acks: readonly number[];
}

export type ToWorker =
  | {
      readonly kind: "start";
      readonly powerPreference?: "low-power" | "high-performance";
      readonly dawnFlags: readonly string[];
      /** The worker's stop words (`Stop` below); null without SharedArrayBuffer. */
      readonly stopped: SharedArrayBuffer | null;
    }
  | ({ readonly kind: "batch" } & Batch)
  | ({
      readonly kind: "read";
      readonly buffer: number;
      readonly offset: number;
      readonly size: number;
      /** Requests (error scopes, …) the caller still waits for: their results come back in the reply too. */
      readonly pending: readonly number[];
      readonly shared: SharedArrayBuffer;
    } & Batch)
  | { readonly kind: "more"; readonly offset: number };

export type FromWorker =
  | { readonly kind: "ready"; readonly limits: Record<string, number>; readonly info: Record<string, string> }
  | { readonly kind: "failed"; readonly message: string; readonly noAdapter: boolean }
  | { readonly kind: "settled"; readonly id: number; readonly ok: boolean; readonly value: unknown }
  | { readonly kind: "lost"; readonly reason?: string; readonly message: string };

/**
 * The reply area of a synchronous read, as Int32 words before the payload: the state (WAITING
 * until the worker has written, then DONE or FAILED), the reply's total bytes, the read's bytes
 * (the results of the pending requests follow them, as UTF-8 JSON), and the bytes in this chunk.
 * A reply longer than the area comes in chunks (`more`).
 */
export const Reply = { state: 0, total: 1, data: 2, chunk: 3, words: 4 } as const;
export const REPLY_HEADER_BYTES = Reply.words * 4;
export const WAITING = 0;
export const DONE = 1;
export const FAILED = 2;

/**
 * The words by which the caller, ending the process, follows the worker's stop (remote-server.ts):
 * `state` turns to DESTROYING while the worker is inside Dawn's destroy (which returns once the
 * kernels already submitted have run), then to STOPPED as the worker ends, notified each time;
 * `beat` counts up every STOP_BEAT_MS while the worker waits for its promises, so that the caller
 * waits for a live worker and not for a dead one.
 */
export const Stop = { state: 0, beat: 1, words: 2 } as const;
export const DESTROYING = 1;
export const STOPPED = 2;
export const STOP_BEAT_MS = 100;

/** The constants above as one value, handed to the worker's loop (remote-server.ts), which imports nothing. */
export const PROTOCOL = { Op, filters: ERROR_FILTERS, Reply, headerBytes: REPLY_HEADER_BYTES, DONE, FAILED, Stop, DESTROYING, STOPPED, STOP_BEAT_MS } as const;
export type Protocol = typeof PROTOCOL;
