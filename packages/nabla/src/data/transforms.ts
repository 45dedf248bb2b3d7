/**
 * Transforms: functions from a tensor to a tensor, for a whole batch (`[N, C, H, W]` images,
 * `[N, F]` rows) or one sample (`[C, H, W]`). Give them to a DataLoader's `transform` (batch
 * level, fast) through `onInput`, or to a MapDataset (per sample). Random ones take a Generator
 * so that augmentation is reproducible.
 */
import { emptyTensor, fromTypedArray } from "../ops/helpers.js";
import { toDType, where } from "../ops/elementwise.js";
import { flip } from "../ops/flip.js";
import { oneHot as oneHotOf } from "../nn/functional/one-hot.js";
import { OptionError, ShapeError, formatShape } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { defaultGenerator, type Generator } from "../tensor/random.js";

export type Transform = (x: Tensor) => Tensor;

/** Applies transforms left to right. */
export function compose(...transforms: Transform[]): Transform {
  return (x) => transforms.reduce((t, f) => f(t), x);
}

/** Lifts a tensor transform to a `[input, ...rest]` batch: `transform: onInput(randomCrop(28, { padding: 2 }))`. */
export function onInput<B extends Tensor[]>(transform: Transform): (batch: B) => B {
  return ([x, ...rest]) => [transform(x!), ...rest] as B;
}

/** Lifts a tensor transform to the target of an `[input, target, ...]` batch. */
export function onTarget<B extends Tensor[]>(transform: Transform): (batch: B) => B {
  return ([x, y, ...rest]) => [x!, transform(y!), ...rest] as B;
}

/**
 * `(x - mean) / std`, per channel: the channel dim is -3 for images (`[..., C, H, W]`), the last
 * dim for rows (`[N, F]`); a single number applies to everything. Like torchvision's Normalize.
 */
export function normalize(mean: number | readonly number[], std: number | readonly number[]): Transform {
  const means = typeof mean === "number" ? [mean] : mean.slice();
  const stds = typeof std === "number" ? [std] : std.slice();
  if (means.length !== stds.length) throw new OptionError(`normalize: ${means.length} means but ${stds.length} stds`);
  if (stds.some((s) => !(s !== 0))) throw new OptionError(`normalize: std evaluated to zero, leading to division by zero`);
  return (input) => {
    // Integer images (raw grey levels) are normalised as float32, as torchvision requires floats.
    const x = isFloating(input.dtype) ? input : input.float();
    if (means.length === 1) return x.sub(means[0]!).div(stds[0]!);
    const channelDim = x.ndim >= 3 ? x.ndim - 3 : x.ndim - 1;
    const channels = x.shape[channelDim];
    if (channels !== means.length) {
      throw new ShapeError(`normalize: ${means.length} means for ${channels} channels (dim ${channelDim} of shape ${formatShape(x.shape)})`);
    }
    // [C, 1, 1] for images, [C] for rows: broadcasts over the dims after the channel.
    const shape = x.shape.slice(channelDim).map((s, i) => (i === 0 ? s : 1));
    // made on the host; on the webgpu device uploaded to the batch's device (two small uploads)
    const device = x.storage.device;
    const m = fromTypedArray(means, shape, x.dtype);
    const s = fromTypedArray(stds, shape, x.dtype);
    return device === "cpu" ? x.sub(m).div(s) : x.sub(m.to(device)).div(s.to(device));
  };
}

/** Class indices (int32, any shape) → float32 one-hot vectors along a new last dim (F.oneHot, as floats). */
export function oneHotEncode(labels: Tensor, numClasses: number): Tensor {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new OptionError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  return toDType(oneHotOf(labels, numClasses), "float32");
}

/** The transform form of oneHotEncode (for targets: `onTarget(oneHot(10))`). */
export function oneHot(numClasses: number): Transform {
  return (labels) => oneHotEncode(labels, numClasses);
}

/** Flattens everything after the batch dim: `[N, 1, 28, 28]` → `[N, 784]`. */
export function flattenImages(): Transform {
  return (x) => x.flatten(1);
}

/** Checks that x is `[C, H, W]` or `[N, C, H, W]`; returns it as 4-d with the batch size. */
function asImageBatch(op: string, x: Tensor): { batch: Tensor; single: boolean } {
  if (x.ndim === 3) return { batch: x.unsqueeze(0), single: true };
  if (x.ndim === 4) return { batch: x, single: false };
  throw new ShapeError(`${op}: expected an image [C, H, W] or a batch [N, C, H, W], got shape ${formatShape(x.shape)}`);
}

export interface RandomCropOptions {
  /** Zeros added on every side before cropping (default 0). */
  padding?: number;
  generator?: Generator;
}

/**
 * Crops each image at a random position (a new one per image) to `size` (a number for square,
 * or `[height, width]`), after zero-padding by `padding` (torchvision's RandomCrop).
 */
export function randomCrop(size: number | readonly [number, number], { padding = 0, generator = defaultGenerator }: RandomCropOptions = {}): Transform {
  const [ch, cw] = typeof size === "number" ? [size, size] : size;
  if (!(Number.isInteger(ch) && Number.isInteger(cw) && ch > 0 && cw > 0)) throw new OptionError(`randomCrop: size must be positive integers, got ${String(size)}`);
  if (!Number.isInteger(padding) || padding < 0) throw new OptionError(`randomCrop: padding must be an integer >= 0, got ${padding}`);
  return (x) => {
    const { batch, single } = asImageBatch("randomCrop", x);
    const [n, c, h, w] = batch.shape as [number, number, number, number];
    const ph = h + 2 * padding;
    const pw = w + 2 * padding;
    if (ch > ph || cw > pw) throw new ShapeError(`randomCrop: crop size [${ch}, ${cw}] is larger than the padded image [${ph}, ${pw}]`);
    const src = batch.contiguous().toTypedArray();
    const out = emptyTensor([n, c, ch, cw], x.dtype);
    const dst = out.storage.data;
    for (let i = 0; i < n; i++) {
      // Top-left corner in padded coordinates, then shifted back to the image's.
      const top = generator.nextInt(0, ph - ch + 1) - padding;
      const left = generator.nextInt(0, pw - cw + 1) - padding;
      for (let k = 0; k < c; k++) {
        const plane = (i * c + k) * h * w;
        const outPlane = (i * c + k) * ch * cw;
        for (let r = 0; r < ch; r++) {
          const sr = top + r;
          if (sr < 0 || sr >= h) continue; // a padded row: stays zero
          for (let q = 0; q < cw; q++) {
            const sq = left + q;
            if (sq >= 0 && sq < w) dst[outPlane + r * cw + q] = src[plane + sr * w + sq]!;
          }
        }
      }
    }
    return single ? out.squeeze(0) : out;
  };
}

/** Mirrors each image left–right with probability `p` (default 0.5), drawn per image. */
export function randomHorizontalFlip({ p = 0.5, generator = defaultGenerator }: { p?: number; generator?: Generator } = {}): Transform {
  if (!(p >= 0 && p <= 1)) throw new OptionError(`randomHorizontalFlip: p must be in [0, 1], got ${p}`);
  return (x) => {
    const { batch, single } = asImageBatch("randomHorizontalFlip", x);
    const [n, c, h, w] = batch.shape as [number, number, number, number];
    if (batch.storage.device !== "cpu") {
      // the same draws, one per image, on the host; the images chosen by a select on the device
      const flips = Uint8Array.from({ length: n }, () => (generator.nextFloat() < p ? 1 : 0));
      const chosen = fromTypedArray(flips, [n, 1, 1, 1], "bool").to(batch.storage.device);
      const flipped = where(chosen, flip(batch.detach(), [3]), batch.detach());
      return single ? flipped.squeeze(0) : flipped;
    }
    const out = batch.detach().clone(); // a fresh contiguous copy, flipped in place below
    const data = out.storage.data;
    const base = out.offset;
    for (let i = 0; i < n; i++) {
      if (!(generator.nextFloat() < p)) continue;
      for (let row = 0; row < c * h; row++) {
        const start = base + (i * c * h + row) * w;
        data.subarray(start, start + w).reverse();
      }
    }
    return single ? out.squeeze(0) : out;
  };
}
