/**
 * autograd.Function: user-defined forward/backward pairs, as PyTorch's torch.autograd.Function.
 * Checked with gradcheck (float64), against the built-in ops they reimplement, and for the
 * ctx API (saveForBackward, needsInputGrad, markNonDifferentiable, attributes), several outputs,
 * non-tensor arguments, noGrad, createGraph, and the errors PyTorch gives for a bad backward.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { autograd, gradcheck, noGrad, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { errorOf, expectClose } from "./helpers.js";

const f64 = (values: number[], requiresGrad = true) => tensor(values, { dtype: "float64", requiresGrad });

class Exp extends autograd.Function {
  static forward(ctx: autograd.FunctionCtx, x: Tensor): Tensor {
    const y = x.exp();
    ctx.saveForBackward(y);
    return y;
  }
  static backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor {
    const [y] = ctx.savedTensors;
    return g.mul(y!);
  }
}

/** x·k and x², with a number argument: two outputs, one gradient per argument (null for k). */
class ScaleAndSquare extends autograd.Function {
  static forward(ctx: autograd.FunctionCtx, x: Tensor, k: number): [Tensor, Tensor] {
    ctx.k = k;
    ctx.saveForBackward(x);
    return [x.mul(k), x.mul(x)];
  }
  static backward(ctx: autograd.FunctionCtx, gScaled: Tensor, gSquare: Tensor): [Tensor, null] {
    const [x] = ctx.savedTensors;
    return [gScaled.mul(ctx.k as number).add(gSquare.mul(x!).mul(2)), null];
  }
}

/** a·b with the gradient of each only when needed (needsInputGrad). */
class Mul extends autograd.Function {
  static calls: boolean[][] = [];
  static forward(ctx: autograd.FunctionCtx, a: Tensor, b: Tensor): Tensor {
    Mul.calls.push([...ctx.needsInputGrad]);
    ctx.saveForBackward(a, b);
    return a.mul(b);
  }
  static backward(ctx: autograd.FunctionCtx, g: Tensor): (Tensor | null)[] {
    const [a, b] = ctx.savedTensors;
    return [ctx.needsInputGrad[0] ? g.mul(b!) : null, ctx.needsInputGrad[1] ? g.mul(a!) : null];
  }
}

/** x³ with a backward written in ops, so that it is itself differentiable. */
class Cube extends autograd.Function {
  static forward(ctx: autograd.FunctionCtx, x: Tensor): Tensor {
    ctx.saveForBackward(x);
    return x.pow(3);
  }
  static backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor {
    const [x] = ctx.savedTensors;
    return g.mul(x!.pow(2)).mul(3);
  }
}

/** The row maxima and their indices; the indices are marked non-differentiable. */
class RowMax extends autograd.Function {
  static seen: Tensor[] = [];
  static forward(ctx: autograd.FunctionCtx, x: Tensor): [Tensor, Tensor] {
    const { values, indices } = x.max(1);
    ctx.markNonDifferentiable(indices);
    ctx.saveForBackward(indices);
    ctx.shape = x.shape;
    return [values, indices];
  }
  static backward(ctx: autograd.FunctionCtx, g: Tensor, gIndices: Tensor): Tensor {
    RowMax.seen.push(gIndices);
    const [indices] = ctx.savedTensors;
    return nb.zeros(ctx.shape as number[], { dtype: g.dtype }).scatter(1, indices!.unsqueeze(1), g.unsqueeze(1));
  }
}

describe("autograd.Function", () => {
  it("computes forward and backward like the built-in op, and names its node after the class", () => {
    const x = f64([-1, 0.5, 2]);
    const y = Exp.apply(x);
    expectClose(y, x.detach().exp());
    expect(y.gradFn?.name).toBe("ExpBackward");
    y.sum().backward();
    expectClose(x.grad, x.detach().exp());
    expect(gradcheck((a) => Exp.apply(a), [f64([-1, 0.5, 2])])).toBe(true);
  });

  it("takes non-tensor arguments and returns several outputs that share one backward", () => {
    expect(gradcheck((a) => ScaleAndSquare.apply(a, 3), [f64([0.7, -1.2, 2])])).toBe(true);
    // a loss on one output only: the other's gradient arrives as zeros
    const x = f64([1, 2]);
    const [scaled] = ScaleAndSquare.apply(x, -2);
    scaled.sum().backward();
    expectClose(x.grad, f64([-2, -2], false));
  });

  it("tells backward which inputs need a gradient (needsInputGrad)", () => {
    Mul.calls = [];
    const a = f64([1, 2]);
    const b = f64([3, 4], false);
    Mul.apply(a, b).sum().backward();
    expect(Mul.calls).toEqual([[true, false]]);
    expectClose(a.grad, f64([3, 4], false));
    expect(b.grad).toBeNull();
    expect(gradcheck((p, q) => Mul.apply(p, q), [f64([1, -2, 0.5]), f64([0.3, 2, -1])])).toBe(true);
  });

  it("keeps marked outputs out of autograd and hands backward zeros for them", () => {
    RowMax.seen = [];
    const x = f64([1, 5, 2, 7, 3, 0]).reshape(2, 3).detach().requiresGrad_();
    const [values, indices] = RowMax.apply(x);
    expect(indices.requiresGrad).toBe(false);
    expect(values.requiresGrad).toBe(true);
    values.sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 1, 0], [1, 0, 0]]);
    expect(RowMax.seen[0]!.toArray()).toEqual([0, 0]);
  });

  it("records nothing under noGrad or when no input requires grad", () => {
    const y = noGrad(() => Exp.apply(f64([1, 2])));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(Exp.apply(f64([1, 2], false)).requiresGrad).toBe(false);
  });

  it("is differentiable twice when backward is written in ops (createGraph)", () => {
    const x = f64([0.5, -1.5, 2]);
    const [g] = autograd.grad(Cube.apply(x).sum(), x, { createGraph: true });
    expectClose(g, f64([0.75, 6.75, 12], false));
    const [gg] = autograd.grad(g!.sum(), x);
    expectClose(gg, f64([3, -9, 12], false));
    const derivative = (a: Tensor) => nb.enableGrad(() => autograd.grad(Cube.apply(a).pow(2).sum(), a, { createGraph: true })[0]!);
    expect(gradcheck(derivative, [f64([0.5, -1.5, 2])])).toBe(true);
  });

  it("gives an input returned unchanged a node of its own", () => {
    class Identity extends autograd.Function {
      static forward(_ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        return x;
      }
      static backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        return g.mul(2);
      }
    }
    const x = f64([1, 2]);
    const y = Identity.apply(x);
    expect(y).not.toBe(x);
    expect(y.gradFn?.name).toBe("IdentityBackward");
    y.sum().backward();
    expectClose(x.grad, f64([2, 2], false));
  });

  it("sums a gradient of a broadcast shape back to the input's, as PyTorch", () => {
    class Spread extends autograd.Function {
      static forward(_ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        return x.expand(2, 3).contiguous();
      }
      static backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        return g;
      }
    }
    const x = f64([1, 2, 3]);
    Spread.apply(x).sum().backward();
    expectClose(x.grad, f64([2, 2, 2], false));
  });

  it("refuses a backward that returns the wrong number of gradients, a gradient for a number, or a wrong shape", () => {
    class TooFew extends autograd.Function {
      static forward(_ctx: autograd.FunctionCtx, a: Tensor, b: Tensor): Tensor {
        return a.add(b);
      }
      static backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        return g;
      }
    }
    expect(() => TooFew.apply(f64([1]), f64([2])).sum().backward()).toThrow(
      "TooFewBackward: backward returned an incorrect number of gradients (expected 2, got 1)",
    );
    class GradForNumber extends autograd.Function {
      static forward(_ctx: autograd.FunctionCtx, a: Tensor, k: number): Tensor {
        return a.mul(k);
      }
      static backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor[] {
        return [g, g];
      }
    }
    expect(() => GradForNumber.apply(f64([1]), 2).sum().backward()).toThrow(
      "GradForNumberBackward: backward returned a gradient different than null at position 1, but the corresponding forward input was not a Tensor",
    );
    class WrongShape extends autograd.Function {
      static forward(_ctx: autograd.FunctionCtx, a: Tensor): Tensor {
        return a.clone();
      }
      static backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        return g.sum().reshape(1).expand(4);
      }
    }
    const error = errorOf(() => WrongShape.apply(f64([1, 2, 3])).sum().backward());
    expect(error).toBeInstanceOf(nb.ShapeError);
    expect(error.message).toBe("WrongShapeBackward: backward returned an invalid gradient at index 0 - got [4] but expected shape compatible with [3]");
  });

  it("refuses to run backward when a saved tensor was changed in place", () => {
    const x = f64([1, 2]);
    const y = Exp.apply(x);
    noGrad(() => y.mul_(2));
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });

  it("saveForBackward takes tensors and null only", () => {
    class SavesNumber extends autograd.Function {
      static forward(ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        ctx.saveForBackward(x, null, 3 as unknown as Tensor);
        return x.clone();
      }
      static backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        return g;
      }
    }
    expect(() => SavesNumber.apply(f64([1]))).toThrow("saveForBackward: can only save tensors (or null), but argument 2 is of type number");
  });
});
