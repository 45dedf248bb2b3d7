/** `String(t)` prints exactly like PyTorch's `repr(t)`: the fixture's reprs, plus a few more taken from PyTorch 1.13. */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { tensor } from "../packages/nabla/src/index.js";
import { fromFixture, loadFixture, type FixtureTensor } from "./helpers.js";

interface PrintCase {
  tensor: FixtureTensor;
  requires_grad: boolean;
  repr: string;
}

const { print } = loadFixture<{ print: PrintCase[] }>("modules.json");

describe("modules.json print: String(t) === repr(t)", () => {
  it.each(print.map((p) => [p.repr.split("\n")[0]!.slice(0, 60), p] as const))("%s", (_label, p) => {
    const t = fromFixture(p.tensor, { requiresGrad: p.requires_grad });
    expect(String(t)).toBe(p.repr);
    expect(t.toString()).toBe(p.repr);
  });
});

describe("more reprs, checked against PyTorch 1.13", () => {
  const x = () => tensor([1, 2, 3], { dtype: "float32", requiresGrad: true });

  it("non-leaf tensors show grad_fn instead of requires_grad", () => {
    expect(String(x().add(1))).toBe("tensor([2., 3., 4.], grad_fn=<AddBackward0>)");
    expect(String(x().sum())).toBe("tensor(6., grad_fn=<SumBackward0>)");
    expect(String(x().double().mul(2))).toBe("tensor([2., 4., 6.], dtype=torch.float64, grad_fn=<MulBackward0>)");
    expect(String(x().reshape(3, 1).expand(3, 2).mul(1))).toBe(
      "tensor([[1., 1.],\n        [2., 2.],\n        [3., 3.]], grad_fn=<MulBackward0>)",
    );
  });

  it("suffixes follow the last line of a wrapped tensor", () => {
    const y = nb.linspace(-1, 1, 9, { dtype: "float64", requiresGrad: true });
    expect(String(y.mul(3).exp())).toBe(
      "tensor([ 0.0498,  0.1054,  0.2231,  0.4724,  1.0000,  2.1170,  4.4817,  9.4877,\n" +
        "        20.0855], dtype=torch.float64, grad_fn=<ExpBackward0>)",
    );
  });

  it("grad_fn names of common ops match PyTorch's", () => {
    const a = nb.randn([2, 3], { requiresGrad: true });
    const names: [t: nb.Tensor, name: string][] = [
      [a.sub(1), "SubBackward0"],
      [a.mul(a), "MulBackward0"],
      [a.div(2), "DivBackward0"],
      [a.pow(2), "PowBackward0"],
      [a.pow(a), "PowBackward1"],
      [a.exp(), "ExpBackward0"],
      [a.clamp({ min: 0 }), "ClampBackward1"],
      [a.sum(1), "SumBackward1"],
      [a.max(), "MaxBackward1"],
      [a.max(1).values, "MaxBackward0"],
      [a.logsumexp(1), "LogsumexpBackward0"],
      [a.softmax(1), "SoftmaxBackward0"],
      [a.logSoftmax(1), "LogSoftmaxBackward0"],
      [a.double(), "ToCopyBackward0"],
      [a.view(6), "ViewBackward0"],
      [a.t().reshape(-1), "UnsafeViewBackward0"],
      [a.transpose(0, 1), "TransposeBackward0"],
      [a.permute(1, 0), "PermuteBackward0"],
      [a.narrow(1, 0, 2), "SliceBackward0"],
      [a.select(0, 0), "SelectBackward0"],
      [a.select(0, 0).expand(2, 3), "ExpandBackward0"],
      [a.matmul(a.t()), "MmBackward0"],
      [nb.cat([a, a]), "CatBackward0"],
      [a.clone(), "CloneBackward0"],
    ];
    for (const [t, name] of names) expect(String(t)).toContain(`grad_fn=<${name}>`);
  });

  it("negative zero keeps its sign", () => {
    expect(String(tensor([-0.0, 2.5]))).toBe("tensor([-0.0000, 2.5000])");
    expect(String(tensor([[0.0, -0.0]], { dtype: "float64" }))).toBe("tensor([[0., -0.]], dtype=torch.float64)");
    expect(String(tensor([1e-5, -0.0, 1.0]))).toBe("tensor([1.0000e-05, -0.0000e+00, 1.0000e+00])");
  });

  it("summarises a large 2-D tensor along both dims", () => {
    const t = nb.arange(1200, undefined, 1, { dtype: "float32" }).reshape(30, 40).div(7);
    expect(String(t)).toBe(
      "tensor([[0.0000e+00, 1.4286e-01, 2.8571e-01,  ..., 5.2857e+00, 5.4286e+00,\n" +
        "         5.5714e+00],\n" +
        "        [5.7143e+00, 5.8571e+00, 6.0000e+00,  ..., 1.1000e+01, 1.1143e+01,\n" +
        "         1.1286e+01],\n" +
        "        [1.1429e+01, 1.1571e+01, 1.1714e+01,  ..., 1.6714e+01, 1.6857e+01,\n" +
        "         1.7000e+01],\n" +
        "        ...,\n" +
        "        [1.5429e+02, 1.5443e+02, 1.5457e+02,  ..., 1.5957e+02, 1.5971e+02,\n" +
        "         1.5986e+02],\n" +
        "        [1.6000e+02, 1.6014e+02, 1.6029e+02,  ..., 1.6529e+02, 1.6543e+02,\n" +
        "         1.6557e+02],\n" +
        "        [1.6571e+02, 1.6586e+02, 1.6600e+02,  ..., 1.7100e+02, 1.7114e+02,\n" +
        "         1.7129e+02]])",
    );
  });

  it("empty and bool tensors", () => {
    expect(String(nb.zeros([2, 0]))).toBe("tensor([], size=(2, 0))");
    expect(String(tensor([true, false]).logicalNot().logicalNot())).toBe("tensor([ True, False])");
  });

  it("prints a strided view by its logical order", () => {
    const t = nb.arange(6, undefined, 1, { dtype: "float32" }).reshape(2, 3);
    expect(String(t.t())).toBe("tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])");
    expect(String(t.slice(1, 0, 3, 2))).toBe("tensor([[0., 2.],\n        [3., 5.]])");
  });
});
