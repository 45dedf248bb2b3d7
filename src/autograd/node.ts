/** A node of the define-by-run graph: how to turn the gradient of an op's output into its inputs'. */
import type { Tensor } from "../tensor/tensor.js";
import { isGradEnabled } from "./grad-mode.js";
import { anomalyMode, checkForward } from "./anomaly.js";

/** Given dL/d(output), returns dL/d(input) for each input (null where an input needs none). */
export type BackwardFn = (gradOutput: Tensor) => (Tensor | null)[];

export class GradNode {
  /** Null once the graph has been freed by a backward pass without `retainGraph`. */
  backwardFn: BackwardFn | null;

  constructor(
    /** PyTorch's name for the node, e.g. `AddBackward0`, shown by `toString`. */
    readonly name: string,
    readonly inputs: readonly Tensor[],
    backwardFn: BackwardFn,
  ) {
    this.backwardFn = backwardFn;
  }
}

/**
 * Attaches a gradient node to `output` when grad mode is on and any input requires grad.
 * Every differentiable op ends with this call; the closure keeps what the gradient needs.
 */
export function recordOp(name: string, output: Tensor, inputs: readonly Tensor[], backwardFn: BackwardFn): Tensor {
  if (anomalyMode) checkForward(name, output, inputs);
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    output.gradFn = new GradNode(name, inputs, backwardFn);
  }
  return output;
}
