/**
 * Which storage the library may free without waiting for the garbage collector.
 *
 * JavaScript has no reference counts, so the library frees only what it can prove dead: storage
 * made inside an ownership scope that the scope's result does not hold. A module's forward, each
 * backward function, an optimizer step, each `F.*` call and a data loader's batch each run in a
 * scope. At the scope's end, graph nodes made inside it that no held tensor leads back to are
 * released (backward can never reach them), and storage made inside it is
 *   - handed to the enclosing scope if the result holds it (a returned tensor, a view of one, a
 *     tensor inside returned arrays or plain objects) or something keeps it (`memory.keep`, a
 *     module field, a tensor handed to a user's hook);
 *   - otherwise freed at once, unless a graph node may still read it in backward: then it is
 *     freed when the last such node has run backward (or when the collector finds it, if
 *     backward never comes).
 * A node pins the storage of its inputs, of the tensors it saved, and of everything its scope made
 * since the previous node, which covers what its backward closure may hold (masks, indices, its
 * own output). A scope whose function throws, or returns a promise, frees nothing.
 */
import type { Storage } from "../tensor/storage.js";
import { onPressure } from "./collection.js";

/** What ownership needs of a graph node (autograd/node.ts). */
export interface OwnedNode {
  readonly inputs: readonly { gradFn: OwnedNode | null }[];
  readonly outputStorage: Storage | null;
  release(): void;
}

interface Scope {
  readonly made: Storage[];
  /** Graph nodes made inside: at the end, the ones the result cannot reach are released. */
  readonly nodes: OwnedNode[];
  /** made[0 .. pinnedUpTo) are pinned by a node already (or needed none). */
  pinnedUpTo: number;
  readonly parent: Scope | null;
}

let current: Scope | null = null;

/** Called for every storage made in the backend's heap: inside a scope, the scope owns it. */
export function noteAllocated(storage: Storage): void {
  if (current === null) return;
  storage.owned = true;
  current.made.push(storage);
}

/** Called for every graph node made: inside a scope, the scope decides at its end whether anything can still reach it. */
export function noteNode(node: OwnedNode): void {
  current?.nodes.push(node);
}

/** Whether storage made now would be owned by a scope. */
export function inOwnedScope(): boolean {
  return current !== null;
}

/**
 * Runs `fn` in an ownership scope and frees the storage made inside it that neither its result
 * nor `alsoKeep()` holds (see the top of this file).
 */
export function owned<T>(fn: () => T, alsoKeep?: () => unknown): T {
  const scope: Scope = { made: [], nodes: [], pinnedUpTo: 0, parent: current };
  current = scope;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    current = scope.parent;
    handToParent(scope, scope.made, scope.nodes);
    throw e;
  }
  current = scope.parent;
  if (result instanceof Promise || (typeof result === "object" && result !== null && typeof (result as { then?: unknown }).then === "function")) {
    handToParent(scope, scope.made, scope.nodes);
    return result;
  }
  if (scope.made.length === 0 && scope.nodes.length === 0) return result;
  const held = new Set<Storage>();
  storagesIn(result, held, 0);
  if (alsoKeep !== undefined) {
    const fields = new Set<Storage>();
    storagesIn(alsoKeep(), fields, 0);
    for (const s of fields) {
      // a tensor stashed in a field stays the user's from now on
      if (s.owned) keepStorage(s);
      held.add(s);
    }
  }
  const liveNodes = releaseUnreachable(scope.nodes, held);
  const survivors: Storage[] = [];
  for (const s of scope.made) {
    if (s.freed) continue;
    if (s.kept || held.has(s)) survivors.push(s);
    else release(s, "by the library: made inside a module's forward, a backward function or an optimizer step, and not returned");
  }
  handToParent(scope, survivors, liveNodes);
  return result;
}

/**
 * Releases the nodes no held tensor leads back to (an LSTM's final state that the caller dropped,
 * say): backward can never reach them, so what they pin can go. Returns the others.
 */
function releaseUnreachable(nodes: readonly OwnedNode[], held: ReadonlySet<Storage>): OwnedNode[] {
  if (nodes.length === 0) return [];
  const inScope = new Set(nodes);
  const live = new Set<OwnedNode>();
  const stack: OwnedNode[] = [];
  for (const n of nodes) {
    const out = n.outputStorage;
    if (out !== null && (held.has(out) || out.kept)) stack.push(n);
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (live.has(n)) continue;
    live.add(n);
    for (const input of n.inputs) {
      const up = input.gradFn;
      if (up !== null && inScope.has(up) && !live.has(up)) stack.push(up);
    }
  }
  const kept: OwnedNode[] = [];
  for (const n of nodes) {
    if (live.has(n)) kept.push(n);
    else n.release();
  }
  return kept;
}

/**
 * Runs `fn` in a scope like `owned`, and also returns the storage made inside it that the result
 * holds, for a caller that knows when the result dies (a data loader's previous batch).
 */
export function ownedFresh<T>(fn: () => T): { result: T; made: Storage[] } {
  let made: Storage[] = [];
  const result = owned(() => {
    const scope = current!;
    const value = fn();
    made = scope.made;
    return value;
  });
  return { result, made: made.filter((s) => !s.freed && !s.kept) };
}

function handToParent(scope: Scope, storages: Storage[], nodes: OwnedNode[]): void {
  if (scope.parent !== null) {
    for (const s of storages) scope.parent.made.push(s);
    for (const n of nodes) scope.parent.nodes.push(n);
  } else {
    for (const s of storages) {
      s.owned = false; // the user's now
      s.track();
    }
  }
}

/**
 * Under memory pressure (collection.ts): the storage the open scopes made that no graph node pins
 * becomes the collector's (untracked storage is tracked), so that the forced collection that
 * follows frees what nothing references any more. What survives is freed by the collector later,
 * not at its scope's end: always safe, only later. Pinned storage stays with its scope, since a
 * node may read it in backward.
 */
export function handScopesToCollector(): void {
  for (let scope = current; scope !== null; scope = scope.parent) {
    const made = scope.made;
    let kept = 0;
    let pinnedUpTo = 0;
    for (let i = 0; i < made.length; i++) {
      const s = made[i]!;
      if (s.freed) continue;
      if (s.pins === 0 && !s.kept && s.heapBacked) {
        s.owned = false;
        s.track();
        continue;
      }
      if (i < scope.pinnedUpTo) pinnedUpTo++;
      made[kept++] = s;
    }
    made.length = kept;
    scope.pinnedUpTo = pinnedUpTo;
  }
}
onPressure(handScopesToCollector);

/** Frees owned storage now, or when the last node pinning it has run backward. */
export function release(s: Storage, reason: string): void {
  if (s.kept || s.freed || !s.heapBacked) return;
  if (s.pins > 0) {
    s.freeWhenUnpinned = true;
    s.track(); // the backward that would free it may never run
  } else s.free(reason);
}

/** Storage a new graph node must keep alive: its inputs', its saved tensors', and what its scope made since the last node. */
export function pinForNode(tensors: readonly { storage: Storage }[]): Storage[] {
  const pinned: Storage[] = [];
  for (const t of tensors) {
    const s = t.storage;
    if (s.owned && !s.kept) {
      s.pins++;
      pinned.push(s);
    }
  }
  const scope = current;
  if (scope !== null) {
    for (let i = scope.pinnedUpTo; i < scope.made.length; i++) {
      const s = scope.made[i]!;
      s.pins++;
      pinned.push(s);
    }
    scope.pinnedUpTo = scope.made.length;
  }
  return pinned;
}

/** A node has run backward (or was dropped): its pins go, and storage waiting on them is freed. */
export function unpin(pinned: readonly Storage[]): void {
  for (const s of pinned) {
    s.pins--;
    if (s.pins === 0 && s.freeWhenUnpinned) s.free("by the library: its graph has run backward");
  }
}

/** Marks every tensor found in `value` (see storagesIn) as the user's: code the library does not own was handed it. */
export function keepAll(value: unknown): void {
  const found = new Set<Storage>();
  storagesIn(value, found, 0);
  for (const s of found) keepStorage(s);
}

/** Marks a tensor's storage (and through it every view) as the user's: the library never frees it. */
export function keepStorage(s: Storage): void {
  s.kept = true;
  s.freeWhenUnpinned = false;
  s.track();
}

/**
 * Every storage of a tensor found in `value`: tensors, and arrays, maps and objects (a
 * distribution, a result record) holding them, a few levels deep; modules are not searched (their
 * parameters are never owned).
 */
export function storagesIn(value: unknown, into: Set<Storage>, depth: number): void {
  if (value === null || typeof value !== "object" || depth > 4) return;
  const storage = (value as { storage?: unknown }).storage;
  if (storage !== undefined && typeof storage === "object" && storage !== null && "pins" in storage) {
    into.add(storage as Storage);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) storagesIn(v, into, depth + 1);
    return;
  }
  if (value instanceof Map) {
    for (const v of value.values()) storagesIn(v, into, depth + 1);
    return;
  }
  if (typeof (value as { namedParameters?: unknown }).namedParameters === "function") return;
  for (const v of Object.values(value)) storagesIn(v, into, depth + 1);
}

/**
 * A copy of a namespace of functions, each running in an ownership scope (see `owned`): called
 * outside any module, a composite function (a loss, say) frees its intermediates itself.
 */
export function ownedFunctions<T extends object>(namespace: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(namespace)) {
    out[name] =
      typeof value === "function" && !/^[A-Z]/.test(name)
        ? Object.defineProperty((...args: unknown[]) => owned(() => (value as (...a: unknown[]) => unknown)(...args)), "name", { value: name })
        : value;
  }
  return Object.freeze(out) as T;
}
