/**
 * Every learning-rate scheduler against PyTorch (test/fixtures/lr_schedulers.json, from
 * scripts/make_optim_fixtures.py): the rates of two parameter groups (lr 0.1 and 0.05, SGD with
 * momentum 0.9) after construction and after each of 30 steps, and the momentum where it cycles.
 * nabla evaluates closed forms where PyTorch mostly multiplies the previous rate, so the two agree
 * to a few ulps, not bit for bit: rtol 1e-12.
 */
import { describe, expect, it } from "vitest";
import { nn, optim, OptionError, zeros } from "../packages/nabla/src/index.js";
import { loadFixture } from "./helpers.js";

const { lrScheduler } = optim;

interface Run {
  scheduler: string;
  kwargs: Record<string, unknown>;
  lrs: number[][];
  momenta?: number[][];
  metrics?: number[];
}
const fixture = loadFixture<{ runs: Run[]; one_cycle_adam: { kwargs: Record<string, unknown>; lrs: number[][]; betas: number[][] } }>("lr_schedulers.json");

const LAMBDAS: Record<string, (epoch: number) => number> = {
  "0.95**epoch": (e) => 0.95 ** e,
  "1/(epoch+1)": (e) => 1 / (e + 1),
  "0.9": () => 0.9,
  "0.5 if epoch%3==0 else 1": (e) => (e % 3 === 0 ? 0.5 : 1),
};

const camel = (key: string) => key.replace(/_([a-z0-9])/gi, (_, c: string) => c.toUpperCase()).replace(/^[A-Z]/, (c) => c.toLowerCase());

function newOptimizer() {
  const params = [new nn.Parameter(zeros(2)), new nn.Parameter(zeros(3))];
  return new optim.SGD([{ params: [params[0]!] }, { params: [params[1]!], lr: 0.05 }], { lr: 0.1, momentum: 0.9 });
}

type Built = { step(metric?: number): void };

function build(name: string, kwargs: Record<string, unknown>, opt: optim.Optimizer): Built {
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (k === "lr_lambda") options.lrLambda = Array.isArray(v) ? v.map((n: string) => LAMBDAS[n]) : LAMBDAS[v as string];
    else if (k === "schedulers") options.schedulers = (v as [string, Record<string, unknown>][]).map(([n, kw]) => build(n, kw, opt));
    else options[camel(k)] = v;
  }
  if (name === "ChainedScheduler") return new lrScheduler.ChainedScheduler(options.schedulers as optim.lrScheduler.LRScheduler[]);
  const Class = (lrScheduler as unknown as Record<string, new (o: object, options: object) => Built>)[name]!;
  return new Class(opt, options);
}

function expectRates(got: number[], expected: number[], label: string) {
  expect(got.length, label).toBe(expected.length);
  got.forEach((g, i) => {
    const e = expected[i]!;
    if (!(Math.abs(g - e) <= 1e-15 + 1e-12 * Math.abs(e))) throw new Error(`${label} group ${i}: got ${g}, expected ${e}`);
  });
}

describe("schedulers match PyTorch over 30 epochs", () => {
  it.each(fixture.runs.map((r) => [`${r.scheduler} ${JSON.stringify(r.kwargs)}`, r] as const))("%s", (_, run) => {
    const opt = newOptimizer();
    const sched = build(run.scheduler, run.kwargs, opt);
    const rates = () => opt.paramGroups.map((g) => g.lr);
    const momenta = () => opt.paramGroups.map((g) => g.momentum);
    expectRates(rates(), run.lrs[0]!, "epoch 0 lr");
    if (run.momenta) expectRates(momenta(), run.momenta[0]!, "epoch 0 momentum");
    for (let epoch = 1; epoch < run.lrs.length; epoch++) {
      opt.step();
      sched.step(run.metrics?.[epoch - 1]);
      expectRates(rates(), run.lrs[epoch]!, `epoch ${epoch} lr`);
      if (run.momenta) expectRates(momenta(), run.momenta[epoch]!, `epoch ${epoch} momentum`);
    }
  });

  it("OneCycleLR cycles Adam's beta1", () => {
    const { kwargs, lrs, betas } = fixture.one_cycle_adam;
    const adam = new optim.Adam([new nn.Parameter(zeros(2))], { lr: 0.1 });
    const sched = new lrScheduler.OneCycleLR(adam, { maxLr: kwargs.max_lr as number, totalSteps: kwargs.total_steps as number });
    for (let t = 0; t < lrs.length; t++) {
      if (t > 0) sched.step();
      expectRates([adam.paramGroups[0]!.lr], lrs[t]!, `step ${t} lr`);
      expectRates(adam.paramGroups[0]!.betas, betas[t]!, `step ${t} betas`);
    }
  });

  it("covers every scheduler the issue lists", () => {
    const names = new Set(fixture.runs.map((r) => r.scheduler));
    const listed = "StepLR MultiStepLR ExponentialLR CosineAnnealingLR CosineAnnealingWarmRestarts CyclicLR OneCycleLR LinearLR ConstantLR PolynomialLR LambdaLR MultiplicativeLR SequentialLR ChainedScheduler ReduceLROnPlateau";
    for (const name of listed.split(" ")) expect(names.has(name), name).toBe(true);
  });
});

describe("schedules are pure functions of the step", () => {
  it("evaluates a schedule at any step without a scheduler", () => {
    const cosine = lrScheduler.schedules.cosineSchedule(0.1, { tMax: 10, etaMin: 0 });
    expect(cosine(0)).toBe(0.1);
    expect(cosine(10)).toBe(0);
    expect(cosine(5)).toBeCloseTo(0.05, 15);
    const sched = new lrScheduler.CosineAnnealingLR(newOptimizer(), { tMax: 10 });
    expect(sched.lrsAt(7)).toEqual([cosine(7), lrScheduler.schedules.cosineSchedule(0.05, { tMax: 10, etaMin: 0 })(7)]);
  });
});

describe("scheduler state", () => {
  it("saves and restores its position, nested schedulers included", () => {
    const make = () => {
      const opt = newOptimizer();
      const warm = new lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 3 });
      const cos = new lrScheduler.CosineAnnealingLR(opt, { tMax: 10 });
      return { opt, sched: new lrScheduler.SequentialLR(opt, { schedulers: [warm, cos], milestones: [3] }) };
    };
    const a = make();
    for (let i = 0; i < 5; i++) a.sched.step();
    const saved = JSON.parse(JSON.stringify({ sched: a.sched.stateDict(), opt: a.opt.stateDict() }));
    const b = make();
    b.opt.loadStateDict(saved.opt);
    b.sched.loadStateDict(saved.sched);
    expect(b.sched.lastEpoch).toBe(5);
    expect(b.sched.getLastLr()).toEqual(a.sched.getLastLr());
    for (let i = 0; i < 4; i++) {
      a.sched.step();
      b.sched.step();
    }
    expect(b.opt.paramGroups.map((g) => g.lr)).toEqual(a.opt.paramGroups.map((g) => g.lr));
  });

  it("ReduceLROnPlateau saves its counters", () => {
    const opt = newOptimizer();
    const s = new lrScheduler.ReduceLROnPlateau(opt, { patience: 1 });
    [1, 0.9, 0.95, 0.95].forEach((m) => s.step(m));
    const state = s.stateDict();
    const t = new lrScheduler.ReduceLROnPlateau(newOptimizer(), { patience: 1 });
    t.loadStateDict(state);
    expect(t.stateDict()).toEqual(state);
  });

  it("rejects invalid options naming the scheduler and the option", () => {
    const opt = newOptimizer();
    expect(() => new lrScheduler.StepLR(opt, { stepSize: 0 })).toThrow(OptionError);
    expect(() => new lrScheduler.StepLR(opt, { stepSize: 0 })).toThrow(/StepLR: invalid stepSize: 0/);
    expect(() => new lrScheduler.LinearLR(opt, { startFactor: 0 })).toThrow(/LinearLR: invalid startFactor/);
    expect(() => new lrScheduler.ReduceLROnPlateau(opt, { factor: 1 })).toThrow(/ReduceLROnPlateau: invalid factor: 1/);
    expect(() => new lrScheduler.OneCycleLR(opt, { maxLr: 0.1 })).toThrow(/OneCycleLR: give either totalSteps/);
    expect(() => new lrScheduler.CyclicLR(opt, { baseLr: 0.1, maxLr: [1, 2, 3] })).toThrow(/CyclicLR: expected 2 values for maxLr/);
    expect(() => new lrScheduler.CyclicLR(new optim.Adagrad([new nn.Parameter(zeros(1))]), { baseLr: 0.1, maxLr: 1 })).toThrow(/CyclicLR: optimizer must support momentum/);
    expect(() => new lrScheduler.SequentialLR(opt, { schedulers: [new lrScheduler.StepLR(opt, { stepSize: 2 })], milestones: [3] })).toThrow(/SequentialLR: expected 0 milestones/);
    const one = new lrScheduler.OneCycleLR(newOptimizer(), { maxLr: 0.1, totalSteps: 2 });
    one.step();
    one.step();
    expect(() => one.step()).toThrow(/OneCycleLR: tried to step 4 times/);
  });
});
