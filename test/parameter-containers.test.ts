/**
 * nn.ParameterList and nn.ParameterDict against PyTorch 1.13 (scripts/make_parameter_container_fixtures.py
 * → parameter_containers.json): a model holding both loads PyTorch's state dict under PyTorch's
 * keys (`ps.0`, `pd.scale`: a plain object's keys sorted) and gives its output and gradients;
 * its repr is PyTorch's; then the containers' own methods and errors.
 */
import { describe, expect, it } from "vitest";
import { nn, ones, tensor, zeros, type Tensor } from "../packages/nabla/src/index.js";
import { loadFixture } from "./helpers.js";
import { checkCase, type LayerCase } from "./layers-harness.js";

const { cases } = loadFixture<{ cases: { mixer: LayerCase & { repr: string } } }>("parameter_containers.json");

/** y = tanh(x @ ps[0] + ps[1]) * pd.scale + pd.shift, as the fixture's Mixer. */
class Mixer extends nn.Module {
  ps = new nn.ParameterList([new nn.Parameter(zeros([4, 3])), zeros([3])]);
  pd = new nn.ParameterDict({ shift: new nn.Parameter(zeros([3])), scale: ones([3]) });
  forward(x: Tensor): Tensor {
    return x.matmul(this.ps.at(0)).add(this.ps.at(1)).tanh().mul(this.pd.get("scale")!).add(this.pd.get("shift")!);
  }
}

describe("ParameterList and ParameterDict match PyTorch", () => {
  it("state-dict keys, output and gradients of a model holding both", () => {
    checkCase(cases.mixer, new Mixer(), undefined, { rtol: 2e-6, atol: 1e-6 });
  });
  it("repr", () => {
    expect(new Mixer().toString()).toBe(cases.mixer.repr);
  });
});

describe("ParameterList", () => {
  it("plain tensors become Parameters over the same data; append, extend, set, at, iteration", () => {
    const t = tensor([1, 2]);
    const list = new nn.ParameterList([t]);
    expect(list.at(0)).toBeInstanceOf(nn.Parameter);
    expect(list.at(0).requiresGrad).toBe(true);
    list.at(0).data.fill_(5); // the same storage as t
    expect(t.toArray()).toEqual([5, 5]);
    list.append(zeros([3])).extend([zeros([1]), new nn.Parameter(ones([2]), false)]);
    expect(list.length).toBe(4);
    expect(list.at(-1).requiresGrad).toBe(false);
    list.set(1, ones([7]));
    expect([...list].map((p) => p.shape[0])).toEqual([2, 7, 1, 2]);
    expect(Object.keys(list.stateDict())).toEqual(["0", "1", "2", "3"]);
    expect(list.parameters().length).toBe(4);
    expect(new nn.ParameterList().toString()).toBe("ParameterList()");
  });

  it("errors name the container and the argument", () => {
    expect(() => new nn.ParameterList([1 as never])).toThrow("ParameterList: element 0 must be a Tensor or a Parameter, got number");
    expect(() => new nn.ParameterList(3 as never)).toThrow(/^ParameterList: argument 'values' \(position 1\) must be an iterable of Tensors/);
    expect(() => new nn.ParameterList([]).at(0)).toThrow("ParameterList.at: index 0 is out of range for 0 parameters");
    expect(() => new nn.ParameterList([]).set(0, zeros([1]))).toThrow(RangeError);
    expect(() => new nn.ParameterList([]).forward()).toThrow("ParameterList: a ParameterList has no forward");
  });
});

describe("ParameterDict", () => {
  it("a plain object's keys sorted, a Map's in order; set, get, has, delete, update", () => {
    expect(new nn.ParameterDict({ b: zeros([1]), a: zeros([1]) }).keys()).toEqual(["a", "b"]);
    const d = new nn.ParameterDict(new Map([["b", zeros([1])], ["a", zeros([2])]]));
    expect(d.keys()).toEqual(["b", "a"]);
    d.set("c", ones([3])).update([["a", ones([4])]]);
    expect([d.size, d.get("a")!.shape[0], d.has("c"), d.has("z")]).toEqual([3, 4, true, false]);
    expect(d.delete("b")).toBeInstanceOf(nn.Parameter);
    expect(d.delete("b")).toBeUndefined();
    expect(Object.keys(d.stateDict())).toEqual(["a", "c"]);
    expect(d.values().every((p) => p instanceof nn.Parameter)).toBe(true);
  });

  it("errors: invalid keys, values that are not tensors", () => {
    const d = new nn.ParameterDict();
    for (const key of ["", "a.b", "12", "training", "forward"]) expect(() => d.set(key, zeros([1])), key).toThrow("ParameterDict: invalid key");
    expect(() => d.set("w", [1] as never)).toThrow("ParameterDict: the value for 'w' must be a Tensor or a Parameter, got object");
    expect(() => new nn.ParameterDict(5 as never)).toThrow(/^ParameterDict: argument 'parameters' \(position 1\)/);
  });
});
