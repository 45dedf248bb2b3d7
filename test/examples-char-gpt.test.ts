/** examples/char-gpt.ts (nanoGPT's char model and training loop on GPL-3's text) against its PyTorch twin, step by step. */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEBIAN_TEXT, runCharGpt, type CharGptOptions } from "../examples/char-gpt.js";
import { exampleFixture, exampleOptions, expectInitialState, expectLosses } from "./examples-harness.js";
import { steps } from "./device-steps.js";

const fixture = exampleFixture<Partial<CharGptOptions>>("char_gpt");
const evals = fixture.evals as { iter: number; train: number; val: number }[];

describe.skipIf(!existsSync(DEBIAN_TEXT))("examples/char-gpt.ts", () => {
  // on the webgpu device the first 11 steps: both evaluations (iterations 0 and 10) still run
  const trained = steps(fixture.losses.length, 11);
  it("trains its first 20 steps from the seed with PyTorch's losses (initial weights, batches and dropout masks PyTorch's)", () => {
    const result = runCharGpt({ ...exampleOptions(fixture), steps: trained, onModel: (model) => expectInitialState(model, fixture.init) });
    expectLosses(result.losses, fixture.losses.slice(0, trained));
    expect(result.evals.map((e) => e.iter)).toEqual(evals.map((e) => e.iter));
    expectLosses(result.evals.map((e) => e.train), evals.map((e) => e.train), { label: "estimated train loss" });
    expectLosses(result.evals.map((e) => e.val), evals.map((e) => e.val), { label: "estimated val loss" });
  });

  it("gives the same losses through F.scaledDotProductAttention as through the explicit attention (without dropout)", () => {
    const run = (flash: boolean) => runCharGpt({ ...exampleOptions(fixture), dropout: 0, flash, steps: steps(8, 3) }).losses;
    expectLosses(run(true), run(false), { rtol: 1e-5, label: "flash vs explicit" });
  });

  it("samples text from the vocabulary", () => {
    const { sample } = runCharGpt({ ...exampleOptions(fixture), steps: 1, evalIters: 1, sample: 40 });
    expect(sample.length).toBe(41);
  });
});
