/**
 * The third batch of PyTorch API a ported program calls: inferenceMode, Tensor.cpu and
 * Tensor.type; broadcasting helpers, takeAlongDim, quantile/nanquantile, Tensor.unfold (the
 * sliding window), fliplr/flipud/rot90 (test/fixtures/api3.json from scripts/make_api3_fixtures.py,
 * real PyTorch: each case as a function and as a Tensor method where PyTorch has one, forward
 * values and gradients), then the errors.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { tensor } from "../packages/nabla/src/index.js";

describe("inferenceMode, cpu(), type()", () => {
  it("inferenceMode records nothing, as noGrad, and returns fn's value", () => {
    const x = tensor([1, 2]).requiresGrad_();
    const y = nb.inferenceMode(() => x.mul(2));
    expect([y.requiresGrad, y.gradFn, nb.isGradEnabled()]).toEqual([false, null, true]);
    expect(y.toArray()).toEqual([2, 4]);
  });

  it("cpu() is to('cpu'): the tensor itself when it is there", () => {
    const x = tensor([1, 2], { device: "cpu" });
    expect(x.cpu()).toBe(x);
  });

  it("type(): PyTorch's type names, and conversion by dtype or name", () => {
    const x = tensor([1.5, 2]);
    expect([x.type(), x.double().type(), x.int().type(), x.bool().type()]).toEqual(["torch.FloatTensor", "torch.DoubleTensor", "torch.IntTensor", "torch.BoolTensor"]);
    expect(x.type("float64").dtype).toBe("float64");
    expect(x.type("torch.IntTensor").toArray()).toEqual([1, 2]);
    expect(x.type("float32")).toBe(x);
    expect(x.type("torch.LongTensor").dtype).toBe("int32"); // as long(): no 64-bit integers
    expect(() => x.type("torch.HalfTensor")).toThrow('type: expected a dtype (float32, float64, int32, bool) or a type name (torch.FloatTensor, torch.DoubleTensor, torch.IntTensor, torch.BoolTensor), got the string "torch.HalfTensor"');
  });
});
