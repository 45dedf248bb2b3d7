/**
 * Whether update rules may hand their step to a backend's fused kernel (Adam/AdamW's, SGD's and
 * Adadelta's, where the backend offers them: one pass over flat buffers instead of one per tensor
 * op). Every rule's reference is its tensor-op `updateParameter`; the fused kernels are held to it
 * by test/optim-paths.test.ts, which switches them off to run the reference on any backend.
 */
import { backend, type FusedKernels } from "../backend/backend.js";
import { OptionError } from "../errors.js";

let enabled = true;

/** Allows (the default) or forbids the fused optimizer steps; forbidden, every rule runs its tensor-op reference. */
export function setFusedSteps(allow: boolean): void {
  if (typeof allow !== "boolean") throw new OptionError(`optim.setFusedSteps: expected true or false, got ${String(allow)}`);
  enabled = allow;
}

/** Whether the fused optimizer steps may run. */
export function fusedStepsEnabled(): boolean {
  return enabled;
}

/** The backend's fused kernels, or null when it offers none or they are switched off. */
export function fusedKernels(): FusedKernels | null {
  return enabled ? (backend().fused ?? null) : null;
}
