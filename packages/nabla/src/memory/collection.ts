/**
 * Forced garbage collection: the fallback for memory the library cannot release itself.
 *
 * Storage the library knows is dead goes back to the allocator at once (ownership.ts). A tensor
 * the user dropped is only known dead to the garbage collector, which frees its wasm block through
 * a FinalizationRegistry; V8 runs those finalizers between tasks, so a synchronous loop of plain
 * tensor ops (no module, so nothing the library owns) would hold every intermediate until the loop
 * ends. In "auto" mode (the default where the engine allows it: Node 20.16+), before the heap
 * grows past its current size (32 MiB at first; see src/backend/wasm/heap.ts), and before a
 * request is refused, the allocator runs a full collection and the due finalizers at once. That
 * needs two V8 flags (--expose-gc, and cleanupSome on registries), set process-wide when the
 * first wasm storage is made, never at import. A loop of modules, backward and optimizer steps never
 * gets there: what it drops, the library frees (`memory.stats().collections` stays put).
 * `memory.setCollection("off")` or NABLA_FORCE_GC=0 turns the fallback off.
 *
 * It must be a plain `gc()`, a full collection: a scavenge (`gc({ type: "minor" })`) finalizes no
 * registered target in Node 20's V8, even young ones (1,000 dropped targets, none finalized), and
 * neither does `gc({ type: "major" })` (the options form; plain `gc()` finalizes all 1,000). A
 * sweep of WeakRefs cannot replace the registry: a WeakRef keeps its target alive until the job
 * that made it ends, which a synchronous loop never does. So each forced collection marks the
 * whole JS heap, whatever it frees: 5–7 ms with the library loaded, nearly all of it marking
 * (bare Node: ~42K objects, ~3 ms; the library's code adds ~37K more, ~6.5K functions with their
 * closures, feedback cells and maps, ~2.5 ms; its 1.7 MB of bundle source and 2 MB of base64
 * kernels are flat strings, which cost marking nothing). V8's flags do not make it lighter
 * (--single-threaded-gc is slower, --no-flush-bytecode changes nothing, --no-parallel-marking
 * aborts Node 20). The finalizers add ~0.1 µs per dropped array (weak-cell processing and the
 * callback, about half each). That fixed cost is why heap.ts collects rarely (every 128–256 MiB of
 * dropped storage) rather than often with a small, cache-resident heap: at 100,000-element results
 * a 16 MiB trigger cost 530 µs per op against 160 at 128 MiB.
 */
type Registry<T> = FinalizationRegistry<T> & { cleanupSome?: () => void };

export type CollectionMode = "auto" | "off";

interface Forcing {
  gc: () => void;
  registry: <T>(cb: (held: T) => void) => Registry<T>;
}

const env = (globalThis as { process?: { env?: Record<string, string | undefined>; getBuiltinModule?: unknown } }).process;
let mode: CollectionMode = env?.env?.NABLA_FORCE_GC === "0" || typeof env?.getBuiltinModule !== "function" ? "off" : "auto";
/** Forced collections run so far. */
let collections = 0;
let forcing: Forcing | null | undefined; // undefined: not tried yet
/** Every registry made, with the callback its forced twin (made when forcing starts) shares. */
const registries: { live: Registry<unknown>[]; cb: (held: unknown) => void }[] = [];

/** V8's gc and a registry with cleanupSome, from a fresh context after setting the flags; null where unavailable. */
function startForcing(): Forcing | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  const load = proc?.getBuiltinModule;
  if (typeof load !== "function") return null;
  try {
    const v8 = load("node:v8") as { setFlagsFromString(flags: string): void };
    const vm = load("node:vm") as { createContext(): object; runInContext(code: string, context: object): unknown };
    v8.setFlagsFromString("--expose-gc");
    v8.setFlagsFromString("--harmony-weak-refs-with-cleanup-some");
    const context = vm.createContext();
    const gc = vm.runInContext("gc", context) as () => void;
    const registry = vm.runInContext("(cb) => new FinalizationRegistry(cb)", context) as Forcing["registry"];
    if (typeof gc !== "function" || typeof registry(() => {}).cleanupSome !== "function") return null;
    return { gc, registry };
  } catch {
    return null;
  }
}

function forcingTools(): Forcing | null {
  if (forcing === undefined) forcing = startForcing();
  return forcing;
}

/**
 * Turns the forced-collection fallback on ("auto") or off. "auto" returns false (and stays off)
 * where the engine cannot force a collection (browsers, Node before 20.16).
 */
export function setCollection(next: CollectionMode): boolean {
  if (next !== "off" && next !== "auto") throw new RangeError(`memory.setCollection: mode must be "auto" or "off", got ${String(next)}`);
  if (next === "auto" && forcingTools() === null) {
    mode = "off";
    return false;
  }
  mode = next;
  return true;
}

export function collectionMode(): CollectionMode {
  return mode;
}

/**
 * A FinalizationRegistry calling `release(held)` once each registered object has been collected.
 * Pass a `token` only where `unregister` is needed: V8 keeps every token in a hash table, which
 * costs each registration and each collection that finds it dead.
 * Registrations made while forcing is on go to a registry that a forced collection can drain.
 */
export function finalizationRegistry<T>(release: (held: T) => void): {
  register(target: object, held: T, token?: object): void;
  unregister(token: object): void;
} {
  const entry = { live: [new FinalizationRegistry<unknown>(release as (held: unknown) => void) as Registry<unknown>], cb: release as (held: unknown) => void };
  registries.push(entry);
  let forced: Registry<unknown> | null = null;
  return {
    register(target, held, token) {
      // in auto mode forcing starts with the first registration, so every array can be drained
      if (mode === "auto" && forcingTools() !== null && forcing) {
        if (forced === null) entry.live.push((forced = forcing.registry(entry.cb)));
        forced.register(target, held, token);
      } else {
        entry.live[0]!.register(target, held, token);
      }
    },
    unregister(token) {
      for (const r of entry.live) r.unregister(token);
    },
  };
}

/** In "auto" mode, runs a full collection and the finalizers it makes due; false otherwise. */
export function collectIfEnabled(): boolean {
  if (mode !== "auto") return false;
  return collectNow();
}

let beforePressureCollection: (() => void) | null = null;

/** Sets what runs before a collection forced by a request the heap could not otherwise serve (ownership.ts). */
export function onPressure(fn: () => void): void {
  beforePressureCollection = fn;
}

/**
 * Like collectIfEnabled, for a request that fails without it: first the open ownership scopes
 * hand their unpinned storage to the collector (ownership.ts), so that intermediates a running
 * forward already dropped (`x = relu(x)` leaves the old x unreachable) are freed now, as PyTorch
 * frees them at their last use, instead of when the forward returns.
 */
export function collectUnderPressure(): boolean {
  if (mode !== "auto") return false;
  beforePressureCollection?.();
  return collectNow();
}

/** Forced collections run so far (memory.stats().collections). */
export function collectionCount(): number {
  return collections;
}

/** Runs a full collection and the due finalizers now, where the engine allows it; false where it cannot. */
export function collectNow(): boolean {
  const tools = forcingTools();
  if (tools === null) return false;
  collections++;
  tools.gc();
  for (const entry of registries) for (const r of entry.live) r.cleanupSome?.();
  return true;
}
