/**
 * Dropout's keep-mask drawn in wasm (assembly/random.ts): the generator's MT19937 words go into
 * scratch, the kernel draws the whole mask and advances them, and they come back, so the mask and
 * the generator's state are what Generator.nextDouble, called once per element, leaves.
 */
import { Scratch } from "./operands.js";
import { kernels } from "./instance.js";
import type { TypedArray } from "../../tensor/dtype.js";

const WORDS = 624;

export function keepMask(mt: Uint32Array, index: number, out: TypedArray, keep: number, scale: number): number | null {
  if (!(out instanceof Float32Array || out instanceof Float64Array) || mt.length !== WORDS) return null;
  const scratch = new Scratch();
  try {
    const words = scratch.take(2 * WORDS);
    const state = new Uint32Array(words.buffer, words.byteOffset, WORDS);
    state.set(mt);
    const staged = scratch.output(out);
    // u < keep for u = k·2⁻⁵³ with k an integer exactly when k < ⌈keep·2⁵³⌉
    const threshold = Math.ceil(keep * 2 ** 53);
    const next = kernels.keepMask(state.byteOffset, index, state.byteOffset + 4 * WORDS, staged.ptr, out.length, threshold, scale, out instanceof Float64Array ? 1 : 0);
    staged.done();
    mt.set(state);
    return next;
  } finally {
    scratch.release();
  }
}
