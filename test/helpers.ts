/**
 * Shared test helpers: decoding PyTorch-made fixtures (test/fixtures/*.json, written by
 * scripts/make_fixtures.py) into nabla tensors, and comparing tensors elementwise.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { tensor, type Device, type DType, type Tensor } from "../packages/nabla/src/index.js";
import { idleHelpers } from "../packages/nabla/src/backend/wasm/pool.js";

/** A fixture value: floats exactly, non-finite floats as "nan" / "inf" / "-inf". */
export type FixtureValue = number | boolean | "nan" | "inf" | "-inf";

/** A tensor as the fixture script encodes it: flat row-major data. int64 is written as int32. */
export interface FixtureTensor {
  dtype: DType;
  shape: number[];
  data: FixtureValue[];
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

/** Parses test/fixtures/<name>. */
export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as T;
}

export function isFixtureTensor(value: unknown): value is FixtureTensor {
  return (
    typeof value === "object" &&
    value !== null &&
    "dtype" in value &&
    "shape" in value &&
    "data" in value &&
    Array.isArray((value as FixtureTensor).data)
  );
}

/** One fixture value as a JS number (booleans as 0/1). */
export function decodeValue(v: FixtureValue): number {
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  if (typeof v === "boolean") return v ? 1 : 0;
  return v;
}

/** The fixture's values as a typed array of its dtype. */
export function fixtureData(t: FixtureTensor): Float32Array | Float64Array | Int32Array | Uint8Array {
  const values = t.data.map(decodeValue);
  switch (t.dtype) {
    case "float32":
      return Float32Array.from(values);
    case "float64":
      return Float64Array.from(values);
    case "int32":
      return Int32Array.from(values);
    case "bool":
      return Uint8Array.from(values);
  }
}

/** A fresh nabla leaf tensor with the fixture's dtype, shape and values. */
export function fromFixture(t: FixtureTensor, { requiresGrad = false, device }: { requiresGrad?: boolean; device?: Device } = {}): Tensor {
  const flat = tensor(fixtureData(t), { dtype: t.dtype, device });
  const shaped = flat.reshape(t.shape);
  if (requiresGrad) shaped.requiresGrad = true;
  return shaped;
}

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/** Default tolerances per dtype: float64 near-exact, float32 a few ulps. */
export function defaultTolerance(dtype: DType): Required<Tolerance> {
  if (dtype === "float64") return { rtol: 1e-10, atol: 1e-12 };
  if (dtype === "float32") return { rtol: 1e-5, atol: 1e-6 };
  return { rtol: 0, atol: 0 };
}

/** Values of a nabla tensor (row-major, as numbers) or of a fixture tensor. */
function expectedParts(expected: FixtureTensor | Tensor): { dtype: DType; shape: number[]; values: number[] } {
  if (isFixtureTensor(expected)) {
    return { dtype: expected.dtype, shape: expected.shape, values: expected.data.map(decodeValue) };
  }
  return { dtype: expected.dtype, shape: expected.shape.slice(), values: Array.from(expected.toTypedArray(), Number) };
}

/** Whether a and b agree: NaN equals NaN, infinities equal when of the same sign, −0 equals 0. */
export function valuesClose(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

/**
 * Asserts that `actual` has the expected shape, dtype and values (elementwise within
 * atol + rtol·|expected|). Also asserts every value is finite exactly where expected's is.
 */
export function expectClose(
  actual: Tensor | null | undefined,
  expected: FixtureTensor | Tensor,
  tolerance: Tolerance = {},
  label = "tensor",
): void {
  expect(actual, `${label}: expected a tensor, got ${String(actual)}`).toBeTruthy();
  const a = actual as Tensor;
  const exp = expectedParts(expected);
  const { rtol, atol } = { ...defaultTolerance(exp.dtype), ...tolerance };
  expect(a.shape.slice(), `${label}: shape`).toEqual(exp.shape);
  expect(a.dtype, `${label}: dtype`).toBe(exp.dtype);
  const got = Array.from(a.toTypedArray(), Number);
  expect(got.length, `${label}: number of elements`).toBe(exp.values.length);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const e = exp.values[i]!;
    if (Number.isFinite(g) !== Number.isFinite(e) || !valuesClose(g, e, rtol, atol)) {
      throw new Error(
        `${label}: element ${i} differs: got ${g}, expected ${e} ` +
          `(|diff| ${Math.abs(g - e)}, rtol ${rtol}, atol ${atol}, shape [${exp.shape.join(", ")}])`,
      );
    }
  }
}

/** The values of a tensor as a plain array of numbers, row-major. */
export function values(t: Tensor): number[] {
  return Array.from(t.toTypedArray(), Number);
}

/** A tensor's values as strings that tell −0 from 0 (and show NaN), for exact comparisons. */
export function signedValues(t: Tensor): string[] {
  return Array.from(t.toTypedArray() as ArrayLike<number>, (v) => (Object.is(v, -0) ? "-0" : String(v)));
}

/** Same dtype, shape and values, NaNs and signed zeros included. */
export function expectSameValues(a: Tensor, b: Tensor): void {
  expect(a.dtype).toBe(b.dtype);
  expect(a.shape).toEqual(b.shape);
  expect(signedValues(a)).toEqual(signedValues(b));
}

/** The error `fn` throws, typed as the caller expects (fails the test if none). */
export function errorOf<E extends Error = Error>(fn: () => unknown): E {
  try {
    fn();
  } catch (e) {
    return e as E;
  }
  throw new Error("expected an error");
}

/** The error the promise rejects with (fails the test if it resolves). */
export async function asyncErrorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

/** A small deterministic generator of numbers in [0, 1) (mulberry32), so randomised tests reproduce. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Waits (up to 5 s) until a wasm kernel helper is idle for a split across `threads` threads, and
 * returns how many are: helpers are workers that start asynchronously, and a split test that ran
 * before one was ready would pass on the caller's thread alone without testing the split.
 */
export async function idleHelpersReady(threads = 2): Promise<number> {
  for (let i = 0; i < 200 && idleHelpers(threads) < 1; i++) await new Promise((r) => setTimeout(r, 25));
  return idleHelpers(threads);
}

/**
 * Second derivatives of f (float64 inputs) against finite differences: the gradient of
 * s(x) = Σ v·∂(Σ w·f(x))/∂x (random weights w, v), taken through the first gradient recorded with
 * createGraph, against central differences of s computed without it.
 */
export function expectSecondDerivatives(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const weights = (t: Tensor, seed: number) => nb.rand(t.shape, { dtype: "float64", generator: new nb.Generator(seed) }).sub(0.5);
  const w = weights(f(...inputs), 1);
  const v = inputs.map((x, i) => weights(x, 10 + i));
  const s = (xs: Tensor[], createGraph: boolean) => {
    const firsts = nb.autograd.grad([f(...xs).mul(w).sum()], xs, { createGraph });
    return firsts.reduce<Tensor>((acc, g, i) => acc.add(g!.mul(v[i]!).sum()), nb.zeros([], { dtype: "float64" }));
  };
  const analytic = nb.autograd.grad([s(inputs, true)], inputs);
  inputs.forEach((x, i) => {
    const data = x.storage.data as Float64Array;
    const got = analytic[i]!.toTypedArray();
    for (let k = 0; k < data.length; k++) {
      const original = data[k]!;
      const h = 1e-6;
      data[k] = original + h;
      const plus = s(inputs, false).item();
      data[k] = original - h;
      const minus = s(inputs, false).item();
      data[k] = original;
      expect(got[k], `second derivative, input ${i} element ${k}`).toBeCloseTo((plus - minus) / (2 * h), 5);
    }
  });
}
