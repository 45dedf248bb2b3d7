/**
 * Invalid options throw an OptionError naming the optimizer and the option, before anything
 * changes; parameter groups take their own options.
 */
import { describe, expect, it } from "vitest";
import { nn, optim, OptionError, tensor } from "../packages/nabla/src/index.js";

const weight = () => new nn.Parameter(tensor([[0.5, -0.25], [1.5, 2.0]]));

type Ctor = new (p: nn.Parameter[] | { params: nn.Parameter[]; lr?: number }[], o: object) => optim.Optimizer;
const ALL = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta", "RMSprop", "Rprop", "ASGD", "LBFGS", "Lion", "ScheduleFreeAdamW", "ScheduleFreeSGD", "Prodigy", "Muon"];
const WITH_BETAS = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Lion", "ScheduleFreeAdamW", "Prodigy"];
const ctor = (name: string) => (optim as unknown as Record<string, Ctor>)[name]!;

describe("every optimizer rejects invalid options", () => {
  it.each(ALL)("%s: negative learning rate", (name) => {
    expect(() => new (ctor(name))([weight()], { lr: -0.1 })).toThrow(OptionError);
    expect(() => new (ctor(name))([weight()], { lr: -0.1 })).toThrow(new RegExp(`^${name}: invalid learning rate: -0.1`));
  });

  it.each(ALL)("%s: unknown option", (name) => {
    expect(() => new (ctor(name))([weight()], { lr: 0.1, nesterovv: true })).toThrow(new RegExp(`^${name}: unknown option 'nesterovv'`));
  });

  it.each(WITH_BETAS)("%s: betas outside [0, 1)", (name) => {
    expect(() => new (ctor(name))([weight()], { betas: [1, 0.999] })).toThrow(new RegExp(`^${name}: invalid beta parameter at index 0: 1`));
    expect(() => new (ctor(name))([weight()], { betas: [0.9, -0.5] })).toThrow(new RegExp(`^${name}: invalid beta parameter at index 1: -0.5`));
    expect(() => new (ctor(name))([weight()], { betas: [0.9] })).toThrow(new RegExp(`^${name}: betas must be a pair`));
  });

  it("SGD: nesterov needs momentum and no dampening", () => {
    expect(() => new optim.SGD([weight()], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true })).toThrow(/^SGD: nesterov momentum requires .* zero dampening/);
    expect(() => new optim.SGD([weight()], { lr: 0.1, nesterov: true })).toThrow(/^SGD: nesterov momentum requires a momentum > 0/);
  });

  it("rule-specific options", () => {
    const cases: [() => unknown, RegExp][] = [
      [() => new optim.Adadelta([weight()], { rho: 1.5 }), /^Adadelta: invalid rho value: 1.5/],
      [() => new optim.Rprop([weight()], { etas: [1.5, 1.2] }), /^Rprop: invalid etas/],
      [() => new optim.Rprop([weight()], { stepSizes: [1, 0.1] }), /^Rprop: invalid stepSizes/],
      [() => new optim.ASGD([weight()], { weightDecay: -1 }), /^ASGD: invalid weightDecay value: -1/],
      [() => new optim.NAdam([weight()], { momentumDecay: -1 }), /^NAdam: invalid momentumDecay value: -1/],
      [() => new optim.AdamW([weight()], { eps: -1 }), /^AdamW: invalid epsilon value: -1/],
      [() => new optim.LBFGS([weight()], { lineSearchFn: "armijo" as never }), /^LBFGS: invalid lineSearchFn/],
      [() => new optim.LBFGS([weight()], { historySize: 0 }), /^LBFGS: invalid historySize value: 0/],
      [() => new optim.LBFGS([{ params: [weight()] }, { params: [weight()] }]), /^LBFGS: doesn't support per-parameter options/],
      [() => new optim.Muon([weight()], { momentum: 1 }), /^Muon: invalid momentum value: 1/],
      [() => new optim.Muon([weight()], { nsSteps: 0 }), /^Muon: invalid nsSteps value: 0/],
      [() => new optim.Prodigy([weight()], { d0: 0 }), /^Prodigy: invalid d0 value: 0/],
      [() => new optim.Prodigy([weight()], { growthRate: 0.5 }), /^Prodigy: invalid growthRate value: 0.5/],
      [() => new optim.ScheduleFreeSGD([weight()], { momentum: 1 }), /^ScheduleFreeSGD: invalid momentum value: 1/],
      [() => new optim.ScheduleFreeAdamW([weight()], { betas: [0, 0.999] }), /^ScheduleFreeAdamW: invalid beta parameter at index 0: 0 \(must be > 0/],
      [() => new optim.Lion([weight()], { weightDecay: -0.1 }), /^Lion: invalid weightDecay value: -0.1/],
    ];
    for (const [make, message] of cases) {
      expect(make).toThrow(OptionError);
      expect(make).toThrow(message);
    }
  });

  it("an invalid group leaves the optimizer as it was", () => {
    const opt = new optim.AdamW([weight()], { lr: 0.01 });
    expect(() => opt.addParamGroup({ params: [weight()], betas: [0.9, 1] })).toThrow(/AdamW: invalid beta parameter at index 1: 1/);
    expect(opt.paramGroups.length).toBe(1);
    expect(() => opt.loadStateDict({ state: {}, paramGroups: [] } as never)).toThrow(/AdamW.loadStateDict: loaded state dict has 0 parameter groups/);
    expect(opt.paramGroups[0]!.lr).toBe(0.01);
  });

  it("LBFGS needs a closure; Schedule-Free refuses to step in eval mode", () => {
    const p = weight();
    p.sum().backward();
    expect(() => new optim.LBFGS([p]).step()).toThrow(/LBFGS: step\(\) needs a closure/);
    const sf = new optim.ScheduleFreeAdamW([p]);
    sf.eval();
    expect(() => sf.step()).toThrow(/ScheduleFreeAdamW: step\(\) called in eval mode/);
    sf.train();
    expect(() => sf.step()).not.toThrow();
  });
});

describe("parameter groups", () => {
  // (LBFGS has one group; Prodigy shares one step size across groups; Rprop's lr is only its initial step.)
  it.each(ALL.filter((n) => !["LBFGS", "Prodigy", "Rprop"].includes(n)))("%s: each group steps with its own options", (name) => {
    const [a, b] = [weight(), weight()];
    const opt = new (ctor(name))([{ params: [a] }, { params: [b], lr: 0 }], { lr: 0.01 });
    expect(opt.paramGroups.map((g) => (g as unknown as { lr: number }).lr)).toEqual([0.01, 0]);
    a.pow(2).sum().add(b.pow(2).sum()).backward();
    const before = Array.from(b.toTypedArray());
    opt.step();
    expect(Array.from(b.toTypedArray())).toEqual(before); // lr 0: untouched (decay is γλ, so it too)
    expect(Array.from(a.toTypedArray())).not.toEqual(before);
  });
});
