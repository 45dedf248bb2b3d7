/**
 * A recurrent layer's per-step views of its input projection (packages/nabla/src/nn/layers/
 * sequence-steps.ts) gather their gradients into one buffer: held here to what plain select views
 * give, in float64, with steps that get no gradient, a second backward pass over a retained graph
 * and second derivatives (createGraph).
 */
import { describe, expect, it } from "vitest";
import { autograd, manualSeed, randn, select, type Tensor } from "../packages/nabla/src/index.js";
import { sequenceSteps } from "../packages/nabla/src/nn/layers/sequence-steps.js";

const T = 5;

/** Σ over the used steps of Σ(c_t ⊙ step_t²): a gradient that depends on the step (for second derivatives). */
function lossOf(steps: Tensor[], weights: Tensor[], used: number[]): Tensor {
  return used.map((t) => steps[t]!.mul(steps[t]!).mul(weights[t]!).sum()).reduce((a, b) => a.add(b));
}

function setup(): { x: Tensor; weights: Tensor[] } {
  manualSeed(3);
  const x = randn([T, 2, 3], { dtype: "float64" }).requiresGrad_();
  return { x, weights: Array.from({ length: T }, () => randn([2, 3], { dtype: "float64" })) };
}

const plainSteps = (x: Tensor) => Array.from({ length: T }, (_, t) => select(x, 0, t));

describe("sequenceSteps", () => {
  it("gives each step's gradient in its slice and zeros where none arrives, as select views", () => {
    const { x, weights } = setup();
    const used = [3, 0, 1];
    const [g] = autograd.grad(lossOf(sequenceSteps(x), weights, used), [x]);
    const [ref] = autograd.grad(lossOf(plainSteps(x), weights, used), [x]);
    expect(Array.from(g!.toTypedArray())).toEqual(Array.from(ref!.toTypedArray()));
    expect(Array.from(select(g!, 0, 4).toTypedArray()).every((v) => v === 0)).toBe(true);
  });

  it("starts a new gradient on a second backward pass over a retained graph", () => {
    const { x, weights } = setup();
    const loss = lossOf(sequenceSteps(x), weights, [4, 2]);
    loss.backward(undefined, { retainGraph: true });
    const once = Array.from(x.grad!.toTypedArray());
    loss.backward();
    expect(Array.from(x.grad!.toTypedArray())).toEqual(once.map((v) => 2 * v));
  });

  it("stays differentiable under createGraph", () => {
    const { x, weights } = setup();
    const secondOf = (steps: (x: Tensor) => Tensor[]) => {
      const [g] = autograd.grad(lossOf(steps(x), weights, [1, 2, 4]), [x], { createGraph: true });
      return Array.from(autograd.grad(g!.mul(g!).sum(), [x])[0]!.toTypedArray());
    };
    expect(secondOf(sequenceSteps)).toEqual(secondOf(plainSteps));
  });
});
