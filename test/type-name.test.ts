/**
 * Module names survive minification: a minifier renames classes (Linear's `name` becomes "e"),
 * but nn names its classes by their export names (nn/type-name.ts), which it keeps. Simulated
 * here by renaming the classes, as a minified bundle has them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { nn, randn, type Tensor } from "../packages/nabla/src/index.js";

const renamed: [Function, string][] = [];
/** Gives a class the name a minifier would, until the test ends. */
function minify(cls: Function, short: string): void {
  renamed.push([cls, cls.name]);
  Object.defineProperty(cls, "name", { value: short, configurable: true });
}

afterEach(() => {
  for (const [cls, name] of renamed.splice(0)) Object.defineProperty(cls, "name", { value: name, configurable: true });
});

describe("module names in a minified bundle", () => {
  it("repr and the per-layer statistics name nn's classes by their exports", () => {
    minify(nn.Linear, "e");
    minify(nn.Tanh, "t");
    minify(nn.Sequential, "n");
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.Tanh(), new nn.Linear(3, 1));
    expect(nn.Linear.name).toBe("e");
    expect(model.toString().split("\n")[0]).toBe("Sequential(");
    expect(model.toString()).toContain("(0): Linear(in_features=2, out_features=3, bias=True)");
    const stats = new nn.utils.ActivationStats(model);
    try {
      model.forward(randn([8, 2]));
      const kinds = stats.summary().map((s) => [s.kind, s.saturated === null ? "none" : "measured"]);
      // Tanh is still recognised as squashing: its saturated share is measured
      expect(kinds).toEqual([["Linear", "none"], ["Tanh", "measured"], ["Linear", "none"]]);
    } finally {
      stats.remove();
    }
  });

  it("a user's own class keeps its own name", () => {
    class Net extends nn.Module {
      fc = new nn.Linear(2, 2);
      forward(x: Tensor): Tensor {
        return this.fc.forward(x);
      }
    }
    expect(new Net().toString().split("\n")[0]).toBe("Net(");
  });
});
