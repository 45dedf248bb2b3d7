/**
 * PyTorch's positional habits, typed in plain JavaScript, mean what they mean in PyTorch instead of
 * being silently ignored (issue "The programs PyTorch users write").
 */
import { describe, expect, it } from "vitest";
import { nn, optim, tensor } from "../packages/nabla/src/index.js";

describe("positional habits", () => {
  it("new nn.Dropout(0.25) has p = 0.25, new nn.Dropout2d(0.1) p = 0.1", () => {
    expect(new nn.Dropout(0.25).p).toBe(0.25);
    expect(new nn.Dropout2d(0.1).p).toBe(0.1);
    expect(() => new nn.Dropout(1.5)).toThrow(/between 0 and 1, but got 1.5/);
  });

  it("new nn.LeakyReLU(0.2) has slope 0.2", () => {
    expect(new nn.LeakyReLU(0.2).negativeSlope).toBe(0.2);
    expect(new nn.LeakyReLU(0.2).forward(tensor([-1.0, 2.0])).toArray()).toEqual([Math.fround(-0.2), 2]);
  });

  it("new nn.Linear(3, 2, false) has no bias", () => {
    expect(new nn.Linear(3, 2, false).bias).toBeNull();
    expect(new nn.Linear(3, 2, true).bias).not.toBeNull();
  });

  it("new optim.SGD(params, 0.1) has lr 0.1", () => {
    const p = new nn.Linear(2, 1).parameters();
    expect(new optim.SGD(p, 0.1).paramGroups[0]!.lr).toBe(0.1);
    expect(new optim.Adam(new nn.Linear(2, 1).parameters(), 0.01).paramGroups[0]!.lr).toBe(0.01);
  });

  it("x.sum(1, true), x.mean(1, true) and x.max(1, true) keep the dim", () => {
    const x = tensor([[1.0, 2.0], [3.0, 4.0]]);
    expect(x.sum(1, true).shape).toEqual([2, 1]);
    expect(x.mean(1, true).shape).toEqual([2, 1]);
    expect(x.max(1, true).values.shape).toEqual([2, 1]);
    expect(x.sum(1, false).shape).toEqual([2]);
  });

  it("new nn.Conv2d(1, 32, 3, 2) has stride 2; padding, dilation, groups and bias follow in PyTorch's order", () => {
    const conv = new nn.Conv2d(1, 32, 3, 2);
    expect(conv.stride).toEqual([2, 2]);
    const full = new nn.Conv2d(4, 8, 3, 1, 1, 2, 2, false);
    expect([full.padding, full.dilation, full.groups, full.bias]).toEqual([[1, 1], [2, 2], 2, null]);
    expect(new nn.Conv1d(1, 4, 3, 2).stride).toEqual([2]);
    expect(new nn.Conv2d(1, 4, 3, { stride: 2 }).stride).toEqual([2, 2]);
  });

  it("new nn.LSTM(10, 20, 2) has two layers (GRU and RNN too)", () => {
    expect(new nn.LSTM(10, 20, 2).numLayers).toBe(2);
    expect(new nn.GRU(10, 20, 3).numLayers).toBe(3);
    expect(new nn.RNN(10, 20, 2).numLayers).toBe(2);
  });
});
