/**
 * The convolution family as direct loops, one thread per output element: conv2d (y from x, the
 * weight and a bias), conv2dInput (x's gradient, the transposed convolution) and conv2dWeight (the
 * weight's gradient), with the geometry of src/backend/convolution.ts (strides, padding, dilation,
 * groups). Operands are read through their 4-D strides. The plain form, with no tiling and no
 * workgroup memory: it fixes the semantics the tiled kernels (wgsl-conv-gemm.ts) are held to, and
 * runs where their grid would pass the device's limits.
 *
 * info (i32): [N, C, H, W, O, groups, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW, then for the first
 * operand, the second operand and the bias: offset and strides (4, 4, 1), then 1 with a bias].
 */
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

/** Field names for info's first 16 entries, and the operand readers. */
export const CONV_INFO_PRELUDE = `
fn geo(k: i32) -> i32 { return info[k]; }
fn at4(base: i32, a: i32, b: i32, c: i32, d: i32) -> i32 {
  return info[base] + a * info[base + 1] + b * info[base + 2] + c * info[base + 3] + d * info[base + 4];
}
`;

const ENTRY = `
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let idx = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);
  let N = geo(0); let C = geo(1); let H = geo(2); let W = geo(3); let O = geo(4); let G = geo(5);
  let kH = geo(6); let kW = geo(7); let sH = geo(8); let sW = geo(9); let pH = geo(10); let pW = geo(11);
  let dH = geo(12); let dW = geo(13); let oH = geo(14); let oW = geo(15);
  let cg = C / G;
  let og = O / G;`;

/** y[n, o, y, x] = bias[o] + Σ x[n, g·C/G + c, y·sH − pH + i·dH, x·sW − pW + j·dW] · w[o, c, i, j]. */
export const CONV2D_SHADER = `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> info: array<i32>;
${CONV_INFO_PRELUDE}${ENTRY}
  if (idx >= N * O * oH * oW) { return; }
  let ox = idx % oW; let oy = (idx / oW) % oH; let o = (idx / (oW * oH)) % O; let n = idx / (oW * oH * O);
  let g = o / og;
  var acc = 0.0;
  if (info[28] != 0) { acc = bias[info[26] + o * info[27]]; }
  for (var c = 0; c < cg; c++) {
    for (var i = 0; i < kH; i++) {
      let ih = oy * sH - pH + i * dH;
      if (ih < 0 || ih >= H) { continue; }
      for (var j = 0; j < kW; j++) {
        let iw = ox * sW - pW + j * dW;
        if (iw < 0 || iw >= W) { continue; }
        acc += a[at4(16, n, g * cg + c, ih, iw)] * b[at4(21, o, c, i, j)];
      }
    }
  }
  out[idx] = acc;
}
`;

/** gx[n, ch, h, w] = Σ gy[n, o, y, x] · w[o, c, i, j] over the taps that reach (h, w). a = gy, b = w. */
export const CONV2D_INPUT_SHADER = `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
${CONV_INFO_PRELUDE}${ENTRY}
  if (idx >= N * C * H * W) { return; }
  let w = idx % W; let h = (idx / W) % H; let ch = (idx / (W * H)) % C; let n = idx / (W * H * C);
  let g = ch / cg;
  let c = ch % cg;
  var acc = 0.0;
  for (var oo = 0; oo < og; oo++) {
    let o = g * og + oo;
    for (var i = 0; i < kH; i++) {
      let th = h + pH - i * dH;
      if (th < 0 || th % sH != 0 || th / sH >= oH) { continue; }
      for (var j = 0; j < kW; j++) {
        let tw = w + pW - j * dW;
        if (tw < 0 || tw % sW != 0 || tw / sW >= oW) { continue; }
        acc += a[at4(16, n, o, th / sH, tw / sW)] * b[at4(21, o, c, i, j)];
      }
    }
  }
  out[idx] = acc;
}
`;

/** gw[o, c, i, j] = Σ x[n, g·C/G + c, y·sH − pH + i·dH, x·sW − pW + j·dW] · gy[n, o, y, x]. a = x, b = gy. */
export const CONV2D_WEIGHT_SHADER = `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
${CONV_INFO_PRELUDE}${ENTRY}
  if (idx >= O * cg * kH * kW) { return; }
  let j = idx % kW; let i = (idx / kW) % kH; let c = (idx / (kW * kH)) % cg; let o = idx / (kW * kH * cg);
  let g = o / og;
  var acc = 0.0;
  for (var n = 0; n < N; n++) {
    for (var oy = 0; oy < oH; oy++) {
      let ih = oy * sH - pH + i * dH;
      if (ih < 0 || ih >= H) { continue; }
      for (var ox = 0; ox < oW; ox++) {
        let iw = ox * sW - pW + j * dW;
        if (iw < 0 || iw >= W) { continue; }
        acc += a[at4(16, n, g * cg + c, ih, iw)] * b[at4(21, n, o, oy, ox)];
      }
    }
  }
  out[idx] = acc;
}
`;
