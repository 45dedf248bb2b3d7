/** examples/dcgan.ts (pytorch/examples dcgan on the npm package's digits) against its PyTorch twin, step by step. */
import { describe, it } from "vitest";
import type { nn } from "../src/index.js";
import { runDcgan, type DcganOptions } from "../examples/dcgan.js";
import { Replay } from "../examples/common/replay.js";
import { exampleFixture, exampleState, expectInitialState, expectLosses } from "./examples-harness.js";

const fixture = exampleFixture<Partial<DcganOptions>>("dcgan");

/** The twin's file holds both networks, as netG.* and netD.*. */
function split(state: nn.StateDict, prefix: string): nn.StateDict {
  return Object.fromEntries(Object.entries(state).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

describe("examples/dcgan.ts", () => {
  it("trains its first 20 steps with PyTorch's losses and D outputs (initial state loaded, data order and noise replayed)", async () => {
    const { replaySeed, ...config } = fixture.config;
    const state = exampleState("dcgan");
    const result = await runDcgan({
      ...config,
      outf: "",
      replay: new Replay(replaySeed),
      initialState: { netG: split(state, "netG."), netD: split(state, "netD.") },
      onModel: (netG, netD) => {
        const sums = (prefix: string) => split(fixture.init as nn.StateDict & Record<string, number>, prefix) as unknown as Record<string, number>;
        expectInitialState(netG, sums("netG."));
        expectInitialState(netD, sums("netD."));
      },
    });
    expectLosses(result.losses, fixture.losses, { label: "errD" });
    expectLosses(result.generatorLosses, fixture.generatorLosses as number[], { label: "errG" });
    expectLosses(result.dx, fixture.dx as number[], { label: "D(x)" });
    expectLosses(result.dgz1, fixture.dgz1 as number[], { label: "D(G(z1))" });
    expectLosses(result.dgz2, fixture.dgz2 as number[], { label: "D(G(z2))" });
  });
});
