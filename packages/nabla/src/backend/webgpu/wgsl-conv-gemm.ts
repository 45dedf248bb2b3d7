/**
 * conv2d and its weight gradient as implicit GEMMs, tiled in workgroup memory as the matmul is
 * (wgsl-matmul.ts): per group g,
 *
 * - conv2d: y[g] (O/G × N·oH·oW) = W[g] (O/G × C/G·kH·kW) · cols(x)[g] (C/G·kH·kW × N·oH·oW),
 * - conv2dWeight: gW[g] (O/G × C/G·kH·kW) = gy[g] (O/G × N·oH·oW) · cols(x)[g]ᵀ,
 * - conv2dInput: gx[g] (C/G × N·H·W) = W[g]ᵀ (C/G × O/G·kH·kW) · taps(gy)[g] (O/G·kH·kW × N·H·W),
 *   where taps(gy)[(o, i, j), (n, h, w)] is gy[n, o, (h + pH − i·dH)/sH, (w + pW − j·dW)/sW] where
 *   that lands on an output (divisible, in range) and 0 elsewhere (the transposed convolution),
 *
 * where cols(x) (im2col) is never stored: a tile of it is read straight from x through its 4-D
 * strides, taps that fall in the padding reading 0. A workgroup of 16×16 threads computes a
 * (16·R)×64 block of the product, each thread R×4 outputs in registers (R = 4, or 1 where the
 * group has at most 16 output channels, so that a LeNet layer does not idle three quarters of its
 * threads), walking the reduction in steps of 16. The geometry (strides, padding, dilation,
 * groups) and the bindings and info are the direct kernels' (wgsl-conv.ts); workgroup (x, y, z) =
 * (column block, row block, group).
 */
import { CONV_INFO_PRELUDE } from "./wgsl-conv.js";

export const CONV_TILE_N = 64;
const K_STEP = 16;

export type ConvGemmKind = "forward" | "weight" | "input";

/** Rows of output each thread keeps: 4 for tall products, 1 for at most 16 rows (channels of a group). */
export function convRowsPerThread(rows: number): 1 | 4 {
  return rows <= 16 ? 1 : 4;
}

/** Output rows per workgroup. */
export function convTileM(rowsPerThread: 1 | 4): number {
  return 16 * rowsPerThread;
}

/**
 * The GEMM's operands, as reads: A(row, k) and B(k, col), 0 outside; and where C(row, col) goes.
 * `x` is operand 0 (info 16…20) in both kinds; operand 1 (info 21…25) is the weight for the
 * forward and gy for the weight gradient.
 */
const OPERANDS: Record<"forward" | "weight", { bindings: string; dims: string; a: string; column: string; b: string; store: string }> = {
  forward: {
    bindings: `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> wt: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> info: array<i32>;`,
    // M = O/G, N = batch · oH · oW, K = C/G · kH · kW
    dims: "M = og; NC = N * oH * oW; KK = cg * kH * kW;",
    a: `fn loadA(row: i32, k: i32) -> f32 {
  if (row >= og || k >= KK) { return 0.0; }
  let c = k / (kH * kW); let r = k % (kH * kW);
  return wt[at4(21, g * og + row, c, r / kW, r % kW)];
}`,
    // the thread's column of cols(x) is the same at every step: (n, top row, left column) once
    column: `colValid = col < NC;
  let n = col / (oH * oW); let q = col % (oH * oW);
  colH = (q / oW) * sH - pH; colW = (q % oW) * sW - pW;
  colBase = info[16] + n * info[17] + g * cg * info[18];`,
    b: `fn loadB(k: i32) -> f32 {
  if (k >= KK || !colValid) { return 0.0; }
  let c = k / (kH * kW); let r = k - c * (kH * kW);
  let i = r / kW;
  let ih = colH + i * dH;
  let iw = colW + (r - i * kW) * dW;
  if (ih < 0 || ih >= H || iw < 0 || iw >= W) { return 0.0; }
  return x[colBase + c * info[18] + ih * info[19] + iw * info[20]];
}`,
    store: `fn store(row: i32, col: i32, v: f32) {
  let o = g * og + row;
  let n = col / (oH * oW); let q = col % (oH * oW);
  var y = v;
  if (info[28] != 0) { y += bias[info[26] + o * info[27]]; }
  out[(n * O + o) * oH * oW + q] = y;
}`,
  },
  weight: {
    bindings: `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> info: array<i32>;`,
    // M = O/G, N = C/G · kH · kW, K = batch · oH · oW
    dims: "M = og; NC = cg * kH * kW; KK = N * oH * oW;",
    a: `fn loadA(row: i32, p: i32) -> f32 {
  if (row >= og || p >= KK) { return 0.0; }
  let n = p / (oH * oW); let q = p % (oH * oW);
  return gy[at4(21, n, g * og + row, q / oW, q % oW)];
}`,
    // the thread's column is one tap (c, i, j) of the weight at every step: once
    column: `colValid = col < NC;
  let c = col / (kH * kW); let r = col % (kH * kW);
  colH = (r / kW) * dH - pH; colW = (r % kW) * dW - pW;
  colBase = info[16] + (g * cg + c) * info[18];`,
    b: `fn loadB(p: i32) -> f32 {
  if (p >= KK || !colValid) { return 0.0; }
  let n = p / (oH * oW); let q = p - n * (oH * oW);
  let oy = q / oW;
  let ih = oy * sH + colH;
  let iw = (q - oy * oW) * sW + colW;
  if (ih < 0 || ih >= H || iw < 0 || iw >= W) { return 0.0; }
  return x[colBase + n * info[17] + ih * info[19] + iw * info[20]];
}`,
    store: `fn store(row: i32, col: i32, v: f32) {
  out[(g * og + row) * NC + col] = v;
}`,
  },
};

const INPUT_OPERANDS = {
  bindings: `
@group(0) @binding(0) var<storage, read> gy: array<f32>;
@group(0) @binding(1) var<storage, read> wt: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> info: array<i32>;`,
  // M = C/G, N = batch · H · W, K = O/G · kH · kW
  dims: "M = cg; NC = N * H * W; KK = og * kH * kW;",
  a: `fn loadA(row: i32, k: i32) -> f32 {
  if (row >= cg || k >= KK) { return 0.0; }
  let o = k / (kH * kW); let r = k % (kH * kW);
  return wt[at4(21, g * og + o, row, r / kW, r % kW)];
}`,
  // the thread's column is one pixel (n, h, w) of gx at every step: once
  column: `colValid = col < NC;
  let n = col / (H * W); let q = col % (H * W);
  colH = q / W + pH; colW = q % W + pW;
  colBase = info[16] + n * info[17] + g * og * info[18];`,
  b: `fn loadB(k: i32) -> f32 {
  if (k >= KK || !colValid) { return 0.0; }
  let o = k / (kH * kW); let r = k - o * (kH * kW);
  let i = r / kW;
  let th = colH - i * dH;
  let tw = colW - (r - i * kW) * dW;
  if (th < 0 || tw < 0 || th % sH != 0 || tw % sW != 0) { return 0.0; }
  let oy = th / sH; let ox = tw / sW;
  if (oy >= oH || ox >= oW) { return 0.0; }
  return gy[colBase + o * info[18] + oy * info[19] + ox * info[20]];
}`,
  store: `fn store(row: i32, col: i32, v: f32) {
  let n = col / (H * W);
  out[(n * C + g * cg + row) * H * W + col % (H * W)] = v;
}`,
};

/** The shader of one kind and register tile height. */
export function convGemmShader(kind: ConvGemmKind, rowsPerThread: 1 | 4): string {
  const R = rowsPerThread;
  const tileM = convTileM(R);
  const ops = kind === "input" ? INPUT_OPERANDS : OPERANDS[kind];
  // the geometry, shared by the helpers (set once per invocation)
  const names = ["N", "C", "H", "W", "O", "G", "kH", "kW", "sH", "sW", "pH", "pW", "dH", "dW", "oH", "oW", "cg", "og", "g", "M", "NC", "KK", "colH", "colW", "colBase"];
  return `${ops.bindings}
${CONV_INFO_PRELUDE}
${names.map((n) => `var<private> ${n}: i32;`).join("\n")}
var<private> colValid: bool;
${ops.a}
${ops.b}
${ops.store}

// [k][ty]: rows ty (+ 16, + 32, + 48 with R = 4) of the block; tileB [k][tx]: columns tx, tx + 16, tx + 32, tx + 48
var<workgroup> tileA: array<${R === 4 ? "vec4<f32>" : "f32"}, ${K_STEP * 16}>;
var<workgroup> tileB: array<vec4<f32>, ${K_STEP * 16}>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  N = geo(0); C = geo(1); H = geo(2); W = geo(3); O = geo(4); G = geo(5);
  kH = geo(6); kW = geo(7); sH = geo(8); sW = geo(9); pH = geo(10); pW = geo(11);
  dH = geo(12); dW = geo(13); oH = geo(14); oW = geo(15);
  cg = C / G; og = O / G; g = i32(wg.z);
  ${ops.dims}
  // the reduction's length from info itself: private variables count as non-uniform, and the
  // barriers below need a loop bound that is uniform
  let steps = ${{ forward: "(geo(1) / geo(5)) * geo(6) * geo(7)", weight: "geo(0) * geo(14) * geo(15)", input: "(geo(4) / geo(5)) * geo(6) * geo(7)" }[kind]};
  let row0 = i32(wg.y) * ${tileM};
  let col0 = i32(wg.x) * ${CONV_TILE_N};
  let tx = i32(lid.x);
  let ty = i32(lid.y);
  let thread = ty * 16 + tx;
  {
    // B's loads below: every one of this thread's is in column ${CONV_TILE_N} · block + thread % ${CONV_TILE_N}
    let col = col0 + thread % ${CONV_TILE_N};
    ${ops.column}
  }
${Array.from({ length: R }, (_, i) => `  var acc${i} = vec4<f32>();`).join("\n")}
  for (var k0 = 0; k0 < steps; k0 += ${K_STEP}) {
    // A's tile: ${tileM} rows × ${K_STEP} ks, consecutive threads along k
    for (var l = 0; l < ${R}; l++) {
      let e = thread + l * 256;
      let ar = e / ${K_STEP};
      let ak = e % ${K_STEP};
      tileA[ak * 16 + ar % 16]${R === 4 ? "[ar / 16]" : ""} = loadA(row0 + ar, k0 + ak);
    }
    // B's tile: ${K_STEP} ks × ${CONV_TILE_N} columns, consecutive threads along the columns
    for (var l = 0; l < 4; l++) {
      let e = thread + l * 256;
      let bk = e / ${CONV_TILE_N};
      let bc = e % ${CONV_TILE_N};
      tileB[bk * 16 + bc % 16][bc / 16] = loadB(k0 + bk);
    }
    workgroupBarrier();
    for (var kk = 0; kk < ${K_STEP}; kk++) {
      let ra = tileA[kk * 16 + ty];
      let rb = tileB[kk * 16 + tx];
${R === 4 ? ["x", "y", "z", "w"].map((c, i) => `      acc${i} += ra.${c} * rb;`).join("\n") : "      acc0 += ra * rb;"}
    }
    workgroupBarrier();
  }
  let rows = array<vec4<f32>, ${R}>(${Array.from({ length: R }, (_, i) => `acc${i}`).join(", ")});
  for (var i = 0; i < ${R}; i++) {
    let r = row0 + ty + 16 * i;
    for (var j = 0; j < 4; j++) {
      let c = col0 + tx + 16 * j;
      if (r < M && c < NC) { store(r, c, rows[i][j]); }
    }
  }
}
`;
}
