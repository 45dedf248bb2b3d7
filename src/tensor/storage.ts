/**
 * The memory behind one or more tensors (views share it). Kept as its own small type so that
 * a backend can place float32 storage in WebAssembly memory without touching the ops above.
 */
import { backend } from "../backend/backend.js";
import type { DType, TypedArray } from "./dtype.js";

let created = 0;

export class Storage {
  /** Storages made so far, in order: autograd tells a gradient made during backward by its serial. */
  static get count(): number {
    return created;
  }

  /** This storage's place in creation order. */
  readonly serial = created++;

  /**
   * Bumped by every in-place change made through a tensor (copy_, add_, …) or an optimizer
   * step: autograd compares it with the value a backward function saw when its op ran, as
   * PyTorch's version counter (views share their storage, so they share the count).
   */
  version = 0;

  constructor(
    readonly data: TypedArray,
    readonly dtype: DType,
  ) {}

  /** Zero-filled storage, or with `zeroed` false storage whose contents the caller overwrites. */
  static alloc(dtype: DType, size: number, zeroed = true): Storage {
    return new Storage(backend().alloc(dtype, size, zeroed), dtype);
  }
}
