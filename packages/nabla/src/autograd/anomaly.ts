/**
 * Anomaly detection, like `torch.autograd.detect_anomaly`: while it is on, the first NaN or
 * infinity made by an op's forward (checked in `recordOp`; see checkForward for −infinity) or by
 * a node's gradient (checked in the backward loop) throws an `AnomalyError` naming the op. When
 * it is off, the only cost is one boolean test per op.
 */
import type { Tensor } from "../tensor/tensor.js";
import { any } from "../ops/any-all.js";
import { stack } from "../ops/join.js";
import { isnan, isneginf, isposinf } from "../ops/nonfinite.js";
import { readValuesSync } from "../tensor/transfer.js";

/** Read by recordOp and runBackward on every op: a live ESM binding, so the off path is one load. */
export let anomalyMode = false;

/** A NaN or infinity found by anomaly detection; `op` is the node name, e.g. `MulBackward0`. */
export class AnomalyError extends Error {
  override name = "AnomalyError";
  constructor(
    message: string,
    readonly op: string,
    readonly phase: "forward" | "backward",
  ) {
    super(message);
  }
}

/** Turns anomaly detection on or off globally, like `torch.autograd.set_detect_anomaly(mode)`. */
export function setDetectAnomaly(mode: boolean): void {
  anomalyMode = mode;
}

export function isAnomalyEnabled(): boolean {
  return anomalyMode;
}

/**
 * Runs `fn` with anomaly detection on and restores the previous mode afterwards. If `fn` returns
 * a promise (an async training loop), the mode stays on until it settles; don't run other work
 * concurrently that should not be checked.
 */
export function detectAnomaly<T>(fn: () => T): T {
  const previous = anomalyMode;
  anomalyMode = true;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    anomalyMode = previous;
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      anomalyMode = previous;
    }) as T;
  }
  anomalyMode = previous;
  return result;
}

/** Which non-finite values a float tensor holds (stops at the first NaN). */
export function nonFinite(t: Tensor): { nan: boolean; inf: boolean; negInf: boolean } {
  const found = { nan: false, inf: false, negInf: false };
  if (t.dtype !== "float32" && t.dtype !== "float64") return found;
  if (t.storage.device !== "cpu") {
    // on the webgpu device: three flags computed there and read back (one counted transfer per
    // checked op, as PyTorch's anomaly mode synchronizes with CUDA at each check)
    const x = t.detach();
    const [nan, inf, negInf] = readValuesSync(stack([any(isnan(x)), any(isposinf(x)), any(isneginf(x))]), "detectAnomaly", "detectAnomaly on the CPU (the check reads every result)");
    return { nan: nan !== 0, inf: nan === 0 && inf !== 0, negInf: nan === 0 && negInf !== 0 };
  }
  const n = t.numel();
  // Contiguous tensors are scanned in place; views (rare here) are copied first.
  const data = t.isContiguous() ? t.storage.data.subarray(t.offset, t.offset + n) : t.toTypedArray();
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v === 0) continue; // finite
    if (v !== v) {
      found.nan = true;
      return found;
    }
    if (v > 0) found.inf = true;
    else found.negInf = true;
  }
  return found;
}

/** The first kind of non-finite value in a tensor ("nan", "inf", "-inf"), or null. */
export function firstNonFinite(t: Tensor): string | null {
  const f = nonFinite(t);
  return f.nan ? "nan" : f.inf ? "inf" : f.negInf ? "-inf" : null;
}

/** `MulBackward0` → `mul`, for messages. */
function forwardName(node: string): string {
  const base = node.replace(/Backward\d*$/, "");
  return base.charAt(0).toLowerCase() + base.slice(1);
}

/** Whether a node's gradient function is running: its ops are checked as that node's, not as forward ops. */
let inBackward = false;

/**
 * Called by recordOp in anomaly mode. A NaN in the output always throws (naming the input it came
 * in with, if one held it already). A +infinity throws when the op made it from finite inputs
 * (overflow, division by zero). A −infinity is let through in the forward pass: models use it on
 * purpose as a mask (attention) or padding (max pooling); `log(0)` is still caught, by the
 * backward check, where LogBackward0 returns an infinite gradient.
 */
export function checkForward(name: string, output: Tensor, inputs: readonly Tensor[]): void {
  if (inBackward) return;
  const out = nonFinite(output);
  if (!out.nan && !out.inf) return;
  for (let i = 0; i < inputs.length; i++) {
    const input = nonFinite(inputs[i]!);
    if (out.nan && input.nan) {
      throw new AnomalyError(
        `detectAnomaly: input ${i} of ${forwardName(name)} (${name}) already holds nan; ` +
          "it was not produced by a recorded op: check the data or the values passed in",
        name,
        "forward",
      );
    }
    if (!out.nan && input.inf) return; // an infinity passed along, not made here
  }
  throw new AnomalyError(
    `detectAnomaly: ${forwardName(name)} (${name}) produced ${out.nan ? "nan" : "inf"} in its output of shape [${output.shape.join(", ")}] ` +
      "in the forward pass",
    name,
    "forward",
  );
}

/**
 * Called by the backward loop in anomaly mode instead of `backwardFn(gradOutput)`: runs the
 * node's gradient function and throws if any gradient it returns is non-finite.
 */
export function checkedBackward(name: string, backwardFn: (g: Tensor) => (Tensor | null)[], gradOutput: Tensor): (Tensor | null)[] {
  const outer = inBackward;
  inBackward = true;
  let grads: (Tensor | null)[];
  try {
    grads = backwardFn(gradOutput);
  } finally {
    inBackward = outer;
  }
  checkBackward(name, grads);
  return grads;
}

/** Throws if a gradient returned by node `name` is non-finite. */
export function checkBackward(name: string, grads: readonly (Tensor | null)[]): void {
  grads.forEach((g, i) => {
    const bad = g === null || g === undefined ? null : firstNonFinite(g);
    if (bad !== null) {
      throw new AnomalyError(
        `detectAnomaly: function '${name}' returned ${bad} values in its ${i}th output (the gradient for input ${i} of ${forwardName(name)}) in the backward pass`,
        name,
        "backward",
      );
    }
  });
}
