/** The module system: discovery, buffers, apply, requiresGrad_, to(), containers, hooks, summary, strict loading. */
import { describe, expect, expectTypeOf, it } from "vitest";
import { F, nn, ones, randn, ShapeError, tensor, zeros, type Tensor } from "../packages/nabla/src/index.js";
import { expectClose } from "./helpers.js";

class Block extends nn.Module {
  conv = new nn.Conv2d(1, 2, 3, { padding: 1 });
  bn = new nn.BatchNorm2d(2);
  forward(x: Tensor): Tensor {
    return F.relu(this.bn.forward(this.conv.forward(x)));
  }
}

class Model extends nn.Module {
  block = new Block();
  heads = new nn.ModuleList([new nn.Linear(8, 3), new nn.Linear(8, 2)]);
  extra = new nn.ModuleDict({ proj: new nn.Linear(3, 1) });
  forward(x: Tensor): Tensor {
    const h = F.maxPool2d(this.block.forward(x), 2).flatten(1);
    return (this.extra.get("proj") as nn.Linear).forward((this.heads.at(0) as nn.Linear).forward(h));
  }
}

describe("discovery and state", () => {
  it("namedModules, namedParameters and namedBuffers use PyTorch's dotted names; buffers live in the state dict", () => {
    const m = new Model();
    expect(Array.from(m.namedModules(), ([k]) => k)).toEqual(["", "block", "block.conv", "block.bn", "heads", "heads.0", "heads.1", "extra", "extra.proj"]);
    expect(Array.from(m.namedParameters(), ([k]) => k)).toEqual([
      "block.conv.weight", "block.conv.bias", "block.bn.weight", "block.bn.bias",
      "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias", "extra.proj.weight", "extra.proj.bias",
    ]);
    expect(Array.from(m.namedBuffers(), ([k]) => k)).toEqual(["block.bn.running_mean", "block.bn.running_var", "block.bn.num_batches_tracked"]);
    expect(m.buffers().map((b) => b.dtype)).toEqual(["float32", "float32", "int32"]);
    expect(Object.keys(m.stateDict()).slice(2, 7)).toEqual([
      "block.bn.weight", "block.bn.bias", "block.bn.running_mean", "block.bn.running_var", "block.bn.num_batches_tracked",
    ]);
  });

  it("apply visits children first, then the module; requiresGrad_ freezes and unfreezes", () => {
    const m = new Model();
    const seen: string[] = [];
    m.apply((mod) => seen.push(mod.constructor.name));
    expect(seen).toEqual(["Conv2d", "BatchNorm2d", "Block", "Linear", "Linear", "ModuleList", "Linear", "ModuleDict", "Model"]);
    m.apply((mod) => {
      if (mod instanceof nn.Linear) nn.init.constant_(mod.bias!, 0.5);
    });
    expect(m.heads.at(1).parameters()[1]!.toArray()).toEqual([0.5, 0.5]);
    m.block.requiresGrad_(false);
    expect(m.parameters().filter((p) => p.requiresGrad)).toHaveLength(6);
    m.forward(randn([2, 1, 4, 4])).sum().backward();
    expect(m.block.conv.weight.grad).toBeNull();
    expect(m.heads.at(0).parameters()[0]!.grad).not.toBeNull();
    m.requiresGrad_();
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
  });

  it('to("float64") casts parameters and float buffers (num_batches_tracked stays int32) and the model still runs', () => {
    const m = new Model();
    const weight = m.block.conv.weight;
    m.to("float64");
    expect(m.block.conv.weight).toBe(weight); // the same Parameter object, as in PyTorch
    expect(m.parameters().every((p) => p.dtype === "float64" && p.requiresGrad && p instanceof nn.Parameter)).toBe(true);
    expect(m.block.bn.running_mean!.dtype).toBe("float64");
    expect(m.block.bn.num_batches_tracked!.dtype).toBe("int32");
    const y = m.forward(randn([2, 1, 4, 4], { dtype: "float64" }));
    expect(y.dtype).toBe("float64");
    expect(m.float().parameters()[0]!.dtype).toBe("float32");
    expect(() => m.to("int32")).toThrow(/only floating point dtypes/);
  });
});

describe("ModuleList and ModuleDict", () => {
  it("ModuleList appends, extends, inserts and iterates; keys are 0, 1, …", () => {
    const list = new nn.ModuleList([new nn.Linear(2, 2)]);
    list.append(new nn.ReLU()).extend([new nn.Tanh()]).insert(1, new nn.Linear(2, 3));
    expect(list.length).toBe(4);
    expect([...list].map((m) => m.constructor.name)).toEqual(["Linear", "Linear", "ReLU", "Tanh"]);
    expect(Object.keys(list.stateDict())).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
    expect(list.at(-1)).toBeInstanceOf(nn.Tanh);
    expect(() => list.forward()).toThrow(/no forward/);
  });

  it("ModuleDict keeps insertion order and rejects bad keys", () => {
    const d = new nn.ModuleDict([["encoder", new nn.Linear(2, 2)], ["decoder", new nn.Linear(2, 1)]]);
    expect(d.keys()).toEqual(["encoder", "decoder"]);
    expect(Object.keys(d.stateDict())).toEqual(["encoder.weight", "encoder.bias", "decoder.weight", "decoder.bias"]);
    expect(d.has("decoder")).toBe(true);
    expect(d.delete("encoder")).toBe(true);
    expect(d.size).toBe(1);
    expect(() => d.set("a.b", new nn.ReLU())).toThrow(/invalid key/);
    expect(() => d.set("training", new nn.ReLU())).toThrow(/invalid key/);
  });
});

describe("hooks", () => {
  it("forward pre-hooks and forward hooks see and may replace inputs and outputs; remove() unregisters", () => {
    const lin = new nn.Linear(2, 2);
    const calls: string[] = [];
    const pre = lin.registerForwardPreHook((_m, [x]) => {
      calls.push("pre");
      return [(x as Tensor).mul(0)];
    });
    const post = lin.registerForwardHook((_m, _inputs, out) => {
      calls.push("post");
      return (out as Tensor).add(1);
    });
    const y = lin.forward(ones([1, 2]));
    expectClose(y, lin.bias!.add(1).detach().unsqueeze(0));
    expect(calls).toEqual(["pre", "post"]);
    pre.remove();
    post.remove();
    expectClose(lin.forward(ones([1, 2])), F.linear(ones([1, 2]), lin.weight, lin.bias).detach());
    expect(calls).toHaveLength(2);
  });

  it("registerFullBackwardHook gets gradOutput and gradInput, and may replace gradInput", () => {
    const lin = new nn.Linear(3, 2);
    let seen: { gin: (Tensor | null)[]; gout: (Tensor | null)[] } | null = null;
    const h = lin.registerFullBackwardHook((_m, gin, gout) => {
      seen = { gin, gout };
      return [gin[0]!.mul(2)];
    });
    const x = randn([4, 3]).requiresGrad_();
    const g = randn([4, 2]);
    lin.forward(x).backward(g);
    expect(seen).not.toBeNull();
    expectClose(seen!.gout[0]!, g);
    expectClose(seen!.gin[0]!, g.matmul(lin.weight.detach()), { atol: 1e-6 });
    expectClose(x.grad, g.matmul(lin.weight.detach()).mul(2), { atol: 1e-6 });
    h.remove();
    // an input that needs no gradient: gradInput is [null] and the hook still sees gradOutput
    const calls: (Tensor | null)[][] = [];
    const h2 = lin.registerFullBackwardHook((_m, gin, gout) => void calls.push([...gin, ...gout]));
    lin.forward(randn([4, 3])).backward(g);
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBeNull();
    expectClose(calls[0]![1]!, g);
    h2.remove();
    x.grad = null;
    lin.forward(x).backward(g);
    expectClose(x.grad, g.matmul(lin.weight.detach()), { atol: 1e-6 });
  });
});

describe("the call path", () => {
  /** A subclass of a library layer that overrides forward and calls the parent's through super. */
  class Doubled extends nn.Linear {
    override forward(x: Tensor): Tensor {
      return super.forward(x.mul(2));
    }
  }

  it("hooks run through both call() and forward(), without replacing the instance's forward; removing one stops it", () => {
    const lin = new nn.Linear(2, 3);
    const seen: string[] = [];
    const pre = lin.registerForwardPreHook(() => void seen.push("pre"));
    const post = lin.registerForwardHook(() => void seen.push("post"));
    expect(Object.hasOwn(lin, "forward")).toBe(false);
    const x = ones([1, 2]);
    const viaForward = lin.forward(x);
    const viaCall = lin.call(x);
    expect(seen).toEqual(["pre", "post", "pre", "post"]);
    expectClose(viaCall, viaForward);
    pre.remove();
    lin.forward(x);
    expect(seen).toEqual(["pre", "post", "pre", "post", "post"]);
    post.remove();
    lin.call(x);
    expect(seen).toHaveLength(5);
    expect(Object.hasOwn(lin, "forward")).toBe(false);
    // the hooks are per instance: another Linear runs none
    new nn.Linear(2, 3).forward(x);
    expect(seen).toHaveLength(5);
  });

  it("a subclass that overrides forward is wrapped once: super.forward inside it does not run the hooks again", () => {
    const m = new Doubled(2, 2);
    const inputs: Tensor[] = [];
    m.registerForwardPreHook((_m, [x]) => void inputs.push(x as Tensor));
    const x = tensor([[1, 2]]);
    const y = m.forward(x);
    m.call(x);
    expect(inputs).toHaveLength(2);
    expect(inputs[0]!.toArray()).toEqual([[1, 2]]); // the outer call's input, not super's doubled one
    expectClose(y, F.linear(x.mul(2), m.weight, m.bias).detach());
    expect(Object.hasOwn(m, "forward")).toBe(false);
  });

  it("a module calling itself again (recursion) and a child calls each run the hooks; hooks on a model see its children run inside", () => {
    class Tree extends nn.Module {
      leaf = new nn.Linear(2, 2);
      forward(x: Tensor, depth = 2): Tensor {
        return depth === 0 ? this.leaf.forward(x) : this.forward(x, depth - 1);
      }
    }
    // forward(x, depth?) is not Tensor → Tensor in its inputs, but `depth` is optional, so it may stay an nn.Module
    const tree = new Tree();
    const order: string[] = [];
    tree.registerForwardHook(() => void order.push("tree"));
    tree.leaf.registerForwardHook(() => void order.push("leaf"));
    tree.forward(ones([1, 2]));
    expect(order).toEqual(["leaf", "tree", "tree", "tree"]);
  });

  it("a forward assigned to an instance gets the hooks through call()", () => {
    const lin = new nn.Linear(2, 2);
    const seen: string[] = [];
    lin.registerForwardHook(() => void seen.push("post"));
    lin.forward = (x: Tensor) => x.neg();
    expectClose(lin.call(tensor([[1, -2]])), tensor([[-1, 2]]));
    expect(seen).toEqual(["post"]);
  });

  it("types: nn.Module is Tensor → Tensor, Sequential refuses other inputs, layers with other inputs say so", () => {
    const x = ones([1, 2]);
    const m: nn.Module = new nn.Linear(2, 3);
    const y = m.forward(x);
    expectTypeOf(y).toEqualTypeOf<Tensor>();
    expectTypeOf(m.call(x)).toEqualTypeOf<Tensor>();
    expect(y.shape).toEqual([1, 3]);
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    expectTypeOf(seq.forward(x)).toEqualTypeOf<Tensor>();
    expectTypeOf(seq.forward).parameters.toEqualTypeOf<[input: Tensor]>();
    expectTypeOf(new nn.Bilinear(2, 2, 1).forward).returns.toEqualTypeOf<Tensor>();
    expectTypeOf(new nn.LSTM(2, 3).call(x)).toEqualTypeOf<[Tensor, nn.LSTMState]>();
    expectTypeOf(new nn.MSELoss()).toExtend<nn.Module<[Tensor, Tensor], Tensor>>();
    expectTypeOf(new nn.Bilinear(2, 2, 1)).not.toExtend<nn.Module>();
    expectTypeOf(new nn.LSTM(2, 3)).not.toExtend<nn.Module>();
    expectTypeOf(new nn.LSTM(2, 3)).toExtend<nn.AnyModule>();
    // compile-time checks only: these lines never run
    const rejected = () => {
      // @ts-expect-error Sequential takes a Tensor
      seq.forward("oops");
      // @ts-expect-error nor does call take anything else
      seq.call(x, x);
      // @ts-expect-error a loss is not a Tensor → Tensor layer
      new nn.Sequential(new nn.Linear(2, 2), new nn.MSELoss());
      // @ts-expect-error a Bilinear takes two tensors
      const b: nn.Module = new nn.Bilinear(2, 2, 1);
      // @ts-expect-error MultiheadAttention returns [output, weights]
      const t: Tensor = new nn.MultiheadAttention(4, 2).forward(x, x, x);
      return [b, t];
    };
    expect(rejected).toBeTypeOf("function");
  });
});

describe("summary", () => {
  it("prints each layer that ran, its output shape and its parameter count, then the totals", () => {
    const m = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(4 * 3 * 3, 10));
    const text = m.summary(zeros([2, 1, 8, 8]));
    expect(text).toContain("0 (Conv2d)");
    expect(text).toMatch(/0 \(Conv2d\)\s+\[2, 4, 6, 6\]\s+40/);
    expect(text).toMatch(/2 \(MaxPool2d\)\s+\[2, 4, 3, 3\]\s+0/);
    expect(text).toMatch(/4 \(Linear\)\s+\[2, 10\]\s+370/);
    expect(text).toContain("Total params: 410");
    expect(text).toContain("Trainable params: 410");
    // the hooks are gone afterwards, and the pass changed nothing (eval mode, modes restored)
    expect(m.summary(zeros([1, 1, 8, 8]))).toMatch(/\[1, 10\]/);
    const b = new Block();
    expect(b.summary(randn([2, 1, 4, 4]))).toMatch(/bn \(BatchNorm2d\)\s+\[2, 2, 4, 4\]\s+4/);
    expect(b.bn.num_batches_tracked!.item()).toBe(0);
    expect(b.training && b.bn.training).toBe(true);
  });
});

describe("loadStateDict with buffers", () => {
  it("reports missing, unexpected and mismatched keys by name and changes nothing when it fails", () => {
    const m = new Block();
    const good = m.stateDict();
    const copy = Object.fromEntries(Object.entries(good).map(([k, v]) => [k, v.clone().add(k.endsWith("tracked") ? 3 : 1)]));
    const before = m.bn.running_mean!.toArray();
    const { "bn.running_var": _gone, ...missing } = copy;
    expect(() => m.loadStateDict({ ...missing, "bn.num_batches_tracked": tensor(1), extra: zeros([1]), "conv.bias": zeros([3]) })).toThrow(ShapeError);
    try {
      m.loadStateDict({ ...missing, extra: zeros([1]), "conv.bias": zeros([3]) });
    } catch (e) {
      const msg = String(e);
      expect(msg).toMatch(/size mismatch for conv.bias: copying a param with shape \[3\], the shape in current model is \[2\]/);
      expect(msg).toMatch(/Missing key\(s\) in state_dict: "bn.running_var"/);
      expect(msg).toMatch(/Unexpected key\(s\) in state_dict: "extra"/);
    }
    expect(m.bn.running_mean!.toArray()).toEqual(before);
    m.loadStateDict(copy);
    expect(m.bn.running_mean!.toArray()).toEqual([1, 1]);
    expect(m.bn.num_batches_tracked!.item()).toBe(3);
  });
});
