/**
 * Bernoulli(probs | logits), as torch.distributions.Bernoulli: 1 with probability p, else 0.
 * Given one parameter, the other is derived when first asked for (σ(logits), or the logits of
 * the clamped p). sample draws as torch.bernoulli(probs) does, PyTorch's samples for a seed.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { OptionError } from "../errors.js";
import { arange } from "../ops/creation.js";
import { eq, ge, mul, neg, sub, where } from "../ops/elementwise.js";
import { bernoulli } from "../ops/random.js";
import { expand, reshape } from "../ops/shape.js";
import { binaryCrossEntropyWithLogits } from "../nn/functional/classification-losses.js";
import { Tensor } from "../tensor/tensor.js";
import * as constraints from "./constraints.js";
import { Distribution, broadcastAll, describeArg, type DistributionOptions, type Param, type SampleShape } from "./distribution.js";
import { logitsToProbs, probsToLogits } from "./utils.js";

/** One of probs or logits (PyTorch's keyword arguments), and the usual options. */
export interface ProbsOrLogits extends DistributionOptions {
  probs?: Param;
  logits?: Param;
}

/**
 * Reads PyTorch's `(probs=None, logits=None)` from JavaScript: a tensor or number first is
 * probs; an object holds probs or logits (exactly one). Returns [which, value, options].
 */
export function probsOrLogits(typeName: string, first: unknown, second: unknown): ["probs" | "logits", Param, DistributionOptions] {
  let args: ProbsOrLogits;
  if (first instanceof Tensor || typeof first === "number") args = { probs: first, ...(second as DistributionOptions | undefined) };
  else if (typeof first === "object" && first !== null && !Array.isArray(first)) args = first as ProbsOrLogits;
  else throw new TypeError(`${typeName}: expected probs (a Tensor or a number) or { probs } or { logits }, got ${describeArg(first)}`);
  if (second !== undefined && !(first instanceof Tensor || typeof first === "number")) {
    throw new TypeError(`${typeName}: expected one argument ({ probs } or { logits }, with any options in it), got a second: ${describeArg(second)}`);
  }
  if (second !== undefined && (typeof second !== "object" || second === null)) throw new TypeError(`${typeName}: expected the options object second, got ${describeArg(second)}`);
  const { probs, logits, ...options } = args;
  if ((probs === undefined) === (logits === undefined)) throw new OptionError(`${typeName}: either probs or logits must be specified, but not both`);
  return probs !== undefined ? ["probs", probs, options] : ["logits", logits!, options];
}

export class Bernoulli extends Distribution {
  private probsValue: Tensor | null = null;
  private logitsValue: Tensor | null = null;
  private readonly given: "probs" | "logits";

  constructor(probs: Param | ProbsOrLogits, options?: DistributionOptions) {
    const [given, value, opts] = probsOrLogits("Bernoulli", probs, options);
    const [param] = broadcastAll("Bernoulli", { [given]: value });
    super("Bernoulli", typeof value === "number" ? [] : param!.shape, [], opts);
    this.given = given;
    if (given === "probs") this.probsValue = param!;
    else this.logitsValue = param!;
    this.validateParameters();
  }

  get argConstraints() {
    return { probs: constraints.unitInterval, logits: constraints.real };
  }
  get support() {
    return constraints.boolean;
  }
  override get hasEnumerateSupport() {
    return true;
  }
  protected params(): Record<string, Tensor> {
    return this.given === "probs" ? { probs: this.probs } : { logits: this.logits };
  }

  /** The probability of a 1 (σ(logits) when made from logits). */
  get probs(): Tensor {
    return (this.probsValue ??= logitsToProbs(this.logitsValue!, true));
  }
  /** ln p − ln(1 − p) (of p clamped to [eps, 1 − eps] when made from probs). */
  get logits(): Tensor {
    return (this.logitsValue ??= probsToLogits(this.probsValue!, true));
  }
  get paramShape(): number[] {
    return (this.given === "probs" ? this.probs : this.logits).shape.slice();
  }

  override get mean(): Tensor {
    return this.probs;
  }
  /** 1 where p > ½, 0 where p < ½, NaN at ½. */
  override get mode(): Tensor {
    const p = this.probs;
    return where(eq(p, 0.5), NaN, ge(p, 0.5).to(p.dtype));
  }
  override get variance(): Tensor {
    return mul(this.probs, sub(1, this.probs));
  }

  override sample(sampleShape: SampleShape = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const device = this.probs.device;
    // drawn on the host from the probabilities read back (counted), PyTorch's CPU draws for the
    // seed as the other distributions' (docs/PARITY.md); the op bernoulli on a webgpu tensor draws
    // Philox's on the device instead
    if (device !== "cpu") return noGrad(() => bernoulli(expand(this.probs.to("cpu"), shape)).to(device));
    return noGrad(() => bernoulli(expand(this.probs, shape)));
  }

  /** −BCE(logits, value) elementwise. */
  logProb(value: Tensor): Tensor {
    this.validateSample(value);
    const [logits, v] = broadcastAll("Bernoulli", { logits: this.logits, value: value.dtype === this.logits.dtype ? value : value.to(this.logits.dtype) });
    return neg(binaryCrossEntropyWithLogits(logits!, v!, { reduction: "none" }));
  }

  override entropy(): Tensor {
    return binaryCrossEntropyWithLogits(this.logits, this.probs, { reduction: "none" });
  }

  override enumerateSupport(expandIt = true): Tensor {
    const dtype = (this.given === "probs" ? this.probs : this.logits).dtype;
    const values = reshape(arange(0, 2, 1, { dtype }), [-1, ...this.batchShape.map(() => 1)]);
    return expandIt ? expand(values, [2, ...this.batchShape]) : values;
  }
}
