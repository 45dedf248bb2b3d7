/**
 * Releasing wasm storage when tensors die. Each typed array over a wasm block is registered
 * with a FinalizationRegistry; the catch is timing. V8 only clears weak cells in full
 * (mark-compact) collections, schedules those by JS-heap growth (it cannot see the wasm heap
 * fill up), and runs finalizers as separate tasks, never inside a synchronous training loop.
 *
 * So where the engine allows it (Node), the allocator collects on its own: with --expose-gc and
 * --harmony-weak-refs-with-cleanup-some set at run time, a fresh context yields a `gc` function
 * and a registry with `cleanupSome()`, and `collect()` runs a full collection and the finalizers
 * at once. Elsewhere (browsers) finalizers run when the engine gets round to them.
 */
type Registry<T> = { register(target: object, held: T): void; cleanupSome?: () => void };

let gc: (() => void) | null = null;
let makeRegistry = <T>(cb: (held: T) => void): Registry<T> => new FinalizationRegistry<T>(cb);

const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
if (proc?.versions?.node !== undefined) {
  try {
    const v8 = await import("node:v8");
    const vm = await import("node:vm");
    v8.setFlagsFromString("--expose-gc");
    v8.setFlagsFromString("--harmony-weak-refs-with-cleanup-some");
    const context = vm.createContext();
    const contextGC = vm.runInContext("gc", context) as () => void;
    const contextRegistry = vm.runInContext("(cb) => new FinalizationRegistry(cb)", context) as <T>(
      cb: (held: T) => void,
    ) => Registry<T>;
    if (typeof contextGC === "function" && typeof contextRegistry(() => {}).cleanupSome === "function") {
      gc = contextGC;
      makeRegistry = contextRegistry;
    }
  } catch {
    gc = null;
  }
}

/** A registry calling `release(held)` once each registered object has been collected. */
export function finalizationRegistry<T>(release: (held: T) => void): {
  register(target: object, held: T): void;
  /** Runs a full collection and the finalizers it makes due, now; false where the engine cannot. */
  collect(): boolean;
} {
  const registry = makeRegistry<T>(release);
  return {
    register: (target, held) => registry.register(target, held),
    collect() {
      if (gc === null || registry.cleanupSome === undefined) return false;
      gc();
      registry.cleanupSome();
      return true;
    },
  };
}
