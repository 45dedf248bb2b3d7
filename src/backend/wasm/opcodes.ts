/** The wasm module's op codes for the kernels it implements; keep in step with assembly/elementwise.ts. */
import type { BinaryOp, UnaryOp } from "../backend.js";

export const UNARY_CODE: Partial<Record<UnaryOp, number>> = {
  neg: 0,
  exp: 1,
  abs: 2,
  sqrt: 3,
  sigmoid: 4,
  tanh: 5,
  relu: 6,
  leakyRelu: 7,
  geluTanh: 8,
  geluTanhGrad: 9,
  silu: 10,
  siluGrad: 11,
};

export const BINARY_CODE: Partial<Record<BinaryOp, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  reluBackward: 4,
  leakyReluBackward: 5,
  sigmoidBackward: 6,
  tanhBackward: 7,
};
