/**
 * Misuse of optimizers is refused where it enters, as strictly as the constructor refuses bad
 * options: a loaded state dict is checked whole (the rule's name, each group's options by the
 * rule's own checks, each parameter's state: the entries the rule keeps, their types, shapes,
 * dtypes and counts) before anything changes; options of the wrong type and duplicate parameters
 * are refused at construction. Every refusal is an OptionError naming the key and the value.
 */
import { describe, expect, it } from "vitest";
import { nn, optim, OptionError, tensor, Tensor, zeros } from "../packages/nabla/src/index.js";
import { errorOf, values } from "./helpers.js";

type Opt = optim.Optimizer;
type Dict = { name?: string; state: Record<string, Record<string, unknown>>; paramGroups: Record<string, unknown>[] };

const weight = () => new nn.Parameter(tensor([[0.5, -0.25], [1.5, 2.0]]));
const bias = () => new nn.Parameter(tensor([0.1, -0.3]));

/** Each rule with options that make it keep every kind of state it has, and the entries a state must then hold. */
const RULES: { name: string; make: (p: nn.Parameter[]) => Opt; required: string[]; closure?: boolean }[] = [
  { name: "SGD", make: (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 }), required: ["momentum_buffer"] },
  { name: "Adam", make: (p) => new optim.Adam(p, { amsgrad: true }), required: ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"] },
  { name: "AdamW", make: (p) => new optim.AdamW(p), required: ["step", "exp_avg", "exp_avg_sq"] },
  { name: "Adamax", make: (p) => new optim.Adamax(p), required: ["step", "exp_avg", "exp_inf"] },
  { name: "NAdam", make: (p) => new optim.NAdam(p), required: ["step", "mu_product", "exp_avg", "exp_avg_sq"] },
  { name: "RAdam", make: (p) => new optim.RAdam(p), required: ["step", "exp_avg", "exp_avg_sq"] },
  { name: "Adagrad", make: (p) => new optim.Adagrad(p), required: ["step", "sum"] },
  { name: "Adadelta", make: (p) => new optim.Adadelta(p), required: ["step", "square_avg", "acc_delta"] },
  { name: "RMSprop", make: (p) => new optim.RMSprop(p, { centered: true, momentum: 0.5 }), required: ["step", "square_avg", "grad_avg", "momentum_buffer"] },
  { name: "Rprop", make: (p) => new optim.Rprop(p), required: ["step", "prev", "step_size"] },
  { name: "ASGD", make: (p) => new optim.ASGD(p), required: ["step", "eta", "mu", "ax"] },
  { name: "LBFGS", make: (p) => new optim.LBFGS(p, { historySize: 3 }), required: ["func_evals", "n_iter"], closure: true },
  { name: "Lion", make: (p) => new optim.Lion(p), required: ["exp_avg"] },
  { name: "ScheduleFreeAdamW", make: (p) => new optim.ScheduleFreeAdamW(p), required: ["z", "exp_avg_sq"] },
  { name: "ScheduleFreeSGD", make: (p) => new optim.ScheduleFreeSGD(p), required: ["z"] },
  { name: "Prodigy", make: (p) => new optim.Prodigy(p), required: ["p0", "exp_avg", "exp_avg_sq", "s"] },
  { name: "Muon", make: (p) => new optim.Muon(p), required: ["momentum_buffer"] },
];

/** An optimizer of `rule` over a weight and a bias, after two steps. */
function trained(rule: (typeof RULES)[number]): { opt: Opt; params: nn.Parameter[] } {
  const params = [weight(), bias()];
  const opt = rule.make(params);
  const loss = () => {
    opt.zeroGrad();
    const l = params[0]!.matmul(params[1]!).pow(2).sum().add(params[1]!.pow(2).sum());
    l.backward();
    return l;
  };
  for (let i = 0; i < 2; i++) {
    if (rule.closure) opt.step(loss);
    else {
      loss();
      opt.step();
    }
  }
  return { opt, params };
}

/** Everything an optimizer holds, as plain values (tensors as their numbers), to see that nothing changed. */
function snapshot(opt: Opt): string {
  return JSON.stringify(opt.stateDict(), (_k, v: unknown) => (v instanceof Tensor ? { dtype: v.dtype, shape: v.shape, values: values(v) } : v));
}

/** A deep copy of a state dict that can be edited: tensors shared (loading copies them), everything else copied. */
function editable(opt: Opt): Dict {
  const copy = (v: unknown): unknown =>
    v instanceof Tensor ? v : Array.isArray(v) ? v.map(copy) : typeof v === "object" && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])) : v;
  return copy(opt.stateDict()) as Dict;
}

/** Loading `dict` throws an OptionError matching `message`, and the optimizer is exactly as before. */
function expectRefused(opt: Opt, dict: unknown, message: RegExp): void {
  const before = snapshot(opt);
  const e = errorOf(() => opt.loadStateDict(dict as never));
  expect(e, String(e)).toBeInstanceOf(OptionError);
  expect(e.message).toMatch(message);
  expect(snapshot(opt)).toBe(before);
}

describe("optimizer.loadStateDict refuses what is not a state dict of this rule", () => {
  const adam = () => trained(RULES[1]!).opt;

  it("not a state dict at all: null, a number, a list, an object of another class", () => {
    const opt = adam();
    for (const bad of [null, undefined, 42, "state", [], new Map(), Object.create(opt.stateDict())]) {
      expectRefused(opt, bad, /^Adam\.loadStateDict: expected a state dict \{ state, paramGroups \}, got /);
    }
  });

  it("the state dict of another rule: by its name, and by its options when it has none", () => {
    const opt = adam();
    const sgd = trained(RULES[0]!).opt.stateDict() as unknown as Dict;
    expectRefused(opt, sgd, /^Adam\.loadStateDict: the state dict is from "SGD", not Adam$/);
    delete sgd.name;
    expectRefused(opt, sgd, /^Adam\.loadStateDict: paramGroups\[0\] has unknown option 'momentum' \(Adam's options: lr, betas, eps, weightDecay, amsgrad, maximize\)$/);
    const adamw = trained(RULES[2]!).opt.stateDict();
    expectRefused(opt, adamw, /the state dict is from "AdamW", not Adam/);
  });

  it("group options of the wrong type or out of the range the constructor allows", () => {
    const opt = adam();
    const cases: [(g: Record<string, unknown>) => void, RegExp][] = [
      [(g) => (g.lr = "fast"), /^Adam\.loadStateDict: paramGroups\[0\]: invalid lr: "fast" \(must be a number\)$/],
      [(g) => (g.lr = -1), /^Adam\.loadStateDict: paramGroups\[0\]: invalid learning rate: -1 \(lr must be a number >= 0\)$/],
      [(g) => (g.lr = NaN), /paramGroups\[0\]: invalid lr: NaN/],
      [(g) => (g.betas = [2, 0.999]), /paramGroups\[0\]: invalid beta parameter at index 0: 2/],
      [(g) => (g.betas = [0.9]), /paramGroups\[0\]: betas must be a pair \[beta1, beta2\], got \[0.9\]/],
      [(g) => (g.betas = "0.9,0.999"), /paramGroups\[0\]: invalid betas: "0.9,0.999" \(must be a list of numbers\)/],
      [(g) => (g.eps = -1e-8), /paramGroups\[0\]: invalid epsilon value: -1e-8/],
      [(g) => (g.amsgrad = "yes"), /paramGroups\[0\]: invalid amsgrad: "yes" \(must be true or false\)/],
      [(g) => delete g.eps, /paramGroups\[0\] has no option 'eps'/],
      [(g) => (g.momentum = 0.9), /paramGroups\[0\] has unknown option 'momentum'/],
      [(g) => (g.params = "0,1"), /paramGroups\[0\]\.params must be a list of parameter indices, got "0,1"/],
      [(g) => (g.params = [0]), /group 0 has 1 parameters in the state dict and 2 here/],
      [(g) => (g.params = [0, 0]), /parameter index 0 appears twice in paramGroups/],
      [(g) => (g.params = [0, -1]), /paramGroups\[0\]\.params\[1\] must be a parameter index, got -1/],
      [(g) => (g.params = [0, 1.5]), /paramGroups\[0\]\.params\[1\] must be a parameter index, got 1.5/],
    ];
    for (const [edit, message] of cases) {
      const dict = editable(opt);
      edit(dict.paramGroups[0]!);
      expectRefused(opt, dict, message);
    }
  });

  it("per-parameter state: a step that is not a count, a missing buffer, a wrong shape or dtype, an entry the rule does not keep", () => {
    const opt = adam();
    const cases: [(s: Record<string, unknown>) => void, RegExp][] = [
      [(s) => (s.step = "abc"), /^Adam\.loadStateDict: state\[0\]\.step must be a non-negative integer, got "abc"$/],
      [(s) => (s.step = -1), /state\[0\]\.step must be a non-negative integer, got -1/],
      [(s) => (s.step = 1.5), /state\[0\]\.step must be a non-negative integer, got 1.5/],
      [(s) => (s.step = tensor([2])), /state\[0\]\.step must be a non-negative integer, got a float32 Tensor of shape \[1\]/],
      [(s) => delete s.exp_avg_sq, /^Adam\.loadStateDict: state\[0\] has no 'exp_avg_sq' \(Adam needs it with these options\)$/],
      [(s) => delete s.max_exp_avg_sq, /state\[0\] has no 'max_exp_avg_sq'/],
      [(s) => (s.exp_avg = zeros([4])), /state\[0\]\.exp_avg must have the parameter's shape \[2, 2\], got a float32 Tensor of shape \[4\]/],
      [(s) => (s.exp_avg = tensor([[1, 2], [3, 4]], { dtype: "int32" })), /state\[0\]\.exp_avg must be a float32 or float64 Tensor, got an int32 Tensor of shape \[2, 2\]/],
      [(s) => (s.exp_avg = 0), /state\[0\]\.exp_avg must be a Tensor of the parameter's shape \[2, 2\], got 0/],
      [(s) => (s.momentum_buffer = zeros([2, 2])), /state\[0\] has an entry 'momentum_buffer' that Adam does not keep \(it keeps: step, exp_avg, exp_avg_sq, max_exp_avg_sq\)/],
    ];
    for (const [edit, message] of cases) {
      const dict = editable(opt);
      edit(dict.state[0]!);
      expectRefused(opt, dict, message);
    }
  });

  it("the shape of the dict itself: its keys, the groups, the state's keys", () => {
    const opt = adam();
    const cases: [(d: Dict & Record<string, unknown>) => void, RegExp][] = [
      [(d) => (d.extra = 1), /unexpected key 'extra' in the state dict \(expected name, state and paramGroups\)/],
      [(d) => (d.paramGroups = {} as never), /paramGroups must be a list, got an object/],
      [(d) => (d.paramGroups = []), /loaded state dict has 0 parameter groups, this optimizer has 1/],
      [(d) => (d.paramGroups = [null as never]), /paramGroups\[0\] must be an object, got null/],
      [(d) => (d.state = null as never), /state must be an object of per-parameter states, got null/],
      [(d) => (d.state["5"] = d.state["0"]!), /state for unknown parameter index "5"/],
      [(d) => (d.state["01"] = d.state["0"]!), /state for unknown parameter index "01"/],
      [(d) => (d.state["0"] = "x" as never), /state\[0\] must be an object, got "x"/],
    ];
    for (const [edit, message] of cases) {
      const dict = editable(opt) as Dict & Record<string, unknown>;
      edit(dict);
      expectRefused(opt, dict, message);
    }
  });

  it("a buffer of the other float dtype is accepted and takes the parameter's dtype (as PyTorch casts it)", () => {
    const { opt, params } = trained(RULES[1]!);
    const dict = editable(opt);
    const expAvg = dict.state[0]!.exp_avg as Tensor;
    dict.state[0]!.exp_avg = expAvg.double();
    opt.loadStateDict(dict as never);
    const loaded = opt.state.get(params[0]!)!.exp_avg as Tensor;
    expect(loaded.dtype).toBe("float32");
    expect(values(loaded)).toEqual(values(expAvg));
  });
});

describe("every rule checks every entry of its state and every option of its groups", () => {
  it.each(RULES.map((r) => [r.name, r] as const))("%s", (_name, rule) => {
    const { opt } = trained(rule);
    const good = editable(opt);
    const state = good.state[0]!;
    // The entries the rule needs with these options are all there, and each is required.
    expect(Object.keys(state)).toEqual(expect.arrayContaining(rule.required));
    for (const key of rule.required) {
      const dict = editable(opt);
      delete dict.state[0]![key];
      expectRefused(opt, dict, new RegExp(`^${rule.name}\\.loadStateDict: state\\[0\\] has no '${key}'`));
    }
    for (const [key, value] of Object.entries(state)) {
      // A string is never a valid state value.
      const dict = editable(opt);
      dict.state[0]![key] = "abc";
      expectRefused(opt, dict, new RegExp(`^${rule.name}\\.loadStateDict: state\\[0\\]\\.${key} .*got "abc"`));
      // A tensor one element longer is never the right shape.
      const tensors = value instanceof Tensor ? [value] : Array.isArray(value) ? value.filter((v) => v instanceof Tensor) : [];
      if (tensors.length > 0) {
        const longer = zeros([tensors[0]!.numel() + 1]);
        const edited = editable(opt);
        edited.state[0]![key] = Array.isArray(value) ? value.map(() => longer) : longer;
        expectRefused(opt, edited, new RegExp(`state\\[0\\]\\.${key}.* (must have the parameter's shape|must be a 1-D float Tensor of \\d+ elements)`));
      }
    }
    // Each option, given a value of the wrong type.
    for (const [key, value] of Object.entries(good.paramGroups[0]!)) {
      if (key === "params") continue;
      const wrong = typeof value === "boolean" ? "yes" : Array.isArray(value) ? ["a", 1] : typeof value === "number" || value === null ? "0.5" : 7;
      const dict = editable(opt);
      dict.paramGroups[0]![key] = wrong;
      expectRefused(opt, dict, new RegExp(`^${rule.name}\\.loadStateDict: paramGroups\\[0\\]`));
    }
    // And the untouched dict loads.
    expect(() => opt.loadStateDict(editable(opt) as never)).not.toThrow();
  });

  it("group counters: Schedule-Free's step count and mode, Prodigy's step-size estimate", () => {
    const sf = trained(RULES[13]!).opt;
    for (const [key, bad, message] of [
      ["k", -1, /paramGroups\[0\]\.k must be a non-negative integer, got -1/],
      ["trainMode", "yes", /paramGroups\[0\]\.trainMode must be true or false, got "yes"/],
      ["weightSum", -2, /paramGroups\[0\]\.weightSum must be a finite number >= 0, got -2/],
    ] as const) {
      const dict = editable(sf);
      dict.paramGroups[0]![key] = bad;
      expectRefused(sf, dict, message);
    }
    const prodigy = trained(RULES[15]!).opt;
    const dict = editable(prodigy);
    dict.paramGroups[0]!.d = 0;
    expectRefused(prodigy, dict, /^Prodigy\.loadStateDict: paramGroups\[0\]\.d must be a finite number > 0, got 0$/);
  });

  it("LBFGS: the history lists must be as long as each other, and no longer than historySize", () => {
    const { opt } = trained(RULES[11]!);
    const dict = editable(opt);
    const s = dict.state[0]!;
    expect((s.old_dirs as Tensor[]).length).toBeGreaterThan(0);
    s.ro = (s.ro as number[]).slice(1);
    expectRefused(opt, dict, /state\[0\]: old_dirs, old_stps and ro must be as long as each other/);
    const long = editable(opt);
    long.state[0]!.ro = [1, 2, 3, 4];
    expectRefused(opt, long, /state\[0\]\.ro must hold at most 3 entries, got 4/);
  });
});

describe("constructor and addParamGroup misuse", () => {
  const ALL = RULES.map((r) => r.name);
  const ctor = (name: string) => (optim as unknown as Record<string, new (p: unknown, o?: unknown) => Opt>)[name]!;

  it.each(ALL)("%s: an option of the wrong type is refused, naming it", (name) => {
    const defaults = new (ctor(name))([weight()]).defaults;
    for (const [key, value] of Object.entries(defaults)) {
      const wrong = typeof value === "boolean" ? 1 : Array.isArray(value) ? "0.9, 0.99" : "0.1";
      const e = errorOf(() => new (ctor(name))([weight()], { [key]: wrong }));
      expect(e, `${name}.${key}`).toBeInstanceOf(OptionError);
      expect(e.message).toMatch(new RegExp(`^${name}: invalid .*${JSON.stringify(wrong).replace(/[.*+?()[\]]/g, "\\$&")}`));
    }
  });

  it("{ lr: '0.1' } is refused (JavaScript's '0.1' >= 0 is true)", () => {
    expect(() => new optim.SGD([weight()], { lr: "0.1" as never })).toThrow(/^SGD: invalid lr: "0.1" \(must be a number\)$/);
    expect(() => new optim.SGD([{ params: [weight()], lr: "0.1" as never }])).toThrow(/^SGD: invalid lr: "0.1"/);
  });

  it("a parameter twice in a group is refused (PyTorch only warns), and across groups", () => {
    const p = weight();
    expect(() => new optim.SGD([p, p], { lr: 1 })).toThrow(/^SGD: parameter 1 of a group is the same tensor as parameter 0 \(a parameter may appear only once\)$/);
    expect(() => new optim.Adam([{ params: [p] }, { params: [bias(), p] }])).toThrow(/^Adam: some parameters appear in more than one parameter group \(parameter 1\)$/);
    const opt = new optim.SGD([p], { lr: 1 });
    const q = bias();
    expect(() => opt.addParamGroup({ params: [q, q] })).toThrow(OptionError);
    expect(opt.paramGroups.length).toBe(1);
  });

  it("params that are not a list of tensors or groups, and options that are not an object", () => {
    const p = weight();
    expect(() => new optim.SGD(p as never)).toThrow(/^SGD: params must be an iterable of Tensors or of parameter groups, got a float32 Tensor of shape \[2, 2\] \(wrap one tensor in a list: \[p\]\)$/);
    expect(() => new optim.SGD(null as never)).toThrow(/^SGD: params must be an iterable .* got null/);
    expect(() => new optim.SGD([p, 3] as never)).toThrow(/^SGD: parameter 1 is not a Tensor, got 3/);
    expect(() => new optim.SGD([p], null as never)).toThrow(/^SGD: options must be an object, got null/);
    expect(() => new optim.SGD([p], { toString: 1 } as never)).toThrow(/^SGD: unknown option 'toString'/);
    expect(() => new optim.SGD([{ params: p }] as never)).toThrow(/^SGD: a parameter group's params must be an iterable of Tensors, got a float32 Tensor/);
    const opt = new optim.SGD([p]);
    expect(() => opt.addParamGroup(null as never)).toThrow(/^SGD: a parameter group must be an object \{ params, \.\.\.options \}, got null/);
    expect(() => opt.addParamGroup({ params: [bias()], constructor: 1 } as never)).toThrow(/^SGD: unknown option 'constructor'/);
    expect(opt.paramGroups.length).toBe(1);
  });

  it("optimizer state dicts carry the rule's name", () => {
    expect(new optim.RMSprop([weight()]).stateDict().name).toBe("RMSprop");
  });
});
