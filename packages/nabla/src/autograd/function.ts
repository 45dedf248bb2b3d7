/**
 * Custom differentiable functions, PyTorch's torch.autograd.Function: subclass it with a static
 * `forward(ctx, ...args)` (run without recording) and a static `backward(ctx, ...gradOutputs)`
 * returning one gradient per forward argument (null where none), and call `MyFn.apply(...args)`.
 *
 *   class Exp extends autograd.Function {
 *     static forward(ctx: autograd.FunctionCtx, x: Tensor) { const y = x.exp(); ctx.saveForBackward(y); return y; }
 *     static backward(ctx: autograd.FunctionCtx, g: Tensor) { const [y] = ctx.savedTensors; return g.mul(y!); }
 *   }
 *   const y = Exp.apply(x);
 *
 * The gradient node is named after the class (`ExpBackward`). Several outputs (return an array)
 * share one node: each output's node packs its gradient into a flat vector, the packed vectors
 * add up, and the shared node unpacks them, so backward runs once with every output's gradient
 * (zeros for outputs that got none). Written in ops, a user's backward is itself differentiable
 * (createGraph).
 */
import { formatShape, ShapeError } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { toDType } from "../ops/elementwise.js";
import { emptyTensor } from "../ops/helpers.js";
import { sumToShape } from "../ops/reduce.js";
import { embedGrad, narrow, reshape } from "../ops/shape.js";
import { isGradEnabled, noGrad } from "./grad-mode.js";
import { recordOp } from "./node.js";

/** What forward leaves for backward (PyTorch's ctx): saved tensors, flags, and any attribute. */
export class FunctionCtx {
  /** Per forward argument, whether it is a tensor that needs a gradient (PyTorch's needs_input_grad). */
  needsInputGrad: readonly boolean[] = [];
  /** Anything else forward wants to keep (`ctx.scale = 2`), as on PyTorch's ctx. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [attribute: string]: any;
  #saved: readonly (Tensor | null)[] = [];
  #nonDifferentiable = new Set<Tensor>();

  /** Keeps tensors for backward; changing one in place before backward is then an error. */
  saveForBackward(...tensors: (Tensor | null | undefined)[]): void {
    tensors.forEach((t, i) => {
      if (t !== null && t !== undefined && !(t instanceof Tensor)) {
        throw new TypeError(`saveForBackward: can only save tensors (or null), but argument ${i} is of type ${typeof t}`);
      }
    });
    this.#saved = tensors.map((t) => t ?? null);
  }

  /** The tensors given to saveForBackward, in order. */
  get savedTensors(): readonly (Tensor | null)[] {
    return this.#saved;
  }

  /** Marks outputs that get no gradient (indices, masks): they do not require grad. */
  markNonDifferentiable(...outputs: Tensor[]): void {
    for (const t of outputs) this.#nonDifferentiable.add(t);
  }

  /** @internal whether an output was marked non-differentiable. */
  isNonDifferentiable(t: Tensor): boolean {
    return this.#nonDifferentiable.has(t);
  }
}

/** A gradient backward may return for one argument. */
type Grad = Tensor | null | undefined;

/** What a subclass declares: static forward and backward (the base class declares neither, so no `override`). */
interface FunctionClass {
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(ctx: FunctionCtx, ...args: any[]): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  backward(ctx: FunctionCtx, ...gradOutputs: any[]): Grad | readonly Grad[];
}

type ForwardArgs<F> = F extends { forward(ctx: FunctionCtx, ...args: infer A): unknown } ? A : never;
type ForwardResult<F> = F extends { forward(ctx: FunctionCtx, ...args: never[]): infer R } ? R : never;

class AutogradFunction {
  /**
   * Runs the subclass's static forward(ctx, ...args) with recording off and, when some tensor
   * argument requires grad (and grad mode is on), records the node that runs its static
   * backward(ctx, ...gradOutputs).
   */
  static apply<F extends FunctionClass>(this: F, ...args: ForwardArgs<F>): ForwardResult<F> {
    const fn = this as FunctionClass;
    for (const method of ["forward", "backward"] as const) {
      if (typeof fn[method] !== "function") {
        throw new TypeError(`${fn.name}.apply: subclasses of autograd.Function must define a static ${method}(ctx, ...)`);
      }
    }
    const ctx = new FunctionCtx();
    const argList = args as unknown[];
    ctx.needsInputGrad = argList.map((a) => a instanceof Tensor && a.requiresGrad);
    const raw = noGrad(() => fn.forward(ctx, ...argList));
    const tensorInputs = argList.filter((a): a is Tensor => a instanceof Tensor);
    if (!isGradEnabled() || !tensorInputs.some((t) => t.requiresGrad)) return raw as ForwardResult<F>;
    const many = Array.isArray(raw);
    const returned = (many ? raw : [raw]) as unknown[];
    // an output that already belongs to a graph (an input returned as it is) gets a fresh alias
    const seen = new Set<Tensor>();
    const outputs = returned.map((o) => {
      if (!(o instanceof Tensor)) return o;
      const alias = seen.has(o) || o.requiresGrad ? o.detach() : o;
      seen.add(o);
      return alias;
    });
    const differentiable = outputs.map((o, i) => {
      const original = returned[i];
      return o instanceof Tensor && isFloating(o.dtype) && !(original instanceof Tensor && ctx.isNonDifferentiable(original));
    });
    const name = `${fn.name}Backward`;

    /** Calls the user's backward with one gradient per output and checks what it returns. */
    const runBackward = (grads: (Tensor | null)[]): (Tensor | null)[] => {
      const result = fn.backward(ctx, ...grads);
      const list = (Array.isArray(result) ? result : [result]) as unknown[];
      if (list.length < argList.length || list.slice(argList.length).some((g) => g !== null && g !== undefined)) {
        throw new Error(`${name}: backward returned an incorrect number of gradients (expected ${argList.length}, got ${list.length})`);
      }
      const out: (Tensor | null)[] = [];
      argList.forEach((arg, i) => {
        const g = list[i];
        if (!(arg instanceof Tensor)) {
          if (g !== null && g !== undefined) {
            throw new Error(`${name}: backward returned a gradient different than null at position ${i}, but the corresponding forward input was not a Tensor`);
          }
          return;
        }
        if (g === null || g === undefined || !arg.requiresGrad) {
          out.push(null);
          return;
        }
        if (!(g instanceof Tensor)) throw new TypeError(`${name}: backward returned a ${typeof g} at position ${i}; expected a Tensor or null`);
        out.push(fitGradient(name, i, g, arg));
      });
      return out;
    };

    const tensorOutputs = outputs.filter((_, i) => differentiable[i]) as Tensor[];
    const zerosFor = (o: unknown) => (o instanceof Tensor ? emptyTensor(o.shape, o.dtype) : null);
    if (tensorOutputs.length === 1 && outputs.length === 1) {
      recordOp(name, tensorOutputs[0]!, tensorInputs, (g) => runBackward([g]), ctx.savedTensors.filter((t): t is Tensor => t !== null));
      userCode(tensorOutputs[0]!);
    } else if (tensorOutputs.length > 0) {
      recordShared(name, outputs, differentiable, tensorInputs, ctx, (packed) =>
        runBackward(outputs.map((o, i) => (differentiable[i] ? packed.get(o as Tensor)! : zerosFor(o)))),
      );
    }
    return (many ? outputs : outputs[0]) as ForwardResult<F>;
  }
}

/**
 * One node for several outputs: a hidden flat tensor H carries the node; output i's own node
 * writes its gradient into H's gradient at [offset_i, offset_i + numel_i), so the gradients of all
 * outputs arrive at H's node together.
 */
function recordShared(
  name: string,
  outputs: unknown[],
  differentiable: boolean[],
  inputs: Tensor[],
  ctx: FunctionCtx,
  backward: (grads: Map<Tensor, Tensor>) => (Tensor | null)[],
): void {
  const parts: { t: Tensor; offset: number }[] = [];
  let total = 0;
  outputs.forEach((o, i) => {
    if (!differentiable[i]) return;
    const t = o as Tensor;
    parts.push({ t, offset: total });
    total += t.numel();
  });
  const dtype = parts.some((p) => p.t.dtype === "float64") ? "float64" : "float32";
  const hidden = emptyTensor([total], dtype);
  recordOp(name, hidden, inputs, (packed) => {
    const grads = new Map<Tensor, Tensor>();
    for (const { t, offset } of parts) grads.set(t, toDType(reshape(narrow(packed, 0, offset, t.numel()), t.shape), t.dtype));
    return backward(grads);
  }, ctx.savedTensors.filter((t): t is Tensor => t !== null));
  userCode(hidden);
  for (const { t, offset } of parts) {
    const shape = t.shape;
    const n = t.numel();
    recordOp(name, t, [hidden], (g) => [embedGrad(toDType(g, dtype), [total], (full) => reshape(narrow(full, 0, offset, n), shape), name)]);
  }
}

/** Marks the node behind `t` as running user code: backward neither frees what it is handed nor what it makes. */
function userCode(t: Tensor): void {
  if (t.gradFn !== null) t.gradFn.runsUserCode = true;
}

/** A gradient brought to its input's shape (summing broadcast dims, as PyTorch) and dtype. */
function fitGradient(name: string, position: number, g: Tensor, input: Tensor): Tensor {
  const lead = g.ndim - input.ndim;
  const expandable = lead >= 0 && input.shape.every((s, k) => s === g.shape[lead + k] || s === 1);
  if (!expandable) {
    throw new ShapeError(
      `${name}: backward returned an invalid gradient at index ${position} - got ${formatShape(g.shape)} but expected shape compatible with ${formatShape(input.shape)}`,
    );
  }
  return toDType(sumToShape(g, input.shape), input.dtype);
}

export { AutogradFunction as Function };
