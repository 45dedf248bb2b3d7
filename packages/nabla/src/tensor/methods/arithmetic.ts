/**
 * Tensor methods: arithmetic beyond tensor.ts's core: floor division, one-sided clamps and clip
 * (with in-place forms), and each writing into `this` only where PyTorch casts the result.
 */
import { Tensor } from "../tensor.js";
import { clamp, clampMax, clampMin } from "../../ops/clamp.js";
import type { ClampBound, ClampOptions } from "../../ops/clamp.js";
import { floorDivide } from "../../ops/rounding-division.js";
import type { TensorOrScalar } from "../../ops/helpers.js";

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
