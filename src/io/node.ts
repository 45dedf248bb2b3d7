/**
 * Files in Node (not part of the browser-safe core; imported from `nabla/node`): safetensors
 * state dicts and checkpoints, written atomically — to a temporary file in the same directory,
 * flushed to disk with fsync, then renamed over the target — so that a crash or a full disk in
 * the middle of a save leaves the previous file intact. The file system calls go through an
 * injectable `AtomicFs`, so that tests can make a write fail on purpose.
 */
import { open, readFile, rename, unlink } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { Module, type StateDict } from "../nn/module.js";
import { decodeSafetensors, serializeSafetensors, type SafetensorsMetadata } from "./safetensors.js";
import { makeCheckpoint, parseCheckpoint, restoreCheckpoint, serializeCheckpoint, type Checkpoint, type CheckpointTargets } from "./checkpoint.js";

/** The file operations an atomic write needs. */
export interface AtomicFs {
  /** Writes all of `bytes` to a new file at `path` and fsyncs it before resolving. */
  writeAndSync(path: string, bytes: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes the rename itself durable (fsync of the directory); best effort. */
  syncDir(dir: string): Promise<void>;
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

/**
 * Writes `bytes` to `path` atomically: a temp file in the same directory (so the rename does not
 * cross file systems), fsync, rename. On any failure the temp file is removed and `path` is as it
 * was before.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, { fs = nodeFs }: WriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
  try {
    await fs.writeAndSync(temp, bytes);
    await fs.rename(temp, path);
  } catch (e) {
    await fs.unlink(temp).catch(() => {});
    throw e;
  }
  await fs.syncDir(dir);
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
