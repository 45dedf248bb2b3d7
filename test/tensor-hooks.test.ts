/**
 * Tensor.registerHook against PyTorch 1.13 (scripts/make_tensor_hook_fixtures.py →
 * tensor_hooks.json): the gradient each hook is called with (the sum over every path), a returned
 * gradient replacing it for later hooks, `.grad` and the inputs' gradients, retainGrad before and
 * after a hook, leaf hooks across two backward passes; then removal, autograd.grad, createGraph
 * and the errors.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { autograd, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { expectClose, fromFixture, loadFixture, type FixtureTensor } from "./helpers.js";

interface NonLeafCase {
  x: FixtureTensor;
  w: FixtureTensor;
  seen: Record<"h1" | "h2" | "y1", FixtureTensor>;
  h_grad: FixtureTensor;
  y_grad: FixtureTensor;
  x_grad: FixtureTensor;
  w_grad: FixtureTensor;
}
interface LeafCase {
  x: FixtureTensor;
  seen: Record<"x1" | "x2", FixtureTensor[]>;
  x_grad: FixtureTensor;
}

const { cases } = loadFixture<{ cases: Record<"float32" | "float64", { nonleaf: NonLeafCase; leaf: LeafCase }> }>("tensor_hooks.json");
const tol = (dtype: string) => (dtype === "float64" ? { rtol: 1e-13, atol: 1e-300 } : { rtol: 2e-6, atol: 1e-6 });

describe("registerHook matches PyTorch", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: non-leaf hooks in order, replacing the gradient; retainGrad after a hook keeps the hooked gradient, before any the raw one`, () => {
      const c = cases[dtype].nonleaf;
      const seen: Record<string, Tensor> = {};
      const x = fromFixture(c.x, { requiresGrad: true });
      const w = fromFixture(c.w, { requiresGrad: true });
      const h = x.matmul(w);
      h.registerHook((g) => {
        seen.h1 = g.clone();
        return g.mul(2);
      });
      h.retainGrad();
      h.registerHook((g) => {
        seen.h2 = g.clone();
        return g.add(1);
      });
      const y = h.tanh();
      y.retainGrad();
      y.registerHook((g) => {
        seen.y1 = g.clone();
      });
      y.mul(y).sum().add(h.mul(h.slice(1, 0, 1)).sum()).backward();
      for (const k of ["h1", "h2", "y1"] as const) expectClose(seen[k], c.seen[k], tol(dtype), `seen by ${k}`);
      expectClose(h.grad, c.h_grad, tol(dtype), "h.grad");
      expectClose(y.grad, c.y_grad, tol(dtype), "y.grad");
      expectClose(x.grad, c.x_grad, tol(dtype), "x.grad");
      expectClose(w.grad, c.w_grad, tol(dtype), "w.grad");
    });

    it(`${dtype}: leaf hooks run before accumulation, once per backward with the summed gradient`, () => {
      const c = cases[dtype].leaf;
      const seen: Record<"x1" | "x2", Tensor[]> = { x1: [], x2: [] };
      const x = fromFixture(c.x, { requiresGrad: true });
      x.registerHook((g) => {
        seen.x1.push(g.clone());
        return g.clamp({ min: 0 });
      });
      x.registerHook((g) => void seen.x2.push(g.clone()));
      for (let i = 0; i < 2; i++) x.sin().mul(x).sum().add(x.pow(2).mean()).backward();
      for (const k of ["x1", "x2"] as const) {
        expect(seen[k].length).toBe(2);
        seen[k].forEach((g, i) => expectClose(g, c.seen[k][i]!, tol(dtype), `seen by ${k} (pass ${i})`));
      }
      expectClose(x.grad, c.x_grad, tol(dtype), "x.grad");
    });
  }
});

describe("registerHook: handles, autograd.grad, createGraph, errors", () => {
  it("remove() unregisters the hook (and only it)", () => {
    const x = tensor([1, 2]).requiresGrad_();
    const calls: string[] = [];
    const a = x.registerHook(() => void calls.push("a"));
    x.registerHook((g) => {
      calls.push("b");
      return g.mul(10);
    });
    a.remove();
    a.remove();
    x.mul(3).sum().backward();
    expect(calls).toEqual(["b"]);
    expect(x.grad!.toArray()).toEqual([30, 30]);
  });

  it("retainGrad before any hook keeps the raw gradient, after one the gradient every hook leaves (PyTorch 1.13)", () => {
    const x = tensor([1, 2]).requiresGrad_();
    const before = x.mul(2);
    before.retainGrad();
    before.registerHook((g) => g.mul(10));
    before.mul(before).sum().backward();
    expect([before.grad!.toArray(), x.grad!.toArray()]).toEqual([[4, 8], [80, 160]]);
    const after = x.mul(2);
    after.registerHook((g) => g.mul(10));
    after.retainGrad();
    after.registerHook((g) => g.add(1));
    after.mul(after).sum().backward();
    expect(after.grad!.toArray()).toEqual([41, 81]);
  });

  it("autograd.grad returns its inputs' gradients before their hooks; hooks on the way still apply (PyTorch 1.13)", () => {
    const x = tensor([1, 2]).requiresGrad_();
    let leafCalls = 0;
    x.registerHook((g) => {
      leafCalls++;
      return g.mul(0);
    });
    const y = x.mul(2);
    y.registerHook((g) => g.mul(5));
    const loss = () => y.mul(y).sum();
    expect(autograd.grad(loss(), [y], { retainGraph: true })[0]!.toArray()).toEqual([4, 8]);
    expect(autograd.grad(loss(), [x])[0]!.toArray()).toEqual([40, 80]);
    expect(leafCalls).toBe(0);
    expect(x.grad).toBeNull();
  });

  it("under createGraph the replaced gradient is part of the recorded graph", () => {
    const x = tensor([1.5, -2]).requiresGrad_();
    const y = x.mul(x);
    y.registerHook((g) => g.mul(y)); // dL/dx = 2x·y = 2x³
    const [gx] = autograd.grad(y.sum(), [x], { createGraph: true });
    expect(gx!.toArray()).toEqual([2 * 1.5 ** 3, 2 * -8]);
    // y's hook runs again in this pass (y is on its path), as in PyTorch 1.13: [24.75, 72]
    gx!.sum().backward();
    expect(x.grad!.toArray()).toEqual([24.75, 72]);
  });

  it("errors: no grad to hook, a hook changing the size, dtype or kind of the gradient", () => {
    expect(() => tensor([1]).registerHook((g) => g)).toThrow("registerHook: cannot register a hook on a tensor that doesn't require gradient");
    expect(() => tensor([1]).requiresGrad_().registerHook(null as never)).toThrow("registerHook: expected a function, got null");
    const run = (hook: (g: Tensor) => unknown) => {
      const x = tensor([1, 2]).requiresGrad_();
      x.registerHook(hook as never);
      x.mul(3).sum().backward();
    };
    expect(() => run(function widen() {
      return nb.ones([3]);
    })).toThrow("backward: hook 'widen' has changed the size of value (was [2], got [3])");
    expect(() => run((g) => g.double())).toThrow(nb.DTypeError);
    expect(() => run(() => 2)).toThrow("returned number; expected a Tensor or nothing");
  });
});
