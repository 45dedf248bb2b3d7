import { backend } from "../../backend/backend.js";
import type { Tensor } from "../../tensor/tensor.js";

/**
 * Which fused recurrent-cell kernels take these operands (lstm-cell.ts, gru-cell.ts): the webgpu
 * device's (float32) or the CPU backend's (float32 or float64, where `cpuOffers` says the backend
 * has them); null where the operands' devices or dtypes differ or no kernel takes them, and the
 * reference in ops runs (and applies the device rules).
 */
export function fusedCellKernels<K>(operands: readonly (Tensor | null)[], kernels: { cpu: K; webgpu: K }, cpuOffers: (fused: ReturnType<typeof backend>["fused"]) => boolean): K | null {
  const given = operands.filter((t): t is Tensor => t !== null);
  const { dtype } = given[0]!;
  const device = given[0]!.storage.device;
  if (given.some((t) => t.dtype !== dtype || t.storage.device !== device)) return null;
  if (device === "webgpu") return dtype === "float32" ? kernels.webgpu : null;
  if (!cpuOffers(backend().fused)) return null;
  return dtype === "float32" || dtype === "float64" ? kernels.cpu : null;
}
