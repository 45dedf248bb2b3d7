#!/usr/bin/env node
/** The `nabla` command. `nabla train` runs the main job with a progress bar per epoch. */
import cliProgress from "cli-progress";
import { getBackend } from "../src/index.js";
import { parseTrainArgs, TRAIN_USAGE, UsageError } from "./args.js";
import { trainDigits } from "./train-digits.js";

const USAGE = `Usage: nabla <command> [options]

Commands:
  train     train the articles' network on the MNIST digits (nabla train --help)
`;

async function train(argv: string[]): Promise<void> {
  const options = parseTrainArgs(argv);
  if (options === null) {
    process.stdout.write(TRAIN_USAGE);
    return;
  }
  let bar: cliProgress.SingleBar | null = null;
  const history = await trainDigits(options, {
    start({ model, trainSize, testSize }) {
      console.log(`nabla: training on ${trainSize} MNIST digits, ${testSize} held out (backend ${getBackend()})`);
      console.log(`model:\n${model.toString()}`);
      console.log(`optimizer ${options.optimizer} (lr ${options.lr}), batch size ${options.batchSize}, seed ${options.seed}\n`);
    },
    epochStart(epoch, batches) {
      bar = new cliProgress.SingleBar(
        {
          format: `epoch ${epoch}/${options.epochs} [{bar}] {value}/{total} batches | loss {loss}`,
          hideCursor: true,
          clearOnComplete: true,
          noTTYOutput: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batches, 0, { loss: "…" });
    },
    batchEnd(batch, loss) {
      bar?.update(batch, { loss: loss.toFixed(4) });
    },
    epochEnd({ epoch, trainLoss, testAccuracy, seconds }) {
      bar?.stop();
      console.log(
        `epoch ${epoch}/${options.epochs}  loss ${trainLoss.toFixed(4)}  held-out accuracy ${(100 * testAccuracy).toFixed(2)}%  (${seconds.toFixed(1)} s)`,
      );
    },
  });
  const last = history[history.length - 1];
  if (last) console.log(`\nfinal held-out accuracy: ${(100 * last.testAccuracy).toFixed(2)}%`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "train") await train(rest);
    else if (command === undefined || command === "-h" || command === "--help") process.stdout.write(USAGE);
    else throw new UsageError(`unknown command "${command}"`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`nabla: ${e.message}\n\n${command === "train" ? TRAIN_USAGE : USAGE}`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
