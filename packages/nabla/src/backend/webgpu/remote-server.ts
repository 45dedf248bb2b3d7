/**
 * The worker's side of a worker-owned WebGPU device (remote-device.ts is the caller's): it opens
 * the real device, replays the caller's batches of calls on it (remote-protocol.ts), answers the
 * calls WebGPU answers through promises with `settled` messages, and answers a synchronous read
 * by copying the buffer into the caller's SharedArrayBuffer and waking it.
 *
 * `serveDevice` runs from its source text: in Node the worker is started with `eval` from
 * `serveDevice.toString()` (no worker file to find, from the sources and from dist alike, as the
 * wasm pool's loop runs), so it imports nothing at run time and takes the protocol's constants
 * and the way to the platform's WebGPU as arguments. In a browser, device-worker.ts imports it.
 */
import type { Gpu, GpuBuffer, GpuDevice } from "./gpu-types.js";
import type { Batch, FromWorker, Protocol, ToWorker } from "./remote-protocol.js";

/** How the worker talks to its caller. */
export interface Endpoint {
  post(message: FromWorker, transfer?: ArrayBuffer[]): void;
  listen(handler: (message: ToWorker) => void): void;
  /** Ends the worker (after the device is destroyed). */
  close(): void;
}

/** Serves one device to the caller on `endpoint`; `loadGpu` is the platform's WebGPU entry point. */
export function serveDevice(endpoint: Endpoint, loadGpu: (flags: readonly string[]) => Promise<Gpu>, p: Protocol): void {
  const O = p.Op;
  // the spec's flags (gpu-types.ts), written out: this function imports nothing
  const MAP_READ = 0x0001;
  const COPY_DST = 0x0008;
  let device: GpuDevice | null = null;
  let gpu: Gpu | null = null; // held: Dawn tears its instance down when it is collected
  /** Every object the caller holds a handle of, by the id it chose. */
  // the real objects, each used as its opcode says (typed loosely: any WebGPU object)
  const objects = new Map<number, any>();
  /** Results of the caller's requests (error scopes …) until it acknowledges them: a synchronous read may ask again. */
  const results = new Map<number, Promise<[boolean, unknown]>>();
  /** A call that threw here; the next read reports it (the caller could not be told at the call). */
  let failure: string | null = null;
  /** A synchronous read's reply not yet all copied (it came in chunks). */
  let reply: { bytes: Uint8Array; data: number; shared: SharedArrayBuffer } | null = null;
  /**
   * WebGPU's promises not settled yet (error scopes, maps, work done). Dawn's Node binding aborts
   * the process when a worker ends with one of its promises still pending, so the worker ends
   * only once they have all settled (`stop`).
   */
  const inFlight = new Set<Promise<unknown>>();
  /** The caller's stop words (remote-protocol.ts, Stop), which `stop` sets once the device is gone. */
  let stopped: Int32Array | null = null;
  /** The stop under way, once asked (a second ask joins it). */
  let stopping: Promise<void> | null = null;

  const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

  /** `promise`, counted in `inFlight` until it settles. */
  const held = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    const done = (): void => void inFlight.delete(promise);
    promise.then(done, done);
    return promise;
  };

  const track = (id: number, promise: Promise<unknown>): void => {
    const settled = held(promise).then(
      (value): [boolean, unknown] => [true, value],
      (e: unknown): [boolean, unknown] => [false, message(e)],
    );
    results.set(id, settled);
    void settled.then(([ok, value]) => endpoint.post({ kind: "settled", id, ok, value }));
  };

  const start = async (m: Extract<ToWorker, { kind: "start" }>): Promise<void> => {
    stopped = m.stopped === null ? null : new Int32Array(m.stopped);
    try {
      gpu = await loadGpu(m.dawnFlags);
      const adapter = await gpu.requestAdapter(m.powerPreference ? { powerPreference: m.powerPreference } : {});
      if (adapter === null) {
        endpoint.post({ kind: "failed", message: "no adapter", noAdapter: true });
        return;
      }
      // as device.ts: the adapter's full storage-buffer limits
      const d = await adapter.requestDevice({
        requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
      });
      device = d;
      void d.lost.then((info) => endpoint.post({ kind: "lost", reason: info.reason, message: info.message }));
      const l = d.limits;
      const limits = {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      };
      const a = adapter.info ?? {};
      const info: Record<string, string> = {};
      for (const key of ["vendor", "architecture", "device", "description"] as const) if (typeof a[key] === "string") info[key] = a[key];
      endpoint.post({ kind: "ready", limits, info });
    } catch (e) {
      endpoint.post({ kind: "failed", message: message(e), noAdapter: false });
    }
  };

  /** Replays one batch of calls, in order. */
  const apply = (b: Batch): void => {
    for (const id of b.acks) results.delete(id);
    const d = device;
    if (d === null) {
      if (b.words.length > 0) failure ??= "webgpu worker: a call arrived before the device started";
      return;
    }
    const w = b.words;
    const arena = b.arena === null ? null : new Uint8Array(b.arena);
    let i = 0;
    const at = (id: number) => objects.get(id);
    while (i < w.length) {
      const op = w[i++]!;
      // each case reads all its words before calling, so that a call that throws leaves the rest in step
      try {
        switch (op) {
          case O.createBuffer: {
            const id = w[i++]!, size = w[i++]!, usage = w[i++]!;
            objects.set(id, d.createBuffer({ size, usage }));
            break;
          }
          case O.destroyBuffer: {
            const id = w[i++]!;
            (at(id) as GpuBuffer | undefined)?.destroy();
            objects.delete(id);
            break;
          }
          case O.createShaderModule: {
            const id = w[i++]!, code = b.extras[w[i++]!] as string, label = w[i++]!;
            objects.set(id, d.createShaderModule(label < 0 ? { code } : { code, label: b.extras[label] as string }));
            break;
          }
          case O.createComputePipeline: {
            const id = w[i++]!, module = at(w[i++]!), entryPoint = b.extras[w[i++]!] as string, label = w[i++]!;
            const descriptor = { layout: "auto" as const, compute: { module, entryPoint } };
            objects.set(id, d.createComputePipeline(label < 0 ? descriptor : { ...descriptor, label: b.extras[label] as string }));
            break;
          }
          case O.getBindGroupLayout: {
            const id = w[i++]!, pipeline = at(w[i++]!), index = w[i++]!;
            objects.set(id, pipeline.getBindGroupLayout(index));
            break;
          }
          case O.createBindGroup: {
            const id = w[i++]!, layout = at(w[i++]!), n = w[i++]!;
            const entries = [];
            for (let e = 0; e < n; e++) {
              const binding = w[i++]!, buffer = at(w[i++]!), offset = w[i++]!, size = w[i++]!;
              const resource: { buffer: GpuBuffer; offset?: number; size?: number } = { buffer };
              if (offset >= 0) resource.offset = offset;
              if (size >= 0) resource.size = size;
              entries.push({ binding, resource });
            }
            objects.set(id, d.createBindGroup({ layout, entries }));
            break;
          }
          case O.createCommandEncoder:
            objects.set(w[i++]!, d.createCommandEncoder());
            break;
          case O.beginComputePass: {
            const id = w[i++]!, encoder = at(w[i++]!);
            objects.set(id, encoder.beginComputePass());
            break;
          }
          case O.setPipeline: {
            const pass = at(w[i++]!), pipeline = at(w[i++]!);
            pass.setPipeline(pipeline);
            break;
          }
          case O.setBindGroup: {
            const pass = at(w[i++]!), index = w[i++]!, group = at(w[i++]!);
            pass.setBindGroup(index, group);
            break;
          }
          case O.dispatchWorkgroups: {
            const pass = at(w[i++]!), x = w[i++]!, y = w[i++]!, z = w[i++]!;
            pass.dispatchWorkgroups(x, y, z);
            break;
          }
          case O.endPass: {
            const id = w[i++]!;
            at(id).end();
            objects.delete(id);
            break;
          }
          case O.copyBufferToBuffer: {
            const encoder = at(w[i++]!), source = at(w[i++]!), so = w[i++]!, target = at(w[i++]!), to = w[i++]!, size = w[i++]!;
            encoder.copyBufferToBuffer(source, so, target, to, size);
            break;
          }
          case O.finish: {
            const encoder = w[i++]!, id = w[i++]!;
            objects.set(id, at(encoder).finish());
            objects.delete(encoder);
            break;
          }
          case O.submit: {
            const n = w[i++]!;
            const ids = Array.from(w.subarray(i, i + n));
            i += n;
            d.queue.submit(ids.map(at));
            for (const id of ids) objects.delete(id);
            break;
          }
          case O.writeArena: {
            const buffer = at(w[i++]!), offset = w[i++]!, from = w[i++]!, length = w[i++]!;
            d.queue.writeBuffer(buffer, offset, arena!.subarray(from, from + length));
            break;
          }
          case O.writeExtra: {
            const buffer = at(w[i++]!), offset = w[i++]!, data = b.extras[w[i++]!] as ArrayBuffer;
            d.queue.writeBuffer(buffer, offset, new Uint8Array(data));
            break;
          }
          case O.pushErrorScope:
            d.pushErrorScope(p.filters[w[i++]!]!);
            break;
          case O.popErrorScope:
            track(w[i++]!, d.popErrorScope().then((e) => (e === null ? null : { message: e.message })));
            break;
          case O.onSubmittedWorkDone:
            track(w[i++]!, d.queue.onSubmittedWorkDone().then(() => null));
            break;
          case O.getCompilationInfo: {
            const id = w[i++]!, module = at(w[i++]!);
            track(id, module.getCompilationInfo().then((c: { messages: readonly { type: string; message: string; lineNum: number }[] }) => ({
              messages: c.messages.map((m) => ({ type: m.type, message: m.message, lineNum: m.lineNum })),
            })));
            break;
          }
          case O.mapAsync: {
            const id = w[i++]!, buffer = at(w[i++]!) as GpuBuffer, mode = w[i++]!, offset = w[i++]!, size = w[i++]!;
            const range = size < 0 ? undefined : size;
            if (failure !== null) {
              endpoint.post({ kind: "settled", id, ok: false, value: failure });
              failure = null;
              break;
            }
            // the mapped bytes travel with the answer (moved, not copied); they are the caller's until it unmaps
            held(buffer.mapAsync(mode, offset, range)).then(
              () => {
                const bytes = buffer.getMappedRange(offset, range).slice(0);
                endpoint.post({ kind: "settled", id, ok: true, value: bytes }, [bytes]);
              },
              (e: unknown) => endpoint.post({ kind: "settled", id, ok: false, value: message(e) }),
            );
            break;
          }
          case O.unmap:
            (at(w[i++]!) as GpuBuffer).unmap();
            break;
          case O.forget:
            objects.delete(w[i++]!);
            break;
          case O.destroyDevice:
            void stop();
            return;
          default:
            throw new Error(`webgpu worker: unknown call ${op}`);
        }
      } catch (e) {
        failure ??= message(e);
      }
    }
  };

  /** Waits until every WebGPU promise made so far has settled. */
  const settle = async (): Promise<void> => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };

  /**
   * Ends the device and then the worker, cleanly: Dawn's Node binding aborts the whole process
   * when a worker ends while one of its promises is pending (an error scope this thread has not
   * yet taken up, a map). So every promise made so far settles first, then the device is
   * destroyed (Dawn's destroy blocks this thread until the kernels already submitted have run:
   * cheaper than awaiting onSubmittedWorkDone, whose polling takes CPU from a software GPU), then
   * the caller's `stopped` words say so and the worker ends. The caller, blocked as the process
   * ends (it can take no message then), follows the words: a beat counts up while this thread
   * waits, and the state says when it is inside the destroy, where it cannot beat.
   */
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const words = stopped;
      const say = (state: number): void => {
        if (words === null) return;
        Atomics.store(words, p.Stop.state, state);
        Atomics.notify(words, p.Stop.state);
      };
      const beat = words === null ? null : setInterval(() => Atomics.add(words, p.Stop.beat, 1), p.STOP_BEAT_MS);
      const d = device;
      device = null;
      reply = null;
      await settle();
      say(p.DESTROYING);
      try {
        d?.destroy();
      } catch {
        // a device that cannot be destroyed is gone already
      }
      objects.clear();
      await settle();
      if (beat !== null) clearInterval(beat);
      say(p.STOPPED);
      endpoint.close();
    })());

  /** Copies the reply's next chunk into the caller's area and wakes it. */
  const sendChunk = (offset: number): void => {
    const r = reply!;
    const header = new Int32Array(r.shared, 0, p.Reply.words);
    const n = Math.min(r.shared.byteLength - p.headerBytes, r.bytes.length - offset);
    new Uint8Array(r.shared, p.headerBytes, n).set(r.bytes.subarray(offset, offset + n));
    header[p.Reply.total] = r.bytes.length;
    header[p.Reply.data] = r.data;
    header[p.Reply.chunk] = n;
    if (offset + n >= r.bytes.length) reply = null;
    Atomics.store(header, p.Reply.state, p.DONE);
    Atomics.notify(header, p.Reply.state);
  };

  const fail = (shared: SharedArrayBuffer, text: string): void => {
    const header = new Int32Array(shared, 0, p.Reply.words);
    const bytes = new TextEncoder().encode(text).subarray(0, shared.byteLength - p.headerBytes);
    new Uint8Array(shared, p.headerBytes, bytes.length).set(bytes);
    header[p.Reply.total] = bytes.length;
    header[p.Reply.chunk] = bytes.length;
    Atomics.store(header, p.Reply.state, p.FAILED);
    Atomics.notify(header, p.Reply.state);
  };

  /** A synchronous read: the buffer's bytes, then the results of the requests the caller waits for. */
  const read = async (m: Extract<ToWorker, { kind: "read" }>): Promise<void> => {
    try {
      apply(m);
      const d = device;
      if (d === null) throw new Error("webgpu worker: the device is not started or was destroyed");
      if (failure !== null) {
        const f = failure;
        failure = null;
        throw new Error(f);
      }
      const staging = d.createBuffer({ size: m.size, usage: MAP_READ | COPY_DST });
      const encoder = d.createCommandEncoder();
      encoder.copyBufferToBuffer(objects.get(m.buffer), m.offset, staging, 0, m.size);
      d.queue.submit([encoder.finish()]);
      await held(staging.mapAsync(MAP_READ));
      const settled = await Promise.all(
        m.pending.map(async (id) => [id, ...((await results.get(id)) ?? [false, `webgpu worker: no request ${id}`])]),
      );
      for (const id of m.pending) results.delete(id);
      const json = new TextEncoder().encode(JSON.stringify(settled));
      const total = m.size + json.length;
      if (total <= m.shared.byteLength - p.headerBytes) {
        // the common case, one chunk: straight from the mapped range into the shared area
        new Uint8Array(m.shared, p.headerBytes, m.size).set(new Uint8Array(staging.getMappedRange()));
        new Uint8Array(m.shared, p.headerBytes + m.size, json.length).set(json);
        staging.unmap();
        staging.destroy();
        const header = new Int32Array(m.shared, 0, p.Reply.words);
        header[p.Reply.total] = total;
        header[p.Reply.data] = m.size;
        header[p.Reply.chunk] = total;
        Atomics.store(header, p.Reply.state, p.DONE);
        Atomics.notify(header, p.Reply.state);
        return;
      }
      const bytes = new Uint8Array(total);
      bytes.set(new Uint8Array(staging.getMappedRange()));
      bytes.set(json, m.size);
      staging.unmap();
      staging.destroy();
      reply = { bytes, data: m.size, shared: m.shared };
      sendChunk(0);
    } catch (e) {
      fail(m.shared, message(e));
    }
  };

  endpoint.listen((m) => {
    switch (m.kind) {
      case "start":
        void start(m);
        break;
      case "batch":
        apply(m);
        // a failed call is reported at the next read; a mapAsync waiting now is that read
        break;
      case "read":
        void read(m);
        break;
      case "more":
        sendChunk(m.offset);
        break;
    }
  });
}
