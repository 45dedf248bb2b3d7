/**
 * Uniform and normal draws and dropout's keep mask on the device, from Philox4x32-10 (Salmon et
 * al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011; the counter-based generator
 * PyTorch's CUDA backend uses). Counter-based: draw i of a call is philox(counter, key) with the
 * counter (c0 + i, c1, c2, c3), so each thread computes its own draws with no state to share and
 * no mask to upload. The design is wgsl-random.ts's (bernoulli and multinomial, whose deviceSeed
 * this shares): the key of a call is two 32-bit words from the host generator, so
 * manualSeed fixes every device draw and each call, advancing the generator, draws anew. The
 * numbers are not the CPU's (MT19937 in PyTorch's CPU order, which no parallel kernel reproduces;
 * PyTorch's CUDA draws differ from its CPU's too: docs/PARITY.md).
 *
 * A uniform in [0, 1) is a word's top 24 bits · 2⁻²⁴ (each value exact in float32).
 *
 * PHILOX_FILL_SHADER  binding 0 the float32 output, 1 the int32 info
 *   [n, key low, key high, c0, c1, c2, c3, kind, a's float32 bits, b's float32 bits], kind
 *   0 uniform in [a, b) (a result rounded up to b becomes a, as PyTorch's CUDA kernel does),
 *   1 normal of mean a and standard deviation b (Box–Muller from the first two words),
 *   2 dropout's mask: b (the scale 1/(1 − p)) where the uniform is below a (1 − p), else 0.
 * PHILOX_BITS_SHADER  the four raw words of each thread's counter (out[4i..4i+3], int32 bits),
 *   the kernel's own output for the known-answer test against Random123's vectors.
 */
import { POINTWISE_WORKGROUP } from "./wgsl-pointwise.js";

/** What PHILOX_FILL_SHADER writes (info[7]). */
export const PHILOX_KIND = { uniform: 0, normal: 1, keepMask: 2 } as const;
export type PhiloxKind = keyof typeof PHILOX_KIND;

/** Philox4x32-10 in WGSL: `philox(counter, key)`, ten rounds (with its 32×32→64-bit product helper). */
export const PHILOX_WGSL = `
fn mul_hi_lo(a: u32, b: u32) -> vec2u {
  // the 64-bit product of two u32 as (high, low) from 16-bit halves (WGSL has no 64-bit integers)
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let p11 = a1 * b1;
  let middle = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (middle >> 16u);
  return vec2u(hi, a * b);
}
fn philox(counter: vec4u, key: vec2u) -> vec4u {
  var c = counter;
  var k = key;
  for (var round = 0; round < 10; round++) {
    let m0 = mul_hi_lo(0xD2511F53u, c.x);
    let m1 = mul_hi_lo(0xCD9E8D57u, c.z);
    c = vec4u(m1.x ^ c.y ^ k.x, m1.y, m0.x ^ c.w ^ k.y, m0.y);
    k = k + vec2u(0x9E3779B9u, 0xBB67AE85u);
  }
  return c;
}
`;

const PHILOX = `${PHILOX_WGSL}/** The four words of thread t: counter (c0 + t, c1, c2, c3) under the call's key. */
fn words(t: u32) -> vec4u {
  let counter = vec4u(u32(info[3]) + t, u32(info[4]), u32(info[5]), u32(info[6]));
  return philox(counter, vec2u(u32(info[1]), u32(info[2])));
}
fn unit(word: u32) -> f32 { return f32(word >> 8u) * (1.0 / 16777216.0); }
`;

const ENTRY = `@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let t = gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u;
  if (t >= u32(info[0])) { return; }`;

export const PHILOX_FILL_SHADER = `
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> info: array<i32>;
${PHILOX}
${ENTRY}
  let w = words(t);
  let a = bitcast<f32>(info[8]);
  let b = bitcast<f32>(info[9]);
  let u = unit(w.x);
  switch info[7] {
    case 0: {
      let v = a + (b - a) * u;
      out[t] = select(v, a, v >= b);
    }
    case 1: {
      // 1 − u lies in (0, 1], so the logarithm is finite
      let radius = sqrt(-2.0 * log(1.0 - u));
      out[t] = a + b * radius * cos(6.283185307179586 * unit(w.y));
    }
    default: {
      out[t] = select(0.0, b, u < a);
    }
  }
}
`;

export const PHILOX_BITS_SHADER = `
@group(0) @binding(0) var<storage, read_write> out: array<i32>;
@group(0) @binding(1) var<storage, read> info: array<i32>;
${PHILOX}
${ENTRY}
  let w = bitcast<vec4i>(words(t));
  out[4u * t] = w.x;
  out[4u * t + 1u] = w.y;
  out[4u * t + 2u] = w.z;
  out[4u * t + 3u] = w.w;
}
`;

/**
 * Whether webgpu tensors' random draws (rand, randn, their *Like forms, uniform_, normal_, bernoulli, multinomial,
 * dropout) are Philox draws made on the device (true, the default), or the host's, PyTorch's CPU
 * numbers, uploaded in one counted transfer. The `webgpu` test project (the whole suite with the
 * device as the default) sets false, so that its seeded fixtures from PyTorch's CPU still hold.
 */
export const deviceRandom = { enabled: true };
