/**
 * Bit-exact resume: a run that saves model + optimizer + scheduler at step 50, then continues in
 * fresh objects loaded from those state dicts, has exactly the parameters at step 100 of a run
 * that never stopped — for every optimizer, with a scheduler where one applies.
 */
import { describe, expect, it } from "vitest";
import { manualSeed, nn, optim, randn, type Tensor } from "../packages/nabla/src/index.js";
import { steps } from "./device-steps.js";

const { lrScheduler } = optim;

class Mlp extends nn.Module {
  fc1 = new nn.Linear(4, 8);
  act = new nn.Tanh();
  fc2 = new nn.Linear(8, 3);
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

type Opt = optim.Optimizer & { train?: () => void; eval?: () => void };
type Sched = { step(): void; stateDict(): object; loadStateDict(s: object): void };

interface Setup {
  name: string;
  optimizer: (p: nn.Parameter[]) => Opt;
  scheduler?: (o: Opt) => Sched;
  closure?: boolean;
}

const SETUPS: Setup[] = [
  { name: "SGD + SequentialLR(LinearLR, CosineAnnealingLR)", optimizer: (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }),
    scheduler: (o) => new lrScheduler.SequentialLR(o, { schedulers: [new lrScheduler.LinearLR(o, { totalIters: 10 }), new lrScheduler.CosineAnnealingLR(o, { tMax: 90 })], milestones: [10] }) },
  { name: "Adam + OneCycleLR (cycles beta1)", optimizer: (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true }), scheduler: (o) => new lrScheduler.OneCycleLR(o, { maxLr: 0.05, totalSteps: 100 }) },
  { name: "AdamW + CyclicLR", optimizer: (p) => new optim.AdamW(p, { lr: 0.01 }), scheduler: (o) => new lrScheduler.CyclicLR(o, { baseLr: 0.001, maxLr: 0.02, stepSizeUp: 7, mode: "triangular2" }) },
  { name: "Adamax + StepLR", optimizer: (p) => new optim.Adamax(p), scheduler: (o) => new lrScheduler.StepLR(o, { stepSize: 20, gamma: 0.5 }) },
  { name: "NAdam + ExponentialLR", optimizer: (p) => new optim.NAdam(p, { decoupledWeightDecay: true, weightDecay: 0.01 }), scheduler: (o) => new lrScheduler.ExponentialLR(o, { gamma: 0.99 }) },
  { name: "RAdam + ChainedScheduler", optimizer: (p) => new optim.RAdam(p, { lr: 0.01 }),
    scheduler: (o) => new lrScheduler.ChainedScheduler([new lrScheduler.ConstantLR(o, { factor: 0.5, totalIters: 5 }), new lrScheduler.ExponentialLR(o, { gamma: 0.98 })]) },
  { name: "Adagrad + PolynomialLR", optimizer: (p) => new optim.Adagrad(p, { lr: 0.1 }), scheduler: (o) => new lrScheduler.PolynomialLR(o, { totalIters: 100 }) },
  { name: "Adadelta + MultiStepLR", optimizer: (p) => new optim.Adadelta(p), scheduler: (o) => new lrScheduler.MultiStepLR(o, { milestones: [30, 60] }) },
  { name: "RMSprop + CosineAnnealingWarmRestarts", optimizer: (p) => new optim.RMSprop(p, { centered: true, momentum: 0.5 }), scheduler: (o) => new lrScheduler.CosineAnnealingWarmRestarts(o, { t0: 10, tMult: 2 }) },
  { name: "Rprop", optimizer: (p) => new optim.Rprop(p) },
  { name: "ASGD + LambdaLR", optimizer: (p) => new optim.ASGD(p, { t0: 20 }), scheduler: (o) => new lrScheduler.LambdaLR(o, { lrLambda: (e) => 1 / (1 + e / 10) }) },
  { name: "LBFGS (strong Wolfe)", optimizer: (p) => new optim.LBFGS(p, { lineSearchFn: "strong_wolfe", maxIter: 3, historySize: 5 }), closure: true },
  { name: "Lion + MultiplicativeLR", optimizer: (p) => new optim.Lion(p, { lr: 1e-3, weightDecay: 0.1 }), scheduler: (o) => new lrScheduler.MultiplicativeLR(o, { lrLambda: () => 0.99 }) },
  { name: "ScheduleFreeAdamW (with warm-up)", optimizer: (p) => new optim.ScheduleFreeAdamW(p, { warmupSteps: 10 }) },
  { name: "ScheduleFreeSGD", optimizer: (p) => new optim.ScheduleFreeSGD(p, { lr: 0.1 }) },
  { name: "Prodigy + CosineAnnealingLR", optimizer: (p) => new optim.Prodigy(p), scheduler: (o) => new lrScheduler.CosineAnnealingLR(o, { tMax: 100 }) },
  { name: "Muon + LinearLR", optimizer: (p) => new optim.Muon(p, { weightDecay: 0.01 }), scheduler: (o) => new lrScheduler.LinearLR(o, { startFactor: 0.1, totalIters: 60 }) },
];

manualSeed(7);
const X = randn([32, 4]);
const Y = randn([32, 3]);

function trainSteps(model: Mlp, opt: Opt, sched: Sched | undefined, from: number, to: number, closure: boolean) {
  for (let step = from; step < to; step++) {
    const batch = (step % 4) * 8; // a different mini-batch each step
    const loss = () => {
      opt.zeroGrad();
      const l = model.forward(X.slice(0, batch, batch + 8)).sub(Y.slice(0, batch, batch + 8)).pow(2).mean();
      l.backward();
      return l;
    };
    if (closure) opt.step(loss);
    else {
      loss();
      opt.step();
    }
    sched?.step();
  }
}

function build(setup: Setup, seed: number) {
  manualSeed(seed);
  const model = new Mlp();
  const opt = setup.optimizer(model.parameters());
  const sched = setup.scheduler?.(opt);
  return { model, opt, sched };
}

const values = (m: nn.Module) => m.parameters().map((p) => Array.from(p.toTypedArray()));

// on the webgpu device a resume at step 10 of 20 (test/device-steps.ts): the schedules' phases
// are the CPU's to check, the device state's round trip is the same at any step once every piece
// of it exists (LBFGS: its history of 5 full from step 3, 19 iterations by step 10 on the CPU)
const END = steps(100, 20);
const RESUME = END / 2;

describe("resume from model + optimizer + scheduler state at step 50 equals an uninterrupted run at step 100", () => {
  it.each(SETUPS.map((s) => [s.name, s] as const))("%s", (_, setup) => {
    const closure = setup.closure ?? false;
    const straight = build(setup, 1);
    trainSteps(straight.model, straight.opt, straight.sched, 0, END, closure);

    const first = build(setup, 1);
    trainSteps(first.model, first.opt, first.sched, 0, RESUME, closure);
    const saved = {
      model: Object.fromEntries(Object.entries(first.model.stateDict()).map(([k, v]) => [k, v.clone()])),
      optimizer: first.opt.stateDict(),
      scheduler: first.sched?.stateDict(),
    };
    // The saved state must not share buffers with the live run.
    trainSteps(first.model, first.opt, first.sched, RESUME, RESUME + 3, closure);

    const resumed = build(setup, 99); // different initial weights, overwritten by the load
    resumed.model.loadStateDict(saved.model);
    resumed.opt.loadStateDict(saved.optimizer);
    if (saved.scheduler) resumed.sched!.loadStateDict(saved.scheduler);
    trainSteps(resumed.model, resumed.opt, resumed.sched, RESUME, END, closure);

    expect(values(resumed.model)).toEqual(values(straight.model));
    expect(resumed.opt.paramGroups.map((g) => (g as { lr?: number }).lr)).toEqual(straight.opt.paramGroups.map((g) => (g as { lr?: number }).lr));
  });
});

it("LBFGS keeps its float64 history exact through a state dict, also for one float32 parameter", () => {
  const run = (resumeAt: number | null) => {
    manualSeed(5);
    const w = new nn.Parameter(randn([4, 3]));
    let opt = new optim.LBFGS([w], { maxIter: 4, historySize: 3 });
    const closure = () => {
      opt.zeroGrad();
      const loss = X.matmul(w).sub(Y).pow(2).mean();
      loss.backward();
      return loss;
    };
    for (let step = 0; step < 10; step++) {
      if (step === resumeAt) {
        const saved = opt.stateDict();
        opt = new optim.LBFGS([w], { maxIter: 4, historySize: 3 });
        opt.loadStateDict(saved);
        const [before, after] = [saved.state[0]!, opt.stateDict().state[0]!];
        for (const key of ["d", "prev_flat_grad"] as const) {
          expect((after[key] as Tensor).dtype).toBe("float64");
          expect(Array.from((after[key] as Tensor).toTypedArray())).toEqual(Array.from((before[key] as Tensor).toTypedArray()));
        }
      }
      opt.step(closure);
    }
    return Array.from(w.toTypedArray());
  };
  expect(run(2)).toEqual(run(null));
});
