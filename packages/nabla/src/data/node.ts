/**
 * Reading data set files in Node (not part of the browser-safe core): files are read whole,
 * gunzipped with node:zlib when they start with the gzip magic, and handed to the core parsers,
 * whose errors name the file. Imported from `nabla/node`.
 */
import { readFile, access } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { csvDataset, type CsvDataset, type CsvDatasetOptions } from "./csv-dataset.js";
import { DataFormatError, isGzip } from "./format-error.js";
import { parseIdx } from "./idx.js";
import { mnistFileNames, mnistFromIdx, type ImageDataset, type MnistOptions } from "./mnist.js";
import type { Tensor } from "../tensor/tensor.js";

/** Where Debian's `dataset-fashion-mnist` package installs the Fashion-MNIST IDX files. */
export const DEBIAN_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** A file's bytes, gunzipped if they are gzip data; a corrupt gzip stream is a DataFormatError naming the file. */
export async function readMaybeGzipped(path: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(path));
  if (!isGzip(bytes)) return bytes;
  try {
    return new Uint8Array(gunzipSync(bytes));
  } catch (e) {
    throw new DataFormatError(path, `corrupt or truncated gzip data (${(e as Error).message})`);
  }
}

/** Reads an IDX file (plain or .gz) into a tensor. */
export async function readIdxFile(path: string): Promise<Tensor> {
  return parseIdx(await readMaybeGzipped(path), path);
}

/**
 * Both results, or the first failure in argument order — unlike Promise.all, whose error is
 * whichever rejects first, so which missing file a message names would depend on timing.
 */
async function bothInOrder<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === "rejected") throw ra.reason;
  if (rb.status === "rejected") throw rb.reason;
  return [ra.value, rb.value];
}

/** The first of `names` that exists in `dir` (each also tried with .gz), or an error listing what was tried. */
async function findFile(dir: string, name: string): Promise<string> {
  const tried = [join(dir, name), join(dir, `${name}.gz`)];
  for (const path of tried) {
    try {
      await access(path);
      return path;
    } catch {
      // try the next
    }
  }
  throw new Error(`loadMnist: neither ${tried.join(" nor ")} exists`);
}

export interface MnistDirOptions extends MnistOptions {
  /** The training split (60,000 images) or the test split (10,000). Default true. */
  train?: boolean;
}

/**
 * MNIST or Fashion-MNIST from a directory holding the standard IDX files
 * (`train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`, `t10k-…`).
 */
export async function loadMnist(dir: string, { train = true, ...options }: MnistDirOptions = {}): Promise<ImageDataset> {
  const names = mnistFileNames(train);
  const [imagesPath, labelsPath] = await bothInOrder(findFile(dir, names.images), findFile(dir, names.labels));
  const [images, labels] = await bothInOrder(readMaybeGzipped(imagesPath), readMaybeGzipped(labelsPath));
  return mnistFromIdx({ bytes: images, name: imagesPath }, { bytes: labels, name: labelsPath }, options);
}

/**
 * An image dataset from one IDX image file and its label file (plain or .gz). Without
 * `labelsPath`, the labels are looked for next to the images under MNIST's naming:
 * `…-images-idx3-ubyte[.gz]` → `…-labels-idx1-ubyte[.gz]`.
 */
export async function loadIdxImages(imagesPath: string, labelsPath?: string, options: MnistOptions = {}): Promise<ImageDataset> {
  const labels = labelsPath ?? join(dirname(imagesPath), basename(imagesPath).replace("images", "labels").replace("idx3", "idx1"));
  if (labels === imagesPath) throw new Error(`loadIdxImages: cannot derive a labels file name from ${imagesPath}; pass labelsPath`);
  const [imageBytes, labelBytes] = await bothInOrder(readMaybeGzipped(imagesPath), readMaybeGzipped(labels));
  return mnistFromIdx({ bytes: imageBytes, name: imagesPath }, { bytes: labelBytes, name: labels }, options);
}

/** Fashion-MNIST, by default from where Debian's `dataset-fashion-mnist` installs it. */
export function loadFashionMnist(options: MnistDirOptions & { dir?: string } = {}): Promise<ImageDataset> {
  const { dir = DEBIAN_FASHION_MNIST_DIR, ...rest } = options;
  return loadMnist(dir, rest);
}

/** Reads a CSV file (UTF-8, plain or .gz) into a CsvDataset. */
export async function loadCsv(path: string, options: CsvDatasetOptions = {}): Promise<CsvDataset> {
  const bytes = await readMaybeGzipped(path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new DataFormatError(path, "the file is not valid UTF-8 text");
  }
  return csvDataset(text, path, options);
}
