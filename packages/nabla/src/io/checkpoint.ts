/**
 * Checkpoints: everything needed to resume training exactly — the model's state dict, the
 * optimizer's (moments and step counts), the scheduler's, the epoch, and the state of the random
 * generators (shuffling, dropout, augmentation) — in one safetensors file. Tensors are stored as
 * `model.<key>` and `optimizer.state.<param>.<name>`; everything else is JSON in the metadata
 * entry `nabla.checkpoint`. The weights are thus readable by any safetensors reader.
 *
 * Nothing read is trusted: the metadata's nesting is bounded before it is parsed, every object
 * built from it has no prototype (a key `__proto__` is an ordinary name), and restoring checks
 * every part (the model's keys, shapes and dtypes, the optimizer's and scheduler's state, the
 * generators' states) before changing any, with a rollback for what only shows while loading.
 *
 * Bytes in and out here (browser-safe); `saveCheckpoint`/`loadCheckpoint` in `nabla/node` write
 * the file atomically.
 */
import type { AnyModule, StateDict } from "../nn/module.js";
import type { Optimizer, OptimizerStateDict } from "../optim/optimizer.js";
import { DataFormatError } from "../data/format-error.js";
import { Tensor } from "../tensor/tensor.js";
import { Generator } from "../tensor/random.js";
import { decodeSafetensors, serializeSafetensors } from "./safetensors.js";
import { nullPrototypeObject, parseJson, stringifyJson } from "./json.js";

/** Anything with PyTorch's scheduler state protocol (nabla's `optim.lrScheduler` classes have it). */
export interface StatefulScheduler {
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

export type GeneratorState = ReturnType<Generator["getState"]>;

export interface Checkpoint {
  /** Epochs completed. */
  epoch: number;
  model: StateDict;
  optimizer?: OptimizerStateDict;
  /** The scheduler's state dict (JSON-able). */
  scheduler?: unknown;
  /** States of named generators, e.g. `{ default: …, loader: … }`. */
  generators?: Record<string, GeneratorState>;
  /** Anything JSON-able: the training history, the command line, … */
  extra?: Record<string, unknown>;
}

/** What a checkpoint is taken from and restored into. */
export interface CheckpointTargets {
  model: AnyModule;
  optimizer?: Optimizer;
  scheduler?: StatefulScheduler;
  generators?: Record<string, Generator>;
}

const FORMAT = "nabla.checkpoint";
const VERSION = 1;

/** A snapshot of the training state (tensors copied, so later steps don't change it). */
export function makeCheckpoint(targets: CheckpointTargets & { epoch: number; extra?: Record<string, unknown> }): Checkpoint {
  const model = Object.fromEntries(Object.entries(targets.model.stateDict()).map(([k, t]) => [k, t.clone()]));
  const ckpt: Checkpoint = { epoch: targets.epoch, model };
  if (targets.optimizer) ckpt.optimizer = targets.optimizer.stateDict();
  if (targets.scheduler) ckpt.scheduler = deepCopy(targets.scheduler.stateDict());
  if (targets.generators) ckpt.generators = Object.fromEntries(Object.entries(targets.generators).map(([k, g]) => [k, g.getState()]));
  if (targets.extra) ckpt.extra = targets.extra;
  return ckpt;
}

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** A plain object, or one without a prototype (as everything read from a file is); not a list. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A copy of JSON-like state: arrays and plain objects copied (keeping their kind of prototype), tensors cloned, other values shared. */
function deepCopy<T>(value: T): T {
  if (value instanceof Tensor) return value.clone() as T;
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (isPlainObject(value)) {
    const entries = Object.entries(value).map(([k, v]) => [k, deepCopy(v)] as const);
    return (Object.getPrototypeOf(value) === null ? nullPrototypeObject(entries) : Object.fromEntries(entries)) as T;
  }
  return value;
}

/**
 * Replaces every tensor inside a JSON-like value by `{ $tensor: key }`, storing the tensor under
 * that key (its path, e.g. `optimizer.state.0.exp_avg`), so that any state — however the
 * optimizer or scheduler nests it — is stored exactly.
 */
function extractTensors(value: unknown, path: string, tensors: StateDict): unknown {
  if (value instanceof Tensor) {
    tensors[path] = value;
    return { $tensor: path };
  }
  if (Array.isArray(value)) return value.map((v, i) => extractTensors(v, `${path}.${i}`, tensors));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, extractTensors(v, `${path}.${k}`, tensors)]));
  }
  return value;
}

/** The inverse of extractTensors; records which tensors were used. */
function insertTensors(value: unknown, tensors: StateDict, used: Set<string>, file: string): unknown {
  if (Array.isArray(value)) return value.map((v) => insertTensors(v, tensors, used, file));
  if (typeof value === "object" && value !== null) {
    const ref = hasOwn(value, "$tensor") ? (value as { $tensor?: unknown }).$tensor : undefined;
    if (typeof ref === "string" && Object.keys(value).length === 1) {
      if (!hasOwn(tensors, ref)) throw new DataFormatError(file, `the checkpoint metadata refers to a missing tensor "${ref}"`);
      used.add(ref);
      return tensors[ref];
    }
    return nullPrototypeObject(Object.entries(value).map(([k, v]) => [k, insertTensors(v, tensors, used, file)] as const));
  }
  return value;
}

/** Encodes a checkpoint as safetensors bytes. */
export function serializeCheckpoint(ckpt: Checkpoint): Uint8Array {
  const tensors: StateDict = {};
  for (const [k, t] of Object.entries(ckpt.model)) tensors[`model.${k}`] = t;
  const info = {
    format: FORMAT,
    version: VERSION,
    epoch: ckpt.epoch,
    optimizer: extractTensors(ckpt.optimizer, "optimizer", tensors),
    scheduler: extractTensors(ckpt.scheduler, "scheduler", tensors),
    generators: ckpt.generators,
    extra: ckpt.extra,
  };
  return serializeSafetensors(tensors, { [FORMAT]: stringifyJson(info) });
}

/** Decodes a checkpoint written by serializeCheckpoint; `name` is used in errors. */
export function parseCheckpoint(bytes: Uint8Array, name: string): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  const text = metadata[FORMAT];
  if (text === undefined) throw new DataFormatError(name, `not a nabla checkpoint: no "${FORMAT}" entry in the safetensors metadata`);
  let info: { [key: string]: unknown; version?: unknown; epoch?: unknown; optimizer?: unknown; scheduler?: unknown; generators?: unknown; extra?: unknown };
  try {
    info = parseJson(text) as typeof info;
  } catch (e) {
    throw new DataFormatError(name, `the checkpoint metadata is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(info)) throw new DataFormatError(name, "the checkpoint metadata is not an object");
  const known = ["format", "version", "epoch", "optimizer", "scheduler", "generators", "extra"];
  const unknown = Object.keys(info).find((k) => !known.includes(k));
  if (unknown !== undefined) throw new DataFormatError(name, `unexpected entry "${unknown}" in the checkpoint metadata`);
  if (info.version !== VERSION) throw new DataFormatError(name, `unsupported checkpoint version ${String(info.version)} (this nabla reads ${VERSION})`);
  if (!(Number.isSafeInteger(info.epoch) && (info.epoch as number) >= 0)) {
    throw new DataFormatError(name, `the checkpoint's epoch must be a non-negative integer, got ${JSON.stringify(info.epoch) ?? "nothing"}`);
  }
  for (const part of ["optimizer", "generators", "extra"] as const) {
    if (info[part] !== undefined && !isPlainObject(info[part])) throw new DataFormatError(name, `the checkpoint's ${part} entry is not an object`);
  }
  if (info.generators !== undefined) {
    for (const [k, g] of Object.entries(info.generators as object)) {
      if (!isPlainObject(g)) throw new DataFormatError(name, `the checkpoint's state of generator "${k}" is not an object`);
    }
  }
  const used = new Set<string>();
  const model: StateDict = nullPrototypeObject();
  for (const [key, t] of Object.entries(tensors)) {
    if (key.startsWith("model.")) {
      model[key.slice("model.".length)] = t;
      used.add(key);
    }
  }
  const ckpt: Checkpoint = { epoch: info.epoch as number, model };
  if (info.optimizer !== undefined) ckpt.optimizer = insertTensors(info.optimizer, tensors, used, name) as OptimizerStateDict;
  if (info.scheduler !== undefined) ckpt.scheduler = insertTensors(info.scheduler, tensors, used, name);
  if (info.generators !== undefined) ckpt.generators = info.generators as Record<string, GeneratorState>;
  if (info.extra !== undefined) ckpt.extra = info.extra as Record<string, unknown>;
  const stray = Object.keys(tensors).find((k) => !used.has(k));
  if (stray !== undefined) throw new DataFormatError(name, `unexpected tensor "${stray}" in a checkpoint`);
  return ckpt;
}

/**
 * Loads a checkpoint into the model, optimizer, scheduler and generators given — all of them or
 * none. What can be checked on its own is checked before anything changes (parts asked for but
 * absent, the generators' states, the scheduler's state where it has `checkStateDict`); the model
 * and the optimizer each check everything before changing anything; and should a later part
 * still fail, the snapshots taken first are put back before the error is rethrown.
 */
export function restoreCheckpoint(ckpt: Checkpoint, targets: CheckpointTargets): void {
  const { model, optimizer, scheduler, generators = {} } = targets;
  // Parts asked for but absent: an error before anything changes.
  if (optimizer && ckpt.optimizer === undefined) throw new Error("restoreCheckpoint: the checkpoint holds no optimizer state");
  if (scheduler && ckpt.scheduler === undefined) throw new Error("restoreCheckpoint: the checkpoint holds no scheduler state");
  for (const k of Object.keys(generators)) {
    if (ckpt.generators === undefined || !hasOwn(ckpt.generators, k)) throw new Error(`restoreCheckpoint: the checkpoint holds no state for generator "${k}"`);
    new Generator().setState(ckpt.generators[k]!); // checks the state on a scratch generator
  }
  (scheduler as { checkStateDict?: (state: unknown) => void } | undefined)?.checkStateDict?.(ckpt.scheduler);
  const backup = {
    model: Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()])),
    optimizer: optimizer?.stateDict(),
    scheduler: scheduler ? deepCopy(scheduler.stateDict()) : undefined,
    generators: Object.fromEntries(Object.entries(generators).map(([k, g]) => [k, g.getState()])),
  };
  try {
    model.loadStateDict(ckpt.model);
    optimizer?.loadStateDict(ckpt.optimizer as OptimizerStateDict);
    scheduler?.loadStateDict(deepCopy(ckpt.scheduler) as never);
    for (const [k, g] of Object.entries(generators)) g.setState(ckpt.generators![k]!);
  } catch (e) {
    model.loadStateDict(backup.model);
    if (optimizer) optimizer.loadStateDict(backup.optimizer!);
    if (scheduler) scheduler.loadStateDict(backup.scheduler as never);
    for (const [k, g] of Object.entries(generators)) g.setState(backup.generators[k]!);
    throw e;
  }
}
