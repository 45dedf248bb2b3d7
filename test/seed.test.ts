/** The articles' example and the main job, end to end. */
import { describe, expect, it } from "vitest";
import { runSeedExample } from "../examples/seed-example.js";
import { trainDigits } from "../cli/train-digits.js";
import { parseTrainArgs, UsageError } from "../cli/args.js";

describe("the seed article's example", () => {
  it("trains: the loss falls and the rule generalises", () => {
    const { losses, accuracy } = runSeedExample(100);
    expect(losses[0]).toBeGreaterThan(2); // about ln 10 at the start
    expect(losses[99]!).toBeLessThan(0.4 * losses[0]!);
    for (let i = 10; i < losses.length; i += 10) expect(losses[i]!).toBeLessThan(losses[i - 10]!);
    expect(accuracy).toBeGreaterThan(0.4); // chance is 0.1
  });
});

describe("the main job: the articles' network on the real MNIST digits", () => {
  it("reaches at least 90% held-out accuracy with the default settings", async () => {
    const epochs: number[] = [];
    const history = await trainDigits({}, { epochEnd: (r) => epochs.push(r.epoch) });
    expect(epochs).toEqual(history.map((h) => h.epoch));
    const last = history[history.length - 1]!;
    expect(last.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(last.trainLoss).toBeLessThan(history[0]!.trainLoss);
  });

  it("trains with each optimizer and activation the command offers", async () => {
    for (const [optimizer, activation, lr] of [
      ["sgd", "tanh", 0.05],
      ["adagrad", "sigmoid", 0.05],
      ["rmsprop", "leaky_relu", 1e-3],
    ] as const) {
      const history = await trainDigits({ optimizer, activation, lr, epochs: 1, trainSize: 2000, testSize: 500 });
      expect(history[0]!.testAccuracy, `${optimizer}/${activation}`).toBeGreaterThan(0.7);
    }
  });
});

describe("nabla train arguments", () => {
  it("parses options and names the wrong one", () => {
    expect(parseTrainArgs(["--epochs", "3", "--optimizer", "sgd", "--lr", "0.1", "--activation", "tanh"])).toMatchObject({
      epochs: 3,
      optimizer: "sgd",
      lr: 0.1,
      activation: "tanh",
    });
    expect(parseTrainArgs(["--help"])).toBeNull();
    expect(() => parseTrainArgs(["--epochs", "zero"])).toThrow(UsageError);
    expect(() => parseTrainArgs(["--epochs", "zero"])).toThrow(/--epochs must be an integer ≥ 1, got "zero"/);
    expect(() => parseTrainArgs(["--optimizer", "adamw"])).toThrow(/--optimizer must be one of adam, sgd, adagrad, rmsprop; got "adamw"/);
    expect(() => parseTrainArgs(["--lr=-1"])).toThrow(/--lr must be a positive number/);
    expect(() => parseTrainArgs(["--learning-rate", "0.1"])).toThrow(/Unknown option '--learning-rate'/);
  });
});
