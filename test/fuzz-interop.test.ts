/**
 * Seeded mutation fuzzing of the interop readers: `.pt` files (the zip container, and the pickle
 * inside it re-wrapped in a valid zip so that mutations reach the unpickler past the CRC check)
 * and ONNX models. Each corrupted variant must be read or refused with the reader's own error
 * (DataFormatError; OnnxImportError for an ONNX graph nabla does not run) — never another error,
 * never a hang: inputs are a few KiB, and every length is checked against them.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { seededRandom } from "./helpers.js";
import { io, nn, randn, manualSeed } from "../packages/nabla/src/index.js";
import { DataFormatError } from "../packages/nabla/src/data/format-error.js";
import { readZip, writeZip } from "../packages/nabla/src/io/zip.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

function rng(seed: number) {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  return { int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]! };
}

function mutate(r: ReturnType<typeof rng>, bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  const n = 1 + r.int(4);
  for (let k = 0; k < n; k++) {
    switch (r.int(4)) {
      case 0:
        if (out.length) out[r.int(out.length)]! ^= 1 << r.int(8);
        break;
      case 1:
        if (out.length) out[r.int(out.length)] = r.pick([0, 1, 0x7f, 0x80, 0xff, r.int(256)]);
        break;
      case 2: // truncate
        return out.subarray(0, r.int(out.length + 1));
      default: {
        // a run of bytes copied from elsewhere
        const from = r.int(out.length);
        const to = r.int(out.length);
        const len = r.int(16);
        out.copyWithin(to, from, from + len);
      }
    }
  }
  return out;
}

function expectOwnError(read: () => unknown, allowed: (new (...a: never[]) => Error)[], what: string): boolean {
  try {
    read();
    return true;
  } catch (e) {
    if (allowed.some((c) => e instanceof c)) return false;
    throw new Error(`${what}: ${(e as Error).name} instead of the reader's own error: ${(e as Error).stack}`);
  }
}

describe("fuzzing the interop readers", () => {
  it("loadTorch: mutated zips and mutated pickles inside valid zips", () => {
    const r = rng(17);
    const files = ["torch_state_dict.pt", "torch_checkpoint.pt", "torch_dtypes.pt", "torch_legacy.pt"].map((f) => new Uint8Array(readFileSync(join(FIXTURES, f))));
    let read = 0;
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      const base = r.pick(files);
      let bytes: Uint8Array;
      if (base[0] === 0x50 && r.int(2) === 0) {
        // reach the unpickler: mutate data.pkl, re-wrap with good CRCs
        const entries = [...readZip(base, "base")];
        const k = entries.findIndex(([name]) => name.endsWith("/data.pkl"));
        entries[k] = [entries[k]![0], mutate(r, entries[k]![1])];
        bytes = writeZip(entries);
      } else bytes = mutate(r, base);
      if (expectOwnError(() => io.loadTorch(bytes, `case ${i}`), [DataFormatError], `loadTorch case ${i}`)) read++;
      else refused++;
    }
    expect(read + refused).toBe(1500);
    expect(refused).toBeGreaterThan(100);
  });

  it("loadOnnx: mutated models", () => {
    const r = rng(23);
    manualSeed(1);
    const models = [
      io.exportOnnx(new nn.Sequential(new nn.Linear(4, 3), new nn.GELU(), new nn.LayerNorm(3)), randn([2, 4])),
      io.exportOnnx(new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.ReLU(), new nn.Flatten()), randn([1, 1, 5, 5])),
      new Uint8Array(readFileSync(join(FIXTURES, "onnx_torch_mlp.onnx"))),
    ];
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      const bytes = mutate(r, r.pick(models));
      if (!expectOwnError(() => io.loadOnnx(bytes, `case ${i}`), [DataFormatError, io.OnnxImportError], `loadOnnx case ${i}`)) refused++;
    }
    expect(refused).toBeGreaterThan(100);
  });
});
