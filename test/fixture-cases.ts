/**
 * Running a fixture case of test/fixtures/activations.json or losses.json (written by
 * scripts/make_activation_fixtures.py): F[fn](...args, kwargs), then backward with gradOut, and
 * every value and gradient compared with PyTorch's.
 */
import { F, type Tensor } from "../packages/nabla/src/index.js";
import { expectClose, fromFixture, isFixtureTensor, type FixtureTensor, type Tolerance } from "./helpers.js";

export interface FnCase {
  name: string;
  fn: string;
  args: (FixtureTensor | number)[];
  kwargs: Record<string, FixtureTensor | number | string | boolean>;
  out: FixtureTensor;
  gradOut: FixtureTensor;
  grads: (FixtureTensor | null)[];
  substituted?: Record<string, number[]>;
  reference?: string;
}

type AnyFn = (...args: unknown[]) => Tensor;

/** Calls F[case.fn] with the fixture's arguments (tensors needing a gradient marked so) and options. */
export function runCase(c: FnCase): { out: Tensor; inputs: (Tensor | number)[] } {
  const inputs = c.args.map((a, i) => (isFixtureTensor(a) ? fromFixture(a, { requiresGrad: c.grads[i] !== null }) : a));
  const kwargs = Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, isFixtureTensor(v) ? fromFixture(v) : v]));
  const fn = (F as unknown as Record<string, AnyFn>)[c.fn];
  if (!fn) throw new Error(`no F.${c.fn}`);
  return { out: fn(...inputs, kwargs), inputs };
}

/** float64 within 1e-9 relative (the issue asks 1e-6); float32 a few ulps. */
export const TOL: Record<string, Tolerance> = { float64: { rtol: 1e-9, atol: 1e-12 }, float32: { rtol: 2e-5, atol: 1e-6 } };

/** Checks forward values and every gradient PyTorch gives. */
export function checkCase(c: FnCase): void {
  const { out, inputs } = runCase(c);
  const tol = TOL[c.out.dtype]!;
  expectClose(out, c.out, tol, `${c.name}: output`);
  out.backward(fromFixture(c.gradOut));
  c.grads.forEach((g, i) => {
    if (g !== null) expectClose((inputs[i] as Tensor).grad, g, tol, `${c.name}: grad of argument ${i}`);
  });
}

