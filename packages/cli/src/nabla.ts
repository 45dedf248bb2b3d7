#!/usr/bin/env node
/** The `nabla` command: train, eval, export, info. Wrong arguments get a usage message, never a stack trace. */
import { parseTrainArgs, TRAIN_USAGE, UsageError } from "./config.js";
import { EVAL_USAGE, parseEvalArgs, runEval } from "./eval-command.js";
import { EXPORT_USAGE, parseExportArgs, runExport } from "./export-command.js";
import { runInfo } from "./info-command.js";
import { didYouMean } from "./suggest.js";
import { runTrain } from "./train-command.js";
import { getBackend, setBackend } from "nabla";

const USAGE = `Usage: nabla <command> [options]

Commands:
  train     train a network (default: the articles' network on the MNIST digits)
  eval      evaluate a checkpoint, with a confusion matrix
  export    write a trained model as ONNX (--onnx) or a PyTorch module (--torch)
  info      backend, threads and versions

nabla <command> --help shows a command's options.
`;

const log = (text: string) => console.log(text);

// The command trains for a while: worth the wasm build with relaxed SIMD (fused multiply-add in
// matmul), which on Node 20 means setting V8's flag for it; NABLA_RELAXED_SIMD=0 keeps it off.
if (getBackend() === "wasm" && process.env.NABLA_RELAXED_SIMD !== "0") setBackend("wasm", { relaxedSimd: true });

async function train(argv: string[]): Promise<number> {
  const parsed = parseTrainArgs(argv);
  if (parsed === null) {
    process.stdout.write(TRAIN_USAGE);
    return 0;
  }
  // Ctrl-C stops after the current batch, saves a checkpoint and exits; a second one exits at once.
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on("SIGINT", onInterrupt);
  try {
    const result = await runTrain(parsed.config, parsed.run, { log, progress: process.stderr.isTTY, signal: controller.signal });
    return result.interrupted ? 130 : 0;
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}

async function evaluate(argv: string[]): Promise<number> {
  const options = parseEvalArgs(argv);
  if (options === null) process.stdout.write(EVAL_USAGE);
  else await runEval(options, log);
  return 0;
}

async function exportModel(argv: string[]): Promise<number> {
  const options = parseExportArgs(argv);
  if (options === null) process.stdout.write(EXPORT_USAGE);
  else await runExport(options, log);
  return 0;
}

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  train: { run: train, usage: TRAIN_USAGE },
  eval: { run: evaluate, usage: EVAL_USAGE },
  export: { run: exportModel, usage: EXPORT_USAGE },
  info: { run: async () => (runInfo(log), 0), usage: "Usage: nabla info\n" },
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const entry = COMMANDS[command];
  try {
    if (!entry) throw new UsageError(`unknown command "${command}"${didYouMean(command, Object.keys(COMMANDS))}`);
    return await entry.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`nabla: ${e.message}\n\n${entry?.usage ?? USAGE}`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
