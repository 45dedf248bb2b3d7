/**
 * The base of every layer and model. Parameters and submodules are found from the module's own
 * fields in declaration order, so state-dict keys are PyTorch's (`fc1.weight`, `0.bias`).
 *
 * `Module<In, Out>` is typed by what forward takes and returns: `nn.Module` alone is a module
 * from one Tensor to a Tensor, `nn.Bilinear` is a `Module<[Tensor, Tensor], Tensor>`, and
 * `AnyModule` is what code that walks a tree of modules of every kind holds.
 *
 * The call path. PyTorch users write `model(x)`; here `model.forward(x)` and `model.call(x)` are
 * that call, and both run the same path: forward pre-hooks, then the class's forward inside an
 * ownership scope (what forward makes and neither returns nor keeps in a field is freed,
 * memory/ownership.ts), then forward hooks. The path is put on the class, not on the instance:
 * the first time a class is constructed, each `forward` its prototype chain defines is replaced
 * by a wrapper that enters the path, so every subclass's own forward is wrapped, and registering
 * a hook changes nothing but the hook list. `super.forward(x)` inside a subclass's forward runs
 * the parent's forward directly (the call is already under way); `this.forward(x)` calls again.
 * A forward assigned to an instance (`m.forward = fn`) is reached with hooks and scope only
 * through `m.call(x)`.
 */
import { isDevice, type Device } from "../backend/device.js";
import { noGrad } from "../autograd/grad-mode.js";
import { DTypeError, formatShape, OptionError, ShapeError } from "../errors.js";
import { isFloating, type DType } from "../tensor/dtype.js";
import { shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { owned } from "../memory/ownership.js";
import { clearGrad } from "../autograd/clear-grad.js";
import { addHook, newHookStore, runWithHooks, type BackwardHook, type ForwardHook, type ForwardPreHook, type HookStore, type RemovableHandle } from "./hooks.js";
import { Parameter } from "./parameter.js";
import { summarize } from "./summary.js";
import { typeName } from "./type-name.js";

export type StateDict = Record<string, Tensor>;

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** A module of any signature: what code that walks a tree of modules (children, hooks, state) holds. */
export type AnyModule = Module<unknown[], unknown>;

/** The wrappers the call path put on prototypes in place of their forward. */
const wrappers = new WeakSet<Function>();
/** Prototypes whose chain up to Module has been wrapped. */
const wrappedClasses = new WeakSet<object>();

export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** Training mode (dropout active, batch statistics) vs evaluation mode. */
  training = true;

  /** Hooks registered on this module; null until the first. */
  #hooks: HookStore | null = null;
  /** The prototypes (or this instance) whose forward runs on this module now, innermost last. */
  readonly #running: object[] = [];

  constructor() {
    // Kept off the enumerable fields so that discovery only sees the user's fields.
    Object.defineProperty(this, "bufferNames", { value: new Set<string>(), enumerable: false });
    Module.#wrapForwards(Object.getPrototypeOf(this));
  }

  declare private readonly bufferNames: Set<string>;

  /** The computation; calling it (or `call`) runs hooks and the ownership scope around it (see the top of this file). */
  abstract forward(...inputs: In): Out;

  /**
   * Calls the module, PyTorch's `module(*inputs)`: forward pre-hooks, forward, forward hooks.
   * The same as `forward(...inputs)`, and also for a forward assigned to the instance.
   */
  call(...inputs: In): Out {
    const forward: unknown = this.forward;
    if (typeof forward !== "function") throw new TypeError(`${typeName(this)}.call: the module has no forward method`);
    if (wrappers.has(forward)) return this.forward(...inputs);
    // hooks may replace the output, as in PyTorch
    return this.#run(forward, this, inputs) as Out;
  }

  /** Replaces each forward defined along the prototype chain (below Module) by the call path's wrapper, once per class. */
  static #wrapForwards(proto: object): void {
    for (let p: object | null = proto; p !== null && p !== Module.prototype && !wrappedClasses.has(p); p = Object.getPrototypeOf(p)) {
      wrappedClasses.add(p);
      const descriptor = Object.getOwnPropertyDescriptor(p, "forward");
      if (descriptor === undefined || typeof descriptor.value !== "function") continue;
      const raw: Function = descriptor.value;
      if (wrappers.has(raw)) continue;
      const owner = p;
      const forward = function forward(this: AnyModule, ...inputs: unknown[]): unknown {
        return Module.#enter(this, owner, raw, inputs);
      };
      wrappers.add(forward);
      Object.defineProperty(p, "forward", { ...descriptor, value: forward });
    }
  }

  /** A wrapper was called: a parent's forward reached by super.forward inside the call runs as it is, anything else is a new call. */
  static #enter(module: AnyModule, owner: object, raw: Function, inputs: unknown[]): unknown {
    const running = module.#running;
    const inner = running[running.length - 1];
    if (inner !== undefined && inner !== owner && Object.prototype.isPrototypeOf.call(owner, inner)) return Reflect.apply(raw, module, inputs);
    return module.#run(raw, owner, inputs);
  }

  /** The call path: hooks around the forward, which runs in an ownership scope that keeps what the module's fields hold. */
  #run(raw: Function, owner: object, inputs: unknown[]): unknown {
    const forward = (args: unknown[]): unknown => {
      this.#running.push(owner);
      try {
        return owned((): unknown => Reflect.apply(raw, this, args), () => Object.values(this));
      } finally {
        this.#running.pop();
      }
    };
    return this.#hooks === null ? forward(inputs) : runWithHooks(this, this.#hooks, inputs, forward);
  }

  // ---- discovery --------------------------------------------------------------------------

  /** Direct submodules with their field names, in declaration order. */
  *namedChildren(): Generator<[string, AnyModule]> {
    for (const [name, value] of Object.entries(this)) if (value instanceof Module) yield [name, value];
  }

  *children(): Generator<AnyModule> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and every module below it, with dotted names ("" for this one). */
  *namedModules(prefix = "", seen = new Set<AnyModule>()): Generator<[string, AnyModule]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) {
      yield* child.namedModules(prefix ? `${prefix}.${name}` : name, seen);
    }
  }

  *modules(): Generator<AnyModule> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** This module's own parameters (not its children's), in declaration order. */
  private *ownParameters(): Generator<[string, Parameter]> {
    for (const [name, value] of Object.entries(this)) if (value instanceof Parameter) yield [name, value];
  }

  /** Every parameter with its dotted name; a parameter shared by two modules appears once. */
  *namedParameters(): Generator<[string, Parameter]> {
    const seen = new Set<Parameter>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        yield [prefix ? `${prefix}.${name}` : name, p];
      }
    }
  }

  parameters(): Parameter[] {
    return Array.from(this.namedParameters(), ([, p]) => p);
  }

  /**
   * Registers a tensor that is state but not a parameter (running statistics): it is saved in
   * the state dict and reachable as `this[name]`.
   */
  registerBuffer(name: string, value: Tensor | null): void {
    if (name in this && !this.bufferNames.has(name)) {
      throw new Error(`registerBuffer: attribute '${name}' already exists on ${typeName(this)}`);
    }
    this.bufferNames.add(name);
    Reflect.set(this, name, value);
  }

  *namedBuffers(): Generator<[string, Tensor]> {
    for (const [prefix, m] of this.namedModules()) {
      for (const name of m.bufferNames) {
        const value: unknown = Reflect.get(m, name);
        if (value instanceof Tensor) yield [prefix ? `${prefix}.${name}` : name, value];
      }
    }
  }

  buffers(): Tensor[] {
    return Array.from(this.namedBuffers(), ([, b]) => b);
  }

  // ---- modes and gradients ------------------------------------------------------------------

  /** Sets training mode on this module and all below it. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of every parameter (to null, PyTorch's default, freeing the ones backward made; or to zeros). */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      if (setToNone) clearGrad(p);
      else if (p.grad !== null) noGrad(() => p.grad!.zero_());
    }
  }

  /** Sets requiresGrad on every parameter (false freezes the module, e.g. for fine-tuning). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /**
   * Casts every floating-point parameter and buffer to `dtype` ("float32" or "float64"), or moves
   * every parameter and buffer to a device ("cpu", "webgpu"), in place on this module tree. Like
   * PyTorch's `param.data = param.data.to(…)`, each Parameter keeps its identity (an optimizer
   * made before still updates it) and gets converted data and grad; buffers are replaced by
   * converted copies. Views taken earlier (old state dicts) no longer alias. Moving back from the
   * webgpu device reads the GPU, which is asynchronous: `await module.toAsync("cpu")`.
   */
  to(target: DType | Device): this {
    if (isDevice(target)) return this.moveTo(target, (t) => t.to(target));
    const dtype = target;
    if (!isFloating(dtype)) throw new DTypeError(`Module.to: only floating point dtypes are accepted, got ${dtype}`);
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [, p] of m.ownParameters()) {
          if (p.dtype === dtype) continue;
          const converted = p.detach().to(dtype);
          // The Tensor's data fields are readonly to users; swapping them is how .data works in PyTorch.
          Object.assign(p, { storage: converted.storage, strides: converted.strides, offset: converted.offset });
          if (p.grad !== null) p.grad = p.grad.to(dtype);
        }
        for (const name of m.bufferNames) {
          const b: unknown = Reflect.get(m, name);
          if (b instanceof Tensor && isFloating(b.dtype) && b.dtype !== dtype) Reflect.set(m, name, b.to(dtype));
        }
      }
    });
    return this;
  }

  /** Every parameter and buffer moved to `device`, from any device (reading the GPU back is asynchronous). */
  async toAsync(device: Device): Promise<this> {
    if (!isDevice(device)) throw new OptionError(`Module.toAsync: unknown device ${JSON.stringify(device)} (expected "cpu" or "webgpu")`);
    const moved = new Map<Tensor, Tensor>();
    const all = [...this.parameters(), ...this.parameters().flatMap((p) => (p.grad ? [p.grad] : [])), ...this.buffers()];
    for (const t of all) moved.set(t, await noGrad(() => t.detach()).toAsync(device));
    return this.moveTo(device, (t) => moved.get(t) ?? t);
  }

  /** Swaps every parameter's data (and grad) and every buffer for its copy on `device`, made by `move`. */
  private moveTo(device: Device, move: (t: Tensor) => Tensor): this {
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [, p] of m.ownParameters()) {
          if (p.storage.device === device) continue;
          const moved = move(p);
          Object.assign(p, { storage: moved.storage, strides: moved.strides, offset: moved.offset });
          if (p.grad !== null) p.grad = move(p.grad);
        }
        for (const name of m.bufferNames) {
          const b: unknown = Reflect.get(m, name);
          if (b instanceof Tensor && b.storage.device !== device) Reflect.set(m, name, move(b));
        }
      }
    });
    return this;
  }

  double(): this {
    return this.to("float64");
  }

  float(): this {
    return this.to("float32");
  }

  // ---- hooks --------------------------------------------------------------------------------

  // Hooks are kept in a list on the module and run by the call path; the module's forward is not touched.

  /** hook(module, inputs) runs before forward; returning an array replaces the inputs. */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    return addHook((this.#hooks ??= newHookStore()).pre, hook);
  }

  /** hook(module, inputs, output) runs after forward; returning a value replaces the output. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    return addHook((this.#hooks ??= newHookStore()).forward, hook);
  }

  /**
   * hook(module, gradInput, gradOutput) runs in backward once the gradients with respect to this
   * call's tensor inputs are known; returning an array replaces gradInput (see hooks.ts).
   */
  registerFullBackwardHook(hook: BackwardHook): RemovableHandle {
    return addHook((this.#hooks ??= newHookStore()).backward, hook);
  }

  /** A table of every submodule that runs on these inputs: output shape and parameter count. */
  summary(...inputs: In): string {
    return summarize(this, inputs);
  }

  /** Calls fn on every module below this one and on this one (children first), like PyTorch's apply. */
  apply(fn: (m: AnyModule) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- state --------------------------------------------------------------------------------

  /**
   * Every parameter and buffer by dotted name, in PyTorch's order: each module's own parameters,
   * then its buffers, then its children's. The tensors share storage with the module.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [prefix, m] of this.namedModules()) {
      const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, p] of m.ownParameters()) out[key(name)] = p.detach();
      for (const name of m.bufferNames) {
        const value: unknown = Reflect.get(m, name);
        if (value instanceof Tensor) out[key(name)] = value.detach();
      }
    }
    return out;
  }

  /**
   * Copies values from a state dict into this module's parameters and buffers. Every key, shape
   * and dtype is checked first; if anything is wrong nothing is changed and the error lists all of
   * it. Only the state dict's own keys count (never ones inherited through its prototype). Values
   * are converted between float32 and float64 as PyTorch's copy does, but a floating value is not
   * loaded into an integer or bool tensor or the other way round (that would truncate silently).
   * With `strict: false`, missing and unexpected keys are returned instead of thrown.
   */
  loadStateDict(stateDict: StateDict, { strict = true }: { strict?: boolean } = {}): LoadResult {
    const proto = typeof stateDict === "object" && stateDict !== null ? Object.getPrototypeOf(stateDict) : undefined;
    if (Array.isArray(stateDict) || (proto !== Object.prototype && proto !== null)) {
      const got = stateDict === null || typeof stateDict !== "object" ? String(stateDict) : stateDict instanceof Tensor ? "a Tensor" : Array.isArray(stateDict) ? "a list" : "an object of another class";
      throw new OptionError(`loadStateDict: expected a state dict (a plain object of named tensors) for ${typeName(this)}, got ${got}`);
    }
    const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !has(stateDict, k));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !has(own, k));
    const problems: string[] = [];
    for (const [key, target] of Object.entries(own)) {
      if (!has(stateDict, key)) continue;
      const source: unknown = stateDict[key];
      if (!(source instanceof Tensor)) {
        problems.push(`value for '${key}' is not a Tensor (got ${source === null ? "null" : typeof source})`);
      } else if (!shapesEqual(source.shape, target.shape)) {
        problems.push(
          `size mismatch for ${key}: copying a param with shape ${formatShape(source.shape)}, ` +
            `the shape in current model is ${formatShape(target.shape)}`,
        );
      } else if (dtypeKind(source.dtype) !== dtypeKind(target.dtype)) {
        problems.push(`dtype mismatch for ${key}: copying a tensor of dtype ${source.dtype} into one of dtype ${target.dtype}`);
      }
    }
    if (strict) {
      if (missingKeys.length) problems.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}`);
      if (unexpectedKeys.length) {
        problems.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}`);
      }
    }
    if (problems.length > 0) {
      throw new ShapeError(`loadStateDict: error(s) in loading state_dict for ${typeName(this)}:\n\t${problems.join("\n\t")}`);
    }
    noGrad(() => {
      for (const [key, target] of Object.entries(own)) {
        if (has(stateDict, key)) target.copy_(stateDict[key]!);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing -----------------------------------------------------------------------------

  /** The part inside the parentheses of this module's line, e.g. `in_features=4, out_features=3, bias=True`. */
  extraRepr(): string {
    return "";
  }

  /** Prints the module tree like PyTorch's repr. */
  toString(): string {
    const lines = Array.from(this.namedChildren(), ([name, child]) => {
      const text = child.toString().split("\n").join("\n  ");
      return `  (${name}): ${text}`;
    });
    const extra = this.extraRepr();
    if (lines.length === 0) return `${typeName(this)}(${extra})`;
    const head = extra ? [`  ${extra}`] : [];
    return `${typeName(this)}(\n${[...head, ...lines].join("\n")}\n)`;
  }
}

/** float32 and float64 convert into each other on load; int32 and bool are kinds of their own. */
function dtypeKind(dtype: DType): string {
  return isFloating(dtype) ? "floating" : dtype;
}
