/** Whether ops record the graph: `noGrad(fn)` turns it off for fn's duration, `enableGrad(fn)` back on. */

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

function withGradMode<T>(mode: boolean, fn: () => T): T {
  const previous = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/**
 * Runs `fn` without recording operations for autograd, like `with torch.no_grad():`.
 * For synchronous code: the mode is restored as soon as `fn` returns.
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/**
 * PyTorch's `with torch.inference_mode():` for ported code: here the same as `noGrad(fn)`.
 * PyTorch's inference mode also skips version counting and marks the tensors made inside as
 * unusable in autograd later; nabla has no such cheaper path, so tensors made inside are plain
 * tensors without a graph (using one in a recorded op later is allowed, as after noGrad).
 */
export function inferenceMode<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with recording on, even inside `noGrad`, like `with torch.enable_grad():`. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/** Sets recording on or off globally, like `torch.set_grad_enabled(mode)`. */
export function setGradEnabled(mode: boolean): void {
  enabled = mode;
}
