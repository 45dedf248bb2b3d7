/**
 * Max pooling and col2im (fold2d), one thread per output element, as the Backend's:
 * maxPool2d takes each window's first NaN, else its first largest element, skipping padding, and
 * writes where it sits (h·W + w) as int32; fold2d adds into each element of out [N, C, H, W] the
 * columns whose taps land on it, in the taps' order (i, then j), as the JS loop does.
 */
import { helperSource } from "./wgsl-math.js";
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

const ENTRY = `
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let idx = i32(gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u);`;

/** info (i32): [N, C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW, offset, strides (4)]. */
export const MAX_POOL_SHADER = `
${helperSource(["nb_isnan"])}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> indices: array<i32>;
@group(0) @binding(3) var<storage, read> info: array<i32>;
${ENTRY}
  let N = info[0]; let C = info[1]; let H = info[2]; let W = info[3];
  let oH = info[12]; let oW = info[13];
  if (idx >= N * C * oH * oW) { return; }
  let ox = idx % oW; let oy = (idx / oW) % oH; let ch = (idx / (oW * oH)) % C; let n = idx / (oW * oH * C);
  let plane = info[14] + n * info[15] + ch * info[16];
  let h0 = oy * info[6] - info[8];
  let w0 = ox * info[7] - info[9];
  var best = 0.0;
  var at = -1;
  var done = false;
  for (var a = 0; a < info[4] && !done; a++) {
    let hh = h0 + a * info[10];
    if (hh < 0 || hh >= H) { continue; }
    for (var q = 0; q < info[5]; q++) {
      let ww = w0 + q * info[11];
      if (ww < 0 || ww >= W) { continue; }
      let v = x[plane + hh * info[17] + ww * info[18]];
      if (at < 0 || nb_isnan(v) || v > best) {
        best = v;
        at = hh * W + ww;
        if (nb_isnan(v)) { done = true; break; }
      }
    }
  }
  values[idx] = best;
  indices[idx] = at;
}
`;

/** info (i32): [N, C, H, W, kH, kW, oH, oW, sH, sW, dH, dW, offset, strides (6)]. */
export const FOLD_SHADER = `
@group(0) @binding(0) var<storage, read> cols: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
${ENTRY}
  let N = info[0]; let C = info[1]; let H = info[2]; let W = info[3];
  let oH = info[6]; let oW = info[7]; let sH = info[8]; let sW = info[9];
  if (idx >= N * C * H * W) { return; }
  let w = idx % W; let h = (idx / W) % H; let ch = (idx / (W * H)) % C; let n = idx / (W * H * C);
  let base = info[12] + n * info[13] + ch * info[14];
  var acc = out[idx];
  for (var i = 0; i < info[4]; i++) {
    let th = h - i * info[10];
    if (th < 0 || th % sH != 0 || th / sH >= oH) { continue; }
    for (var j = 0; j < info[5]; j++) {
      let tw = w - j * info[11];
      if (tw < 0 || tw % sW != 0 || tw / sW >= oW) { continue; }
      acc += cols[base + i * info[15] + j * info[16] + (th / sH) * info[17] + (tw / sW) * info[18]];
    }
  }
  out[idx] = acc;
}
`;
