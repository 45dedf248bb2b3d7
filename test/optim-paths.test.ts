/**
 * Every update rule has one reference, written in tensor ops; Adam/AdamW and SGD may hand their
 * step to a backend's fused kernel instead. Here every rule and each of its options runs a few
 * steps both ways, in float32 and float64, and the parameters and every entry of the state must
 * agree:
 *   - the reference: the JS backend with the fused steps switched off (optim.setFusedSteps(false));
 *   - the fast path: the wasm backend (where this engine runs it) as it runs by default: the fused
 *     kernels where the rule has one (in wasm for buffers in its heap, the plain loop for small
 *     ones), and the rule's tensor ops on wasm's kernels for the others.
 * On the wasm backend alone, the fused kernels are also held to the reference on the same backend,
 * and the reference path is checked not to leave its temporaries in the heap.
 */
import { afterEach, describe, expect, it } from "vitest";
import { getBackend, listBackends, manualSeed, memory, nn, noGrad, optim, randn, setBackend, Tensor, type DType } from "../packages/nabla/src/index.js";
import { jsBackend } from "../packages/nabla/src/backend/js/index.js";
import { wasmBackend } from "../packages/nabla/src/backend/wasm/index.js";
import { expectClose } from "./helpers.js";

type Rule = Exclude<keyof typeof optim, "Optimizer" | "lrScheduler" | "lrFinder" | "setFusedSteps" | "fusedStepsEnabled" | "LBFGS">;
type AnyOptimizer = optim.Optimizer & { train?: () => void; eval?: () => void };

/** Each rule with the options that change its code path (LBFGS, driven by a closure over flat vectors, has no tensor-op step). */
const CASES: Record<Rule, Record<string, unknown>[]> = {
  Adam: [{}, { weightDecay: 0.1 }, { amsgrad: true }, { maximize: true }, { weightDecay: 0.1, amsgrad: true, maximize: true }, { lr: 0.01, betas: [0.8, 0.9], eps: 1e-6 }],
  AdamW: [{}, { weightDecay: 0 }, { weightDecay: 0.1, amsgrad: true }, { lr: 0.01, maximize: true }],
  SGD: [
    { lr: 0.1 },
    { lr: 0.1, weightDecay: 0.1, maximize: true },
    { lr: 0.1, momentum: 0.9 },
    { lr: 0.1, momentum: 0.9, nesterov: true },
    { lr: 0.1, momentum: 0.5, dampening: 0.3, weightDecay: 0.1 },
    { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01, maximize: true },
  ],
  Adagrad: [{}, { lrDecay: 0.01, initialAccumulatorValue: 0.1, weightDecay: 0.1 }, { maximize: true }],
  RMSprop: [{}, { centered: true }, { momentum: 0.5 }, { centered: true, momentum: 0.5, weightDecay: 0.1, maximize: true, alpha: 0.9 }],
  Adamax: [{}, { weightDecay: 0.1, maximize: true, betas: [0.8, 0.9] }],
  NAdam: [{}, { weightDecay: 0.1 }, { weightDecay: 0.1, decoupledWeightDecay: true }, { maximize: true, momentumDecay: 0.01 }],
  RAdam: [{}, { weightDecay: 0.1, decoupledWeightDecay: true }, { weightDecay: 0.1, maximize: true }, { betas: [0.9, 0.9] }],
  Adadelta: [{}, { weightDecay: 0.1, maximize: true, rho: 0.8 }],
  Rprop: [{}, { maximize: true, etas: [0.3, 1.5], stepSizes: [1e-3, 0.05] }],
  ASGD: [{}, { lr: 0.05, lambd: 0.01, alpha: 0.5, t0: 2 }, { weightDecay: 0.1, maximize: true }],
  Lion: [{}, { weightDecay: 0.5, maximize: true, betas: [0.95, 0.98] }],
  ScheduleFreeAdamW: [{}, { warmupSteps: 3, weightDecay: 0.1, r: 1, weightLrPower: 1 }],
  ScheduleFreeSGD: [{}, { momentum: 0.8, warmupSteps: 2, weightDecay: 0.05 }],
  Prodigy: [{}, { weightDecay: 0.1, d0: 1e-3 }, { beta3: 0.9, dCoef: 0.5, growthRate: 1.5 }],
  Muon: [{}, { nesterov: false, weightDecay: 0.1, momentum: 0.9 }],
};

/** Agreement of the paths after STEPS steps. float32: a few ulps of each step's terms, compounded; Muon's Newton–Schulz sums its matrix products in another order on each backend. */
const STEPS = 6;
const TOLERANCE: Record<DType & ("float32" | "float64"), { rtol: number; atol: number }> = {
  float32: { rtol: 2e-5, atol: 2e-6 },
  float64: { rtol: 1e-12, atol: 1e-13 },
};
const LOOSER: Partial<Record<Rule, { rtol: number; atol: number }>> = { Muon: { rtol: 2e-4, atol: 2e-5 } };

const hasWasm = listBackends().includes("wasm");
const initialBackend = getBackend();
afterEach(() => {
  setBackend(initialBackend);
  optim.setFusedSteps(true);
});

interface Outcome {
  params: Tensor[];
  state: Record<string, unknown>[];
}

/**
 * STEPS steps of `rule` on a 40×40 weight (in the wasm heap) and a 7-element bias (a plain array)
 * of a quadratic, on `backend`, fused steps allowed or not. Returns copies of the parameters and state.
 */
function run(rule: Rule, options: Record<string, unknown>, dtype: DType, backend: string, fused: boolean): Outcome {
  setBackend(backend);
  optim.setFusedSteps(fused);
  manualSeed(3);
  const weight = new nn.Parameter(randn([40, 40], { dtype }).mul(0.5));
  const bias = new nn.Parameter(randn([7], { dtype }));
  const params = [weight, bias];
  const targets = params.map((p) => randn(p.shape, { dtype }));
  const grads = params.map((p) => randn(p.shape, { dtype }));
  params.forEach((p, i) => (p.grad = grads[i]!));
  const Rule = optim[rule] as unknown as new (p: Tensor[], o: object) => AnyOptimizer;
  const opt = new Rule(params, options);
  for (let step = 0; step < STEPS; step++) {
    // the gradient of Σ(θ − target)², with a kick of noise so that signs change now and then
    noGrad(() => params.forEach((p, i) => grads[i]!.copy_(p.sub(targets[i]!).mul(2).add(randn(p.shape, { dtype }).mul(0.5)))));
    opt.step();
  }
  opt.eval?.();
  const copy = (v: unknown): unknown => (Array.isArray(v) ? v.map(copy) : v instanceof Tensor ? v.clone() : v);
  return {
    params: params.map((p) => p.detach().clone()),
    state: params.map((p) => Object.fromEntries(Object.entries(opt.state.get(p) ?? {}).map(([k, v]) => [k, copy(v)]))),
  };
}

function expectSameOutcome(got: Outcome, want: Outcome, tolerance: { rtol: number; atol: number }, what: string): void {
  got.params.forEach((p, i) => expectClose(p, want.params[i]!, tolerance, `${what}: parameter ${i}`));
  got.state.forEach((s, i) => {
    const expected = want.state[i]!;
    expect(Object.keys(s).sort(), `${what}: state ${i} keys`).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(s)) {
      const other = expected[key];
      if (value instanceof Tensor) expectClose(value, other as Tensor, tolerance, `${what}: state ${i}.${key}`);
      else if (typeof value === "number") expect(value, `${what}: state ${i}.${key}`).toBeCloseTo(other as number, 5);
      else expect(value, `${what}: state ${i}.${key}`).toEqual(other);
    }
  });
}

const ALL = (Object.keys(CASES) as Rule[]).flatMap((rule) => CASES[rule].map((options) => [rule, options] as const));
const FUSED = ALL.filter(([rule]) => rule === "Adam" || rule === "AdamW" || rule === "SGD" || rule === "Adadelta");

describe.runIf(hasWasm)("every rule: the wasm backend's default path agrees with the JS tensor-op reference", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it.each(ALL.map(([rule, options]) => [`${rule} ${JSON.stringify(options)} ${dtype}`, rule, options] as const))("%s", (what, rule, options) => {
      const reference = run(rule, options, dtype, "js", false);
      const fast = run(rule, options, dtype, "wasm", true);
      expectSameOutcome(fast, reference, dtype === "float32" ? (LOOSER[rule] ?? TOLERANCE.float32) : TOLERANCE.float64, what);
    });
  }
});

describe.runIf(hasWasm)("Adam, AdamW, SGD and Adadelta: the wasm backend's fused kernels agree with the reference on the same backend", () => {
  it("both backends offer the fused steps (the JS backend as plain loops); switched off, the reference runs", () => {
    expect(typeof wasmBackend!.fused?.adamStep).toBe("function");
    expect(typeof wasmBackend!.fused?.sgdStep).toBe("function");
    expect(typeof jsBackend.fused?.adamStep).toBe("function");
    expect(typeof jsBackend.fused?.sgdStep).toBe("function");
  });

  for (const dtype of ["float32", "float64"] as const) {
    it.each(FUSED.map(([rule, options]) => [`${rule} ${JSON.stringify(options)} ${dtype}`, rule, options] as const))("%s", (what, rule, options) => {
      const reference = run(rule, options, dtype, "wasm", false);
      const fused = run(rule, options, dtype, "wasm", true);
      expectSameOutcome(fused, reference, TOLERANCE[dtype], what);
    });
  }
});

describe.runIf(hasWasm)("Adadelta's fused float32 step repeats the reference's float operations", () => {
  it.each(CASES.Adadelta.map((options) => [JSON.stringify(options), options] as const))("%s: the same bits", (_what, options) => {
    expect(typeof wasmBackend!.fused?.adadeltaStep).toBe("function");
    const reference = run("Adadelta", options, "float32", "wasm", false);
    const fused = run("Adadelta", options, "float32", "wasm", true);
    const bits = (o: Outcome) => [...o.params, ...o.state.flatMap((s) => [s.square_avg as Tensor, s.acc_delta as Tensor])].map((t) => Array.from(new Uint32Array(new Float32Array(t.flatten().toArray() as number[]).buffer)));
    expect(bits(fused)).toEqual(bits(reference));
  });
});

describe("the switch", () => {
  it("setFusedSteps takes true or false only", () => {
    expect(() => optim.setFusedSteps(1 as never)).toThrow(/optim.setFusedSteps: expected true or false, got 1/);
    optim.setFusedSteps(false);
    expect(optim.fusedStepsEnabled()).toBe(false);
    optim.setFusedSteps(true);
    expect(optim.fusedStepsEnabled()).toBe(true);
  });
});

describe.runIf(hasWasm)("the reference path keeps nothing but the state", () => {
  it.each((Object.keys(CASES) as Rule[]).map((rule) => [rule, CASES[rule].at(-1)!] as const))("%s: 300 steps leave the heap as after the first", (rule, options) => {
    setBackend("wasm");
    for (const fused of [false, true]) {
      optim.setFusedSteps(fused);
      manualSeed(5);
      const params = [new nn.Parameter(randn([40, 40]).mul(0.5)), new nn.Parameter(randn([33, 40]).mul(0.5))];
      const grads = params.map((p) => randn(p.shape));
      params.forEach((p, i) => (p.grad = grads[i]!));
      const Rule = optim[rule] as unknown as new (p: Tensor[], o: object) => AnyOptimizer;
      const opt = new Rule(params, options);
      const step = () => {
        // g ← 2θ in place: the in-place op frees what it makes (a copy_ of params[i].mul(2) would leave that product here)
        noGrad(() => grads.forEach((g, i) => g.zero_().add_(params[i]!, { alpha: 2 })));
        opt.step();
      };
      for (let i = 0; i < 3; i++) step(); // state made, every option's buffer in place
      const before = memory.stats();
      for (let i = 0; i < 300; i++) step();
      const after = memory.stats();
      expect(after.count, `${rule} (fused ${fused}): blocks held`).toBe(before.count);
      expect(after.allocated, `${rule} (fused ${fused}): bytes held`).toBe(before.allocated);
    }
  });
});

describe.runIf(hasWasm)("the reference path frees each parameter's temporaries before the next parameter's", () => {
  it.each((Object.keys(CASES) as Rule[]).map((rule) => [rule, CASES[rule].at(-1)!] as const))("%s: a step over 12 weights peaks at a few weights' worth", (rule, options) => {
    setBackend("wasm");
    optim.setFusedSteps(false);
    manualSeed(6);
    const params = Array.from({ length: 12 }, () => new nn.Parameter(randn([40, 40]).mul(0.5)));
    params.forEach((p) => (p.grad = randn(p.shape)));
    const Rule = optim[rule] as unknown as new (p: Tensor[], o: object) => AnyOptimizer;
    const opt = new Rule(params, options);
    for (let i = 0; i < 2; i++) opt.step(); // state made
    memory.resetPeak();
    const before = memory.stats().allocated;
    opt.step();
    // one weight's update makes a dozen temporaries at most (Muon's Newton–Schulz a few dozen
    // 40×40 matrices); twelve weights' together would be ten times that
    const oneWeight = 40 * 40 * 4;
    expect(memory.stats().peak - before, `${rule}: peak over a step`).toBeLessThan((rule === "Muon" ? 96 : 24) * oneWeight);
  });
});
