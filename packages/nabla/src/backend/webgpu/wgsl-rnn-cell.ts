/**
 * The fused LSTM and GRU steps in WGSL (nn/functional/rnn-cell-webgpu.ts runs them): the pointwise
 * part of a step after its two matmuls, and its backward, one thread per hidden unit of a row
 * (N·H threads), in place of the ~10 pointwise kernels forward and ~20 backward the step is in
 * ops. The arithmetic is the CPU kernels' (src/backend/js/lstm-cell.ts, gru-cell.ts: the ops'
 * operations in their order) in float32, with the library's σ and tanh (wgsl-math.ts), which the
 * unfused webgpu ops use too.
 *
 * Bindings follow WebGpuContext.threads: the first input, the first output, info (i32), then the
 * rest. A step's operands are often views (xw one time step of the whole sequence's projection,
 * c0 one layer of the initial state), so the inputs are read from offsets in info; the outputs
 * and the saved gates are fresh buffers, read from 0. Without a bias the bias binding is left out
 * (`bias` compiles a second form) and the bindings after it move down one.
 */
import { helperSource } from "./wgsl-math.js";
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

const HELPERS = helperSource(["nb_sigmoid", "nb_tanh"]);

/** The thread's unit t of the N·H, or an early return past them; N and H are info[0], info[1]. */
const PROLOGUE = `
  let t = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  let N = info[0];
  let H = info[1];
  if (t >= N * H) { return; }
  let n = t / H;
  let j = t - n * H;`;

const ENTRY = `@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {`;

/** A float32 buffer of the shader's, read-only or written. */
interface Buffer {
  readonly name: string;
  readonly access: "read" | "read_write";
}
const input = (name: string): Buffer => ({ name, access: "read" });
const output = (name: string): Buffer => ({ name, access: "read_write" });

/**
 * A whole shader: the helpers, `buffers` bound in WebGpuContext.threads' order (the first input at
 * 0, the first output at 1, info at 2, the rest from 3), the entry point and its prologue, then `body`.
 */
function cellShader(buffers: Buffer[], body: string): string {
  const bindings = buffers.map(({ name, access }, k) => `@group(0) @binding(${k < 2 ? k : k + 1}) var<storage, ${access}> ${name}: array<f32>;`);
  bindings.splice(2, 0, "@group(0) @binding(2) var<storage, read> info: array<i32>;");
  return `${HELPERS}\n${bindings.join("\n")}\n${ENTRY}${PROLOGUE}\n${body}}\n`;
}

/** A forward's buffers: xw, out, hw, b (when `bias`), the state (`c` or `h`), gates. */
function forwardBuffers(state: string, bias: boolean): Buffer[] {
  return [input("xw"), output("out"), input("hw"), ...(bias ? [input("b")] : []), input(state), output("gates")];
}

/** Gate k's term of the hidden projection hw, with the bias b added (in PyTorch's order) when there is one. */
function hiddenTerm(k: number, bias: boolean): string {
  const hw = `hw[info[3] + row + ${k} * H]`;
  return bias ? `(${hw} + b[info[4] + j + ${k} * H])` : hw;
}

/**
 * LSTM forward. Bindings: xw [N, 4H], out [2, N, H] (h' then c'), info [N, H, xw offset, hw offset,
 * bias offset, c offset], hw [N, 4H], bias [4H] (when `bias`), c [N, H], gates [N, 4H] (i, f, g, o
 * activated: what the backward reads).
 */
export function lstmCellShader(bias: boolean): string {
  const pre = (k: number) => `xw[info[2] + row + ${k} * H] + ${hiddenTerm(k, bias)}`;
  return cellShader(forwardBuffers("c", bias), `  let row = n * 4 * H + j;
  let i = nb_sigmoid(${pre(0)});
  let f = nb_sigmoid(${pre(1)});
  let g = nb_tanh(${pre(2)});
  let o = nb_sigmoid(${pre(3)});
  gates[row] = i;
  gates[row + H] = f;
  gates[row + 2 * H] = g;
  gates[row + 3 * H] = o;
  let c2 = f * c[info[5] + t] + i * g;
  out[N * H + t] = c2;
  out[t] = o * nb_tanh(c2);
`);
}

/**
 * LSTM backward, c' = f·c + i·g recomputed (the forward's bits): with t = tanh(c'),
 * dc'' = dc' + dh·o·(1 − t)(1 + t); the gates' pre-activation gradients dc''·g·σ'(i), dc''·c·σ'(f),
 * dc''·i·tanh'(g), dh·t·σ'(o); dc = dc''·f. Bindings: gates [N, 4H], gradGates [N, 4H],
 * info [N, H, c offset, grad offset], c [N, H], grad [2, N, H] (of h' then c'), gradC [N, H].
 */
export const LSTM_CELL_BACKWARD_SHADER = cellShader([input("gates"), output("gradGates"), input("c"), input("grad"), output("gradC")], `  let row = n * 4 * H + j;
  let i = gates[row];
  let f = gates[row + H];
  let g = gates[row + 2 * H];
  let o = gates[row + 3 * H];
  let cv = c[info[2] + t];
  let dh = grad[info[3] + t];
  let tc = nb_tanh(f * cv + i * g);
  let dc = grad[info[3] + N * H + t] + (dh * o) * ((1.0 - tc) * (1.0 + tc));
  gradGates[row] = (dc * g) * (i * (1.0 - i));
  gradGates[row + H] = (dc * cv) * (f * (1.0 - f));
  gradGates[row + 2 * H] = (dc * i) * ((1.0 - g) * (1.0 + g));
  gradGates[row + 3 * H] = (dh * tc) * (o * (1.0 - o));
  gradC[t] = dc * f;
`);

/**
 * GRU forward (PyTorch's: r,z = σ(xw + (hw + b)), hn = hw_n + b_n, n = tanh(xw_n + r·hn),
 * h' = n + z·(h − n) = (1 − z)·n + z·h). Bindings: xw [N, 3H], out [N, H], info [N, H, xw offset,
 * hw offset, bias offset, h offset], hw [N, 3H], bias [3H] (when `bias`), h [N, H], gates [N, 4H]
 * (r, z, n, hn: what the backward reads).
 */
export function gruCellShader(bias: boolean): string {
  const hb = (k: number) => hiddenTerm(k, bias);
  return cellShader(forwardBuffers("h", bias), `  let row = n * 3 * H + j;
  let r = nb_sigmoid(xw[info[2] + row] + ${hb(0)});
  let z = nb_sigmoid(xw[info[2] + row + H] + ${hb(1)});
  let hn = ${hb(2)};
  let ng = nb_tanh(xw[info[2] + row + 2 * H] + r * hn);
  out[t] = ng + z * (h[info[5] + t] - ng);
  let s = n * 4 * H + j;
  gates[s] = r;
  gates[s + H] = z;
  gates[s + 2 * H] = ng;
  gates[s + 3 * H] = hn;
`);
}

/**
 * GRU backward: dz = dh'·z (h's gradient through the blend), dn = (dh' − dz)·(1 − n)(1 + n),
 * dr = dn·hn·σ'(r), dẑ = dh'·(h − n)·σ'(z); xw's gradient dr, dẑ, dn; hw's dr, dẑ, dn·r.
 * Bindings: gates [N, 4H], gradXw [N, 3H], info [N, H, h offset, grad offset], h [N, H],
 * grad [N, H], gradHw [N, 3H], gradH [N, H].
 */
export const GRU_CELL_BACKWARD_SHADER = cellShader([input("gates"), output("gradXw"), input("h"), input("grad"), output("gradHw"), output("gradH")], `  let s = n * 4 * H + j;
  let r = gates[s];
  let z = gates[s + H];
  let ng = gates[s + 2 * H];
  let hn = gates[s + 3 * H];
  let d = grad[info[3] + t];
  let dz = d * z;
  let dn = (d - dz) * ((1.0 - ng) * (1.0 + ng));
  let dr = (dn * hn) * (r * (1.0 - r));
  let dzPre = (d * (h[info[2] + t] - ng)) * (z * (1.0 - z));
  let row = n * 3 * H + j;
  gradXw[row] = dr;
  gradXw[row + H] = dzPre;
  gradXw[row + 2 * H] = dn;
  gradHw[row] = dr;
  gradHw[row + H] = dzPre;
  gradHw[row + 2 * H] = dn * r;
  gradH[t] = dz;
`);
