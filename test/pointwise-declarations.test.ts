/**
 * The one-declaration-per-op machinery itself (src/ops/pointwise): every declared op's derivative
 * agrees with finite differences and with the symbolic derivative of its forward wherever the
 * declaration writes it out, a backward recorded with createGraph is differentiable again, and an
 * op added as one declaration (squared ReLU, the README's contributor example) has its module,
 * function, gradient and kernels.
 */
import { describe, expect, it } from "vitest";
import { autograd, F, gradcheck, nn, noGrad, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { derivative } from "../packages/nabla/src/ops/pointwise/derivative.js";
import { DECLARATIONS } from "../packages/nabla/src/ops/pointwise/declarations/index.js";
import { substitute } from "../packages/nabla/src/ops/pointwise/expr.js";
import { kernelOf, planVariant } from "../packages/nabla/src/ops/pointwise/plan.js";
import { pointwise as jsPointwise } from "../packages/nabla/src/backend/js/pointwise.js";
import { POINTWISE_KEYS } from "../packages/nabla/src/backend/wasm/pointwise-keys.generated.js";

/** Points away from every kink of the declared ops (0, ±0.5, ±1, ±3, 6, the params below). */
const POINTS = [-2.3, -0.71, -0.23, 0.37, 0.61, 1.33, 2.9];
/** Params as the ops take them (slopes, α and scale, bounds, β and threshold, λ): none sits on a point. */
const PARAMS = [0.7, 1.3];
/** Inputs inside an op's domain, where the generic ones fall outside it (a probability for BCE). */
const DOMAIN: Record<string, (a: number) => number[]> = {
  binaryCrossEntropy: (a) => [1 / (1 + Math.exp(-a)), 0.3],
  // PyTorch's logit gradient is NaN outside [0, 1] on purpose, where the symbolic one is finite
  logit: (a) => [1 / (1 + Math.exp(-a))],
};
/** PyTorch's derivative differs from the exact one on purpose: hardsigmoid's 1/6 is the float32 constant. */
const SLACK: Record<string, number> = { hardsigmoid: 1e-7 };

function evaluate(expr: Parameters<typeof kernelOf>[0], inputs: number[], params: number[]): number {
  const k = kernelOf(expr);
  const out = new Float64Array(1);
  const views = inputs.slice(0, k.arity).map((v) => ({ data: new Float64Array([v]), shape: [1], strides: [1], offset: 0 }));
  jsPointwise(k, views, out, params);
  return out[0]!;
}

describe("declared derivatives", () => {
  for (const [name, decl] of Object.entries(DECLARATIONS)) {
    if (decl.boolResult) continue;
    it(`${name}: each written-out derivative equals the symbolic derivative of the forward away from kinks`, () => {
      decl.derivatives.forEach((given, i) => {
        if (given === null || given === undefined) return;
        const symbolic = derivative(decl.forward, i);
        // the written-out derivative may read the output y = input(arity): put the forward there
        const explicit = substitute(given, new Map([[decl.arity, decl.forward]]));
        for (const a of POINTS) {
          const inputs = DOMAIN[name]?.(a) ?? [a, 1.7 - a / 3, 0.35 + a / 7];
          const want = evaluate(symbolic, inputs, PARAMS);
          const got = evaluate(explicit, inputs, PARAMS);
          if (Number.isNaN(want)) continue; // outside the domain (log of a negative …)
          expect(Math.abs(got - want), `${name} ∂/∂in${i} at ${inputs}`).toBeLessThanOrEqual((SLACK[name] ?? 1e-9) * (1 + Math.abs(want)));
        }
      });
    });
  }
});

describe("squared ReLU: an activation added as one declaration", () => {
  const x = () => tensor([-1.5, -0.2, 0.3, 2], { dtype: "float64", requiresGrad: true });

  it("is a module, a function and a kernel", () => {
    const v = x();
    const y = new nn.ReLUSquared().forward(v);
    expect(y.toArray()).toEqual([0, 0, 0.09 * 1, 4].map((t, i) => (i === 2 ? 0.3 * 0.3 : t)));
    expect(F.reluSquared(v).toArray()).toEqual(y.toArray());
    expect(y.gradFn?.name).toBe("ReluSquaredBackward0");
    // the wasm build generated its forward and backward kernels from the declaration
    expect(POINTWISE_KEYS).toContain("mul(maximum(in0,0),maximum(in0,0))");
  });

  it("has the gradient 2·max(0, x), checked by gradcheck, and a second derivative", () => {
    const v = x();
    F.reluSquared(v).sum().backward();
    expect(v.grad!.toArray()).toEqual([0, 0, 0.6, 4]);
    expect(gradcheck((t: Tensor) => F.reluSquared(t), [x()])).toBe(true);
    const w = x();
    const [g] = autograd.grad(F.reluSquared(w).sum(), w, { createGraph: true });
    const [gg] = autograd.grad(g!.sum(), w);
    expect(gg!.toArray()).toEqual([0, 0, 2, 2]);
  });
});

describe("derivatives that read the result, as PyTorch's", () => {
  it("exp's backward is g·y (PyTorch's ExpBackward0 reads its result), not the forward again", () => {
    const plan = planVariant(DECLARATIONS.exp!, [false]).backward[0]!;
    expect(plan.reads).toEqual([{ kind: "grad" }, { kind: "output" }]);
    expect(plan.kernel.key).toBe("mul(in0,in1)");
    // and the gradient is still eˣ, second derivative included
    const v = tensor([-1.5, 0, 0.7], { requiresGrad: true });
    const [g] = autograd.grad(v.exp().sum(), v, { createGraph: true });
    const [gg] = autograd.grad(g!.sum(), v);
    const first = g!.toArray() as number[];
    const second = gg!.toArray() as number[];
    for (const [i, x] of [-1.5, 0, 0.7].entries()) {
      expect(first[i]).toBeCloseTo(Math.exp(x), 6);
      expect(second[i]).toBeCloseTo(Math.exp(x), 6);
    }
    for (const name of ["expm1", "sqrt", "rsqrt", "tan", "reciprocal"]) {
      expect(planVariant(DECLARATIONS[name]!, [false]).backward[0]!.reads, name).toEqual([{ kind: "grad" }, { kind: "output" }]);
    }
  });

  it("keeps the inputs where PyTorch saves them: a quotient changed in place still backpropagates", () => {
    // DivBackward0 saves self and other, not the result: changing y = a / b afterwards is allowed
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([2, 4, 8], { requiresGrad: true });
    const y = a.div(b);
    noGrad(() => y.add_(1));
    y.sum().backward();
    expect(Array.from(b.grad!.toArray() as number[])).toEqual([-0.25, -0.125, -0.046875]);
    expect(planVariant(DECLARATIONS.sin!, [false]).backward[0]!.reads).toEqual([{ kind: "grad" }, { kind: "input", index: 0 }]);
  });
});
