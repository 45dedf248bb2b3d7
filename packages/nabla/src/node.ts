/**
 * The Node-only part of nabla, imported as `nabla/node`: reading data set files from disk
 * (gunzipping with node:zlib) and writing safetensors files and checkpoints atomically. The
 * core (`nabla`) stays free of Node APIs so that it runs in the browser.
 *
 * @example
 * ```ts
 * import { nn, optim } from "nabla";
 * import { loadCheckpoint, saveCheckpoint, saveFile } from "nabla/node";
 *
 * const model = new nn.Linear(4, 2);
 * const optimizer = new optim.Adam(model.parameters());
 * await saveFile("linear.safetensors", model.stateDict());
 * await saveCheckpoint("last.ckpt", { model, optimizer, epoch: 3 });
 * const restored = await loadCheckpoint("last.ckpt", { model, optimizer });
 * console.log(restored.epoch); // 3
 * ```
 *
 * @module nabla/node
 */
export {
  readIdxFile,
  readMaybeGzipped,
  loadMnist,
  loadIdxImages,
  loadFashionMnist,
  loadCsv,
  DEBIAN_FASHION_MNIST_DIR,
  type MnistDirOptions,
} from "./data/node.js";
export {
  saveFile,
  loadFile,
  loadFileWithMetadata,
  saveCheckpoint,
  loadCheckpoint,
  checkpointFile,
  saveTorchFile,
  loadTorchFile,
  writeFileAtomic,
  nodeFs,
  type AtomicFs,
  type WriteOptions,
} from "./io/node.js";
