/**
 * Tensor methods: arithmetic beyond tensor.ts's core: floor division, one-sided clamps and clip
 * (with in-place forms), addcmul/addcdiv (and in place), isclose/allclose/equal; the in-place ones
 * writing into `this` only where PyTorch casts the result.
 */
import { Tensor } from "../tensor.js";
import { clamp, clampMax, clampMin } from "../../ops/clamp.js";
import type { ClampBound, ClampOptions } from "../../ops/clamp.js";
import { floorDivide } from "../../ops/rounding-division.js";
import type { TensorOrScalar } from "../../ops/helpers.js";
import { addcdiv, addcmul, type AddcOptions } from "../../ops/addc.js";
import { allclose, equal, isclose, type CloseOptions } from "../../ops/closeness.js";

declare module "../tensor.js" {
  interface Tensor {
    /** this // other (torch.floor_divide), integers staying integers. */
    floorDivide(other: TensorOrScalar): Tensor;
    floorDivide_(other: TensorOrScalar): this;
    /** max(this, min). */
    clampMin(min: number | Tensor): Tensor;
    clampMin_(min: number | Tensor): this;
    /** min(this, max). */
    clampMax(max: number | Tensor): Tensor;
    clampMax_(max: number | Tensor): this;
    /** Another name for clamp. */
    clip(options: ClampOptions): Tensor;
    clip(min: ClampBound, max?: ClampBound): Tensor;
    clip_(options: ClampOptions): this;
    clip_(min: ClampBound, max?: ClampBound): this;
    /** this + value·t1·t2. */
    addcmul(t1: Tensor, t2: Tensor, options?: AddcOptions | number): Tensor;
    addcmul_(t1: Tensor, t2: Tensor, options?: AddcOptions | number): this;
    /** this + value·t1/t2. */
    addcdiv(t1: Tensor, t2: Tensor, options?: AddcOptions | number): Tensor;
    addcdiv_(t1: Tensor, t2: Tensor, options?: AddcOptions | number): this;
    /** Elementwise |this − other| ≤ atol + rtol·|other| (bool). */
    isclose(other: Tensor, options?: CloseOptions): Tensor;
    /** Whether every element is close to other's. */
    allclose(other: Tensor, options?: CloseOptions): boolean;
    /** Same shape and values as other. */
    equal(other: Tensor): boolean;
  }
}

const RESULT = { result: true } as const;

Tensor.prototype.floorDivide = function (this: Tensor, other: TensorOrScalar) {
  return floorDivide(this, other);
};
Tensor.prototype.floorDivide_ = function <T extends Tensor>(this: T, other: TensorOrScalar): T {
  return this.assign("floorDivide_", () => floorDivide(this, other), RESULT);
};
Tensor.prototype.clampMin = function (this: Tensor, min: number | Tensor) {
  return clampMin(this, min);
};
Tensor.prototype.clampMin_ = function <T extends Tensor>(this: T, min: number | Tensor): T {
  return this.assign("clampMin_", () => clampMin(this, min), RESULT);
};
Tensor.prototype.clampMax = function (this: Tensor, max: number | Tensor) {
  return clampMax(this, max);
};
Tensor.prototype.clampMax_ = function <T extends Tensor>(this: T, max: number | Tensor): T {
  return this.assign("clampMax_", () => clampMax(this, max), RESULT);
};
Tensor.prototype.clip = function (this: Tensor, minOrOptions?: ClampBound | ClampOptions, max?: ClampBound) {
  return clamp(this, minOrOptions as ClampBound, max);
};
Tensor.prototype.clip_ = function <T extends Tensor>(this: T, minOrOptions?: ClampBound | ClampOptions, max?: ClampBound): T {
  return this.assign("clip_", () => clamp(this, minOrOptions as ClampBound, max), RESULT);
};
Tensor.prototype.addcmul = function (this: Tensor, t1: Tensor, t2: Tensor, options?: AddcOptions | number) {
  return addcmul(this, t1, t2, options);
};
Tensor.prototype.addcmul_ = function <T extends Tensor>(this: T, t1: Tensor, t2: Tensor, options?: AddcOptions | number): T {
  return this.assign("addcmul_", () => addcmul(this, t1, t2, options), RESULT);
};
Tensor.prototype.addcdiv = function (this: Tensor, t1: Tensor, t2: Tensor, options?: AddcOptions | number) {
  return addcdiv(this, t1, t2, options);
};
Tensor.prototype.addcdiv_ = function <T extends Tensor>(this: T, t1: Tensor, t2: Tensor, options?: AddcOptions | number): T {
  return this.assign("addcdiv_", () => addcdiv(this, t1, t2, options), RESULT);
};
Tensor.prototype.isclose = function (this: Tensor, other: Tensor, options?: CloseOptions) {
  return isclose(this, other, options);
};
Tensor.prototype.allclose = function (this: Tensor, other: Tensor, options?: CloseOptions) {
  return allclose(this, other, options);
};
Tensor.prototype.equal = function (this: Tensor, other: Tensor) {
  return equal(this, other);
};
