/**
 * Runs a nabla module on a case written by scripts/make_layer_fixtures.py and checks it against
 * PyTorch: state-dict keys in PyTorch's order, outputs, the gradients of every input and every
 * parameter after backward of Σ output·gradOut, and the state (buffers) afterwards.
 */
import { expect } from "vitest";
import { nn, Tensor } from "../packages/nabla/src/index.js";
import { expectClose, fromFixture, loadFixture, type FixtureTensor, type Tolerance } from "./helpers.js";

export interface LayerCase {
  keys: string[];
  state_dict: Record<string, FixtureTensor>;
  inputs: (FixtureTensor | null)[];
  outputs: FixtureTensor[];
  grad_outputs: (FixtureTensor | null)[];
  input_grads: (FixtureTensor | null)[];
  param_grads: Record<string, FixtureTensor>;
  state_after: Record<string, FixtureTensor>;
  [extra: string]: unknown;
}

export function loadCases(name: string): Record<string, LayerCase> {
  return loadFixture<{ cases: Record<string, LayerCase> }>(name).cases;
}

export const stateDictOf = (sd: Record<string, FixtureTensor>) => Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, fromFixture(v)]));

/** The tensors of an output made of tensors, arrays and { values, indices }, in PyTorch's tuple order. */
export function flatOutputs(out: unknown): Tensor[] {
  if (out instanceof Tensor) return [out];
  if (Array.isArray(out)) return out.flatMap(flatOutputs);
  if (out && typeof out === "object" && "values" in out && "indices" in out) {
    const o = out as { values: Tensor; indices: Tensor };
    return [o.values, o.indices];
  }
  if (out === null) return [];
  throw new Error(`unexpected output ${String(out)}`);
}

export type Call = (m: nn.AnyModule, inputs: (Tensor | null)[]) => unknown;

const defaultCall: Call = (m, inputs) => m.forward(...inputs);

/** Loads the case's state dict into `module`, runs it and compares everything with PyTorch. */
export function checkCase(c: LayerCase, module: nn.AnyModule, call: Call = defaultCall, tol: Tolerance = {}): void {
  expect(Object.keys(module.stateDict())).toEqual(c.keys);
  module.loadStateDict(stateDictOf(c.state_dict));
  const inputs = c.inputs.map((t, i) => (t === null ? null : fromFixture(t, { requiresGrad: c.input_grads[i] !== null && t.dtype.startsWith("float") })));
  const outs = flatOutputs(call(module, inputs));
  expect(outs.length, "number of outputs").toBe(c.outputs.length);
  outs.forEach((o, i) => expectClose(o, c.outputs[i]!, tol, `output ${i}`));
  let loss: Tensor | null = null;
  outs.forEach((o, i) => {
    const g = c.grad_outputs[i];
    if (g === null || g === undefined || !o.requiresGrad) return;
    const term = o.mul(fromFixture(g)).sum();
    loss = loss === null ? term : loss.add(term);
  });
  if (loss !== null) (loss as Tensor).backward();
  inputs.forEach((x, i) => {
    const g = c.input_grads[i];
    if (g) expectClose(x!.grad, g, tol, `grad of input ${i}`);
  });
  for (const [name, p] of module.namedParameters()) {
    const g = c.param_grads[name];
    if (g) expectClose(p.grad, g, tol, `grad of ${name}`);
    else expect(p.grad, `grad of ${name} should be empty`).toBeNull();
  }
  const after = module.stateDict();
  for (const [k, v] of Object.entries(c.state_after)) expectClose(after[k], v, tol, `state after: ${k}`);
}
