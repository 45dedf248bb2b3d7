/** Reverse-mode differentiation over the recorded graph. */
import type { Tensor } from "../tensor/tensor.js";
import { formatShape, ShapeError } from "../errors.js";
import { shapesEqual } from "../tensor/shape.js";
import { enableGrad, noGrad } from "./grad-mode.js";
import { anomalyMode, checkedBackward } from "./anomaly.js";
import { onesLike } from "../ops/creation.js";
import { Storage } from "../tensor/storage.js";
import { owned } from "../memory/ownership.js";
import { noteBackwardGrad } from "./clear-grad.js";
import { checkOptions, optionKeys } from "../ops/options.js";
import { runTensorHooks } from "./tensor-hooks.js";

export interface BackwardOptions {
  /**
   * Keep the graph so that backward can run through it again (PyTorch's retain_graph). Defaults
   * to createGraph, as in PyTorch: a recorded backward usually leads back through the same graph.
   */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients (PyTorch's create_graph). */
  createGraph?: boolean;
}

/** Every tensor reachable from `roots` through nodes that need gradients, outputs before inputs. */
function topologicalOrder(roots: readonly Tensor[]): Tensor[] {
  const postOrder: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, boolean][] = roots.map((r) => [r, false]);
  while (stack.length > 0) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      postOrder.push(t);
      continue;
    }
    if (visited.has(t)) continue;
    visited.add(t);
    stack.push([t, true]);
    for (const input of t.gradFn?.inputs ?? []) {
      if (input.requiresGrad && !visited.has(input)) stack.push([input, false]);
    }
  }
  return postOrder.reverse();
}

/**
 * Which gradients a tensor's `.grad` may take as they are instead of copying. A gradient may
 * alias something else: the caller's seed, an upstream gradient that a backward function passed
 * through (add's), a view of one (reshape's), or a forward value. It is taken without a copy
 * only if its storage was made during this backward pass, it covers that storage exactly, and no
 * backward function received it and no other `.grad` took it — the cases PyTorch's
 * AccumulateGrad steals a gradient in (there by reference count). Saves a copy of every
 * parameter's gradient per step.
 */
class GradOwnership {
  private readonly firstFresh = Storage.count;
  private readonly shared = new Set<Storage>();

  /** A gradient that a backward function receives (or the seed): never taken as it is. */
  share(g: Tensor): void {
    this.shared.add(g.storage);
  }

  /** Whether this backward pass made `g`'s storage and nothing has it: then nothing else can read it once it is consumed. */
  disposable(g: Tensor): boolean {
    const s = g.storage;
    return s.heapBacked && s.serial >= this.firstFresh && !this.shared.has(s) && !s.kept;
  }

  /** Whether `g` may become a `.grad` without a copy; if so it is claimed. */
  claim(g: Tensor): boolean {
    const s = g.storage;
    const whole = g.offset === 0 && g.numel() === s.length && g.isContiguous();
    if (s.serial < this.firstFresh || !whole || this.shared.has(s)) return false;
    this.shared.add(s);
    return true;
  }
}

/**
 * Adds a gradient into a leaf's `.grad`. Cast to the tensor's own dtype first (a float32 leaf
 * used in a float64 op gets a float32 grad); a first gradient is taken as it is if this backward
 * pass made it and nothing else has it, else copied; later ones are added in place, as PyTorch's
 * AccumulateGrad does, unless the graph is being recorded.
 */
function accumulateGrad(t: Tensor, g: Tensor, ownership: GradOwnership | null): void {
  const own = g.to(t.dtype);
  if (t.grad === null) {
    t.grad = ownership?.claim(own) ? own : own.clone();
    if (!t.grad.requiresGrad) noteBackwardGrad(t.grad);
  } else if (ownership !== null && !t.grad.requiresGrad && shapesEqual(t.grad.shape, own.shape) && t.grad.dtype === own.dtype) {
    t.grad.add_(own);
  } else {
    t.grad = t.grad.add(own);
  }
}

/** The seed gradient for `root`: ones for a one-element output, else the given one (same shape). */
function seedFor(op: string, root: Tensor, gradient: Tensor | undefined, index: number): Tensor {
  if (!root.requiresGrad) {
    throw new Error(`${op}: element ${index} of tensors does not require grad and does not have a grad_fn`);
  }
  if (gradient === undefined) {
    if (root.numel() !== 1) {
      throw new ShapeError(`${op}: grad can be implicitly created only for scalar outputs (got shape ${formatShape(root.shape)})`);
    }
    return onesLike(root);
  }
  // The same shape, as in PyTorch; a one-element gradient may stand for any one-element output.
  if (!shapesEqual(gradient.shape, root.shape) && !(gradient.numel() === 1 && root.numel() === 1)) {
    throw new ShapeError(
      `${op}: mismatch in shape: grad_output has shape ${formatShape(gradient.shape)} and output has shape ${formatShape(root.shape)}`,
    );
  }
  return gradient.reshape(root.shape);
}

/**
 * Runs the graph backwards from the seeded roots. `deliver(t, g)` receives the gradient of every
 * leaf and of every tensor that retains its gradient; `stopAt`, if given, are tensors whose
 * gradients are delivered and not propagated through (autograd.grad's inputs).
 */
function propagate(
  seeds: Map<Tensor, Tensor>,
  options: BackwardOptions,
  deliver: (t: Tensor, g: Tensor, ownership: GradOwnership | null) => void,
  wanted?: ReadonlySet<Tensor>,
): void {
  const retainGraph = options.retainGraph ?? options.createGraph ?? false;
  // made here, so the seeds are never taken as a .grad; with createGraph gradients are graph values: always copied
  const ownership = options.createGraph ? null : new GradOwnership();
  for (const seed of seeds.values()) ownership?.share(seed);
  // Gradients this pass made are freed once consumed, unless the graph is recorded (then they
  // are graph values) or something else has them: a .grad, a hook, user code, another gradient.
  const freeing = ownership !== null;
  const inFlight = new Map<Storage, number>();
  const hold = (g: Tensor) => inFlight.set(g.storage, (inFlight.get(g.storage) ?? 0) + 1);
  const consume = (g: Tensor) => {
    const left = (inFlight.get(g.storage) ?? 1) - 1;
    if (left > 0) return inFlight.set(g.storage, left);
    inFlight.delete(g.storage);
    if (ownership!.disposable(g)) g.storage.free("by backward: a gradient that has been passed on");
  };
  const add = (previous: Tensor, g: Tensor): Tensor => {
    const sum = previous.add(g);
    if (freeing) {
      consume(previous);
      consume(g);
      hold(sum);
    }
    return sum;
  };
  const run = () => {
    const grads = new Map<Tensor, Tensor>();
    for (const [root, seed] of seeds) {
      const previous = grads.get(root);
      grads.set(root, previous === undefined ? seed : add(previous, seed));
    }
    for (const t of topologicalOrder([...seeds.keys()])) {
      let g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      const node = t.gradFn;
      if (wanted?.has(t)) {
        // autograd.grad hands its inputs' gradients back as computed, before their hooks (PyTorch 1.13)
        deliver(t, g, ownership);
        ownership?.share(g);
        if (node === null) {
          if (freeing) consume(g);
          continue;
        }
      }
      const retain = node !== null && t.retainsGrad && wanted === undefined ? (r: Tensor) => deliver(t, r, ownership) : null;
      // a leaf's hooks belong to its accumulation into .grad, which autograd.grad does not do
      if (t.gradHooks !== null && t.gradHooks.length > 0 && (node !== null || wanted === undefined)) {
        ownership?.share(g); // the hooks may keep it
        const hooked = runTensorHooks(t, g, retain, (r) => ownership?.share(r));
        if (freeing && hooked !== g) {
          hold(hooked);
          consume(g);
        }
        g = hooked;
      } else if (retain !== null) retain(g);
      if (node === null) {
        if (wanted === undefined) deliver(t, g, ownership);
        if (freeing) consume(g);
        continue;
      }
      if (node.backwardFn === null) {
        throw new Error(
          `backward: trying to backward through the graph a second time (through ${node.name}); ` +
            "its saved values were freed by the first backward. Pass { retainGraph: true } to the first backward call.",
        );
      }
      node.checkSaved();
      const backwardFn = node.backwardFn;
      if (node.runsUserCode) ownership?.share(g);
      const call = () => (anomalyMode ? checkedBackward(node.name, backwardFn, g) : backwardFn(g));
      // library backward functions run in a scope: what they make and do not return is freed at once
      const inputGrads = freeing && !node.runsUserCode ? owned(call) : call();
      if (!retainGraph) node.release();
      if (freeing) for (const gi of inputGrads) if (gi !== null && gi !== undefined) hold(gi);
      if (freeing) consume(g);
      node.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (gi === null || gi === undefined) return;
        if (!input.requiresGrad) {
          if (freeing) consume(gi);
          return;
        }
        const previous = grads.get(input);
        grads.set(input, previous === undefined ? gi : add(previous, gi));
      });
    }
  };
  if (options.createGraph) enableGrad(run);
  else noGrad(run);
}

/** tensor.backward(gradient, options): accumulates into the `.grad` of every leaf that needs one. */
const BACKWARD_KEYS = optionKeys<BackwardOptions>({ retainGraph: true, createGraph: true });

export function runBackward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions = {}): void {
  checkOptions("backward", options, BACKWARD_KEYS);
  const seed = seedFor("backward", root, gradient, 0);
  propagate(new Map([[root, seed]]), options, (t, g, ownership) => accumulateGrad(t, g, ownership));
}

export interface GradOptions extends BackwardOptions {
  /** The gradient of each output (PyTorch's grad_outputs); ones for one-element outputs. */
  gradOutputs?: readonly (Tensor | undefined)[];
  /** Give null for an input the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

/**
 * The gradients of `outputs` with respect to `inputs` (PyTorch's torch.autograd.grad), without
 * touching any `.grad`. With createGraph they are themselves differentiable: gradient penalties,
 * second derivatives.
 */
const GRAD_KEYS = optionKeys<GradOptions>({ retainGraph: true, createGraph: true, gradOutputs: true, allowUnused: true });

export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  checkOptions("grad", options, GRAD_KEYS);
  const outs = outputs instanceof Array ? outputs : [outputs as Tensor];
  const ins = inputs instanceof Array ? inputs : [inputs as Tensor];
  if (options.gradOutputs !== undefined && options.gradOutputs.length !== outs.length) {
    throw new ShapeError(`grad: got ${options.gradOutputs.length} gradOutputs for ${outs.length} outputs`);
  }
  ins.forEach((t, i) => {
    if (!t.requiresGrad) throw new Error(`grad: input ${i} does not require grad`);
  });
  const seeds = new Map<Tensor, Tensor>();
  outs.forEach((out, i) => {
    const seed = seedFor("grad", out, options.gradOutputs?.[i], i);
    const previous = seeds.get(out);
    seeds.set(out, previous === undefined ? seed : noGrad(() => previous.add(seed)));
  });
  const wanted = new Set(ins);
  const found = new Map<Tensor, Tensor>();
  propagate(seeds, options, (t, g) => {
    if (wanted.has(t)) found.set(t, g);
  }, wanted);
  return ins.map((t, i) => {
    const g = found.get(t);
    if (g !== undefined) return g;
    if (options.allowUnused) return null;
    throw new Error(`grad: input ${i} was not used to compute the outputs; pass { allowUnused: true } to get null for it`);
  });
}
