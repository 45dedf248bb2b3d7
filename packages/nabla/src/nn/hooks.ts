/**
 * Module hooks, PyTorch's: forward pre-hooks (see or replace the inputs), forward hooks (see or
 * replace the output) and full backward hooks (see the gradients with respect to the module's
 * inputs and outputs, or replace the input gradients).
 *
 * The module's call path (`module.forward(x)` or `module.call(x)`, module.ts) runs the hooks
 * around the forward; registering a hook only adds it to the module's lists, so a module without
 * hooks runs its forward with nothing around it but its ownership scope.
 *
 * Backward hooks put an identity node on each tensor input and output: the output nodes collect
 * gradOutput as the backward pass enters the module, the input nodes gradInput as it leaves.
 * The hook runs once all input gradients of that call have arrived (or, when no input requires
 * grad, when the first output gradient arrives, with gradInput [null, …]). A returned gradInput replaces the gradient of the input
 * whose node ran last; with a single tensor input that is exactly PyTorch's behaviour.
 *
 * The library's own readers (nn.utils.ActivationStats) read what they are handed while they run
 * and keep nothing: `borrowingHook` marks such a hook, so the tensors it sees stay the library's to
 * free, and `readGradient` sees a tensor's gradient as backward passes it, before backward frees it.
 */
import { isGradEnabled } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import type { RemovableHandle } from "../autograd/tensor-hooks.js";
import { keepAll } from "../memory/ownership.js";
import { Tensor } from "../tensor/tensor.js";
import type { AnyModule } from "./module.js";

export type ForwardPreHook = (module: AnyModule, inputs: unknown[]) => unknown[] | void;
export type ForwardHook = (module: AnyModule, inputs: unknown[], output: unknown) => unknown;
export type BackwardHook = (module: AnyModule, gradInput: (Tensor | null)[], gradOutput: (Tensor | null)[]) => (Tensor | null)[] | void;

/** What registering a hook returns: `remove()` unregisters it (one type for module and tensor hooks). */
export type { RemovableHandle };

export interface HookStore {
  pre: Map<number, ForwardPreHook>;
  forward: Map<number, ForwardHook>;
  backward: Map<number, BackwardHook>;
}

let nextId = 0;

/** Hooks that keep none of the tensors they are handed (see borrowingHook). */
const borrowers = new WeakSet<object>();

/**
 * Marks a hook as one that reads the tensors it is handed only while it runs and keeps none of
 * them. Any other hook may keep what it sees, so the call path hands those tensors to the user and
 * the library never frees them; with borrowing hooks alone, it goes on freeing them as usual.
 */
export function borrowingHook<H extends object>(hook: H): H {
  borrowers.add(hook);
  return hook;
}

/** Whether some hook of the list may keep the tensors it is handed. */
const mayKeep = (hooks: Map<number, object>): boolean => {
  for (const hook of hooks.values()) if (!borrowers.has(hook)) return true;
  return false;
};

/** A module's hook lists, empty. */
export function newHookStore(): HookStore {
  return { pre: new Map(), forward: new Map(), backward: new Map() };
}

/** Adds a hook to one of a module's lists and returns its handle. */
export function addHook<H>(hooks: Map<number, H>, hook: H): RemovableHandle {
  const id = nextId++;
  hooks.set(id, hook);
  return { remove: () => void hooks.delete(id) };
}

/** A new tensor object over the same data whose gradient node calls `onGrad`. */
function tap(t: Tensor, onGrad: (g: Tensor) => Tensor): Tensor {
  const alias = new Tensor(t.storage, t.shape, t.strides, t.offset);
  recordOp("BackwardHookFunctionBackward", alias, [t], (g) => [onGrad(g)]);
  if (alias.gradFn !== null) alias.gradFn.runsUserCode = true;
  return alias;
}

/**
 * A new tensor object over the same data whose gradient is handed to `read` as backward passes it
 * on (the library's own reader: it runs in backward's scope and must keep nothing, since backward
 * frees the gradient once it has been passed on). `t` itself where no gradient will come.
 */
export function readGradient(t: Tensor, read: (g: Tensor) => void): Tensor {
  if (!t.requiresGrad || !isGradEnabled()) return t;
  const alias = new Tensor(t.storage, t.shape, t.strides, t.offset);
  return recordOp("GradientReaderBackward", alias, [t], (g) => {
    read(g);
    return [g];
  });
}

/** Applies fn to every tensor in a value made of tensors and (nested) arrays. */
function mapTensors(value: unknown, fn: (t: Tensor) => Tensor): unknown {
  if (value instanceof Tensor) return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapTensors(v, fn));
  return value;
}

/** One call of a module with hooks: pre-hooks, `forward` (the module's forward in its scope), forward hooks, backward taps. */
export function runWithHooks(module: AnyModule, store: HookStore, args: unknown[], forward: (inputs: unknown[]) => unknown): unknown {
  let inputs = args;
  // user code may keep what it is handed: the library must not free it
  if (mayKeep(store.pre)) keepAll(inputs);
  for (const hook of [...store.pre.values()]) {
    const r = hook(module, inputs);
    if (r !== undefined) inputs = Array.isArray(r) ? r : [r];
  }
  const backwardHooks = [...store.backward.values()];
  const call: { gradInput: (Tensor | null)[]; gradOutput: (Tensor | null)[]; pending: number } = { gradInput: [], gradOutput: [], pending: 0 };
  const runHooks = (): (Tensor | null)[] | void => {
    let result: (Tensor | null)[] | void = undefined;
    for (const hook of backwardHooks) {
      const r = hook(module, call.gradInput, call.gradOutput);
      if (r !== undefined) result = r;
    }
    return result;
  };
  if (backwardHooks.length > 0) {
    let index = 0;
    inputs = inputs.map((v) =>
      mapTensors(v, (t) => {
        const i = index++;
        call.gradInput[i] = null;
        if (!t.requiresGrad) return t;
        call.pending++;
        return tap(t, (g) => {
          call.gradInput[i] = g;
          if (--call.pending > 0) return g;
          const replaced = runHooks();
          return replaced?.[i] ?? g;
        });
      }),
    );
  }
  let output = forward(inputs);
  if (mayKeep(store.forward)) keepAll([inputs, output]);
  for (const hook of [...store.forward.values()]) {
    const r = hook(module, inputs, output);
    if (r !== undefined) output = r;
  }
  if (backwardHooks.length > 0) {
    let index = 0;
    // With no input that needs a gradient the hook runs once, when the first output gradient arrives.
    let fired = call.pending > 0;
    output = mapTensors(output, (t) => {
      const j = index++;
      call.gradOutput[j] = null;
      if (!t.requiresGrad) return t;
      return tap(t, (g) => {
        call.gradOutput[j] = g;
        if (!fired) {
          fired = true;
          runHooks();
        }
        return g;
      });
    });
  }
  return output;
}
