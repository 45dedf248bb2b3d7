/**
 * distributions against PyTorch (test/fixtures/random_distributions.json, made by
 * scripts/make_random_fixtures.py): logProb, entropy, mean/mode/variance/stddev and their
 * gradients; samples after manualSeed (bit for bit where PyTorch's sampler is: Normal,
 * Categorical, OneHotCategorical, Bernoulli, Uniform, Gamma, Beta; MultivariateNormal's L·ε
 * to rounding) with the next draw; rsample gradients; every KL pair PyTorch registers; a
 * REINFORCE step; argument validation; gradcheck in float64.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { distributions as D, gradcheck, nn, type Tensor } from "../packages/nabla/src/index.js";
import { errorOf, expectClose, fixtureData, fromFixture, loadFixture, type FixtureTensor } from "./helpers.js";

type Params = Record<string, FixtureTensor>;

interface Draw {
  seed: number;
  shape: number[];
  method: "sample" | "rsample";
  out: FixtureTensor;
  next: FixtureTensor;
  w?: FixtureTensor;
  grads?: Record<string, FixtureTensor | null>;
}

interface DistCase {
  kind: string;
  label: string;
  dtype: "float32" | "float64";
  params: Params;
  value: FixtureTensor;
  logProb: FixtureTensor;
  entropy: FixtureTensor;
  wLogProb: FixtureTensor;
  wEntropy: FixtureTensor;
  grads: Record<string, FixtureTensor | null>;
  mean: FixtureTensor;
  mode: FixtureTensor;
  variance: FixtureTensor;
  stddev: FixtureTensor;
  draws: Draw[];
  support?: FixtureTensor;
}

interface KlCase {
  p: string;
  q: string;
  dtype: "float32" | "float64";
  pParams: Params;
  qParams: Params;
  kl: FixtureTensor;
  grads: (FixtureTensor | null)[];
}

interface ReinforceCase {
  state: Record<string, FixtureTensor>;
  states: FixtureTensor;
  returns: FixtureTensor;
  actions: FixtureTensor;
  loss: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

const fixture = loadFixture<{ cases: DistCase[]; kl: KlCase[]; reinforce: ReinforceCase }>("random_distributions.json");

/** PyTorch's snake_case parameter names to nabla's options. */
const CAMEL: Record<string, string> = { covariance_matrix: "covarianceMatrix", precision_matrix: "precisionMatrix", scale_tril: "scaleTril" };

/** Builds nabla's distribution from PyTorch's keyword parameters (leaf tensors). */
function make(kind: string, p: Record<string, Tensor>): D.Distribution {
  switch (kind) {
    case "Normal":
      return new D.Normal(p.loc!, p.scale!);
    case "Uniform":
      return new D.Uniform(p.low!, p.high!);
    case "Bernoulli":
      return p.probs ? new D.Bernoulli(p.probs) : new D.Bernoulli({ logits: p.logits! });
    case "Categorical":
      return p.probs ? new D.Categorical(p.probs) : new D.Categorical({ logits: p.logits! });
    case "OneHotCategorical":
      return p.probs ? new D.OneHotCategorical(p.probs) : new D.OneHotCategorical({ logits: p.logits! });
    case "Gamma":
      return new D.Gamma(p.concentration!, p.rate!);
    case "Beta":
      return new D.Beta(p.concentration1!, p.concentration0!);
    case "MultivariateNormal": {
      const key = Object.keys(p).find((k) => k !== "loc")!;
      return new D.MultivariateNormal(p.loc!, { [CAMEL[key]!]: p[key]! });
    }
    default:
      throw new Error(`no distribution ${kind}`);
  }
}

function leaves(params: Params): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, fromFixture(v, { requiresGrad: true })]));
}

const tol = (dtype: string) => (dtype === "float32" ? { rtol: 2e-5, atol: 2e-6 } : { rtol: 1e-10, atol: 1e-12 });

/** Asserts identical shape, dtype (int64 → int32) and values. */
function expectExact(actual: Tensor, expected: FixtureTensor, label: string): void {
  expect(actual.shape.slice(), `${label}: shape`).toEqual(expected.shape);
  expect(actual.dtype, `${label}: dtype`).toBe(expected.dtype);
  expect(Array.from(actual.toTypedArray(), Number), `${label}: values`).toEqual(Array.from(fixtureData(expected), Number));
}

describe("distributions against PyTorch", () => {
  for (const c of fixture.cases) {
    const name = `${c.kind} (${c.label}) ${c.dtype}`;
    it(`${name}: logProb, entropy, moments and their gradients`, () => {
      const params = leaves(c.params);
      const d = make(c.kind, params);
      const lp = d.logProb(fromFixture(c.value));
      const ent = d.entropy();
      expectClose(lp, c.logProb, tol(c.dtype), `${name} logProb`);
      expectClose(ent, c.entropy, tol(c.dtype), `${name} entropy`);
      for (const stat of ["mean", "mode", "variance", "stddev"] as const) expectClose(d[stat], c[stat], tol(c.dtype), `${name} ${stat}`);
      lp.mul(fromFixture(c.wLogProb)).sum().add(ent.mul(fromFixture(c.wEntropy)).sum()).backward();
      for (const [k, g] of Object.entries(c.grads)) {
        if (g) expectClose(params[k]!.grad, g, tol(c.dtype), `${name} ∂/∂${k}`);
      }
      if (c.support) expectClose(d.enumerateSupport(), c.support, {}, `${name} enumerateSupport`);
    });

    it(`${name}: samples for the same seed`, () => {
      for (const draw of c.draws) {
        const params = leaves(c.params);
        const d = make(c.kind, params);
        const label = `${name} ${draw.method}(${JSON.stringify(draw.shape)}) seed ${draw.seed}`;
        nb.manualSeed(draw.seed);
        const s = draw.method === "sample" ? d.sample(draw.shape) : d.rsample(draw.shape);
        // exact, except L·ε (a matrix product, whose rounding nabla's kernel need not share) and
        // the float64 draws that go through the C library's log/sin/cos/pow (a few ulps)
        const libm = c.dtype === "float64" && ["Normal", "Gamma", "Beta"].includes(c.kind);
        if (c.kind === "MultivariateNormal" || libm) expectClose(s, draw.out, tol(c.dtype), label);
        else expectExact(s, draw.out, label);
        expectExact(nb.randint(0, 2 ** 31 - 1, [2]), draw.next, `${label}: the next draw`);
        if (draw.method === "rsample") {
          s.mul(fromFixture(draw.w!)).sum().backward();
          for (const [k, g] of Object.entries(draw.grads!)) {
            if (g) expectClose(params[k]!.grad, g, c.dtype === "float32" ? { rtol: 1e-4, atol: 1e-5 } : { rtol: 1e-9, atol: 1e-10 }, `${label} ∂/∂${k}`);
          }
        }
      }
    });
  }
});

describe("klDivergence against PyTorch", () => {
  for (const c of fixture.kl) {
    it(`KL(${c.p} || ${c.q}) ${c.dtype}`, () => {
      const pp = leaves(c.pParams);
      const qp = leaves(c.qParams);
      const kl = D.klDivergence(make(c.p, pp), make(c.q, qp));
      expectClose(kl, c.kl, tol(c.dtype), "kl");
      if (c.grads.length === 0) return; // infinite: PyTorch takes no gradient either
      kl.sum().backward();
      const all = [...Object.values(pp), ...Object.values(qp)];
      c.grads.forEach((g, i) => {
        if (g) expectClose(all[i]!.grad, g, tol(c.dtype), `∂KL/∂ parameter ${i}`);
      });
    });
  }

  it("refuses a pair it has no formula for, by name, and takes new ones from registerKl", () => {
    const normal = new D.Normal(0, 1);
    const cat = new D.Categorical(nb.tensor([0.5, 0.5]));
    expect(errorOf(() => D.klDivergence(normal, cat)).message).toBe("klDivergence: no KL(Normal || Categorical) is implemented");
    D.registerKl(D.Normal, D.Categorical, (p) => p.loc.mul(0));
    expect(D.klDivergence(normal, cat).item()).toBe(0);
  });
});

describe("REINFORCE", () => {
  it("a policy's Categorical logProb times the return: the same actions and the same gradients as PyTorch", () => {
    const r = fixture.reinforce;
    const policy = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 2));
    policy.loadStateDict(Object.fromEntries(Object.entries(r.state).map(([k, v]) => [k, fromFixture(v)])));
    nb.manualSeed(123);
    const logits = policy.forward(fromFixture(r.states)) as Tensor;
    const dist = new D.Categorical({ logits });
    const actions = dist.sample();
    expectExact(actions, r.actions, "actions");
    const loss = dist.logProb(actions).mul(fromFixture(r.returns)).sum().neg();
    expectClose(loss, r.loss, { rtol: 1e-5, atol: 1e-6 }, "loss");
    loss.backward();
    for (const [k, p] of policy.namedParameters()) expectClose(p.grad, r.grads[k]!, { rtol: 1e-5, atol: 1e-6 }, `∂loss/∂${k}`);
  });
});

describe("argument validation", () => {
  it("names the distribution, the parameter, the constraint and the bad values", () => {
    expect(errorOf(() => new D.Normal(nb.tensor([0, 1]), nb.tensor([1, -1]))).message).toBe(
      "Normal: expected parameter scale (Tensor of shape [2]) of distribution Normal(loc: [2], scale: [2]) to satisfy the constraint GreaterThan(lower_bound=0.0), but found invalid values -1 at [1]",
    );
    expect(errorOf(() => new D.Bernoulli(1.5)).message).toBe(
      "Bernoulli: expected parameter probs (Tensor of shape []) of distribution Bernoulli(probs: 1.5) to satisfy the constraint Interval(lower_bound=0.0, upper_bound=1.0), but found invalid values 1.5 at []",
    );
    expect(errorOf(() => new D.Categorical(nb.tensor([[0.5, 0.5], [-1, 2]]))).message).toBe(
      "Categorical: expected parameter probs (Tensor of shape [2, 2]) of distribution Categorical(probs: [2, 2]) to satisfy the constraint Simplex(), but found invalid values [-1, 2] at [1]",
    );
    expect(errorOf(() => new D.Gamma(nb.tensor([1, NaN]), 1)).message).toContain("parameter concentration (Tensor of shape [2])");
    expect(errorOf(() => new D.Uniform(2, 1)).message).toBe("Uniform: is not defined when low >= high: got low 2 and high 1 at index 0");
    expect(errorOf(() => new D.MultivariateNormal(nb.zeros([2]), nb.tensor([[1, 2], [2, 1]]))).message).toContain(
      "to satisfy the constraint PositiveDefinite()",
    );
    expect(errorOf(() => new D.MultivariateNormal(nb.zeros([2]), { scaleTril: nb.tensor([[1, 1], [0, 1]]) })).message).toContain("LowerCholesky()");
    expect(errorOf(() => new D.Beta(nb.tensor([1, 0]), 2)).message).toContain("parameter concentration1 (Tensor of shape [2])");
  });

  it("checks values given to logProb against the support and the shapes", () => {
    const cat = new D.Categorical(nb.tensor([0.2, 0.3, 0.5]));
    expect(errorOf(() => cat.logProb(nb.tensor([3], { dtype: "int32" }))).message).toBe(
      "Categorical.logProb: expected value argument (Tensor of shape [1]) to be within the support (IntegerInterval(lower_bound=0, upper_bound=2)) of the distribution Categorical(probs: [3]), but found invalid values 3 at [0]",
    );
    expect(errorOf(() => new D.Normal(nb.zeros([3]), 1).logProb(nb.zeros([2]))).message).toBe(
      "Normal.logProb: value is not broadcastable with batch_shape+event_shape: [2] vs [3]",
    );
    expect(errorOf(() => new D.MultivariateNormal(nb.zeros([2]), nb.eye(2)).logProb(nb.zeros([3]))).message).toBe(
      "MultivariateNormal.logProb: the right-most size of value must match event_shape: [3] vs [2]",
    );
    expect(errorOf(() => new D.Bernoulli(0.3).logProb(nb.tensor(0.5))).message).toContain("support (Boolean())");
  });

  it("can be turned off per distribution and by default", () => {
    expect(() => new D.Normal(0, -1, { validateArgs: false })).not.toThrow();
    D.Distribution.setDefaultValidateArgs(false);
    try {
      expect(() => new D.Normal(0, -1)).not.toThrow();
    } finally {
      D.Distribution.setDefaultValidateArgs(true);
    }
    expect(() => new D.Normal(0, -1)).toThrow(nb.OptionError);
  });

  it("refuses arguments of the wrong kind with a TypeError naming the call and the argument", () => {
    expect(errorOf(() => new D.Normal("0" as unknown as number, 1))).toBeInstanceOf(TypeError);
    expect(errorOf(() => new D.Normal("0" as unknown as number, 1)).message).toBe('Normal: expected loc to be a Tensor or a number, got string "0"');
    expect(errorOf(() => new D.Categorical({ probs: nb.tensor([1]), logits: nb.tensor([0]) })).message).toBe(
      "Categorical: either probs or logits must be specified, but not both",
    );
    expect(errorOf(() => new D.MultivariateNormal(nb.zeros([2]), { covarianceMatrix: nb.eye(2), scaleTril: nb.eye(2) })).message).toBe(
      "MultivariateNormal: exactly one of covarianceMatrix or precisionMatrix or scaleTril may be specified",
    );
    expect(errorOf(() => new D.Normal(0, 1).sample("5" as unknown as number))).toBeInstanceOf(TypeError);
    expect(errorOf(() => new D.Categorical(nb.tensor([0.5, 0.5])).rsample()).message).toContain("Categorical: rsample is not implemented");
  });
});

describe("shapes and PyTorch's call forms", () => {
  it("sample shapes, batch and event shapes, number parameters", () => {
    const n = new D.Normal(0, 1);
    expect(n.batchShape).toEqual([]);
    expect(n.sample().shape).toEqual([]);
    expect(n.sample(5).shape).toEqual([5]);
    const mvn = new D.MultivariateNormal(nb.zeros([4, 3]), nb.eye(3));
    expect([mvn.batchShape, mvn.eventShape]).toEqual([[4], [3]]);
    expect(mvn.sample([2]).shape).toEqual([2, 4, 3]);
    expect(mvn.logProb(nb.zeros([2, 4, 3])).shape).toEqual([2, 4]);
    expect(new D.OneHotCategorical(nb.tensor([0.2, 0.8])).sample([3]).shape).toEqual([3, 2]);
    expect(new D.Beta(2, 3).sample([4]).dtype).toBe("float32");
    expect(String(new D.Normal(nb.zeros([2]), 1))).toBe("Normal(loc: [2], scale: [2])");
  });

  it("a float tensor of class indices works as logProb's value, as PyTorch's .long() makes it", () => {
    const cat = new D.Categorical({ logits: nb.tensor([0.1, 0.7, -0.3]) });
    expect(cat.logProb(nb.tensor([1, 2])).toArray()).toEqual(cat.logProb(nb.tensor([1, 2], { dtype: "int32" })).toArray());
  });
});

describe("gradcheck in float64", () => {
  const f64 = (v: number[], shape?: number[]) => {
    const t = nb.tensor(v, { dtype: "float64" });
    return (shape ? t.reshape(shape) : t).detach().requiresGrad_();
  };
  it("logProb and entropy in every parameter", () => {
    const v = nb.tensor([0.3, 0.6], { dtype: "float64" });
    const cases: [string, (...xs: Tensor[]) => Tensor, Tensor[]][] = [
      ["Normal", (l, s) => new D.Normal(l!, s!).logProb(v).add(new D.Normal(l!, s!).entropy()), [f64([0.1, -0.4]), f64([0.7, 1.3])]],
      ["Gamma", (a, b) => new D.Gamma(a!, b!).logProb(v).add(new D.Gamma(a!, b!).entropy()), [f64([0.8, 2.5]), f64([1.2, 0.6])]],
      ["Beta", (a, b) => new D.Beta(a!, b!).logProb(v).add(new D.Beta(a!, b!).entropy()), [f64([0.8, 2.5]), f64([1.2, 0.6])]],
      ["Bernoulli", (p) => new D.Bernoulli({ logits: p! }).logProb(nb.tensor([1, 0], { dtype: "float64" })).add(new D.Bernoulli({ logits: p! }).entropy()), [f64([0.3, -1.2])]],
      ["Categorical", (l) => new D.Categorical({ logits: l! }).logProb(nb.tensor([2, 0], { dtype: "int32" })).add(new D.Categorical({ logits: l! }).entropy()), [f64([0.1, 0.5, -0.2, 1.0, 0.3, 0.0], [2, 3])]],
      ["MultivariateNormal", (loc, l) => {
        const d = new D.MultivariateNormal(loc!, { scaleTril: nb.add(l!.mul(nb.tensor([[1, 0], [1, 1]], { dtype: "float64" })), 0) });
        return d.logProb(nb.tensor([0.5, -0.3], { dtype: "float64" })).add(d.entropy());
      }, [f64([0.1, 0.2]), f64([1.3, 0, 0.4, 0.9], [2, 2])]],
      ["MultivariateNormal (covariance)", (loc, a) => {
        const cov = nb.add(nb.matmul(a!, a!.transpose(0, 1)), nb.eye(2, 2, { dtype: "float64" }));
        return new D.MultivariateNormal(loc!, cov).logProb(nb.tensor([0.5, -0.3], { dtype: "float64" }));
      }, [f64([0.1, 0.2]), f64([1.3, 0.2, 0.4, 0.9], [2, 2])]],
    ];
    for (const [name, fn, inputs] of cases) expect(gradcheck(fn, inputs), name).toBe(true);
  });
});
