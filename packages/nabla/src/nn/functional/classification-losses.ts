/**
 * Classification losses: binary cross-entropy (on probabilities or logits), cross-entropy and
 * negative log-likelihood over classes, KL divergence, and the soft-margin losses. Everything
 * that would take log of a probability computed from logits goes through log-softmax or
 * log-sigmoid instead, so logits of ±100 give finite, exact losses and gradients.
 */
import { checkSameDevice, webgpuContext } from "../../backend/device.js";
import { checkIndexRange, hostIndexValues, indexValues } from "../../ops/indexing.js";
import { selectAlong } from "../../ops/index-select.js";
import { maskedFill } from "../../ops/masked.js";
import { DTypeError, formatShape, OptionError, ShapeError } from "../../errors.js";
import { logsigmoid, softplus } from "../../ops/activations.js";
import { binaryCrossEntropyPointwise } from "../../ops/bce.js";
import { fromTypedArray } from "../../ops/helpers.js";
import { add, div, eq, exp, gt, log, logicalNot, mul, ne, neg, sub, toDType, where } from "../../ops/elementwise.js";
import { gather } from "../../ops/indexing.js";
import { sum } from "../../ops/reduce.js";
import { contiguous, reshape, squeeze, unsqueeze } from "../../ops/shape.js";
import { logSoftmax } from "../../ops/softmax.js";
import { isFloating } from "../../tensor/dtype.js";
import { indexOn } from "../../tensor/transfer.js";
import { shapesEqual } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import {
  checkBroadcastsTo,
  checkFloating,
  checkReduction,
  checkSameShape,
  reduce,
  type LossOptions,
  type Reduction,
} from "./loss-reduction.js";
import { checkOptions, optionKeys } from "../../ops/options.js";

export interface WeightedLossOptions extends LossOptions {
  /** A rescaling weight (per class for cross-entropy/NLL, broadcast to the input for BCE). */
  weight?: Tensor | null;
}

const BINARY_CROSS_ENTROPY_KEYS = optionKeys<WeightedLossOptions>({ reduction: true, weight: true });

/** BCE on probabilities: −w(y·log x + (1 − y)·log(1 − x)), logs clamped at −100 as in PyTorch. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: WeightedLossOptions = {}): Tensor {
  const op = "binaryCrossEntropy";
  checkOptions(op, options, BINARY_CROSS_ENTROPY_KEYS);
  const { reduction = "mean", weight = null } = options;
  checkReduction(op, reduction);
  checkSameShape(op, input, target);
  checkFloating(op, ["input", input], ["target", target]);
  const outside = (bad: number) => new OptionError(`${op}: all elements of input should be between 0 and 1, got ${bad}`);
  if (input.storage.device !== "cpu") {
    // checked on the device: the same error at the next read (wgsl-index-check.ts)
    const c = contiguous(input.detach());
    webgpuContext(op).checkValues(c.storage.gpu, c.offset, c.numel(), 0, 1, (bad) => {
      const e = outside(bad);
      e.message += " (found by the webgpu device, reported at the next read)";
      return e;
    });
  } else {
    const bad = Array.from(input.toTypedArray()).find((v) => !(v >= 0 && v <= 1));
    if (bad !== undefined) throw outside(bad);
  }
  let loss = binaryCrossEntropyPointwise(input, target);
  if (weight) {
    checkBroadcastsTo(op, "weight", weight, input.shape);
    loss = mul(loss, weight);
  }
  return reduce(loss, reduction);
}

export interface BCEWithLogitsOptions extends WeightedLossOptions {
  /** Weight of the positive term, broadcast along the last (class) dim. */
  posWeight?: Tensor | null;
}

const BINARY_CROSS_ENTROPY_WITH_LOGITS_KEYS = optionKeys<BCEWithLogitsOptions>({ reduction: true, weight: true, posWeight: true });

/**
 * BCE on logits: −w(p·y·log σ(x) + (1 − y)·log σ(−x)), with log σ computed without overflow.
 * ∂/∂x = w((1 + (p − 1)y)·σ(x) − p·y).
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BCEWithLogitsOptions = {},
): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  checkOptions(op, options, BINARY_CROSS_ENTROPY_WITH_LOGITS_KEYS);
  const { reduction = "mean", weight = null, posWeight = null } = options;
  checkReduction(op, reduction);
  checkSameShape(op, input, target);
  checkFloating(op, ["input", input], ["target", target]);
  let positive = mul(target, logsigmoid(input));
  if (posWeight) {
    checkBroadcastsTo(op, "posWeight", posWeight, input.shape);
    positive = mul(positive, posWeight);
  }
  let loss = neg(add(positive, mul(sub(1, target), logsigmoid(neg(input)))));
  if (weight) {
    checkBroadcastsTo(op, "weight", weight, input.shape);
    loss = mul(loss, weight);
  }
  return reduce(loss, reduction);
}

export interface NllOptions extends WeightedLossOptions {
  /** Targets equal to this contribute nothing (and are not counted by "mean"). Default −100. */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·one-hot + ε/C. Default 0. */
  labelSmoothing?: number;
}

/** The class dim (1, or 0 for one unbatched sample) and the number of classes, checked. */
function classDimOf(op: string, input: Tensor): [number, number] {
  if (input.ndim === 0) throw new ShapeError(`${op}: input must have at least 1 dimension (classes), got a 0-d tensor`);
  const dim = input.ndim >= 2 ? 1 : 0;
  return [dim, input.shape[dim]!];
}

function checkClassWeight(op: string, weight: Tensor | null, classes: number): void {
  if (weight && (weight.ndim !== 1 || weight.numel() !== classes)) {
    throw new ShapeError(`${op}: weight must be a 1-D tensor of ${classes} elements (one per class), got ${formatShape(weight.shape)}`);
  }
  if (weight) checkFloating(op, ["weight", weight]);
}

/**
 * NLL over class indices: ℓᵢ = −w[tᵢ]·x[i, tᵢ] (0 where tᵢ = ignoreIndex); "mean" divides by
 * Σ w[tᵢ] over the targets that count. ∂ℓᵢ/∂x[i, c] = −w[tᵢ] for c = tᵢ, else 0.
 */
function nllCore(
  op: string,
  logp: Tensor,
  target: Tensor,
  classDim: number,
  classes: number,
  weight: Tensor | null,
  ignoreIndex: number,
  reduction: Reduction,
): Tensor {
  if (target.dtype !== "int32") {
    // numbers are floating by default, so class indices written as tensor([0, 2, 1]) land here: say how to make them
    const hint = isFloating(target.dtype)
      ? `; class indices must be int32: make them with tensor(labels, { dtype: "int32" }), an Int32Array or target.int()`
      : "";
    throw new DTypeError(
      `${op}: expected target of class indices (int32) or probabilities (float, of the input's shape ${formatShape(logp.shape)}), ` +
        `got ${target.dtype} of shape ${formatShape(target.shape)}${hint}`,
    );
  }
  const expected = logp.shape.filter((_, i) => i !== classDim);
  if (!shapesEqual(target.shape, expected)) {
    throw new ShapeError(`${op}: expected target of shape ${formatShape(expected)} for input ${formatShape(logp.shape)}, got ${formatShape(target.shape)}`);
  }
  // the target is an index: it moves to the input's device (indexOn); a class weight must be there
  const device = logp.storage.device;
  target = indexOn(op, target, device);
  if (weight !== null) checkSameDevice(op, logp, weight);
  // on the webgpu device with a class weight or a target computed there: every step on the device
  if (device !== "cpu" && (weight !== null || hostIndexValues(target) === null)) {
    return nllComputedOnDevice(op, logp, target, classDim, classes, weight, ignoreIndex, reduction);
  }
  // else (the CPU, or a target uploaded from the host) the values the target came from
  const t = indexValues(op, target);
  const w = weight ? weight.toTypedArray() : null;
  const safe = new Int32Array(t.length);
  const perSample = new Float64Array(t.length);
  let total = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === ignoreIndex) continue;
    if (c < 0 || c >= classes) {
      throw new ShapeError(`${op}: target ${c} is out of bounds for ${classes} classes (expected 0 ≤ target < ${classes})`);
    }
    safe[i] = c;
    perSample[i] = w ? w[c]! : 1;
    total += perSample[i]!;
  }
  if (device !== "cpu") return nllOnDevice(logp, target, classDim, safe, perSample, total, reduction);
  const index = unsqueeze(fromTypedArray(safe, target.shape, "int32"), classDim);
  const picked = squeeze(gather(logp, classDim, index), classDim);
  const loss = neg(mul(picked, fromTypedArray(perSample, target.shape, logp.dtype)));
  if (reduction === "none") return loss;
  return reduction === "sum" ? sum(loss) : div(sum(loss), total);
}

/**
 * nllCore's last part on the webgpu device: when every target counts with weight 1 (the common
 * case), the target itself is the gather index and no per-sample weights are multiplied in, so
 * nothing is uploaded; otherwise the checked indices and weights go up in two counted uploads.
 */
function nllOnDevice(
  logp: Tensor,
  target: Tensor,
  classDim: number,
  safe: Int32Array,
  perSample: Float64Array,
  total: number,
  reduction: Reduction,
): Tensor {
  const plain = perSample.every((v) => v === 1);
  const index = plain ? target : fromTypedArray(safe, target.shape, "int32").to(logp.storage.device);
  const picked = squeeze(gather(logp, classDim, unsqueeze(index, classDim)), classDim);
  const loss = neg(plain ? picked : mul(picked, fromTypedArray(perSample, target.shape, logp.dtype).to(logp.storage.device)));
  if (reduction === "none") return loss;
  return reduction === "sum" ? sum(loss) : div(sum(loss), total);
}

/**
 * The targets that count (≠ ignoreIndex) as a mask, the target with ignored entries as class 0,
 * and each target's class weight times the mask, all on the target's device; the safe target is
 * checked against [0, classes) there (the CPU's error, at the next read). What nllCore's loop
 * does on the host, for the webgpu device.
 */
function targetsOnDevice(op: string, target: Tensor, classes: number, weight: Tensor | null, ignoreIndex: number, dtype: Tensor["dtype"]): { safe: Tensor; perSample: Tensor } {
  const ignored = eq(target, ignoreIndex);
  const safe = maskedFill(target, ignored, 0);
  checkIndexRange(op, safe, 0, classes, (c) => new ShapeError(`${op}: target ${c} is out of bounds for ${classes} classes (expected 0 ≤ target < ${classes})`));
  const counts = toDType(logicalNot(ignored), dtype);
  if (weight === null) return { safe, perSample: counts };
  const w = reshape(selectAlong(op, weight, 0, reshape(safe, [safe.numel()]), (c) => new ShapeError(`${op}: target ${c} is out of bounds for ${classes} classes`)), target.shape);
  return { safe, perSample: mul(w, counts) };
}

/** nllCore on the webgpu device for a class weight or a target computed there: nothing crosses to the host. */
function nllComputedOnDevice(op: string, logp: Tensor, target: Tensor, classDim: number, classes: number, weight: Tensor | null, ignoreIndex: number, reduction: Reduction): Tensor {
  const { safe, perSample } = targetsOnDevice(op, target, classes, weight, ignoreIndex, logp.dtype);
  const picked = squeeze(gather(logp, classDim, unsqueeze(safe, classDim)), classDim);
  const loss = neg(mul(picked, perSample));
  if (reduction === "none") return loss;
  return reduction === "sum" ? sum(loss) : div(sum(loss), sum(perSample));
}

const NLL_LOSS_KEYS = optionKeys<NllOptions>({ reduction: true, weight: true, ignoreIndex: true });

/** NLL: input holds log-probabilities ([N, C], [N, C, d1, …] or [C]); target class indices. */
export function nllLoss(input: Tensor, target: Tensor, options: NllOptions = {}): Tensor {
  checkOptions("nllLoss", options, NLL_LOSS_KEYS);
  const { reduction = "mean", weight = null, ignoreIndex = -100 } = options;
  checkReduction("nllLoss", reduction);
  checkFloating("nllLoss", ["input", input]);
  const [classDim, classes] = classDimOf("nllLoss", input);
  checkClassWeight("nllLoss", weight, classes);
  return nllCore("nllLoss", input, target, classDim, classes, weight, ignoreIndex, reduction);
}

const CROSS_ENTROPY_KEYS = optionKeys<CrossEntropyOptions>({ reduction: true, weight: true, ignoreIndex: true, labelSmoothing: true });

/**
 * Cross-entropy between logits and targets: −Σ_c w_c·q_c·log softmax(x)_c, where q is the one-hot
 * of a class index (int32 target of the input's shape without the class dim) or a given
 * probability vector (float target of the input's shape), smoothed by labelSmoothing.
 */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  options: CrossEntropyOptions = {},
): Tensor {
  const op = "crossEntropy";
  checkOptions(op, options, CROSS_ENTROPY_KEYS);
  const { reduction = "mean", weight = null, ignoreIndex = -100, labelSmoothing = 0 } = options;
  checkReduction(op, reduction);
  if (!isFloating(input.dtype)) throw new DTypeError(`${op}: expected floating point logits, got ${input.dtype}`);
  const [classDim, classes] = classDimOf(op, input);
  checkClassWeight(op, weight, classes);
  if (typeof labelSmoothing !== "number" || !(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new OptionError(`${op}: labelSmoothing must be between 0.0 and 1.0, got ${String(labelSmoothing)}`);
  }
  // class indices are an index operand: on the input's device (indexOn), for every path below
  if (target.dtype === "int32") target = indexOn(op, target, input.storage.device);
  const logp = logSoftmax(input, classDim);
  // the class weight, shaped to broadcast along the class dim: [C] or [C, 1, …, 1]
  const w = weight ? reshape(weight, [classes, ...Array<number>(input.ndim - classDim - 1).fill(1)]) : null;
  const weighted = w ? mul(logp, w) : logp;
  if (isFloating(target.dtype) && !shapesEqual(target.shape, input.shape) && target.ndim === input.ndim - 1) {
    // the shape of class indices, written as numbers (floating by default): say how to make them
    return nllCore(op, logp, target, classDim, classes, weight, ignoreIndex, reduction);
  }
  if (isFloating(target.dtype)) {
    if (!shapesEqual(target.shape, input.shape)) {
      throw new ShapeError(
        `${op}: class-probability target must have the input's shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
      );
    }
    const q = labelSmoothing > 0 ? add(mul(target, 1 - labelSmoothing), labelSmoothing / classes) : target;
    const perSample = neg(sum(mul(weighted, q), classDim));
    if (reduction === "mean") return div(sum(perSample), input.numel() / classes);
    return reduce(perSample, reduction);
  }
  const nll = nllCore(op, logp, target, classDim, classes, weight, ignoreIndex, reduction);
  if (labelSmoothing === 0) return nll;
  // the uniform part: −Σ_c w_c·log p_c per sample, 0 where the target is ignored
  if (target.storage.device !== "cpu") {
    const { perSample } = targetsOnDevice(op, target, classes, weight, ignoreIndex, input.dtype);
    const keep = toDType(ne(target, ignoreIndex), input.dtype);
    const smooth = mul(neg(sum(weighted, classDim)), keep);
    const smoothReduced = reduction === "mean" ? div(sum(smooth), sum(perSample)) : reduce(smooth, reduction);
    return add(mul(nll, 1 - labelSmoothing), mul(smoothReduced, labelSmoothing / classes));
  }
  const keep = Array.from(target.toTypedArray(), (c) => (c === ignoreIndex ? 0 : 1));
  const smooth = mul(neg(sum(weighted, classDim)), fromTypedArray(keep, target.shape, input.dtype));
  let smoothReduced: Tensor;
  if (reduction === "mean") {
    const wv = weight ? weight.toTypedArray() : null;
    const denom = Array.from(target.toTypedArray()).reduce((s, c) => (c === ignoreIndex ? s : s + (wv ? wv[c]! : 1)), 0);
    smoothReduced = div(sum(smooth), denom);
  } else smoothReduced = reduce(smooth, reduction);
  return add(mul(nll, 1 - labelSmoothing), mul(smoothReduced, labelSmoothing / classes));
}

export interface KlDivOptions {
  /** "mean" (PyTorch's default, over every element), "batchmean" (sum / batch size: the true KL), "sum", "none". */
  reduction?: Reduction | "batchmean";
  /** The target is given as log-probabilities. Default false. */
  logTarget?: boolean;
}

const KL_DIV_KEYS = optionKeys<KlDivOptions>({ reduction: true, logTarget: true });

/**
 * KL divergence with log-probability input x: y·(log y − x) (0 where y = 0), or with logTarget
 * e^y·(y − x). ∂/∂x = −y (or −e^y).
 */
export function klDiv(input: Tensor, target: Tensor, options: KlDivOptions = {}): Tensor {
  const op = "klDiv";
  checkOptions(op, options, KL_DIV_KEYS);
  const { reduction = "mean", logTarget = false } = options;
  if (reduction !== "batchmean") checkReduction(op, reduction);
  checkSameShape(op, input, target);
  checkFloating(op, ["input", input], ["target", target]);
  let loss: Tensor;
  if (logTarget) loss = mul(exp(target), sub(target, input));
  else {
    const pos = gt(target, 0);
    // y·log y with log taken of 1 where y ≤ 0, so neither value nor gradient meets log 0
    const ylogy = where(pos, mul(target, log(where(pos, target, 1))), 0);
    loss = sub(ylogy, mul(target, input));
  }
  if (reduction === "batchmean") return div(sum(loss), input.ndim === 0 ? 1 : input.shape[0]!);
  return reduce(loss, reduction);
}

const SOFT_MARGIN_LOSS_KEYS = optionKeys<LossOptions>({ reduction: true });

/** Soft margin: log(1 + e^(−y·x)) for labels y = ±1, without overflow. ∂/∂x = −y·σ(−y·x). */
export function softMarginLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkOptions("softMarginLoss", options, SOFT_MARGIN_LOSS_KEYS);
  const { reduction = "mean" } = options;
  checkReduction("softMarginLoss", reduction);
  checkSameShape("softMarginLoss", input, target);
  checkFloating("softMarginLoss", ["input", input], ["target", target]);
  return reduce(softplus(neg(mul(target, input)), 1, Infinity), reduction);
}

const MULTILABEL_SOFT_MARGIN_LOSS_KEYS = optionKeys<WeightedLossOptions>({ reduction: true, weight: true });

/**
 * Multi-label soft margin: per sample −(1/C)·Σ_c w_c(y_c·log σ(x_c) + (1 − y_c)·log σ(−x_c)),
 * over the last dim (C classes), then reduced over samples.
 */
export function multilabelSoftMarginLoss(
  input: Tensor,
  target: Tensor,
  options: WeightedLossOptions = {},
): Tensor {
  const op = "multilabelSoftMarginLoss";
  checkOptions(op, options, MULTILABEL_SOFT_MARGIN_LOSS_KEYS);
  const { reduction = "mean", weight = null } = options;
  checkReduction(op, reduction);
  checkSameShape(op, input, target);
  checkFloating(op, ["input", input], ["target", target]);
  if (input.ndim === 0) throw new ShapeError(`${op}: input must have at least 1 dimension (classes), got a 0-d tensor`);
  let loss = neg(add(mul(target, logsigmoid(input)), mul(sub(1, target), logsigmoid(neg(input)))));
  if (weight) {
    checkBroadcastsTo(op, "weight", weight, input.shape);
    loss = mul(loss, weight);
  }
  const classes = input.shape[input.ndim - 1]!;
  return reduce(div(sum(loss, input.ndim - 1), classes), reduction);
}
