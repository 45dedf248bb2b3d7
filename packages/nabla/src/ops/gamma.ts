/**
 * Gamma and Dirichlet draws with reparameterised gradients, as PyTorch's _standard_gamma and
 * _sample_dirichlet (used by distributions.Gamma, Beta): the samples are PyTorch's for the same
 * seed (sampling.ts), and the gradient of a sample with respect to its concentration is the
 * implicit one, dx/dα = −(∂F/∂α)/f (gamma-grad.ts), so that rsample can be backpropagated.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { OptionError, ShapeError } from "../errors.js";
import { dirichletGrad, standardGammaGrad } from "../tensor/gamma-grad.js";
import { defaultGenerator } from "../tensor/random.js";
import { sampleGamma } from "../tensor/sampling.js";
import { toDevice } from "../tensor/transfer.js";
import { Tensor } from "../tensor/tensor.js";
import { mul, sub } from "./elementwise.js";
import { fromTypedArray, requireFloating } from "./helpers.js";
import type { GeneratorOption } from "./random.js";
import { sum } from "./reduce.js";
import { contiguous, expand } from "./shape.js";

const FLT_MIN = 1.1754943508222875e-38;
const DBL_MIN = 2.2250738585072014e-308;
const ONE_BELOW_1_F = 1 - 2 ** -24;
const ONE_BELOW_1_D = 1 - 2 ** -53;

function checkConcentration(op: string, alpha: Tensor): Float64Array {
  if (!(alpha instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor of concentrations`);
  requireFloating(op, alpha, "concentration");
  const values = Float64Array.from(alpha.toTypedArray());
  for (let i = 0; i < values.length; i++) {
    if (!(values[i]! >= 0)) throw new OptionError(`${op}: expected non-negative concentrations, got ${values[i]} at index ${i}`);
  }
  return values;
}

/** The values of dx/dα for samples x of Gamma(α, 1) (PyTorch's _standard_gamma_grad); no gradient of its own. */
export function standardGammaGradValues(alpha: Tensor, x: Tensor): Tensor {
  const a = alpha.toTypedArray();
  const v = x.toTypedArray();
  const out = new Float64Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = standardGammaGrad(a[i]!, v[i]!);
  return onDeviceOf(alpha, fromTypedArray(out, alpha.shape, alpha.dtype));
}

/** Draws and gradients computed on the host (the generator is the CPU's) join alpha on its device (one upload). */
function onDeviceOf(alpha: Tensor, values: Tensor): Tensor {
  return toDevice(values, alpha.storage.device);
}

/**
 * Gamma(α, 1) draws, one per element of `alpha` (torch._standard_gamma), at least the smallest
 * normal number of the dtype; differentiable in α through the implicit reparameterisation.
 */
export function standardGamma(alpha: Tensor, { generator = defaultGenerator }: GeneratorOption = {}): Tensor {
  const values = checkConcentration("standardGamma", alpha);
  const float32 = alpha.dtype === "float32";
  const out = new Float64Array(values.length);
  for (let i = 0; i < out.length; i++) {
    const x = sampleGamma(generator, values[i]!, float32);
    out[i] = Math.max(float32 ? FLT_MIN : DBL_MIN, float32 ? Math.fround(x) : x);
  }
  const x = onDeviceOf(alpha, fromTypedArray(out, alpha.shape, alpha.dtype));
  // d/dα of a sample: the implicit reparameterisation gradient (not itself differentiable)
  return recordOp("StandardGammaBackward0", x, [alpha], (g) => [mul(g, standardGammaGradValues(alpha.detach(), x))], [alpha, x]);
}

/**
 * Dirichlet(α) draws along the last dim of `alpha` (torch._sample_dirichlet: float64 Gamma draws
 * normalised, then kept inside (0, 1) in alpha's dtype), differentiable in α as PyTorch's
 * Dirichlet.rsample: ∂L/∂α = dx/dα·(g − Σ x·g), with dx/dα from the Beta marginals (ATen's
 * _dirichlet_grad).
 */
export function sampleDirichlet(alpha: Tensor, { generator = defaultGenerator }: GeneratorOption = {}): Tensor {
  const values = checkConcentration("sampleDirichlet", alpha);
  if (alpha.ndim < 1) throw new ShapeError("sampleDirichlet: expected at least one dimension (the categories)");
  const k = alpha.shape[alpha.ndim - 1]!;
  const gamma = new Float64Array(values.length);
  for (let i = 0; i < gamma.length; i++) gamma[i] = Math.max(DBL_MIN, sampleGamma(generator, values[i]!, false));
  const float32 = alpha.dtype === "float32";
  const [lo, hi] = float32 ? [FLT_MIN, ONE_BELOW_1_F] : [DBL_MIN, ONE_BELOW_1_D];
  const out = new Float64Array(values.length);
  for (let r = 0; r < values.length; r += k) {
    let total = 0;
    for (let j = 0; j < k; j++) total += gamma[r + j]!;
    for (let j = 0; j < k; j++) {
      const v = gamma[r + j]! / total;
      out[r + j] = Math.min(hi, Math.max(lo, float32 ? Math.fround(v) : v));
    }
  }
  const x = onDeviceOf(alpha, fromTypedArray(out, alpha.shape, alpha.dtype));
  return recordOp("DirichletBackward", x, [alpha], (g) => {
    const grad = noGrad(() => {
      const total = contiguous(expand(sum(alpha, -1, { keepdim: true }), alpha.shape)).toTypedArray();
      const a = alpha.toTypedArray();
      const xs = x.toTypedArray();
      const d = new Float64Array(a.length);
      for (let i = 0; i < d.length; i++) d[i] = dirichletGrad(xs[i]!, a[i]!, total[i]!);
      return onDeviceOf(alpha, fromTypedArray(d, alpha.shape, alpha.dtype));
    });
    // PyTorch's _Dirichlet_backward: the coordinates sum to 1, so g is projected first
    return [mul(grad, sub(g, sum(mul(x, g), -1, { keepdim: true })))];
  }, [alpha, x]);
}
