/** `nabla eval`: a checkpoint on its data set's test part (or another data set), with a confusion matrix. */
import { parseArgs } from "node:util";
import { io, noGrad, train, type Tensor } from "nabla";
import { loadCheckpoint } from "nabla/node";
import { asUsageErrors, UsageError, type TrainConfig } from "./config.js";
import { loadData } from "./datasets.js";
import { buildModel } from "./models.js";
import { data } from "nabla";

export const EVAL_USAGE = `Usage: nabla eval --checkpoint FILE [--dataset NAME]

Evaluates a checkpoint written by nabla train on the test part of its data set (or of --dataset):
loss, accuracy and the confusion matrix (rows: true class, columns: predicted).
`;

export function parseEvalArgs(argv: string[]): { checkpoint: string; dataset?: string } | null {
  const options = { checkpoint: { type: "string" }, dataset: { type: "string" }, help: { type: "boolean", short: "h" } } as const;
  const parsed = asUsageErrors(() => parseArgs({ args: argv, strict: true, allowPositionals: false, options }), options);
  if (parsed.values.help) return null;
  if (parsed.values.checkpoint === undefined) throw new UsageError("--checkpoint FILE is required");
  return { checkpoint: parsed.values.checkpoint, dataset: parsed.values.dataset };
}

/**
 * Formats a confusion matrix under its axes' names: a row per true class (its index and name),
 * a column per predicted class (its index).
 *
 *                 predicted
 *     true             0      1
 *     0 cat           48      2
 *     1 dog            5     45
 */
export function formatConfusion(matrix: number[][], classes: string[]): string {
  const width = Math.max(5, ...matrix.flat().map((v) => String(v).length), String(matrix.length - 1).length) + 1;
  const labels = matrix.map((_, i) => `${i} ${(classes[i] ?? "").slice(0, 12)}`.trimEnd());
  const labelWidth = Math.max("true".length, ...labels.map((l) => l.length)) + 1;
  const axis = " ".repeat(labelWidth) + "predicted";
  const header = "true".padEnd(labelWidth) + matrix.map((_, i) => String(i).padStart(width)).join("");
  const rows = matrix.map((row, i) => labels[i]!.padEnd(labelWidth) + row.map((v) => String(v).padStart(width)).join(""));
  return [axis, header, ...rows].join("\n");
}

export async function runEval(options: { checkpoint: string; dataset?: string }, log: (text: string) => void): Promise<{ accuracy?: number; loss?: number; confusion?: number[][] }> {
  let ckpt: io.Checkpoint;
  try {
    ckpt = await loadCheckpoint(options.checkpoint);
  } catch (e) {
    throw new UsageError(`--checkpoint: cannot read ${options.checkpoint}: ${(e as Error).message}`);
  }
  const saved = ckpt.extra?.config as TrainConfig | undefined;
  if (!saved) throw new UsageError(`--checkpoint: ${options.checkpoint} was not written by nabla train (no configuration inside)`);
  const config = { ...saved, dataset: options.dataset ?? saved.dataset, limit: undefined };
  const loaded = await loadData(config);
  const model = buildModel(config, loaded.inputShape, loaded.outputs);
  model.loadStateDict(ckpt.model);
  const loader = new data.DataLoader(loaded.test, { batchSize: 1000 });
  const classification = loaded.task === "classification";
  log(`nabla: ${options.checkpoint} (epoch ${ckpt.epoch}) on ${loaded.description}`);
  const { outputs, targets } = await train.predict(model, loader);
  if (!classification) {
    const mae = noGrad(() => train.meanAbsoluteError(outputs.squeeze(-1), targets));
    log(`${loaded.testName} mae ${mae.toFixed(4)} over ${targets.shape[0]} samples`);
    return { loss: mae };
  }
  const predicted: Tensor = outputs.argmax(1);
  const matrix = train.confusionMatrix(predicted, targets, loaded.outputs).toArray() as number[][];
  const accuracy = train.accuracy(outputs, targets);
  log(`${loaded.testName} accuracy ${(100 * accuracy).toFixed(2)}% over ${targets.shape[0]} samples\n`);
  log(`confusion matrix (rows: true class, columns: predicted):\n${formatConfusion(matrix, loaded.classes)}`);
  return { accuracy, confusion: matrix };
}
