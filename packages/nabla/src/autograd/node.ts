/** A node of the define-by-run graph: how to turn the gradient of an op's output into its inputs'. */
import type { Tensor } from "../tensor/tensor.js";
import { isGradEnabled } from "./grad-mode.js";
import { anomalyMode, checkForward } from "./anomaly.js";
import { inOwnedScope, noteNode, pinForNode, unpin } from "../memory/ownership.js";
import type { Storage } from "../tensor/storage.js";

/** Given dL/d(output), returns dL/d(input) for each input (null where an input needs none). */
export type BackwardFn = (gradOutput: Tensor) => (Tensor | null)[];

/** The pins of a node made outside any scope (shared: never written to). */
const NOTHING_PINNED: Storage[] = [];
/** The saved versions of a node that saved nothing (shared: never written to). */
const NO_VERSIONS: readonly number[] = [];

/** The tensors whose storage a node pins: its inputs, its saved tensors and its output, in one list. */
function pinCandidates(inputs: readonly Tensor[], saved: readonly Tensor[], output: Tensor | undefined): Tensor[] {
  const all = new Array<Tensor>(inputs.length + saved.length + (output === undefined ? 0 : 1));
  let k = 0;
  for (let i = 0; i < inputs.length; i++) all[k++] = inputs[i]!;
  for (let i = 0; i < saved.length; i++) all[k++] = saved[i]!;
  if (output !== undefined) all[k] = output;
  return all;
}

export class GradNode {
  /** Null once the graph has been freed by a backward pass without `retainGraph`. */
  backwardFn: BackwardFn | null;
  /** The version of each saved tensor's storage when the op ran. */
  private readonly savedVersions: readonly number[];
  /** Storage this node keeps from being freed by the library until it has run backward (memory/ownership.ts). */
  private pinned: Storage[];
  /**
   * Its backward runs user code (an autograd.Function, a hook): backward then hands it gradients
   * it may keep, and does not free what it makes.
   */
  runsUserCode = false;
  /** The storage of the tensor this node made (ownership asks whether anything holds it). */
  readonly outputStorage: Storage | null;

  constructor(
    /** PyTorch's name for the node, e.g. `AddBackward0`, shown by `toString`. */
    readonly name: string,
    readonly inputs: readonly Tensor[],
    backwardFn: BackwardFn,
    /** The tensors whose values backwardFn reads (not only their shapes). */
    private saved: readonly Tensor[] = [],
    output?: Tensor,
  ) {
    this.backwardFn = backwardFn;
    this.savedVersions = saved.length === 0 ? NO_VERSIONS : saved.map((t) => t.storage.version);
    // outside any ownership scope nothing is the library's to pin (ownership.ts): no list to build
    this.pinned = inOwnedScope() ? pinForNode(pinCandidates(inputs, saved, output)) : NOTHING_PINNED;
    this.outputStorage = output?.storage ?? null;
    noteNode(this);
  }

  /** After backward without retainGraph: drops the closure and what it held, and frees storage only it needed. */
  release(): void {
    if (this.backwardFn === null && this.pinned.length === 0) return;
    this.backwardFn = null;
    this.saved = [];
    unpin(this.pinned);
    this.pinned = [];
  }

  /** Throws, as PyTorch does, if a tensor the gradient needs was changed in place since the op ran. */
  checkSaved(): void {
    this.saved.forEach((t, i) => {
      const expected = this.savedVersions[i]!;
      if (t.storage.version !== expected) {
        throw new Error(
          `backward: one of the variables needed for gradient computation has been modified by an inplace operation: ` +
            `[${t.dtype} [${t.shape.join(", ")}]], saved by ${this.name}, is at version ${t.storage.version}; expected version ${expected} instead`,
        );
      }
    });
  }
}

/**
 * Attaches a gradient node to `output` when grad mode is on and any input requires grad.
 * Every differentiable op ends with this call; the closure keeps what the gradient needs, and
 * `saved` names the tensors among those whose values it reads, so that changing one of them in
 * place before backward is an error instead of a wrong gradient.
 */
export function recordOp(
  name: string,
  output: Tensor,
  inputs: readonly Tensor[],
  backwardFn: BackwardFn,
  saved: readonly Tensor[] = [],
): Tensor {
  if (anomalyMode) checkForward(name, output, inputs);
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    output.gradFn = new GradNode(name, inputs, backwardFn, saved, output);
  }
  return output;
}
