/**
 * Scaled dot-product attention (PyTorch 2's F.scaled_dot_product_attention):
 *
 *   softmax(q·kᵀ · scale + mask) · v,   scale = 1/√d by default
 *
 * for q [..., L, d], k [..., S, d], v [..., S, dv]. attnMask is a bool mask where true means
 * "may attend" (PyTorch 2's convention, the opposite of MultiheadAttention's) or a float mask
 * that is added; isCausal lets position i attend to positions ≤ i only. Gradients come from the
 * recorded matmuls and softmax.
 */
import { DTypeError, formatShape, OptionError, ShapeError } from "../../errors.js";
import { fromTypedArray, scalarTensor } from "../../ops/helpers.js";
import { add, mul, where } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { softmax } from "../../ops/softmax.js";
import { transpose } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "./dropout.js";
import { checkOptions, optionKeys } from "../../ops/options.js";

export interface ScaledDotProductAttentionOptions {
  attnMask?: Tensor | null;
  dropoutP?: number;
  isCausal?: boolean;
  scale?: number | null;
}

const SCALED_DOT_PRODUCT_ATTENTION_KEYS = optionKeys<ScaledDotProductAttentionOptions>({ attnMask: true, dropoutP: true, isCausal: true, scale: true });

export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  checkOptions("scaledDotProductAttention", options, SCALED_DOT_PRODUCT_ATTENTION_KEYS);
  const { attnMask = null, dropoutP = 0, isCausal = false, scale = null } = options;
  if (query.ndim < 2 || key.ndim < 2 || value.ndim < 2) {
    throw new ShapeError(`scaledDotProductAttention: query, key and value need at least 2 dims, got ${formatShape(query.shape)}, ${formatShape(key.shape)}, ${formatShape(value.shape)}`);
  }
  const d = query.shape[query.ndim - 1]!;
  const [L, S] = [query.shape[query.ndim - 2]!, key.shape[key.ndim - 2]!];
  if (key.shape[key.ndim - 1] !== d || value.shape[value.ndim - 2] !== S) {
    throw new ShapeError(`scaledDotProductAttention: expected key [..., S, ${d}] and value [..., S, dv] with the same S, got key ${formatShape(key.shape)} and value ${formatShape(value.shape)} (query ${formatShape(query.shape)})`);
  }
  if (isCausal && attnMask !== null) throw new OptionError("scaledDotProductAttention: give either attnMask or isCausal, not both");
  let scores = matmul(mul(query, scale ?? 1 / Math.sqrt(d)), transpose(key, -2, -1)); // [..., L, S]
  let mask = attnMask;
  if (isCausal) {
    const allowed = new Uint8Array(L * S);
    for (let i = 0; i < L; i++) for (let j = 0; j <= Math.min(i, S - 1); j++) allowed[i * S + j] = 1;
    // made on the host; on the webgpu device uploaded there (one small upload per call)
    mask = fromTypedArray(allowed, [L, S], "bool");
    if (scores.storage.device !== "cpu") mask = mask.to(scores.storage.device);
  }
  if (mask !== null) {
    if (mask.dtype === "bool") scores = where(mask, scores, scalarTensor(-Infinity, scores.dtype, scores.storage.device));
    else if (mask.dtype === scores.dtype) scores = add(scores, mask);
    else throw new DTypeError(`scaledDotProductAttention: attnMask must be bool or ${scores.dtype}, got ${mask.dtype}`);
  }
  let weights = softmax(scores, -1);
  if (dropoutP > 0) weights = dropout(weights, { p: dropoutP });
  return matmul(weights, value);
}
