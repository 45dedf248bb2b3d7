/**
 * Files in Node (not part of the browser-safe core; imported from `nabla/node`): safetensors
 * state dicts and checkpoints, written atomically — to a temporary file in the same directory,
 * flushed to disk with fsync, then renamed over the target — so that a crash or a full disk in
 * the middle of a save leaves the previous file intact. A process killed between the write and
 * the rename leaves its temp file behind; the next successful save of the same file removes such
 * leftovers (only names of exactly this file's temp-name pattern, of processes no longer running).
 * The file system calls go through an injectable `AtomicFs`, so that tests can make a write fail
 * on purpose.
 */
import { open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { Module, type StateDict } from "../nn/module.js";
import { decodeSafetensors, serializeSafetensors, type SafetensorsMetadata } from "./safetensors.js";
import { loadTorch, saveTorch, type TorchSaveValue, type TorchValue } from "./torch-file.js";
import { makeCheckpoint, parseCheckpoint, restoreCheckpoint, serializeCheckpoint, type Checkpoint, type CheckpointTargets } from "./checkpoint.js";

/** The file operations an atomic write needs. */
export interface AtomicFs {
  /** Writes all of `bytes` to a new file at `path` and fsyncs it before resolving. */
  writeAndSync(path: string, bytes: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes the rename itself durable (fsync of the directory); best effort. */
  syncDir(dir: string): Promise<void>;
  /** The names in a directory (to find stale temp files). */
  readdir(dir: string): Promise<string[]>;
}

/** The real file system. */
export const nodeFs: AtomicFs = {
  async writeAndSync(path, bytes) {
    const handle = await open(path, "wx"); // a fresh file: never write into someone else's
    try {
      let at = 0;
      while (at < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, at, bytes.length - at);
        at += bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename,
  unlink,
  readdir: (dir) => readdir(dir),
  async syncDir(dir) {
    try {
      const handle = await open(dir, "r");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // Some platforms cannot fsync a directory; the rename is still atomic.
    }
  },
};

export interface WriteOptions {
  /** The file operations to use (default: nodeFs); tests inject failures here. */
  fs?: AtomicFs;
}

let tempCounter = 0;

/** Temp files of this process's writes still in progress (never stale). */
const inFlight = new Set<string>();

/** The temp file name of a write of `name`: `.<name>.<pid>.<n>.tmp`. */
function tempName(name: string, pid: number, n: number): string {
  return `.${name}.${pid}.${n}.tmp`;
}

/**
 * The temp-name pattern of exactly one target file name: `.<name>.<pid>.<n>.tmp`, with the name's
 * characters matched literally (a `.` in it is a dot, not any character). Returns the pid, or null
 * when `candidate` is not such a name.
 */
export function tempFileOwner(name: string, candidate: string): number | null {
  const literal = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`^\\.${literal}\\.([1-9][0-9]{0,9})\\.([1-9][0-9]{0,15})\\.tmp$`).exec(candidate);
  const pid = match === null ? NaN : Number(match[1]);
  return pid <= 0x7fffffff ? pid : null; // a pid is a positive int32
}

/** Whether process `pid` is running (signal 0 checks without sending anything; EPERM means it exists). */
function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes temp files that earlier interrupted writes of `path` left behind: names matching
 * `path`'s own temp-name pattern (tempFileOwner), written by a process that is no longer running,
 * or by this one but not in flight. Any other file, and the temp of a write still going on in
 * another process, is left alone. Best effort: a file that cannot be removed stays.
 */
async function removeStaleTempFiles(path: string, fs: AtomicFs): Promise<void> {
  const dir = dirname(path);
  const name = basename(path);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const candidate of names) {
    const pid = tempFileOwner(name, candidate);
    if (pid === null) continue;
    const full = join(dir, candidate);
    const stale = pid === process.pid ? !inFlight.has(full) : !processRunning(pid);
    if (stale) await fs.unlink(full).catch(() => {});
  }
}

/**
 * Writes `bytes` to `path` atomically: a temp file in the same directory (so the rename does not
 * cross file systems), fsync, rename. On any failure the temp file is removed and `path` is as it
 * was before. After a successful write, temp files of earlier interrupted writes of `path` are
 * removed (see removeStaleTempFiles): only after the new file is in place, so the previous one
 * is never at risk.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, { fs = nodeFs }: WriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, tempName(basename(path), process.pid, ++tempCounter));
  inFlight.add(temp);
  try {
    await fs.writeAndSync(temp, bytes);
    await fs.rename(temp, path);
  } catch (e) {
    await fs.unlink(temp).catch(() => {});
    throw e;
  } finally {
    inFlight.delete(temp);
  }
  await fs.syncDir(dir);
  await removeStaleTempFiles(path, fs);
}

/** Saves a state dict as a safetensors file (atomically). */
export async function saveFile(path: string, stateDict: StateDict, { metadata, ...options }: WriteOptions & { metadata?: SafetensorsMetadata } = {}): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(stateDict, metadata), options);
}

/** Loads a safetensors file as a state dict (F32/F64/I32/I64/BOOL/F16/BF16/I16/I8/U8 read). */
export async function loadFile(path: string): Promise<StateDict> {
  return decodeSafetensors(await readBytes(path), path).tensors;
}

/** Loads a safetensors file's tensors and its `__metadata__`. */
export async function loadFileWithMetadata(path: string): Promise<{ tensors: StateDict; metadata: SafetensorsMetadata }> {
  return decodeSafetensors(await readBytes(path), path);
}

async function readBytes(path: string): Promise<Uint8Array> {
  const b = await readFile(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Saves a checkpoint (a Checkpoint, or the targets to take one from) atomically. */
export async function saveCheckpoint(
  path: string,
  checkpoint: Checkpoint | (CheckpointTargets & { epoch: number; extra?: Record<string, unknown> }),
  options: WriteOptions = {},
): Promise<void> {
  const ckpt = checkpoint.model instanceof Module ? makeCheckpoint(checkpoint as CheckpointTargets & { epoch: number }) : (checkpoint as Checkpoint);
  await writeFileAtomic(path, serializeCheckpoint(ckpt), options);
}

/** Reads a checkpoint file; with `targets`, also restores it into them (all or nothing). */
export async function loadCheckpoint(path: string, targets?: CheckpointTargets): Promise<Checkpoint> {
  const ckpt = parseCheckpoint(await readBytes(path), path);
  if (targets) restoreCheckpoint(ckpt, targets);
  return ckpt;
}

/** A `save` function for the ModelCheckpoint callback that writes to `path` atomically. */
export function checkpointFile(path: string, options: WriteOptions = {}): (ckpt: Checkpoint) => Promise<void> {
  return (ckpt) => writeFileAtomic(path, serializeCheckpoint(ckpt), options);
}

/** Saves a state dict (or `{ model, optimizer, … }`) as a `torch.save` zip file (atomically); see `io.saveTorch`. */
export async function saveTorchFile(path: string, value: TorchSaveValue, options: WriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, saveTorch(value), options);
}

/** Reads a `.pt` file written by `torch.save` with the restricted unpickler; see `io.loadTorch`. */
export async function loadTorchFile(path: string): Promise<TorchValue> {
  return loadTorch(await readBytes(path), path);
}
