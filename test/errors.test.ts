/**
 * Bad inputs throw typed errors (ShapeError / DTypeError / OptionError) whose message names
 * the op and the shapes or dtypes involved, PyTorch-style.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { DTypeError, F, OptionError, ShapeError, tensor } from "../packages/nabla/src/index.js";

type ErrorClass = typeof ShapeError | typeof DTypeError | typeof OptionError;

/** Asserts `fn` throws an instance of `cls` whose message contains every fragment. */
function expectError(fn: () => unknown, cls: ErrorClass, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected a throw").toBeInstanceOf(cls);
  const message = (caught as Error).message;
  for (const fragment of fragments) expect(message).toContain(fragment);
}

const zeros = (...shape: number[]) => nb.zeros(shape);

describe("error classes", () => {
  it("are Error subclasses with their own names", () => {
    const e = new ShapeError("x");
    expect(e).toBeInstanceOf(RangeError);
    expect(e.name).toBe("ShapeError");
    expect(new DTypeError("x")).toBeInstanceOf(TypeError);
    expect(new DTypeError("x").name).toBe("DTypeError");
    expect(new OptionError("x").name).toBe("OptionError");
  });
});

describe("shape errors", () => {
  it("matmul of [2,3] and [4,5]", () => {
    expectError(() => nb.matmul(zeros(2, 3), zeros(4, 5)), ShapeError, "matmul", "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
    expectError(() => zeros(2, 3).matmul(zeros(4, 5)), ShapeError, "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
    expectError(() => nb.matmul(zeros(3), zeros(4)), ShapeError, "matmul", "[3]", "[4]");
    // folded into one 2-D product as PyTorch folds it, with PyTorch's message for the folded shapes
    expectError(() => nb.matmul(zeros(2, 2, 3), zeros(4, 5)), ShapeError, "matmul", "mat1 and mat2 shapes cannot be multiplied (4x3 and 4x5)");
    expectError(() => nb.matmul(nb.zeros([]), zeros(3)), ShapeError, "matmul", "0D");
    expectError(() => nb.matmul(zeros(2, 2, 3), zeros(3, 3, 4)), ShapeError, "matmul", "size of tensor a (2)", "(3)");
  });

  it("broadcasting add of [2,3] and [4]", () => {
    expectError(
      () => nb.add(zeros(2, 3), zeros(4)),
      ShapeError,
      "add: the size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
      "[2, 3] and [4]",
    );
    expectError(() => zeros(2, 3).mul(zeros(3, 2)), ShapeError, "mul:", "[2, 3] and [3, 2]");
    expectError(() => nb.where(zeros(2).gt(0), zeros(3), zeros(2)), ShapeError, "where");
  });

  it("view and reshape of the wrong size", () => {
    expectError(() => zeros(2, 3).view(4), ShapeError, "view: shape '[4]' is invalid for input of size 6");
    expectError(() => zeros(2, 3).reshape(7), ShapeError, "reshape: shape '[7]' is invalid for input of size 6");
    expectError(() => zeros(2, 3).reshape(4, -1), ShapeError, "reshape: shape '[4, -1]' is invalid for input of size 6");
    expectError(() => zeros(2, 3).view(-1, -1), ShapeError, "view", "only one dimension can be -1");
    expectError(() => zeros(2, 3).t().view(6), ShapeError, "view", "Use reshape instead");
  });

  it("dim out of range", () => {
    expectError(() => zeros(2, 3).sum(5), ShapeError, "sum: dimension out of range (expected to be in range of [-2, 1], but got 5)");
    expectError(() => zeros(2, 3).mean(-3), ShapeError, "mean: dimension out of range");
    expectError(() => zeros(2, 3).max(2), ShapeError, "max: dimension out of range");
    expectError(() => zeros(2, 3).softmax(2), ShapeError, "softmax: dimension out of range");
    expectError(() => zeros(2, 3).transpose(0, 2), ShapeError, "transpose: dimension out of range");
    expectError(() => zeros(2, 3).unsqueeze(3), ShapeError, "unsqueeze: dimension out of range");
    expectError(() => zeros(2, 3).sum([0, 0]), ShapeError, "sum: dim 0 appears multiple times");
    expectError(() => zeros(2, 3).permute(0), ShapeError, "permute", "input has 2 dims, got 1");
  });

  it("narrow, select and slice out of range", () => {
    expectError(() => zeros(2, 3).narrow(1, 2, 2), ShapeError, "narrow: start (2) + length (2) exceeds dimension size (3)");
    expectError(() => zeros(2, 3).narrow(1, 4, 0), ShapeError, "narrow: start (4) out of range for dimension 1 of size 3");
    expectError(() => zeros(2, 3).narrow(2, 0, 1), ShapeError, "narrow: dimension out of range");
    expectError(() => zeros(2, 3).select(0, 2), ShapeError, "select: index 2 out of range for dimension 0 with size 2");
    expectError(() => zeros(2, 3).slice(1, 0, 3, 0), ShapeError, "slice: step must be a positive integer, got 0");
  });

  it("expand, cat and stack mismatches", () => {
    expectError(() => zeros(2, 3).expand(4, 3), ShapeError, "expand: the expanded size of the tensor (4) must match the existing size (2)");
    expectError(() => zeros(2, 3).expand(3), ShapeError, "expand", "number of sizes provided (1)");
    expectError(
      () => nb.cat([zeros(2, 3), zeros(2, 4)]),
      ShapeError,
      "cat: sizes of tensors must match except in dimension 0",
      "[2, 3]",
      "[2, 4]",
    );
    expectError(() => nb.stack([zeros(2), zeros(3)]), ShapeError, "stack", "[2] at entry 0 and [3] at entry 1");
  });

  it("item, backward and creation", () => {
    expectError(() => zeros(2, 3).item(), ShapeError, "item: a Tensor with 6 elements cannot be converted to a number");
    expectError(() => nb.zeros([2], { requiresGrad: true }).mul(2).backward(), ShapeError, "backward", "[2]");
    expectError(() => nb.zeros([-1]), ShapeError, "zeros: size of dimension 0 must be a non-negative integer, got -1");
    expectError(() => tensor([[1, 2], [3]]), ShapeError, "tensor: expected sequence of length 2 at dim 1 (got 1)");
    expectError(() => nb.max(nb.zeros([0])), ShapeError, "max", "empty");
  });
});

describe("losses", () => {
  const logits = () => nb.zeros([4, 5]);

  it("crossEntropy with float targets of the wrong shape (read as probabilities)", () => {
    expectError(
      () => F.crossEntropy(logits(), zeros(4, 4)),
      ShapeError,
      "crossEntropy",
      "[4, 5]",
      "got [4, 4]",
    );
  });

  it("crossEntropy with a class index out of range", () => {
    expectError(() => F.crossEntropy(logits(), tensor([1, 0, 7, 2], { dtype: "int32" })), ShapeError, "crossEntropy: target 7 is out of bounds for 5 classes");
    expectError(() => F.crossEntropy(logits(), tensor([1, 0, -1, 2], { dtype: "int32" })), ShapeError, "crossEntropy: target -1 is out of bounds");
  });

  it("crossEntropy with int targets of the wrong shape", () => {
    expectError(
      () => F.crossEntropy(logits(), tensor([1, 0, 2], { dtype: "int32" })),
      ShapeError,
      "crossEntropy: expected target of shape [4] for input [4, 5], got [3]",
    );
    expectError(() => F.crossEntropy(logits(), tensor([[1, 0, 2, 3]], { dtype: "int32" })), ShapeError, "crossEntropy", "got [1, 4]");
  });

  it("crossEntropy with targets or logits of the wrong dtype", () => {
    expectError(() => F.crossEntropy(logits(), tensor([true, false, true, true])), DTypeError, "crossEntropy", "got bool");
    expectError(() => F.crossEntropy(tensor([[1, 2]], { dtype: "int32" }), tensor([0], { dtype: "int32" })), DTypeError, "crossEntropy", "int32");
  });

  it("class indices written as plain numbers (float32 by default) get told how to make int32 ones", () => {
    expectError(() => F.crossEntropy(logits(), tensor([1, 0, 4, 2])), DTypeError, "crossEntropy", "int32", "float32", '{ dtype: "int32" }');
    expectError(() => F.nllLoss(logits(), tensor([1, 0, 4, 2])), DTypeError, "nllLoss", '{ dtype: "int32" }');
    expectError(() => F.embedding(tensor([1, 0]), zeros(3, 2)), DTypeError, "embedding", '{ dtype: "int32" }');
  });

  it("mseLoss shape mismatch", () => {
    expectError(() => F.mseLoss(zeros(2, 3), zeros(3, 2)), ShapeError, "mseLoss: target size [3, 2] must be the same as input size [2, 3]");
  });

  it("unknown reduction", () => {
    const bad = { reduction: "avg" } as unknown as { reduction: "mean" };
    expectError(() => F.mseLoss(zeros(2, 3), zeros(2, 3), bad), OptionError, "mseLoss: reduction must be", '"avg"');
    expectError(() => F.crossEntropy(zeros(2, 3), tensor([0, 1], { dtype: "int32" }), bad), OptionError, "crossEntropy: reduction must be", '"avg"');
  });
});

describe("dtype errors", () => {
  it("matmul of float32 and float64", () => {
    expectError(
      () => nb.matmul(zeros(2, 3), nb.zeros([3, 5], { dtype: "float64" })),
      DTypeError,
      "matmul: expected both operands to have the same dtype, but got float32 and float64",
    );
  });

  it("ops that need floats or bools say which dtype they got", () => {
    expectError(() => tensor([1, 2], { dtype: "int32" }).mean(), DTypeError, "mean", "int32");
    expectError(() => tensor([1, 2], { dtype: "int32" }).var(), DTypeError, "var", "int32");
    expectError(() => nb.softmax(tensor([1, 2], { dtype: "int32" }), 0), DTypeError, "softmax", "int32");
    expectError(() => nb.where(zeros(2), zeros(2), zeros(2)), DTypeError, "where: expected condition to be a bool tensor, got float32");
    expectError(() => zeros(2, 3).gather(1, tensor([[0.5]])), DTypeError, "gather: expected index to be an int32 tensor, got float32");
    expectError(() => nb.sub(tensor([true]), tensor([false])), DTypeError, "sub", "bool");
    expectError(() => nb.neg(tensor([true])), DTypeError, "neg", "bool");
    expectError(() => tensor([1], { dtype: "int32" }).requiresGrad_(), DTypeError, "requiresGrad", "int32");
    expectError(() => nb.zeros([1], { dtype: "int64" as nb.DType }), DTypeError, "zeros: unknown dtype \"int64\"");
    expectError(() => nb.gradcheck((x) => x, [tensor([1], { dtype: "float32", requiresGrad: true })]), DTypeError, "gradcheck", "float32");
  });
});

describe("option errors", () => {
  it("name the option and the bad value", () => {
    expectError(() => nb.clamp(zeros(2), {}), OptionError, "clamp: at least one of 'min' or 'max' must be given");
    expectError(() => nb.arange(0, 5, -1), OptionError, "arange", "step -1");
    expectError(() => nb.arange(0, 5, 0), OptionError, "arange: step must be nonzero");
    expectError(() => nb.linspace(0, 1, -2), ShapeError, "linspace: number of steps", "-2");
    expectError(() => nb.randint(5, 5, [1]), OptionError, "randint", "low=5, high=5");
    expectError(() => F.leakyRelu(zeros(2), { negativeSlope: NaN }), OptionError, "leakyRelu", "NaN");
  });
});

describe("index errors", () => {
  it("gather with an index out of range", () => {
    expectError(() => zeros(2, 3).gather(1, tensor([[0], [3]], { dtype: "int32" })), ShapeError, "gather: index 3 is out of bounds for dimension 1 with size 3");
    expectError(() => zeros(2, 3).gather(1, tensor([0, 1], { dtype: "int32" })), ShapeError, "gather", "[2]", "[2, 3]");
  });
});
