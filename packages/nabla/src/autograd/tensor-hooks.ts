/**
 * Tensor hooks (PyTorch's Tensor.register_hook): functions called with a tensor's gradient when
 * backward has computed it (the sum over every path), in the order registered; one returning a
 * tensor replaces the gradient for the hooks after it, for the tensor's `.grad` (a leaf's, or a
 * retained one) and for what backward passes on to the tensor's inputs. As in PyTorch 1.13 (where
 * a tensor's Python hooks are one pre-hook of its node, placed when the first is registered, and
 * retain_grad another): `retainGrad()` asked for before any hook retains the gradient before the
 * hooks, asked for after one retains it after all of them; and `autograd.grad` hands its inputs'
 * gradients back as computed, before their own hooks (those of tensors it passes through run).
 */
import { DTypeError, formatShape, ShapeError } from "../errors.js";
import { shapesEqual } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

/** Called with the gradient; returns a replacement gradient, or nothing to keep it. */
export type TensorHook = (grad: Tensor) => Tensor | void | undefined;

/** What registerHook returns: `remove()` unregisters the hook. */
export interface RemovableHandle {
  remove(): void;
}

/** In a tensor's hook list: retainGrad() was asked for after a hook was registered (it retains after every hook). */
export const RETAIN_GRAD = Symbol("retainGrad");

export type HookEntry = TensorHook | typeof RETAIN_GRAD;

/** Adds `hook` to t's list; refused, as in PyTorch, on a tensor that does not require grad. */
export function registerTensorHook(t: Tensor, hook: TensorHook): RemovableHandle {
  if (typeof hook !== "function") throw new TypeError(`registerHook: expected a function, got ${hook === null ? "null" : typeof hook}`);
  if (!t.requiresGrad) throw new Error("registerHook: cannot register a hook on a tensor that doesn't require gradient");
  const hooks = (t.gradHooks ??= []);
  hooks.push(hook);
  return {
    remove: () => {
      const i = hooks.indexOf(hook);
      if (i >= 0) hooks.splice(i, 1);
    },
  };
}

/**
 * Runs t's hooks on its gradient `g` and returns the gradient they leave. `retain` receives the
 * gradient to retain (for a non-leaf that retains its gradient): before the hooks when retainGrad
 * was asked for before any was registered, after them otherwise. `seen` receives each replacement
 * gradient (user code made it: backward must neither free it nor take it as a `.grad` without a copy).
 */
export function runTensorHooks(t: Tensor, g: Tensor, retain: ((g: Tensor) => void) | null, seen: (g: Tensor) => void): Tensor {
  const hooks = t.gradHooks!;
  const retainAfter = hooks.includes(RETAIN_GRAD);
  if (retain !== null && !retainAfter) retain(g);
  let grad = g;
  for (const hook of hooks.slice()) {
    if (hook === RETAIN_GRAD) continue;
    const result = hook(grad);
    if (result === undefined) continue;
    const name = hook.name === "" ? "<anonymous>" : hook.name;
    if (typeof result !== "object" || result === null || !("storage" in result)) {
      throw new TypeError(`backward: hook '${name}' returned ${result === null ? "null" : typeof result}; expected a Tensor or nothing`);
    }
    if (!shapesEqual(result.shape, grad.shape)) {
      throw new ShapeError(`backward: hook '${name}' has changed the size of value (was ${formatShape(grad.shape)}, got ${formatShape(result.shape)})`);
    }
    if (result.dtype !== grad.dtype) {
      throw new DTypeError(`backward: hook '${name}' has changed the type of value (was ${grad.dtype}, got ${result.dtype})`);
    }
    if (result.device !== grad.device) {
      throw new DTypeError(`backward: hook '${name}' has changed the device of value (was ${grad.device}, got ${result.device})`);
    }
    seen(result);
    grad = result;
  }
  if (retain !== null && retainAfter) retain(grad);
  return grad;
}
