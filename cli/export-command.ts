/** `nabla export --onnx CHECKPOINT OUT.onnx`: a model trained by `nabla train` as an ONNX file. */
import { parseArgs } from "node:util";
import { io, zeros, type Tensor } from "../src/index.js";
import { loadCheckpoint, writeFileAtomic } from "../src/node.js";
import { asUsageErrors, UsageError, type TrainConfig } from "./config.js";
import { loadData } from "./datasets.js";
import { buildModel } from "./models.js";

export const EXPORT_USAGE = `Usage: nabla export --onnx CHECKPOINT OUT.onnx [--dataset NAME]

Writes the model of a checkpoint written by nabla train as an ONNX model (opset 17) for ONNX
Runtime and other runtimes: one input "input" of shape [batch, ...sample shape] (the batch axis is
dynamic), one output "output" (the logits, or the regression target). The weights keep their
names (fc1.weight, conv1.bias, ...). --dataset names the data set when it is not the saved one
(its sample shape sets the input's).
`;

export interface ExportOptions {
  format: "onnx";
  checkpoint: string;
  out: string;
  dataset?: string;
}

export function parseExportArgs(argv: string[]): ExportOptions | null {
  const parsed = asUsageErrors(() =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { onnx: { type: "boolean" }, dataset: { type: "string" }, help: { type: "boolean", short: "h" } },
    }),
  );
  if (parsed.values.help) return null;
  if (!parsed.values.onnx) throw new UsageError("say which format: --onnx");
  if (parsed.positionals.length !== 2) throw new UsageError(`expected CHECKPOINT and OUT.onnx, got ${parsed.positionals.length} argument(s)`);
  const [checkpoint, out] = parsed.positionals as [string, string];
  return { format: "onnx", checkpoint, out, dataset: parsed.values.dataset };
}

export async function runExport(options: ExportOptions, log: (text: string) => void): Promise<{ bytes: Uint8Array; inputShape: number[] }> {
  let ckpt: io.Checkpoint;
  try {
    ckpt = await loadCheckpoint(options.checkpoint);
  } catch (e) {
    throw new UsageError(`cannot read the checkpoint ${options.checkpoint}: ${(e as Error).message}`);
  }
  const saved = ckpt.extra?.config as TrainConfig | undefined;
  if (!saved) throw new UsageError(`${options.checkpoint} was not written by nabla train (no configuration inside)`);
  const config = { ...saved, dataset: options.dataset ?? saved.dataset, limit: undefined };
  const loaded = await loadData(config);
  const model = buildModel(config, loaded.inputShape, loaded.outputs);
  model.loadStateDict(ckpt.model);
  const example: Tensor = zeros([1, ...loaded.inputShape]);
  const bytes = io.exportOnnx(model, example, { dynamicAxes: { input: { 0: "batch" }, output: { 0: "batch" } }, graphName: `nabla-${config.model}` });
  await writeFileAtomic(options.out, bytes);
  log(`nabla: wrote ${options.out} (${bytes.length} bytes, ONNX opset 17): input [batch, ${loaded.inputShape.join(", ")}] -> output [batch, ${loaded.outputs}]`);
  return { bytes, inputShape: loaded.inputShape };
}
