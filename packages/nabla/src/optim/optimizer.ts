/**
 * The base of every weight-update rule: parameter groups with their own options, per-parameter
 * state, zeroGrad, and a state dict from which training resumes exactly.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { clearGrad } from "../autograd/clear-grad.js";
import { owned } from "../memory/ownership.js";
import { OptionError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import type { TypedArray } from "../tensor/dtype.js";
import { contiguousData } from "../ops/helpers.js";
import { copyState, type StateSpec } from "./state-fields.js";
import { checkOptionType, describeValue, isIterable, isRecord } from "./validate.js";

/** What every rule's options hold: the learning rate, which schedulers read and write. */
export interface OptimizerOptions {
  lr: number;
}

/** A group of parameters sharing options; options left out take the optimizer's defaults. */
export type ParamGroupSpec<O> = { params: Iterable<Tensor> } & Partial<O>;
export type ParamGroup<O extends OptimizerOptions = OptimizerOptions> = { params: Tensor[] } & O;

/** One entry of a parameter's state: a step count, a moment estimate, a list of them (LBFGS's history). */
export type StateValue = number | Tensor | null | (number | Tensor)[];

/**
 * Per-parameter state, as any rule may keep it. Each rule declares its own as a record type
 * (AdamState: step, exp_avg, exp_avg_sq, …), which fits this one.
 */
export type ParamState = Record<string, StateValue>;

export interface OptimizerStateDict<O extends OptimizerOptions = OptimizerOptions, S extends object = ParamState> {
  /** The rule that wrote it (`"Adam"`); a state dict of another rule is refused. Optional on load. */
  name?: string;
  state: Record<number, S>;
  paramGroups: ({ params: number[] } & O)[];
}

export type Closure = () => Tensor | number;

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/**
 * `O`: the rule's options (each group holds all of them); `S`: what the rule keeps per parameter.
 * A rule writes its update once, in tensor ops (`updateParameter`, the reference), and may hand
 * it to a fused kernel of the backend where one is offered (src/optim/fused.ts).
 */
export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions, S extends object = ParamState> {
  readonly paramGroups: ParamGroup<O>[] = [];
  readonly state = new Map<Tensor, S>();

  /** The options every group starts from: the rule's defaults overridden by the constructor's options. */
  readonly defaults: O;

  /** The rule's own defaults: which options exist, and the type each must have. */
  private readonly ruleDefaults: O;

  constructor(
    /** The optimizer's name, used in error messages. */
    protected readonly name: string,
    params: Iterable<Tensor> | Iterable<ParamGroupSpec<O>>,
    ruleDefaults: O,
    options: Partial<O> | number,
  ) {
    // PyTorch's positional habit: optim.SGD(params, 0.1) gives the learning rate
    if (typeof options === "number") options = { lr: options } as unknown as Partial<O>;
    this.ruleDefaults = ruleDefaults;
    if (!isRecord(options)) throw new OptionError(`${name}: options must be an object, got ${describeValue(options)}`);
    this.checkOptionTypes(options);
    this.defaults = { ...ruleDefaults, ...options };
    if (params instanceof Tensor || !isIterable(params)) {
      throw new OptionError(
        `${name}: params must be an iterable of Tensors or of parameter groups, got ${describeValue(params)}` + (params instanceof Tensor ? " (wrap one tensor in a list: [p])" : ""),
      );
    }
    const list = Array.from(params as Iterable<Tensor | ParamGroupSpec<O>>);
    if (list.length === 0) throw new OptionError(`${name}: optimizer got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] } as unknown as ParamGroupSpec<O>] : (list as ParamGroupSpec<O>[]);
    for (const group of groups) this.addParamGroup(group);
  }

  /** Checks the options of a group; throws an OptionError naming the optimizer and the option. */
  protected abstract validate(options: O): void;

  /**
   * The entries of one parameter's state under `group`'s options: what `loadStateDict` accepts.
   * Written next to the update rule, so that what it reads and what a loaded state must hold agree.
   */
  protected abstract stateSpec(group: O, p: Tensor): StateSpec;

  /** Counters a rule keeps in each parameter group (Schedule-Free's k, Prodigy's d), all optional. */
  protected groupStateSpec(): StateSpec {
    return {};
  }

  /** Checks across the entries of one loaded state (LBFGS's lists of equal length); a problem, or null. */
  protected checkStateEntries(_state: Record<string, unknown>, _group: O): string | null {
    return null;
  }

  /** Adds a group of parameters with its own options (e.g. a smaller lr for a pretrained body). */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    if (!isRecord(spec) || !hasOwn(spec, "params")) {
      throw new OptionError(`${this.name}: a parameter group must be an object { params, ...options }, got ${describeValue(spec)}`);
    }
    const { params, ...rest } = spec;
    if (params instanceof Tensor || !isIterable(params)) {
      throw new OptionError(`${this.name}: a parameter group's params must be an iterable of Tensors, got ${describeValue(params)}`);
    }
    this.checkOptionTypes(rest);
    const options = { ...this.defaults, ...rest } as O;
    this.validate(options);
    const list = Array.from(params);
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    const inGroup = new Map<Tensor, number>();
    list.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new OptionError(`${this.name}: parameter ${i} is not a Tensor, got ${describeValue(p)}`);
      if (!p.isLeaf) throw new OptionError(`${this.name}: can't optimize a non-leaf Tensor (parameter ${i})`);
      if (seen.has(p)) throw new OptionError(`${this.name}: some parameters appear in more than one parameter group (parameter ${i})`);
      // PyTorch only warns here; updating the same tensor twice per step is never what was meant.
      if (inGroup.has(p)) throw new OptionError(`${this.name}: parameter ${i} of a group is the same tensor as parameter ${inGroup.get(p)} (a parameter may appear only once)`);
      inGroup.set(p, i);
    });
    this.paramGroups.push({ ...options, params: list } as ParamGroup<O>);
  }

  /** Unknown options and options of the wrong type are refused, naming the option. */
  private checkOptionTypes(options: object): void {
    const known = this.ruleDefaults as Record<string, unknown>;
    for (const [key, value] of Object.entries(options)) {
      if (!hasOwn(known, key)) throw new OptionError(`${this.name}: unknown option '${key}' (known: ${Object.keys(known).join(", ")})`);
      checkOptionType(this.name, key, value, known[key]);
    }
  }

  /** Clears every parameter's gradient (to null by default, as PyTorch 2 does). */
  /**
   * Clears every parameter's gradient: drops it (setToNone, the default, as PyTorch) or zeroes it.
   * A dropped gradient that backward made is freed at once, so a loop's gradients do not pile up
   * waiting for the collector; keep one past zeroGrad with `g.clone()` (or memory.keep(g)).
   */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) clearGrad(p);
        else if (p.grad !== null) noGrad(() => p.grad!.zero_());
      }
    }
  }

  /**
   * One update of every parameter that has a gradient. `closure`, if given, re-evaluates the
   * loss (with grad) and its value is returned.
   */
  step(closure?: Closure): number | undefined {
    const loss = evaluateClosure(closure);
    this.update(() => {
      for (const group of this.paramGroups) this.stepGroup(group);
    });
    return loss;
  }

  /**
   * Runs an update under noGrad in an ownership scope: temporaries are freed when it ends; the
   * state (and the parameters and their gradients) are kept.
   */
  protected update(body: () => void): void {
    noGrad(() => owned(body, () => [...this.state.values()]));
  }

  /**
   * Updates every parameter of one group that has a gradient. Rules with per-group work around
   * the updates (the schedule-free optimizers' schedule) override this around `super.stepGroup`.
   */
  protected stepGroup(group: ParamGroup<O>): void {
    for (const p of group.params) {
      const grad = p.grad;
      if (grad === null) continue;
      const state = this.stateOf(p, group);
      this.scoped(state, () => this.updateParameter(p, grad, state, group));
    }
  }

  /** The state of `p`, made by initState on its first update. */
  protected stateOf(p: Tensor, group: O): S {
    let state = this.state.get(p);
    if (state === undefined) this.state.set(p, (state = this.initState(p, group)));
    return state;
  }

  /**
   * Runs one parameter's update in an ownership scope of its own, so that its temporaries are
   * freed before the next parameter's are made (a step's peak is one parameter's, not the model's).
   */
  protected scoped(state: S, body: () => void): void {
    owned(body, () => state);
  }

  /** A parameter's state before its first update (zeroed moments, step 0), as PyTorch makes it lazily. */
  protected abstract initState(p: Tensor, group: O): S;

  /**
   * The update rule for one parameter, in place, under noGrad: the reference in tensor ops,
   * or a backend's fused kernel where the rule has one and the backend offers it.
   */
  protected abstract updateParameter(p: Tensor, grad: Tensor, state: S, group: O): void;

  /** Everything needed to resume: the rule's name, state by parameter index, groups with options. Tensors are copied. */
  stateDict(): OptimizerStateDict<O, S> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      return { ...structuredCopy(group), params: group.params.map((p) => index.set(p, index.size).get(p)!) };
    });
    const state: Record<number, S> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, copyState(v)])) as S;
    }
    return { name: this.name, state, paramGroups };
  }

  /**
   * Restores a state dict from an optimizer of the same rule over parameters of the same shapes,
   * in the same groups. Everything is checked before anything changes, as strictly as the
   * constructor checks options: the rule's name, each group's options (types and ranges, by the
   * rule's own checks), and each parameter's state (the entries the rule keeps, each buffer's
   * shape and dtype, the step count). A problem is an OptionError naming the key and the value.
   */
  loadStateDict(stateDict: OptimizerStateDict<O, S>): void {
    const { groups, state } = this.checkStateDict(stateDict as unknown);
    // Everything checked: now change state.
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
    const extras = Object.keys(this.groupStateSpec());
    groups.forEach((options, gi) => {
      const group = this.paramGroups[gi]!;
      for (const key of extras) Reflect.deleteProperty(group, key); // counters the loaded group lacks start afresh
      Object.assign(group, structuredCopy(options));
    });
  }

  /** Checks a state dict to load; returns the groups' options and the state (copied) it holds. */
  private checkStateDict(stateDict: unknown): { groups: O[]; state: Map<Tensor, S> } {
    const fail = (problem: string): never => {
      throw new OptionError(`${this.name}.loadStateDict: ${problem}`);
    };
    if (!isRecord(stateDict)) return fail(`expected a state dict { state, paramGroups }, got ${describeValue(stateDict)}`);
    for (const key of Object.keys(stateDict)) {
      if (!["name", "state", "paramGroups"].includes(key)) fail(`unexpected key '${key}' in the state dict (expected name, state and paramGroups)`);
    }
    if (hasOwn(stateDict, "name") && stateDict.name !== this.name) fail(`the state dict is from ${describeValue(stateDict.name)}, not ${this.name}`);
    const loadedGroups = hasOwn(stateDict, "paramGroups") ? stateDict.paramGroups : undefined;
    if (!Array.isArray(loadedGroups)) return fail(`paramGroups must be a list, got ${describeValue(loadedGroups)}`);
    if (loadedGroups.length !== this.paramGroups.length) {
      fail(`loaded state dict has ${loadedGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, { p: Tensor; group: number }>();
    const groupExtras = this.groupStateSpec();
    const groups = loadedGroups.map((g: unknown, gi): O => {
      if (!isRecord(g)) return fail(`paramGroups[${gi}] must be an object, got ${describeValue(g)}`);
      const own = this.paramGroups[gi]!.params;
      const indices = hasOwn(g, "params") ? g.params : undefined;
      if (!Array.isArray(indices)) return fail(`paramGroups[${gi}].params must be a list of parameter indices, got ${describeValue(indices)}`);
      if (indices.length !== own.length) fail(`group ${gi} has ${indices.length} parameters in the state dict and ${own.length} here`);
      indices.forEach((index: unknown, k) => {
        if (!(Number.isSafeInteger(index) && (index as number) >= 0)) fail(`paramGroups[${gi}].params[${k}] must be a parameter index, got ${describeValue(index)}`);
        if (byIndex.has(index as number)) fail(`parameter index ${index} appears twice in paramGroups`);
        byIndex.set(index as number, { p: own[k]!, group: gi });
      });
      const { params: _indices, ...options } = g;
      const known = this.ruleDefaults as Record<string, unknown>;
      for (const key of Object.keys(options)) {
        if (!hasOwn(known, key) && !hasOwn(groupExtras, key)) fail(`paramGroups[${gi}] has unknown option '${key}' (${this.name}'s options: ${Object.keys(known).join(", ")})`);
      }
      for (const key of Object.keys(known)) if (!hasOwn(options, key)) fail(`paramGroups[${gi}] has no option '${key}'`);
      const ruleOptions = Object.fromEntries(Object.keys(known).map((k) => [k, options[k]]));
      try {
        this.checkOptionTypes(ruleOptions);
        // every option is present (checked above), so nothing of the defaults remains
        this.validate({ ...this.ruleDefaults, ...ruleOptions });
      } catch (e) {
        if (!(e instanceof OptionError)) throw e;
        fail(`paramGroups[${gi}]: ${e.message.startsWith(`${this.name}: `) ? e.message.slice(this.name.length + 2) : e.message}`);
      }
      for (const [key, field] of Object.entries(groupExtras)) {
        const problem = hasOwn(options, key) ? field.check(options[key]) : null;
        if (problem !== null) fail(`paramGroups[${gi}].${key} ${problem}`);
      }
      return { ...this.ruleDefaults, ...options };
    });
    const loadedState = hasOwn(stateDict, "state") ? stateDict.state : undefined;
    if (!isRecord(loadedState)) return fail(`state must be an object of per-parameter states, got ${describeValue(loadedState)}`);
    const state = new Map<Tensor, S>();
    for (const [key, s] of Object.entries(loadedState)) {
      const entry = /^(0|[1-9][0-9]{0,15})$/.test(key) ? byIndex.get(Number(key)) : undefined;
      if (entry === undefined) return fail(`state for unknown parameter index ${JSON.stringify(key)}`);
      state.set(entry.p, this.checkParamState(`state[${key}]`, s, groups[entry.group]!, entry.p, fail));
    }
    return { groups, state };
  }

  /** Checks one parameter's loaded state against the rule's spec for it; returns the state to keep (copied). */
  private checkParamState(where: string, s: unknown, group: O, p: Tensor, fail: (problem: string) => never): S {
    if (!isRecord(s)) return fail(`${where} must be an object, got ${describeValue(s)}`);
    const spec = this.stateSpec(group, p);
    for (const k of Object.keys(s)) {
      if (!hasOwn(spec, k)) fail(`${where} has an entry '${k}' that ${this.name} does not keep (it keeps: ${Object.keys(spec).join(", ") || "nothing"})`);
    }
    const loaded: ParamState = {};
    for (const [k, field] of Object.entries(spec)) {
      if (!hasOwn(s, k)) {
        if (field.required) fail(`${where} has no '${k}' (${this.name} needs it with these options)`);
        continue;
      }
      const problem = field.check(s[k]);
      if (problem !== null) fail(`${where}.${k} ${problem}`);
      loaded[k] = (field.load ?? copyState)(s[k]) as StateValue;
    }
    const problem = this.checkStateEntries(s, group);
    if (problem !== null) fail(`${where}: ${problem}`);
    // every entry checked against the rule's own spec of its state, which S describes
    return loaded as S;
  }
}

/** A copy of group options: arrays (betas) are copied so that a loaded dict shares nothing. */
function structuredCopy<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, Array.isArray(v) ? v.slice() : v])) as T;
}

/** Runs a step's closure, if any, and returns its loss as a number. */
export function evaluateClosure(closure?: Closure): number | undefined {
  if (!closure) return undefined;
  const value = closure();
  return value instanceof Tensor ? value.item() : value;
}

/** The contiguous values of a tensor as a typed array view (shared, not copied). */
export function flat(t: Tensor): TypedArray {
  if (!t.isContiguous()) throw new OptionError("optimizer: parameters must be contiguous tensors");
  return contiguousData(t);
}

/**
 * flat(p) for a parameter the caller is about to change in place: bumps its version, so that a
 * graph that saved the old values refuses to backward through them (as after PyTorch's step()).
 */
export function flatForUpdate(p: Tensor): TypedArray {
  p.storage.version++;
  return flat(p);
}
