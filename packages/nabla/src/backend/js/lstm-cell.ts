/**
 * An LSTM step's pointwise part and its backward as plain loops (the contract is LstmCellArgs in
 * backend.ts): the JS backend's fused kernels, and the wasm backend's for arrays outside its heap.
 * They do the unfused ops' operations in their order with the same scalar functions, each result
 * rounded to float32 where the arrays are float32, so they give the unfused JS path's bits.
 */
import type { LstmCellArgs, LstmCellBackwardArgs } from "../backend.js";
import { sigmoid } from "../../ops/pointwise/scalar-math.js";

const same = (x: number) => x;

export function lstmCell(a: LstmCellArgs): boolean {
  const { xw, hw, bias, c, rows: N, hidden: H, out, gates } = a;
  const r = out instanceof Float32Array ? Math.fround : same;
  const G = 4 * H;
  const cOut = N * H;
  for (let n = 0; n < N; n++) {
    const row = n * G;
    for (let j = 0; j < G; j++) {
      const k = row + j;
      const pre = r(xw[k]! + (bias === null ? hw[k]! : r(hw[k]! + bias[j]!)));
      // gates 0, 1 and 3 (i, f, o) are sigmoids, gate 2 (g) a tanh
      gates[k] = j >= 2 * H && j < 3 * H ? r(Math.tanh(pre)) : r(sigmoid(pre));
    }
    for (let j = 0; j < H; j++) {
      const k = row + j;
      const [i, f, g, o] = [gates[k]!, gates[k + H]!, gates[k + 2 * H]!, gates[k + 3 * H]!];
      const c2 = r(r(f * c[n * H + j]!) + r(i * g));
      out[cOut + n * H + j] = c2;
      out[n * H + j] = r(o * r(Math.tanh(c2)));
    }
  }
  return true;
}

/**
 * dh, dc' → with t = tanh(c'), c' = f·c + i·g recomputed: do = dh·t, dc'' = dc' + (dh·o)·(1 − t)(1 + t), di = dc''·g,
 * df = dc''·c, dg = dc''·i, dc = dc''·f; then through the gate functions (σ' = σ(1 − σ),
 * tanh' = (1 − y)(1 + y), as their declarations).
 */
export function lstmCellBackward(a: LstmCellBackwardArgs): boolean {
  const { gates, c, grad, rows: N, hidden: H, gradGates, gradC } = a;
  const r = gradC instanceof Float32Array ? Math.fround : same;
  const G = 4 * H;
  const dcOut = N * H;
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      const k = n * G + j;
      const [i, f, g, o] = [gates[k]!, gates[k + H]!, gates[k + 2 * H]!, gates[k + 3 * H]!];
      const dh = grad[s]!;
      const t = r(Math.tanh(r(r(f * c[s]!) + r(i * g))));
      const dc = r(grad[dcOut + s]! + r(r(dh * o) * r(r(1 - t) * r(1 + t))));
      gradGates[k] = r(r(dc * g) * r(i * r(1 - i)));
      gradGates[k + H] = r(r(dc * c[s]!) * r(f * r(1 - f)));
      gradGates[k + 2 * H] = r(r(dc * i) * r(r(1 - g) * r(1 + g)));
      gradGates[k + 3 * H] = r(r(dh * t) * r(o * r(1 - o)));
      gradC[s] = r(dc * f);
    }
  }
  return true;
}
