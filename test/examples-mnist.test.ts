/** examples/mnist.ts (pytorch/examples mnist on Fashion-MNIST) against its PyTorch twin, step by step. */
import { existsSync } from "node:fs";
import { describe, it } from "vitest";
import { getBackend } from "../packages/nabla/src/index.js";
import { DEBIAN_FASHION_MNIST_DIR } from "../packages/nabla/src/node.js";
import { runMnist, type MnistOptions } from "../examples/mnist.js";
import { exampleFixture, exampleOptions, expectInitialState, expectLosses } from "./examples-harness.js";

const fixture = exampleFixture<Partial<MnistOptions>>("mnist");

// A CNN on 28×28 images: on the WebAssembly backend only (the JS reference backend runs the other
// examples' tests; this one would take it half a minute), and only where Debian's Fashion-MNIST is.
describe.skipIf(getBackend() !== "wasm" || !existsSync(DEBIAN_FASHION_MNIST_DIR))("examples/mnist.ts", () => {
  it("trains its first 20 steps (two epochs of a StepLR schedule) from PyTorch's initial weights with PyTorch's losses (dropout masks replayed)", async () => {
    const result = await runMnist({ ...exampleOptions(fixture), onModel: (model) => expectInitialState(model, fixture.init) });
    expectLosses(result.losses, fixture.losses);
    expectLosses(result.testLosses, fixture.testLosses as number[], { label: "test loss" });
  });
});
