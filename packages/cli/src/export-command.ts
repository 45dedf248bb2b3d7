/** `nabla export --onnx CHECKPOINT OUT.onnx` / `--torch CHECKPOINT OUT.py`: a model trained by `nabla train` as ONNX or as a PyTorch module. */
import { parseArgs } from "node:util";
import { io, zeros, type Tensor } from "nabla";
import { loadCheckpoint, writeFileAtomic } from "nabla/node";
import { asUsageErrors, UsageError, type TrainConfig } from "./config.js";
import { loadData } from "./datasets.js";
import { buildModel } from "./models.js";

export const EXPORT_USAGE = `Usage: nabla export --onnx CHECKPOINT OUT.onnx [--dataset NAME]
       nabla export --torch CHECKPOINT OUT.py [--dataset NAME]

--onnx writes the model of a checkpoint written by nabla train as an ONNX model (opset 17) for
ONNX Runtime and other runtimes: one input "input" of shape [batch, ...sample shape] (the batch
axis is dynamic), one output "output" (the logits, or the regression target).

--torch writes it as a PyTorch module, OUT.py (class NablaModel), and its weights beside it,
OUT.pt (torch.save format), to train further with PyTorch, e.g. with DistributedDataParallel
(scripts/ddp_train.py); nabla loads the weights PyTorch saves back with loadStateDict.

The weights keep their names (fc1.weight, conv1.bias, ...). --dataset names the data set when it
is not the saved one (its sample shape sets the input's).
`;

export interface ExportOptions {
  format: "onnx" | "torch";
  checkpoint: string;
  out: string;
  dataset?: string;
}

export function parseExportArgs(argv: string[]): ExportOptions | null {
  const options = { onnx: { type: "boolean" }, torch: { type: "boolean" }, dataset: { type: "string" }, help: { type: "boolean", short: "h" } } as const;
  const parsed = asUsageErrors(() => parseArgs({ args: argv, strict: true, allowPositionals: true, options }), options);
  if (parsed.values.help) return null;
  if (parsed.values.onnx === parsed.values.torch) throw new UsageError("say which format: --onnx or --torch");
  const format = parsed.values.onnx ? "onnx" : "torch";
  const out = format === "onnx" ? "OUT.onnx" : "OUT.py";
  if (parsed.positionals.length !== 2) throw new UsageError(`expected CHECKPOINT and ${out}, got ${parsed.positionals.length} argument(s)`);
  const [checkpoint, path] = parsed.positionals as [string, string];
  if (format === "torch" && !path.endsWith(".py")) throw new UsageError(`--torch: the output must end in .py (the weights go beside it as .pt), got ${path}`);
  return { format, checkpoint, out: path, dataset: parsed.values.dataset };
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
  if (options.format === "torch") {
    const { source, weights } = io.exportTorch(model, example);
    const weightsPath = options.out.replace(/\.py$/, ".pt");
    await writeFileAtomic(options.out, new TextEncoder().encode(source));
    await writeFileAtomic(weightsPath, weights);
    log(`nabla: wrote ${options.out} (class NablaModel) and ${weightsPath} (its state dict): input [batch, ${loaded.inputShape.join(", ")}] -> output [batch, ${loaded.outputs}]`);
    return { bytes: weights, inputShape: loaded.inputShape };
  }
  const bytes = io.exportOnnx(model, example, { dynamicAxes: { input: { 0: "batch" }, output: { 0: "batch" } }, graphName: `nabla-${config.model}` });
  await writeFileAtomic(options.out, bytes);
  log(`nabla: wrote ${options.out} (${bytes.length} bytes, ONNX opset 17): input [batch, ${loaded.inputShape.join(", ")}] -> output [batch, ${loaded.outputs}]`);
  return { bytes, inputShape: loaded.inputShape };
}
