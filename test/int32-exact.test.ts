/**
 * Sums and products of int32 tensors: PyTorch's are int64; nabla's are int32 where the values fit
 * and an error where they do not, never wrapped (2147483647 + 1 was −2147483648). The figures are
 * PyTorch 1.13's for the same inputs.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";

// on the CPU in every project: the webgpu device keeps int32 arithmetic (see docs/PARITY.md)
const i32 = (data: nb.NestedArray) => nb.tensor(data, { dtype: "int32", device: "cpu" });

describe("int32 sums and products", () => {
  it("give PyTorch's values where they fit in int32", () => {
    const x = i32([[2147483647, -5], [-2147483647, 7]]);
    expect(x.sum().toArray()).toBe(2);
    expect(x.sum(0).toArray()).toEqual([0, 2]);
    expect(x.sum(1, true).toArray()).toEqual([[2147483642], [-2147483640]]);
    expect(x.sum().dtype).toBe("int32");
    const y = i32([46340, 46340, -1]);
    expect(y.prod().toArray()).toBe(-2147395600);
    expect(nb.cumsum(i32([2147483640, 7, -10]), 0).toArray()).toEqual([2147483640, 2147483647, 2147483637]);
    expect(nb.cumprod(y, 0).toArray()).toEqual([46340, 2147395600, -2147395600]);
    expect(nb.cumprod(y, 0).dtype).toBe("int32");
    // bool counts stay a plain int32 sum
    expect(nb.tensor([true, false, true], { device: "cpu" }).sum().toArray()).toBe(2);
  });

  it("refuse a value past int32 instead of wrapping it", () => {
    // PyTorch: tensor(2147483648), tensor(210000000000), cumprod [100000, 30000000000, 210000000000]
    expect(() => i32([2147483647, 1]).sum()).toThrow(
      "sum: the result 2147483648 does not fit in int32 (PyTorch's result here is int64, which nabla does not have): convert the input first, e.g. x.double()",
    );
    expect(() => i32([100000, 300000, 7]).prod()).toThrow("prod: the result 210000000000 does not fit in int32");
    expect(() => nb.cumprod(i32([100000, 300000, 7]), 0)).toThrow("cumprod: the result 30000000000 does not fit in int32");
    expect(() => nb.cumsum(i32([-2147483648, -1]), 0)).toThrow("cumsum: the result -2147483649 does not fit in int32");
    expect(() => i32([[2147483647], [2147483647]]).sum(0)).toThrow(/^sum: the result 4294967294/);
    expect(i32([100000, 300000, 7]).double().prod().item()).toBe(210000000000);
  });
});
