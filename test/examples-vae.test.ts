/** examples/vae.ts (pytorch/examples vae on the npm package's digits) against its PyTorch twin, step by step. */
import { describe, it } from "vitest";
import { runVae, type VaeOptions } from "../examples/vae.js";
import { exampleFixture, exampleOptions, expectInitialState, expectLosses } from "./examples-harness.js";

const fixture = exampleFixture<Partial<VaeOptions>>("vae");

describe("examples/vae.ts", () => {
  it("trains its first 20 steps from PyTorch's initial weights with PyTorch's losses (data order and noise replayed)", async () => {
    const result = await runVae({ ...exampleOptions(fixture), results: "", onModel: (model) => expectInitialState(model, fixture.init) });
    expectLosses(result.losses, fixture.losses);
    expectLosses(result.testLosses, fixture.testLosses as number[], { label: "test loss" });
  });
});
