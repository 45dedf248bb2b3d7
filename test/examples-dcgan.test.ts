/** examples/dcgan.ts (pytorch/examples dcgan on the npm package's digits) against its PyTorch twin, step by step. */
import { describe, it } from "vitest";
import { runDcgan, type DcganOptions } from "../examples/dcgan.js";
import { exampleFixture, exampleOptions, expectInitialState, expectLosses } from "./examples-harness.js";
import { steps } from "./device-steps.js";

const fixture = exampleFixture<Partial<DcganOptions>>("dcgan");

/** The fixture's per-tensor sums of one network (keys netG.* or netD.*). */
const sumsOf = (prefix: string) => Object.fromEntries(Object.entries(fixture.init).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));

describe("examples/dcgan.ts", () => {
  it("trains its first 20 steps from PyTorch's initial weights (its N(0, 0.02) draws) with PyTorch's losses and D outputs (data order and noise replayed)", async () => {
    // the first 3 steps on the webgpu device (test/device-steps.ts): there a step costs ~8 s,
    // most of it in the transposed convolutions' conv2dInput kernel (~0.3 s a call)
    const trained = steps(fixture.losses.length, 3);
    const first = (values: unknown) => (values as number[]).slice(0, trained);
    const result = await runDcgan({
      ...exampleOptions(fixture),
      steps: trained,
      outf: "",
      onModel: (netG, netD) => {
        expectInitialState(netG, sumsOf("netG."));
        expectInitialState(netD, sumsOf("netD."));
      },
    });
    expectLosses(result.losses, first(fixture.losses), { label: "errD" });
    expectLosses(result.generatorLosses, first(fixture.generatorLosses), { label: "errG" });
    expectLosses(result.dx, first(fixture.dx), { label: "D(x)" });
    expectLosses(result.dgz1, first(fixture.dgz1), { label: "D(G(z1))" });
    expectLosses(result.dgz2, first(fixture.dgz2), { label: "D(G(z2))" });
  });
});
