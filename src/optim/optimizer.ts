/**
 * The base of every weight-update rule: parameter groups with their own options, per-parameter
 * state, zeroGrad, and a state dict from which training resumes exactly.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { OptionError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import type { TypedArray } from "../tensor/dtype.js";
import { full } from "../ops/creation.js";

/** A group of parameters sharing options; options left out take the optimizer's defaults. */
export type ParamGroupSpec<O> = { params: Iterable<Tensor> } & Partial<O>;
export type ParamGroup<O> = { params: Tensor[] } & O;

/** Per-parameter state: numbers (step counts), tensors (moment estimates), and lists of them (LBFGS's history). */
export type ParamState = Record<string, number | Tensor | null | (number | Tensor)[]>;

export interface OptimizerStateDict<O> {
  state: Record<number, ParamState>;
  paramGroups: ({ params: number[] } & O)[];
}

export type Closure = () => Tensor | number;

export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[] = [];
  readonly state = new Map<Tensor, ParamState>();

  /** The options every group starts from: the rule's defaults overridden by the constructor's options. */
  readonly defaults: O;

  constructor(
    /** The optimizer's name, used in error messages. */
    protected readonly name: string,
    params: Iterable<Tensor> | Iterable<ParamGroupSpec<O>>,
    ruleDefaults: O,
    options: Partial<O>,
  ) {
    this.checkKeys(options, ruleDefaults);
    this.defaults = { ...ruleDefaults, ...options };
    const list = Array.from(params as Iterable<Tensor | ParamGroupSpec<O>>);
    if (list.length === 0) throw new OptionError(`${name}: optimizer got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] } as unknown as ParamGroupSpec<O>] : (list as ParamGroupSpec<O>[]);
    for (const group of groups) this.addParamGroup(group);
  }

  /** State keys holding tensors not of the parameter's size (LBFGS's flat vectors): not size-checked on load. */
  protected readonly flatStateKeys: ReadonlySet<string> = new Set();

  /** Checks the options of a group; throws an OptionError naming the optimizer and the option. */
  protected abstract validate(options: O): void;

  /** Adds a group of parameters with its own options (e.g. a smaller lr for a pretrained body). */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    const { params, ...rest } = spec;
    this.checkKeys(rest, this.defaults);
    const options = { ...this.defaults, ...rest } as O;
    this.validate(options);
    const list = Array.from(params);
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    list.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${this.name}: parameter ${i} is not a Tensor`);
      if (!p.isLeaf) throw new OptionError(`${this.name}: can't optimize a non-leaf Tensor (parameter ${i})`);
      if (seen.has(p)) throw new OptionError(`${this.name}: some parameters appear in more than one parameter group`);
    });
    this.paramGroups.push({ ...options, params: list } as ParamGroup<O>);
  }

  private checkKeys(options: object, known: O): void {
    for (const key of Object.keys(options)) {
      if (!(key in known)) throw new OptionError(`${this.name}: unknown option '${key}' (known: ${Object.keys(known).join(", ")})`);
    }
  }

  /** Clears every parameter's gradient (to null by default, as PyTorch 2 does). */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) p.grad = null;
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
    noGrad(() => {
      for (const group of this.paramGroups) this.stepGroup(group);
    });
    return loss;
  }

  /**
   * Updates every parameter of one group that has a gradient. Rules with per-group work around
   * the updates (the schedule-free optimizers' schedule) override this around `super.stepGroup`.
   */
  protected stepGroup(group: ParamGroup<O>): void {
    for (const p of group.params) {
      if (p.grad === null) continue;
      let state = this.state.get(p);
      if (state === undefined) this.state.set(p, (state = {}));
      this.updateParameter(flatForUpdate(p), flat(p.grad.contiguous()), state, group, p);
    }
  }

  /** The update rule for one parameter, on flat arrays of its values and gradient. */
  protected abstract updateParameter(param: TypedArray, grad: TypedArray, state: ParamState, group: O, p: Tensor): void;

  /** A flat buffer of state for `p`, created zero-filled (or filled with `init`) on first use. */
  protected buffer(state: ParamState, key: string, p: Tensor, init = 0): TypedArray {
    let t = state[key];
    if (!(t instanceof Tensor)) {
      t = full(p.shape, init, { dtype: p.dtype });
      state[key] = t;
    }
    return flat(t);
  }

  /** Everything needed to resume: state by parameter index, groups with options. Tensors are copied. */
  stateDict(): OptimizerStateDict<O> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...options } = group;
      return { ...structuredCopy(options as unknown as O), params: params.map((p) => index.set(p, index.size).get(p)!) };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, copyStateValue(v)]));
    }
    return { state, paramGroups };
  }

  /** Restores a state dict from an optimizer over parameters of the same shapes, in the same groups. */
  loadStateDict(stateDict: OptimizerStateDict<O>): void {
    const groups = stateDict.paramGroups;
    if (!Array.isArray(groups) || groups.length !== this.paramGroups.length) {
      throw new OptionError(
        `${this.name}.loadStateDict: loaded state dict has ${groups?.length} parameter groups, this optimizer has ${this.paramGroups.length}`,
      );
    }
    const byIndex = new Map<number, Tensor>();
    groups.forEach((g, gi) => {
      const own = this.paramGroups[gi]!.params;
      if (g.params.length !== own.length) {
        throw new OptionError(
          `${this.name}.loadStateDict: group ${gi} has ${g.params.length} parameters in the state dict and ${own.length} here`,
        );
      }
      g.params.forEach((index, k) => byIndex.set(index, own[k]!));
    });
    for (const [key, s] of Object.entries(stateDict.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) throw new OptionError(`${this.name}.loadStateDict: state for unknown parameter index ${key}`);
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor && v.dim() > 0 && v.numel() !== p.numel() && !this.flatStateKeys.has(k)) {
          throw new OptionError(`${this.name}.loadStateDict: state for parameter ${key} has ${v.numel()} elements, the parameter ${p.numel()}`);
        }
      }
    }
    // Everything checked: now change state.
    this.state.clear();
    for (const [key, s] of Object.entries(stateDict.state)) {
      const p = byIndex.get(Number(key))!;
      this.state.set(p, Object.fromEntries(Object.entries(s).map(([k, v]) => [k, copyStateValue(v, this.flatStateKeys.has(k) ? undefined : p)])));
    }
    groups.forEach((g, gi) => {
      const { params: _indices, ...options } = g;
      Object.assign(this.paramGroups[gi]!, structuredCopy(options));
    });
  }
}

/**
 * A copy of one state value that shares no buffer with the original. Tensors of a parameter's size
 * take its dtype and shape when `p` is given; scalar tensors and lists (LBFGS's history) are copied as they are.
 */
function copyStateValue(v: ParamState[string], p?: Tensor): ParamState[string] {
  if (Array.isArray(v)) return v.map((x) => copyStateValue(x) as number | Tensor);
  if (!(v instanceof Tensor)) return v;
  if (p !== undefined && v.numel() === p.numel()) return v.to(p.dtype).clone().reshape(p.shape);
  return v.clone();
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
  return t.storage.data.subarray(t.offset, t.offset + t.numel());
}

/**
 * flat(p) for a parameter the caller is about to change in place: bumps its version, so that a
 * graph that saved the old values refuses to backward through them (as after PyTorch's step()).
 */
export function flatForUpdate(p: Tensor): TypedArray {
  p.storage.version++;
  return flat(p);
}
