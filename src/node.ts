/**
 * The Node-only part of nabla, imported as `nabla/node`: reading data set files from disk
 * (gunzipping with node:zlib) and writing safetensors files and checkpoints atomically. The
 * core (`nabla`) stays free of Node APIs so that it runs in the browser.
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
