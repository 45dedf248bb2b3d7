/** Every optimizer of the seed system against PyTorch: parameters after 1, 2, 5 and 20 steps. */
import { describe, expect, it } from "vitest";
import { nn, optim, OptionError, type Tensor } from "../packages/nabla/src/index.js";
import { expectClose, fromFixture, loadFixture, type FixtureTensor } from "./helpers.js";

interface Problem {
  x: FixtureTensor;
  y: FixtureTensor;
  W: FixtureTensor;
  b: FixtureTensor;
}
interface Run {
  optimizer: "SGD" | "Adam" | "Adagrad" | "RMSprop";
  kwargs: Record<string, unknown>;
  steps: Record<string, { W: FixtureTensor; b: FixtureTensor }>;
}
const fixture = loadFixture<{ problem: Problem; runs: Run[]; problem64: Problem; float64_runs: Run[] }>("optim.json");

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function makeOptimizer(run: Run, params: Tensor[]) {
  const options = Object.fromEntries(Object.entries(run.kwargs).map(([k, v]) => [camel(k), v]));
  const Class = optim[run.optimizer] as unknown as new (p: Tensor[], o: object) => optim.Optimizer;
  return new Class(params, options);
}

/** Runs 20 steps of the fixture problem, loss = mean((x·W + b − y)²), checking the recorded steps. */
function checkRun(problem: Problem, run: Run, tolerance: { rtol: number; atol: number }) {
  const x = fromFixture(problem.x);
  const y = fromFixture(problem.y);
  const W = new nn.Parameter(fromFixture(problem.W));
  const b = new nn.Parameter(fromFixture(problem.b));
  const optimizer = makeOptimizer(run, [W, b]);
  for (let step = 1; step <= 20; step++) {
    optimizer.zeroGrad();
    const loss = x.matmul(W).add(b).sub(y).pow(2).mean();
    loss.backward();
    optimizer.step();
    const expected = run.steps[String(step)];
    if (expected) {
      expectClose(W, expected.W, tolerance, `${run.optimizer} step ${step} W`);
      expectClose(b, expected.b, tolerance, `${run.optimizer} step ${step} b`);
    }
  }
}

describe("optimizers match PyTorch step by step (float32)", () => {
  it.each(fixture.runs.map((r) => [`${r.optimizer} ${JSON.stringify(r.kwargs)}`, r] as const))("%s", (_, run) => {
    // float32 state is rounded once per update here and once per PyTorch op there: a few ulps per step.
    checkRun(fixture.problem, run, { rtol: 2e-5, atol: 2e-6 });
  });
});

describe("optimizers match PyTorch step by step (float64)", () => {
  it.each(fixture.float64_runs.map((r) => [`${r.optimizer} ${JSON.stringify(r.kwargs)}`, r] as const))("%s", (_, run) => {
    checkRun(fixture.problem64, run, { rtol: 1e-10, atol: 1e-12 });
  });
});

describe("optimizer options and state", () => {
  const params = () => [new nn.Parameter(fromFixture(fixture.problem.W))];

  it("rejects invalid options with an error naming the optimizer and the option", () => {
    expect(() => new optim.SGD(params(), { lr: -1 })).toThrow(OptionError);
    expect(() => new optim.SGD(params(), { lr: -1 })).toThrow(/SGD: invalid learning rate: -1/);
    expect(() => new optim.SGD(params(), { lr: 0.1, nesterov: true })).toThrow(/SGD: nesterov momentum requires a momentum > 0/);
    expect(() => new optim.SGD(params(), { lr: 0.1, momentum: 0.9, dampening: 0.5, nesterov: true })).toThrow(/zero dampening/);
    expect(() => new optim.Adam(params(), { betas: [1, 0.999] })).toThrow(/Adam: invalid beta parameter at index 0: 1/);
    expect(() => new optim.Adam(params(), { betas: [0.9, -0.1] })).toThrow(/index 1: -0.1/);
    expect(() => new optim.Adagrad(params(), { lrDecay: -1 })).toThrow(/Adagrad: invalid lrDecay/);
    expect(() => new optim.RMSprop(params(), { alpha: -1 })).toThrow(/RMSprop: invalid alpha/);
    expect(() => new optim.Adam(params(), { momentum: 0.9 } as never)).toThrow(/Adam: unknown option 'momentum'/);
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow(/empty parameter list/);
  });

  it("supports parameter groups with their own options", () => {
    const [w1, w2] = [new nn.Parameter(fromFixture(fixture.problem.W)), new nn.Parameter(fromFixture(fixture.problem.b))];
    const opt = new optim.SGD([{ params: [w1] }, { params: [w2], lr: 0.5 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.5]);
    w1.sum().add(w2.sum()).backward();
    const before = [w1.toTypedArray(), w2.toTypedArray()];
    opt.step();
    expect(w1.toTypedArray()[0]).toBeCloseTo(before[0]![0]! - 0.1, 6);
    expect(w2.toTypedArray()[0]).toBeCloseTo(before[1]![0]! - 0.5, 6);
    expect(() => opt.addParamGroup({ params: [w1] })).toThrow(/more than one parameter group/);
  });

  it("resumes exactly from a state dict", () => {
    const x = fromFixture(fixture.problem.x);
    const y = fromFixture(fixture.problem.y);
    const train = (W: nn.Parameter, opt: optim.Adam, steps: number) => {
      for (let i = 0; i < steps; i++) {
        opt.zeroGrad();
        x.matmul(W).sub(y).pow(2).mean().backward();
        opt.step();
      }
    };
    const straight = new nn.Parameter(fromFixture(fixture.problem.W));
    const straightOpt = new optim.Adam([straight], { lr: 0.01, amsgrad: true });
    train(straight, straightOpt, 10);

    const first = new nn.Parameter(fromFixture(fixture.problem.W));
    const firstOpt = new optim.Adam([first], { lr: 0.01, amsgrad: true });
    train(first, firstOpt, 5);
    const saved = firstOpt.stateDict();
    const resumed = new nn.Parameter(first.detach().clone());
    const resumedOpt = new optim.Adam([resumed], { lr: 0.5 });
    resumedOpt.loadStateDict(saved);
    expect(resumedOpt.paramGroups[0]!.lr).toBe(0.01);
    train(first, firstOpt, 3); // the saved state must not share buffers with the live optimizer
    train(resumed, resumedOpt, 5);
    expect(Array.from(resumed.toTypedArray())).toEqual(Array.from(straight.toTypedArray()));
  });

  it("zeroGrad sets gradients to null, or to zeros on request", () => {
    const [p] = params();
    const opt = new optim.SGD([p!], { lr: 0.1 });
    p!.sum().backward();
    opt.zeroGrad({ setToNone: false });
    expect(Array.from(p!.grad!.toTypedArray()).every((v) => v === 0)).toBe(true);
    opt.zeroGrad();
    expect(p!.grad).toBeNull();
  });
});
