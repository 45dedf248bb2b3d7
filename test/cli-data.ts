/** Tiny data sets written to disk for the command-line tests: learnable, and fast to train on. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { data, Generator, tensor } from "../packages/nabla/src/index.js";

/**
 * An MNIST-format directory of 16×16 grey images in 4 classes: class c lights up quadrant c
 * (plus noise), so that a small MLP or CNN learns it in an epoch or two.
 */
export function tinyImageDir(trainCount = 512, testCount = 128): string {
  const dir = mkdtempSync(join(tmpdir(), "nabla-cli-"));
  const generator = new Generator(7);
  const write = (train: boolean, n: number) => {
    const pixels = new Uint8Array(n * 16 * 16);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 4;
      labels[i] = c;
      for (let r = 0; r < 16; r++) {
        for (let q = 0; q < 16; q++) {
          const lit = (r < 8 ? 0 : 2) + (q < 8 ? 0 : 1) === c;
          pixels[i * 256 + r * 16 + q] = Math.min(255, (lit ? 160 : 0) + Math.floor(generator.nextFloat() * 90));
        }
      }
    }
    const names = data.mnistFileNames(train);
    writeFileSync(join(dir, names.images), data.serializeIdx(tensor(pixels, { dtype: "int32" }).reshape(n, 16, 16), { ubyte: true }));
    writeFileSync(join(dir, names.labels), data.serializeIdx(tensor(labels), { ubyte: true }));
  };
  write(true, trainCount);
  write(false, testCount);
  return dir;
}

/** A CSV with a header, two numeric columns, a categorical one and a class target. */
export function tinyCsv(rows = 300): string {
  const dir = mkdtempSync(join(tmpdir(), "nabla-csv-"));
  mkdirSync(dir, { recursive: true });
  const generator = new Generator(3);
  const lines = ["x,y,colour,label"];
  for (let i = 0; i < rows; i++) {
    const x = generator.nextFloat() * 2 - 1;
    const y = generator.nextFloat() * 2 - 1;
    const colour = ["red", "green", "blue"][i % 3]!;
    lines.push(`${x.toFixed(4)},${y.toFixed(4)},${colour},${x + y > 0 ? "up" : "down"}`);
  }
  const path = join(dir, "points.csv");
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}
