/** The built `nabla` command (dist/, made by `npm run build`, which `npm test` runs first). */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getBackend, type Tensor } from "../packages/nabla/src/index.js";
import { loadCheckpoint } from "../packages/nabla/src/node.js";
import { defaultConfig, parseTrainArgs, TRAIN_USAGE, type TrainConfig } from "../packages/cli/src/config.js";
import { formatConfusion, parseEvalArgs } from "../packages/cli/src/eval-command.js";
import { parseExportArgs } from "../packages/cli/src/export-command.js";
import { curvesSvg, terminalChart } from "../packages/cli/src/plot.js";
import { nearest } from "../packages/cli/src/suggest.js";
import { runTrain } from "../packages/cli/src/train-command.js";
import { tinyCsv, tinyImageDir } from "./cli-data.js";

const BIN = new URL("../packages/cli/dist/nabla.js", import.meta.url).pathname;
const env = { ...process.env, NABLA_BACKEND: getBackend() };
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env });
const scratch = () => mkdtempSync(join(tmpdir(), "nabla-cli-run-"));

describe.skipIf(!existsSync(BIN))("nabla command", () => {
  it("prints a usage message, not a stack trace, for a wrong option", () => {
    const result = run("train", "--bogus");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("nabla: Unknown option '--bogus'");
    expect(result.stderr).toContain("Usage: nabla train [options]");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain("did you mean");
    const typo = run("train", "--epoch", "3");
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain("nabla: Unknown option '--epoch'; did you mean --epochs?");
    expect(run("trian").stderr).toContain('unknown command "trian"; did you mean train?');
  });

  it("names a wrong value, a missing data set and an unknown command", () => {
    const bad = run("train", "--activation", "swish");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--activation must be one of relu, .*; got "swish"/);
    const missing = run("train", "--dataset", "/no/such/file.csv");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('"/no/such/file.csv" does not exist');
    const option = run("train", "--optimizer", "adam", "--momentum", "0.9", "--dataset", tinyImageDir(64, 16), "--checkpoint-dir", scratch());
    expect(option.status).toBe(2);
    expect(option.stderr).toContain("--optimizer adam: Adam: unknown option 'momentum'");
    const unknown = run("fly");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "fly"');
    expect(run("eval").stderr).toContain("--checkpoint FILE is required");
  });

  it("trains on an MNIST-format directory, writes a checkpoint and a plot, and evaluates it", () => {
    const dir = scratch();
    const result = run("train", "--dataset", tinyImageDir(), "--model", "cnn", "--epochs", "2", "--batch-size", "16", "--checkpoint-dir", dir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("SmallCNN summary");
    expect(result.stdout).toMatch(/conv1 \(Conv2d\)\s+\[1, 8, 12, 12\]\s+208/);
    expect(result.stdout).toMatch(/epoch 2\/2 {2}loss \d\.\d{4} {2}accuracy \d+\.\d\d% {2}test loss \d\.\d{4} {2}test accuracy \d+\.\d\d%/);
    expect(result.stdout).toContain("test accuracy (%) by epoch:");
    expect(result.stdout).toMatch(/[┼┤]/); // the terminal chart
    const svg = readFileSync(join(dir, "curves.svg"), "utf8");
    expect(svg).toMatch(/^<svg/);
    // the axes are titled with their units
    for (const axis of ["epoch", "accuracy (%)", "loss (cross-entropy)"]) expect(svg).toContain(`>${axis}</text>`);
    expect(result.stdout).toMatch(/epoch 1 → 2\n/);
    expect(existsSync(join(dir, "last.safetensors"))).toBe(true);

    const evaluated = run("eval", "--checkpoint", join(dir, "last.safetensors"));
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toMatch(/test accuracy (9\d|100)\.\d\d% over 128 samples/);
    expect(evaluated.stdout).toContain("confusion matrix (rows: true class, columns: predicted):");
    expect(evaluated.stdout).toMatch(/\n {4,}predicted\ntrue {2,}0 +1 +2 +3\n0 /);
    const rows = evaluated.stdout.trim().split("\n").slice(-4);
    expect(rows.map((r) => r.trim().split(/\s+/).slice(-4).map(Number).reduce((a, b) => a + b, 0))).toEqual([32, 32, 32, 32]);
  });

  it("trains on a CSV file with a categorical column", () => {
    const result = run("train", "--dataset", tinyCsv(600), "--epochs", "10", "--batch-size", "16", "--hidden", "16", "--checkpoint-dir", scratch(), "--no-plot");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("points.csv: 5 features → label");
    // How each column was read is printed, not guessed silently.
    expect(result.stdout).toContain("columns: numeric: x, y; categorical: colour (3 values, as strings); target label: 2 classes compared as strings");
    expect(result.stdout).toMatch(/final held-out accuracy: (8\d|9\d|100)\.\d\d%/);
  });

  it("saves a checkpoint and exits cleanly on Ctrl-C", async () => {
    const dir = scratch();
    const child = spawn(process.execPath, [BIN, "train", "--dataset", tinyImageDir(2048, 64), "--epochs", "1000", "--checkpoint-dir", dir], { env });
    let stdout = "";
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (/epoch 1\/1000/.test(stdout) && !child.killed) child.kill("SIGINT");
      });
      child.on("exit", (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(stdout).toMatch(/interrupted during epoch \d+; weights saved to .*interrupted\.safetensors/);
    expect(stdout).not.toMatch(/\n\s+at /);
    const saved = await loadCheckpoint(join(dir, "interrupted.safetensors"));
    expect(saved.epoch).toBeGreaterThanOrEqual(1);
    expect((await loadCheckpoint(join(dir, "last.safetensors"))).epoch).toBeGreaterThanOrEqual(1);
  });

  it("prints the backend and versions", () => {
    const result = run("info");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^nabla \d+\.\d+\.\d+/);
    expect(result.stdout).toContain(`backend: ${getBackend()}`);
    expect(result.stdout).toMatch(/node \d+\./);
    expect(result.stdout).toMatch(/threads: \d+/);
  });
});

describe("nabla train --inspect", () => {
  it("prints each layer's diagnostics after each epoch, over that epoch's training batches only", async () => {
    expect(parseTrainArgs(["--inspect"])!.run.inspect).toBe(true);
    expect(parseTrainArgs([])!.run.inspect).toBe(false);
    expect(TRAIN_USAGE).toMatch(/--inspect +after each epoch, a table per layer/);
    const config: TrainConfig = { ...defaultConfig(tinyImageDir(256, 64)), model: "mlp", hidden: [16], epochs: 2, batchSize: 32, augment: false };
    const lines: string[] = [];
    const result = await runTrain(config, { checkpointDir: scratch(), resume: false, plot: false, inspect: true }, { log: (t) => lines.push(t) });
    const text = lines.join("\n");
    for (const epoch of [1, 2]) {
      expect(text).toMatch(new RegExp(`epoch ${epoch}/2 .*\nlayers in epoch ${epoch} \\(training batches\\):\nlayer +kind +mean +std +dead +saturated +grad norm\nfc1 +Linear .*\nact1 +ReLU +-?\\d\\.\\d{4} +\\d\\.\\d{4} +\\d+\\.\\d% +- +\\d\\.\\d{4}\nfc2 +Linear `));
    }
    // each window is one epoch of the 256 training images (16 hidden units each), not the 64 test images
    expect(result.inspection.map((epoch) => epoch.map((layer) => [layer.name, layer.count]))).toEqual([
      [["fc1", 256 * 16], ["act1", 256 * 16], ["fc2", 256 * 4]],
      [["fc1", 256 * 16], ["act1", 256 * 16], ["fc2", 256 * 4]],
    ]);
    for (const layer of result.inspection[1]!) expect(layer.gradNorm).toBeGreaterThan(0);
    // the returned model carries no hooks
    const [x] = (await result.data.test.get(0)) as [Tensor, Tensor];
    expect(result.model.forward(x.unsqueeze(0)).gradFn?.name).not.toBe("GradientReaderBackward");
  });
});

describe("nabla train --resume", () => {
  it("continues from the last checkpoint exactly as if it had never stopped", async () => {
    const data = tinyImageDir(256, 64);
    const config: TrainConfig = { ...defaultConfig(data), model: "mlp", hidden: [16], epochs: 3, batchSize: 32 };
    const quiet = { log: () => {} };
    const straight = await runTrain(config, { checkpointDir: scratch(), resume: false, plot: false }, quiet);

    const dir = scratch();
    const controller = new AbortController();
    const stopInEpoch3 = {
      onBatchEnd: (_: unknown, b: { epoch: number; batch: number }) => {
        if (b.epoch === 3 && b.batch === 2) controller.abort();
      },
    };
    const first = await runTrain(config, { checkpointDir: dir, resume: false, plot: false }, { ...quiet, signal: controller.signal, callbacks: [stopInEpoch3] });
    expect(first.interrupted).toBe(true);
    expect(first.history.epochs).toHaveLength(2);
    const resumed = await runTrain({ ...config, lr: 123 }, { checkpointDir: dir, resume: true, plot: false }, quiet);
    expect(resumed.config.lr).toBe(config.lr); // the saved recipe wins
    expect(resumed.history.epochs.map((e) => e.loss)).toEqual(straight.history.epochs.map((e) => e.loss));
    const a = straight.model.stateDict();
    const b = resumed.model.stateDict();
    for (const key of Object.keys(a)) expect(Array.from(b[key]!.toTypedArray()), key).toEqual(Array.from(a[key]!.toTypedArray()));
  });
});

describe("the command's messages and plots", () => {
  it("suggests the nearest option, command or value for a typo", () => {
    expect(() => parseTrainArgs(["--epoch", "3"])).toThrow("Unknown option '--epoch'; did you mean --epochs?");
    expect(() => parseTrainArgs(["--batch", "8"])).toThrow("did you mean --batch-size?");
    expect(() => parseTrainArgs(["--optimiser=sgd"])).toThrow("Unknown option '--optimiser'; did you mean --optimizer?");
    expect(() => parseTrainArgs(["--optimizer", "adamm"])).toThrow(/got "adamm"; did you mean adam\?$/);
    expect(() => parseEvalArgs(["--checkpont", "x"])).toThrow("did you mean --checkpoint?");
    expect(() => parseExportArgs(["--onx", "a", "b"])).toThrow("did you mean --onnx?");
    expect(() => parseTrainArgs(["--bogus"])).toThrow(/^Unknown option '--bogus'$/);
    expect(nearest("lr", ["seed", "limit"])).toBe(null);
    expect(nearest("x", ["lr", "seed"])).toBe(null);
    expect(nearest("eval", ["train", "eval", "export"])).toBe("eval");
  });

  it("labels the confusion matrix's rows (true class) and columns (predicted)", () => {
    const lines = formatConfusion([[48, 2], [5, 1045]], ["cat", "a-very-long-class-name"]).split("\n");
    expect(lines).toEqual([
      "               predicted",
      "true                0     1",
      "0 cat              48     2",
      "1 a-very-long-      5  1045", // names cut at 12 characters
    ]);
  });

  it("titles the curves' axes with their units", async () => {
    const points = [1, 2, 3].flatMap((epoch) => [
      { epoch, value: 1 / epoch, metric: "loss (cross-entropy)", split: "train" },
      { epoch, value: 80 + epoch, metric: "accuracy (%)", split: "test" },
    ]);
    const svg = await curvesSvg(points, "a run");
    for (const title of ["epoch", "loss (cross-entropy)", "accuracy (%)", "a run"]) expect(svg).toContain(`>${title}</text>`);
    const chart = terminalChart([81, 82, 83], 4).split("\n");
    expect(chart.at(-1)).toBe(`${" ".repeat(10)}epoch 1 → 3`);
    expect(chart[0]).toMatch(/^ +83\.0000 ┤/);
  });
});
