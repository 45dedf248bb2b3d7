/**
 * Resampling layers: Upsample (F.interpolate as a module), UpsamplingNearest2d,
 * UpsamplingBilinear2d (alignCorners), PixelShuffle and PixelUnshuffle. No parameters.
 */
import { OptionError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { interpolateImpl, type InterpolateMode, type InterpolateOptions } from "../functional/interpolate.js";
import { BOOLEAN, NUMBER, NUMBER_OR_NUMBERS, STRING, type Slot, type WithOptions } from "../../ops/arguments.js";
import { readLayerArgs } from "../constructor-args.js";
import { pixelShuffle, pixelUnshuffle } from "../functional/pixel-shuffle.js";
import { Module } from "../module.js";
import { pyFloat } from "./repr.js";

/** Python's repr of an int or a tuple of them. */
const pyInts = (v: number | readonly number[]) => (typeof v === "number" ? String(v) : v.length === 1 ? `(${v[0]},)` : `(${v.join(", ")})`);
/** Python's repr of a float or a tuple of them. */
const pyFloats = (v: number | readonly number[]) => (typeof v === "number" ? pyFloat(v) : `(${v.map(pyFloat).join(", ")}${v.length === 1 ? "," : ""})`);

// PyTorch's positional order; the fixed-mode subclasses take the first two
const UPSAMPLE_SLOTS: readonly Slot[] = [["size", NUMBER_OR_NUMBERS], ["scaleFactor", NUMBER_OR_NUMBERS], ["mode", STRING], ["alignCorners", BOOLEAN], ["recomputeScaleFactor", BOOLEAN]];

/**
 * Upsamples [N, C, L], [N, C, H, W] or [N, C, D, H, W] to `size` or by `scaleFactor` (PyTorch's
 * nn.Upsample; modes as F.interpolate). Also `new Upsample(size, scaleFactor, mode, alignCorners)`.
 */
export class Upsample extends Module {
  readonly size: number | readonly number[] | undefined;
  readonly scaleFactor: number | readonly number[] | undefined;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | undefined;
  readonly recomputeScaleFactor: boolean | undefined;

  constructor(...args: WithOptions<[size: number | readonly number[] | null, scaleFactor: number | readonly number[] | null, mode: InterpolateMode, alignCorners: boolean | null, recomputeScaleFactor: boolean | null], InterpolateOptions>);
  constructor(...args: unknown[]) {
    super();
    const o = readLayerArgs<InterpolateOptions>("Upsample", args, { positional: UPSAMPLE_SLOTS });
    this.size = o.size;
    this.scaleFactor = o.scaleFactor;
    this.mode = o.mode ?? "nearest";
    this.alignCorners = o.alignCorners;
    this.recomputeScaleFactor = o.recomputeScaleFactor;
  }

  forward(input: Tensor): Tensor {
    return interpolateImpl(this.constructor.name, input, {
      size: this.size,
      scaleFactor: this.scaleFactor,
      mode: this.mode,
      alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }

  override extraRepr(): string {
    const what = this.scaleFactor !== undefined ? `scale_factor=${pyFloats(this.scaleFactor)}` : `size=${this.size === undefined ? "None" : pyInts(this.size)}`;
    return `${what}, mode=${this.mode}`;
  }
}

type SizeOrScale = { size?: number | readonly number[]; scaleFactor?: number | readonly number[] };

/** Nearest-neighbour upsampling of [N, C, H, W] (PyTorch's UpsamplingNearest2d): `(size, scaleFactor)` or options. */
export class UpsamplingNearest2d extends Upsample {
  constructor(...args: WithOptions<[size: number | readonly number[] | null, scaleFactor: number | readonly number[] | null], SizeOrScale>) {
    super({ ...readLayerArgs<SizeOrScale>("UpsamplingNearest2d", args, { positional: UPSAMPLE_SLOTS.slice(0, 2) }), mode: "nearest" });
  }
}

/** Bilinear upsampling of [N, C, H, W] with alignCorners (PyTorch's UpsamplingBilinear2d): `(size, scaleFactor)` or options. */
export class UpsamplingBilinear2d extends Upsample {
  constructor(...args: WithOptions<[size: number | readonly number[] | null, scaleFactor: number | readonly number[] | null], SizeOrScale>) {
    super({ ...readLayerArgs<SizeOrScale>("UpsamplingBilinear2d", args, { positional: UPSAMPLE_SLOTS.slice(0, 2) }), mode: "bilinear", alignCorners: true });
  }
}

/** [*, C·r², H, W] → [*, C, H·r, W·r] (sub-pixel convolution's rearrangement). */
export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number, ...rest: []) {
    super();
    readLayerArgs("PixelShuffle", [upscaleFactor, ...rest], { required: [["upscaleFactor", NUMBER]] });
    pixelShuffleCheck(upscaleFactor, "PixelShuffle", "upscaleFactor");
  }
  forward(input: Tensor): Tensor {
    return pixelShuffle(input, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

/** [*, C, H·r, W·r] → [*, C·r², H, W] (PixelShuffle's inverse). */
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number, ...rest: []) {
    super();
    readLayerArgs("PixelUnshuffle", [downscaleFactor, ...rest], { required: [["downscaleFactor", NUMBER]] });
    pixelShuffleCheck(downscaleFactor, "PixelUnshuffle", "downscaleFactor");
  }
  forward(input: Tensor): Tensor {
    return pixelUnshuffle(input, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}

function pixelShuffleCheck(r: unknown, layer: string, what: string): void {
  if (typeof r !== "number") throw new TypeError(`${layer}: expected ${what} to be a number, got ${typeof r}`);
  if (!Number.isInteger(r) || r < 1) throw new OptionError(`${layer}: ${what} must be a positive integer, got ${r}`);
}
