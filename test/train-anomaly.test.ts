/** detectAnomaly: the first NaN or infinity of a forward or backward pass throws, naming the op. */
import { describe, expect, it } from "vitest";
import { AnomalyError, F, detectAnomaly, isAnomalyEnabled, nn, setDetectAnomaly, tensor, where, type Tensor } from "../packages/nabla/src/index.js";

function anomalyOf(fn: () => unknown): AnomalyError {
  try {
    detectAnomaly(fn);
  } catch (e) {
    expect(e).toBeInstanceOf(AnomalyError);
    return e as AnomalyError;
  }
  throw new Error("expected an AnomalyError");
}

describe("detectAnomaly", () => {
  it("names the forward op that made a NaN or an infinity from finite inputs", () => {
    let e = anomalyOf(() => tensor([-1, 4]).sqrt());
    expect(e.message).toBe("detectAnomaly: sqrt (SqrtBackward0) produced nan in its output of shape [2] in the forward pass");
    expect(e.op).toBe("SqrtBackward0");
    expect(e.phase).toBe("forward");
    e = anomalyOf(() => tensor([1, 2], { dtype: "float32", requiresGrad: true }).div(tensor([1, 0], { dtype: "float32" })));
    expect(e.message).toMatch(/^detectAnomaly: div \(DivBackward0\) produced inf/);
    e = anomalyOf(() => tensor([0, 1], { dtype: "float32" }).div(tensor([0, 1], { dtype: "float32" })));
    expect(e.message).toMatch(/^detectAnomaly: div \(DivBackward0\) produced nan/);
  });

  it("lets −infinity through the forward pass (masks, padding) but catches log(0) in the backward pass", () => {
    const scores = tensor([[1, 2, 3]], { dtype: "float32", requiresGrad: true });
    const mask = tensor([[true, true, false]]);
    const probs = detectAnomaly(() => where(mask, scores, tensor(-Infinity)).softmax(1));
    expect(probs.toArray()).toEqual([[expect.closeTo(0.2689414, 6), expect.closeTo(0.7310586, 6), 0]]);
    detectAnomaly(() => probs.sum().backward());
    expect(scores.grad).not.toBeNull();
    // Max pooling pads with −inf.
    const img = tensor([[[[1, 2], [3, 4]]]], { dtype: "float32", requiresGrad: true });
    const pooled = detectAnomaly(() => F.maxPool2d(img, 2, { padding: 1 }));
    expect(pooled.toArray()).toEqual([[[[1, 2], [3, 4]]]]);
    // log(0) = −inf passes forward; its gradient 1/0 does not.
    const p = tensor([0, 0.5], { dtype: "float32", requiresGrad: true });
    const e = anomalyOf(() => p.log().sum().backward());
    expect(e.message).toMatch(/^detectAnomaly: function 'LogBackward0' returned inf values in its 0th output/);
    // An infinity that comes in is passed along without complaint; a NaN that comes in is named.
    expect(() => detectAnomaly(() => tensor([Infinity, 1]).mul(2))).not.toThrow();
  });

  it("inside a model: the layer's op is named, not the loss", () => {
    const lin = new nn.Linear(2, 2);
    const e = anomalyOf(() => lin.forward(tensor([[0.5, 0.25]])).mul(1e30).exp().sum());
    expect(e.message).toMatch(/^detectAnomaly: exp \(ExpBackward0\) produced inf/);
  });

  it("says when a non-finite value came in from outside rather than from the op", () => {
    const e = anomalyOf(() => tensor([1, NaN]).mul(2));
    expect(e.message).toBe(
      "detectAnomaly: input 0 of mul (MulBackward0) already holds nan; it was not produced by a recorded op: check the data or the values passed in",
    );
  });

  it("names the backward node whose gradient is NaN or infinite", () => {
    // sqrt at 0 is finite, its gradient 1 / (2·sqrt(0)) is not.
    const x = tensor([0, 4], { dtype: "float32", requiresGrad: true });
    const e = anomalyOf(() => x.sqrt().sum().backward());
    expect(e.message).toBe(
      "detectAnomaly: function 'SqrtBackward0' returned inf values in its 0th output (the gradient for input 0 of sqrt) in the backward pass",
    );
    expect(e.phase).toBe("backward");
    // Without detection the same gradient is silently infinite.
    const y = tensor([0, 4], { dtype: "float32", requiresGrad: true });
    y.sqrt().sum().backward();
    expect((y.grad as Tensor).toArray()).toEqual([Infinity, 0.25]);
  });

  it("is off by default, restores the previous mode after success or an error, and stays on through an async function", async () => {
    expect(isAnomalyEnabled()).toBe(false);
    expect(() => tensor([-1]).sqrt()).not.toThrow();
    expect(detectAnomaly(() => tensor([4]).sqrt().item())).toBe(2);
    expect(isAnomalyEnabled()).toBe(false);
    anomalyOf(() => tensor([-1]).sqrt());
    expect(isAnomalyEnabled()).toBe(false);
    const inside = detectAnomaly(async () => {
      await new Promise((r) => setTimeout(r, 1));
      return isAnomalyEnabled();
    });
    expect(isAnomalyEnabled()).toBe(true);
    expect(await inside).toBe(true);
    expect(isAnomalyEnabled()).toBe(false);
    await expect(detectAnomaly(async () => tensor([-1]).sqrt())).rejects.toThrow(/SqrtBackward0/);
    expect(isAnomalyEnabled()).toBe(false);
    setDetectAnomaly(true);
    expect(() => tensor([-1]).sqrt()).toThrow(AnomalyError);
    setDetectAnomaly(false);
  });
});
