/**
 * A GRU step's pointwise part and its backward as plain loops (the contract is GruCellArgs in
 * backend.ts): the JS backend's fused kernels, and the wasm backend's for mixed types. The
 * unfused ops' operations in their order with the same scalar functions, each result rounded to
 * float32 where the arrays are float32.
 */
import type { GruCellArgs, GruCellBackwardArgs } from "../backend.js";
import { sigmoid } from "../../ops/pointwise/scalar-math.js";

const same = (x: number) => x;

export function gruCell(a: GruCellArgs): boolean {
  const { xw, hw, bias, h, rows: N, hidden: H, out, gates } = a;
  const r = out instanceof Float32Array ? Math.fround : same;
  const withBias = (k: number, j: number) => (bias === null ? hw[k]! : r(hw[k]! + bias[j]!));
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const k = n * 3 * H + j;
      const g = n * 4 * H + j;
      const rg = r(sigmoid(r(xw[k]! + withBias(k, j))));
      const zg = r(sigmoid(r(xw[k + H]! + withBias(k + H, j + H))));
      const hn = withBias(k + 2 * H, j + 2 * H);
      const ng = r(Math.tanh(r(xw[k + 2 * H]! + r(rg * hn))));
      const s = n * H + j;
      out[s] = r(ng + r(zg * r(h[s]! - ng)));
      [gates[g], gates[g + H], gates[g + 2 * H], gates[g + 3 * H]] = [rg, zg, ng, hn];
    }
  }
  return true;
}

/**
 * dh' → dn = dh' − dh'·z, dz = dh'·(h − n), dh = dh'·z; dn̂ = dn·(1 − n)(1 + n); then
 * xw's gradient: dr̂ = dn̂·hn·r(1 − r), dẑ = dz·z(1 − z), dn̂; hw's: dr̂, dẑ, dn̂·r.
 */
export function gruCellBackward(a: GruCellBackwardArgs): boolean {
  const { gates, h, grad, rows: N, hidden: H, gradXw, gradHw, gradH } = a;
  const r = gradH instanceof Float32Array ? Math.fround : same;
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      const g = n * 4 * H + j;
      const k = n * 3 * H + j;
      const [rg, zg, ng, hn] = [gates[g]!, gates[g + H]!, gates[g + 2 * H]!, gates[g + 3 * H]!];
      const d = grad[s]!;
      const dz = r(d * zg);
      const dn = r(r(d - dz) * r(r(1 - ng) * r(1 + ng)));
      const dr = r(r(dn * hn) * r(rg * r(1 - rg)));
      const dzPre = r(r(d * r(h[s]! - ng)) * r(zg * r(1 - zg)));
      gradXw[k] = dr;
      gradXw[k + H] = dzPre;
      gradXw[k + 2 * H] = dn;
      gradHw[k] = dr;
      gradHw[k + H] = dzPre;
      gradHw[k + 2 * H] = r(dn * rg);
      gradH[s] = dz;
    }
  }
  return true;
}
