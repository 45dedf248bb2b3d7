/** `io`: safetensors and checkpoints as bytes (browser-safe); file functions are in `nabla/node`. */
export { serializeSafetensors, parseSafetensors, decodeSafetensors, halfToFloat, type SafetensorsMetadata } from "./safetensors.js";
export {
  makeCheckpoint,
  serializeCheckpoint,
  parseCheckpoint,
  restoreCheckpoint,
  type Checkpoint,
  type CheckpointTargets,
  type StatefulScheduler,
  type GeneratorState,
} from "./checkpoint.js";
export { loadTorch, saveTorch, type TorchValue, type TorchSaveValue } from "./torch-file.js";
export { exportOnnx, OnnxExportError, type OnnxExportOptions } from "./onnx/export.js";
export { loadOnnx, OnnxModule, OnnxImportError } from "./onnx/import.js";
export { exportTorch, type TorchExport } from "./torch-export.js";
