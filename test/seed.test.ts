/** The articles' example and the main job (`npm start` = `nabla train`), end to end. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getBackend, listBackends } from "../packages/nabla/src/index.js";
import { runSeedExample } from "../examples/seed-example.js";
import { defaultConfig, parseTrainArgs, UsageError } from "../packages/cli/src/config.js";
import { runTrain } from "../packages/cli/src/train-command.js";
import { DEBIAN_FASHION_MNIST_DIR } from "../packages/nabla/src/node.js";
import { existsSync } from "node:fs";

const quiet = { log: () => {} };
const scratch = () => ({ checkpointDir: mkdtempSync(join(tmpdir(), "nabla-run-")), resume: false, plot: false });

describe("the seed article's example", () => {
  it("trains: the loss falls and the rule generalises", () => {
    const { losses, accuracy } = runSeedExample(100);
    expect(losses[0]).toBeGreaterThan(2); // about ln 10 at the start
    expect(losses[99]!).toBeLessThan(0.4 * losses[0]!);
    for (let i = 10; i < losses.length; i += 10) expect(losses[i]!).toBeLessThan(losses[i - 10]!);
    expect(accuracy).toBeGreaterThan(0.4); // chance is 0.1
  });
});

// The JS reference backend runs the same training code in the quick tests above and below; the
// minute-long full runs go on the default (WebAssembly) backend when it exists, to keep the suite short.
const fullRuns = getBackend() !== "js" || !listBackends().includes("wasm");

describe.skipIf(!fullRuns)("the main job: the articles' network on the real MNIST digits", () => {
  it("reaches at least 95% held-out accuracy with the default settings", async () => {
    const result = await runTrain(defaultConfig(), scratch(), quiet);
    const epochs = result.history.epochs;
    expect(epochs.map((e) => e.epoch)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(Object.keys(result.model.stateDict())).toEqual(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
    expect(result.model.stateDict()["fc1.weight"]!.shape).toEqual([64, 784]); // the articles' network
    expect(result.data.train.length).toBe(8000);
    expect(result.data.test.length).toBe(2000);
    expect(epochs.at(-1)!.valMetrics.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(epochs.at(-1)!.loss).toBeLessThan(epochs[0]!.loss);
  }); // ~30 s on a quiet machine; vitest.config.ts's limit only stops a hung run

  it("the articles' exact recipe (784 → 64 → ReLU → 10, Adam 0.001, no schedule) passes 90%", async () => {
    const config = { ...defaultConfig(), hidden: [64], lr: 1e-3, scheduler: "none" as const, augment: false, epochs: 8 };
    const result = await runTrain(config, scratch(), quiet);
    expect(result.history.epochs.at(-1)!.valMetrics.accuracy).toBeGreaterThanOrEqual(0.9);
  });

});

describe("the main job on a small budget", () => {
  it("trains with other optimizers and activations", async () => {
    for (const [optimizer, activation, lr] of [
      ["sgd", "tanh", 0.05],
      ["rmsprop", "leaky_relu", 1e-3],
      ["lion", "gelu", 1e-3],
    ] as const) {
      const config = { ...defaultConfig(), optimizer, activation, lr, epochs: 2, limit: 2000 };
      const result = await runTrain(config, scratch(), quiet);
      expect(result.history.epochs.at(-1)!.valMetrics.accuracy, `${optimizer}/${activation}`).toBeGreaterThan(0.7);
    }
  });
});

// Epochs of a CNN over 60,000 images take tens of seconds with the WebAssembly kernels and far
// longer with the plain-JS reference backend, so this runs on the wasm backend only. Two of the
// default five (the one-cycle schedule spans the epochs it is given): 87.2% test accuracy (5:
// 89.5%, the README's figure, which this asserted at 88% for 41 s of the suite's time), so 86% is
// the same 1.2–1.5 points below what the run reaches; one epoch reaches 85%, a linear classifier
// trained to the end ~84%.
describe.skipIf(getBackend() !== "wasm" || !existsSync(DEBIAN_FASHION_MNIST_DIR))("nabla train --dataset fashion-mnist --model cnn", () => {
  it("reaches at least 86% test accuracy in two epochs with the other settings the defaults", async () => {
    const parsed = parseTrainArgs(["--dataset", "fashion-mnist", "--model", "cnn", "--epochs", "2"])!;
    expect(parsed.config).toMatchObject({ ...defaultConfig("fashion-mnist"), epochs: 2 });
    const result = await runTrain(parsed.config, scratch(), quiet);
    expect(result.data.test.length).toBe(10000);
    expect(result.history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(result.history.epochs.at(-1)!.valMetrics.accuracy).toBeGreaterThanOrEqual(0.86);
  });
});

describe("nabla train arguments", () => {
  it("parses options and names the wrong one", () => {
    const parsed = parseTrainArgs(["--epochs", "3", "--optimizer", "sgd", "--lr", "0.1", "--activation", "tanh", "--hidden", "32,16"])!;
    expect(parsed.config).toMatchObject({ epochs: 3, optimizer: "sgd", lr: 0.1, activation: "tanh", hidden: [32, 16] });
    expect(parsed.run.checkpointDir).toBe("runs/digits-mlp");
    expect(parseTrainArgs(["--dataset", "fashion-mnist"])!.config).toMatchObject({ model: "cnn", epochs: 5 });
    expect(parseTrainArgs(["--help"])).toBeNull();
    expect(() => parseTrainArgs(["--epochs", "zero"])).toThrow(UsageError);
    expect(() => parseTrainArgs(["--epochs", "zero"])).toThrow(/--epochs must be an integer ≥ 1, got "zero"/);
    expect(() => parseTrainArgs(["--optimizer", "adamx"])).toThrow(/--optimizer must be one of adam, adamw, .*; got "adamx"/);
    expect(() => parseTrainArgs(["--lr=-1"])).toThrow(/--lr must be a positive number/);
    expect(() => parseTrainArgs(["--hidden", "64,x"])).toThrow(/--hidden must be an integer ≥ 1, got "x"/);
    expect(() => parseTrainArgs(["--learning-rate", "0.1"])).toThrow(/Unknown option '--learning-rate'/);
  });
});
