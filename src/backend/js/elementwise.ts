/** Elementwise kernels of the JS backend: copy/cast, unary and binary maps, where. */
import type { BinaryOp, StridedView, UnaryOp } from "../backend.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { forEachRow } from "./iterate.js";
import { ACTIVATION_BINARY, ACTIVATION_UNARY } from "./activations.js";

type UnaryFn = (x: number, alpha: number, beta: number) => number;
type BinaryFn = (a: number, b: number, alpha: number) => number;

/** Sigmoid without overflow: e^x is only ever taken of a non-positive number. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const UNARY: Record<UnaryOp, UnaryFn> = {
  neg: (x) => -x,
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
  sqrt: (x) => Math.sqrt(x),
  abs: (x) => Math.abs(x),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x), // keeps NaN and ±0
  sigmoid,
  tanh: (x) => Math.tanh(x),
  relu: (x) => (x > 0 ? x : x !== x ? x : 0),
  leakyRelu: (x, alpha) => (x > 0 ? x : x * alpha),
  // PyTorch: clamp(x, min, max) = min(max(x, min), max), NaN passes through.
  clamp: (x, lo, hi) => (x !== x ? x : Math.min(Math.max(x, lo), hi)),
  powScalar: (x, alpha) => Math.pow(x, alpha),
  rpowScalar: (x, alpha) => Math.pow(alpha, x),
  logicalNot: (x) => (x ? 0 : 1),
  isFinite: (x) => (Number.isFinite(x) ? 1 : 0),
  ...ACTIVATION_UNARY,
};

const BINARY: Record<BinaryOp, BinaryFn> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  // NaN propagates in maximum/minimum, as in PyTorch.
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  logicalAnd: (a, b) => (a && b ? 1 : 0),
  logicalOr: (a, b) => (a || b ? 1 : 0),
  reluBackward: (g, x) => (x > 0 ? g : 0),
  leakyReluBackward: (g, x, alpha) => (x > 0 ? g : g * alpha),
  sigmoidBackward: (g, y) => g * y * (1 - y),
  tanhBackward: (g, y) => g * (1 - y * y),
  ...ACTIVATION_BINARY,
};

export function copy(x: StridedView, out: TypedArray): void {
  const src = x.data;
  const toBool = out instanceof Uint8Array && !(src instanceof Uint8Array);
  forEachRow(x.shape, [x.strides], [x.offset], (start, [off], [step], length) => {
    let o = off!;
    if (toBool) {
      for (let i = 0; i < length; i++, o += step!) out[start + i] = src[o] !== 0 ? 1 : 0;
    } else if (step === 1 && out.constructor === src.constructor) {
      out.set(src.subarray(o, o + length) as never, start);
    } else {
      for (let i = 0; i < length; i++, o += step!) out[start + i] = src[o]!;
    }
  });
}

export function assign(dst: StridedView, src: StridedView): void {
  const dd = dst.data;
  const ds = src.data;
  const toBool = dd instanceof Uint8Array && !(ds instanceof Uint8Array);
  forEachRow(dst.shape, [dst.strides, src.strides], [dst.offset, src.offset], (_, [od, os], [sd, ss], length) => {
    let id = od!;
    let is = os!;
    for (let i = 0; i < length; i++, id += sd!, is += ss!) dd[id] = toBool ? (ds[is] !== 0 ? 1 : 0) : ds[is]!;
  });
}

export function unary(op: UnaryOp, x: StridedView, out: TypedArray, alpha = 0, beta = 0): void {
  const f = UNARY[op];
  const src = x.data;
  forEachRow(x.shape, [x.strides], [x.offset], (start, [off], [step], length) => {
    let o = off!;
    for (let i = 0; i < length; i++, o += step!) out[start + i] = f(src[o]!, alpha, beta);
  });
}

export function binary(op: BinaryOp, a: StridedView, b: StridedView, out: TypedArray, alpha = 0): void {
  const f = BINARY[op];
  const da = a.data;
  const db = b.data;
  forEachRow(a.shape, [a.strides, b.strides], [a.offset, b.offset], (start, [oa, ob], [sa, sb], length) => {
    let ia = oa!;
    let ib = ob!;
    for (let i = 0; i < length; i++, ia += sa!, ib += sb!) out[start + i] = f(da[ia]!, db[ib]!, alpha);
  });
}

export function where(cond: StridedView, a: StridedView, b: StridedView, out: TypedArray): void {
  const dc = cond.data;
  const da = a.data;
  const db = b.data;
  forEachRow(
    cond.shape,
    [cond.strides, a.strides, b.strides],
    [cond.offset, a.offset, b.offset],
    (start, [oc, oa, ob], [sc, sa, sb], length) => {
      let ic = oc!;
      let ia = oa!;
      let ib = ob!;
      for (let i = 0; i < length; i++, ic += sc!, ia += sa!, ib += sb!) out[start + i] = dc[ic] ? da[ia]! : db[ib]!;
    },
  );
}
