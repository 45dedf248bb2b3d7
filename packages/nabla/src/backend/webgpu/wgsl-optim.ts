/**
 * The fused optimizer steps in WGSL, in place over a parameter's flat buffers: the loops of
 * src/backend/js/optim-steps.ts (PyTorch's Adam/AdamW and SGD) in float32, one thread per element.
 * The options that change which operations run (weight decay, decoupled, maximize, AMSGrad,
 * momentum, Nesterov, the first momentum step) are compiled into the shader; the numbers are read
 * from `hyper` (f32), the length from `info` (i32).
 */
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

export interface AdamShape {
  readonly amsgrad: boolean;
  readonly decoupled: boolean;
  readonly maximize: boolean;
  readonly weightDecay: boolean;
}

/** hyper: [stepSize, bc2, decay, beta1, 1 − beta1, beta2, 1 − beta2, eps, weightDecay]. */
export function adamShader({ amsgrad, decoupled, maximize, weightDecay }: AdamShape): string {
  return `
@group(0) @binding(0) var<storage, read_write> theta: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read> info: array<i32>;
@group(0) @binding(5) var<storage, read> hyper: array<f32>;
${amsgrad ? "@group(0) @binding(6) var<storage, read_write> vMax: array<f32>;" : ""}

@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u;
  if (i >= u32(info[0])) { return; }
  var g = ${maximize ? "-grad[i]" : "grad[i]"};
  ${weightDecay && !decoupled ? "g += hyper[8] * theta[i];" : ""}
  ${weightDecay && decoupled ? "theta[i] = theta[i] * hyper[2];" : ""}
  let mi = hyper[3] * m[i] + hyper[4] * g;
  let vi = hyper[5] * v[i] + hyper[6] * g * g;
  m[i] = mi;
  v[i] = vi;
  ${amsgrad ? "let vHat = max(vMax[i], vi); vMax[i] = vHat;" : "let vHat = vi;"}
  theta[i] = theta[i] - (hyper[0] * mi) / (sqrt(vHat) / hyper[1] + hyper[7]);
}
`;
}

export interface SgdShape {
  readonly momentum: boolean;
  readonly firstStep: boolean;
  readonly nesterov: boolean;
  readonly maximize: boolean;
  readonly weightDecay: boolean;
}

/** hyper: [lr, momentum, 1 − dampening, weightDecay]. */
export function sgdShader({ momentum, firstStep, nesterov, maximize, weightDecay }: SgdShape): string {
  const update = !momentum
    ? ""
    : `let bi = ${firstStep ? "g" : "hyper[1] * b[i] + hyper[2] * g"};
  b[i] = bi;
  g = ${nesterov ? "g + hyper[1] * bi" : "bi"};`;
  return `
@group(0) @binding(0) var<storage, read_write> theta: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read> hyper: array<f32>;
${momentum ? "@group(0) @binding(4) var<storage, read_write> b: array<f32>;" : ""}

@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u;
  if (i >= u32(info[0])) { return; }
  var g = ${maximize ? "-grad[i]" : "grad[i]"};
  ${weightDecay ? "g += hyper[3] * theta[i];" : ""}
  ${update}
  theta[i] = theta[i] - hyper[0] * g;
}
`;
}
