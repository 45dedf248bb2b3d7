/**
 * The pointwise activations of nabla's catalogue (README "Activations"), each with its
 * parameters (shown as sliders), its formula and when to use it (the README's words). `apply`
 * calls the library's own function, so the page draws what nabla computes.
 */
import { F, nn, type Tensor } from "nabla";

export interface Param {
  key: string;
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
}

export interface Activation {
  name: string;
  params: Param[];
  apply: (x: Tensor, p: Record<string, number>) => Tensor;
  formula: string;
  when: string;
}

const param = (key: string, label: string, min: number, max: number, step: number, value: number): Param => ({ key, label, min, max, step, value });

export const ACTIVATIONS: Activation[] = [
  { name: "ReLU", params: [], apply: (x) => F.relu(x), formula: "max(0, x)", when: "The default for hidden layers: cheapest to compute, does not saturate for x > 0. Units stuck at x < 0 get no gradient and can die." },
  { name: "Sigmoid", params: [], apply: (x) => F.sigmoid(x), formula: "σ(x) = 1 / (1 + e^−x)", when: "Binary outputs (a probability in (0, 1)) and gates. Saturates, so gradients vanish in deep hidden stacks." },
  { name: "Tanh", params: [], apply: (x) => F.tanh(x), formula: "(eˣ − e^−x) / (eˣ + e^−x)", when: "Zero-centred hidden units in (−1, 1): the next layer's inputs are centred, which helps learning; still saturates." },
  { name: "LeakyReLU", params: [param("negativeSlope", "slope a", 0, 1, 0.01, 0.01)], apply: (x, p) => F.leakyRelu(x, { negativeSlope: p.negativeSlope! }), formula: "x if x > 0, else a·x", when: "ReLU's fix for dead units: a small slope keeps a gradient for x < 0." },
  { name: "PReLU", params: [param("init", "a (initial)", 0, 1, 0.01, 0.25)], apply: (x, p) => new nn.PReLU({ init: p.init!, dtype: "float64" }).forward(x), formula: "x if x > 0, else a·x, a learned (per channel)", when: "Leaky ReLU whose slope the network learns." },
  { name: "RReLU (eval)", params: [param("lower", "lower", 0, 1, 0.01, 1 / 8), param("upper", "upper", 0, 1, 0.01, 1 / 3)], apply: (x, p) => F.rrelu(x, { lower: p.lower!, upper: Math.max(p.lower!, p.upper!) }), formula: "x if x > 0, else a·x, a ~ U(lower, upper) in training, (lower+upper)/2 in eval", when: "Leaky ReLU with a random slope as a regulariser." },
  { name: "ReLU6", params: [], apply: (x) => F.relu6(x), formula: "min(max(0, x), 6)", when: "Bounded ReLU for low-precision / mobile networks." },
  { name: "ELU", params: [param("alpha", "α", 0, 3, 0.05, 1)], apply: (x, p) => F.elu(x, { alpha: p.alpha! }), formula: "x if x > 0, else α(eˣ − 1)", when: "Smooth negative part pushes mean activations to 0; no dead units." },
  { name: "SELU", params: [], apply: (x) => F.selu(x), formula: "λ·ELU(x, α), λ ≈ 1.0507, α ≈ 1.6733", when: "Self-normalising fully connected nets (with LeCun-normal init)." },
  { name: "CELU", params: [param("alpha", "α", 0.05, 3, 0.05, 1)], apply: (x, p) => F.celu(x, { alpha: p.alpha! }), formula: "max(0, x) + min(0, α(e^(x/α) − 1))", when: "ELU that is continuously differentiable for every α." },
  { name: "GELU", params: [], apply: (x) => F.gelu(x), formula: "x·Φ(x)", when: "Transformers' default (BERT, GPT)." },
  { name: "GELU (tanh)", params: [], apply: (x) => F.gelu(x, { approximate: "tanh" }), formula: "x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))", when: "Transformers' default (BERT, GPT), in the tanh approximation." },
  { name: "SiLU (Swish)", params: [], apply: (x) => F.silu(x), formula: "x·σ(x)", when: "Smooth, non-monotonic; strong in deep CNNs and LLM MLPs." },
  { name: "Mish", params: [], apply: (x) => F.mish(x), formula: "x·tanh(softplus(x))", when: "Smooth alternative to Swish (YOLOv4)." },
  { name: "Softplus", params: [param("beta", "β", 0.1, 5, 0.1, 1), param("threshold", "threshold", 1, 40, 1, 20)], apply: (x, p) => F.softplus(x, { beta: p.beta!, threshold: p.threshold! }), formula: "log(1 + e^(βx))/β (x once βx > threshold)", when: "Smooth ReLU; positive outputs (rates, scales, variances)." },
  { name: "Softsign", params: [], apply: (x) => F.softsign(x), formula: "x / (1 + |x|)", when: "Tanh-like with gentler, polynomial saturation." },
  { name: "Hardtanh", params: [param("minVal", "min", -3, 0, 0.1, -1), param("maxVal", "max", 0, 3, 0.1, 1)], apply: (x, p) => F.hardtanh(x, { minVal: p.minVal!, maxVal: p.maxVal! }), formula: "min(max(x, min), max)", when: "Cheap piecewise-linear tanh." },
  { name: "Hardsigmoid", params: [], apply: (x) => F.hardsigmoid(x), formula: "min(max(x + 3, 0), 6)/6", when: "Cheap sigmoid for gates on mobile (MobileNetV3)." },
  { name: "Hardswish", params: [], apply: (x) => F.hardswish(x), formula: "x·min(max(x + 3, 0), 6)/6", when: "Cheap Swish (MobileNetV3)." },
  { name: "LogSigmoid", params: [], apply: (x) => F.logsigmoid(x), formula: "log σ(x) = −softplus(−x)", when: "Log-probabilities of binary events, finite for any x." },
  { name: "Tanhshrink", params: [], apply: (x) => F.tanhshrink(x), formula: "x − tanh(x)", when: "Residual of tanh; sparse coding." },
  { name: "Softshrink", params: [param("lambd", "λ", 0, 3, 0.05, 0.5)], apply: (x, p) => F.softshrink(x, { lambd: p.lambd! }), formula: "x − λ (x > λ), x + λ (x < −λ), else 0", when: "Soft thresholding (sparsity, denoising)." },
  { name: "Hardshrink", params: [param("lambd", "λ", 0, 3, 0.05, 0.5)], apply: (x, p) => F.hardshrink(x, { lambd: p.lambd! }), formula: "x if |x| > λ, else 0", when: "Hard thresholding." },
  { name: "Threshold", params: [param("threshold", "threshold", -3, 3, 0.1, 1), param("value", "value", -3, 3, 0.1, -1)], apply: (x, p) => F.threshold(x, p.threshold!, p.value!), formula: "x if x > threshold, else value", when: "A custom cut-off." },
  { name: "PAU (initial)", params: [], apply: (x) => new nn.PAU({ dtype: "float64" }).forward(x), formula: "(a₀ + … + a_m xᵐ) / (1 + |b₁x + … + b_n xⁿ|)", when: "A learnable activation (Molina et al. 2019): the network learns its own shape; starts as LeakyReLU." },
];

export function findActivation(name: string): Activation {
  const found = ACTIVATIONS.find((a) => a.name === name);
  if (found === undefined) throw new RangeError(`no activation named "${name}" (known: ${ACTIVATIONS.map((a) => a.name).join(", ")})`);
  return found;
}

/** Default parameter values of an activation. */
export const defaults = (a: Activation): Record<string, number> => Object.fromEntries(a.params.map((p) => [p.key, p.value]));
