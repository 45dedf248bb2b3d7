/**
 * Padding layers (PyTorch's nn.ReflectionPad1d … nn.ZeroPad2d): F.pad with a fixed mode and
 * paddings. A number pads every side; an array gives [left, right(, top, bottom(, front, back))].
 */
import { OptionError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { pad, type PadMode } from "../functional/padding.js";
import { NUMBER, NUMBER_OR_NUMBERS, type Slot } from "../../ops/arguments.js";
import { readLayerArgs } from "../constructor-args.js";
import { Module } from "../module.js";

const PADDING: Slot = ["padding", NUMBER_OR_NUMBERS];

abstract class PadNd extends Module {
  readonly padding: number[];
  constructor(layer: string, padding: number | readonly number[], dims: number, readonly mode: PadMode, readonly value = 0) {
    super();
    const list = typeof padding === "number" ? new Array<number>(2 * dims).fill(padding) : Array.isArray(padding) ? padding.slice() : null;
    if (list === null || list.length !== 2 * dims || list.some((p) => !Number.isInteger(p))) {
      throw new OptionError(`${layer}: padding must be an integer or ${2 * dims} integers, got ${JSON.stringify(padding)}`);
    }
    this.padding = list;
  }
  forward(input: Tensor): Tensor {
    return this.mode === "constant" ? pad(input, this.padding, { value: this.value }) : pad(input, this.padding, { mode: this.mode });
  }
  override extraRepr(): string {
    return `(${this.padding.join(", ")})`;
  }
}

/** Pads the last dim with its reflection (no edge repeat): [N, C, L] or [C, L]. */
export class ReflectionPad1d extends PadNd {
  constructor(padding: number | readonly number[], ...rest: []) {
    readLayerArgs("ReflectionPad1d", [padding, ...rest], { required: [PADDING] });
    super("ReflectionPad1d", padding, 1, "reflect");
  }
}
/** Pads the last 2 dims with their reflection: [N, C, H, W] or [C, H, W]. */
export class ReflectionPad2d extends PadNd {
  constructor(padding: number | readonly number[], ...rest: []) {
    readLayerArgs("ReflectionPad2d", [padding, ...rest], { required: [PADDING] });
    super("ReflectionPad2d", padding, 2, "reflect");
  }
}
/** Pads the last 3 dims with their reflection: [N, C, D, H, W] or [C, D, H, W]. */
export class ReflectionPad3d extends PadNd {
  constructor(padding: number | readonly number[], ...rest: []) {
    readLayerArgs("ReflectionPad3d", [padding, ...rest], { required: [PADDING] });
    super("ReflectionPad3d", padding, 3, "reflect");
  }
}
/** Pads the last dim by repeating its edge values. */
export class ReplicationPad1d extends PadNd {
  constructor(padding: number | readonly number[], ...rest: []) {
    readLayerArgs("ReplicationPad1d", [padding, ...rest], { required: [PADDING] });
    super("ReplicationPad1d", padding, 1, "replicate");
  }
}
/** Pads the last 2 dims by repeating their edge values. */
export class ReplicationPad2d extends PadNd {
  constructor(padding: number | readonly number[], ...rest: []) {
    readLayerArgs("ReplicationPad2d", [padding, ...rest], { required: [PADDING] });
    super("ReplicationPad2d", padding, 2, "replicate");
  }
}
/** Pads the last 3 dims by repeating their edge values. */
export class ReplicationPad3d extends PadNd {
  constructor(padding: number | readonly number[], ...rest: []) {
    readLayerArgs("ReplicationPad3d", [padding, ...rest], { required: [PADDING] });
    super("ReplicationPad3d", padding, 3, "replicate");
  }
}

abstract class ConstantPadNd extends PadNd {
  override extraRepr(): string {
    return `padding=(${this.padding.join(", ")}), value=${this.value}`;
  }
}
/** Pads the last dim with a constant. */
export class ConstantPad1d extends ConstantPadNd {
  constructor(padding: number | readonly number[], value: number, ...rest: []) {
    readLayerArgs("ConstantPad1d", [padding, value, ...rest], { required: [PADDING, ["value", NUMBER]] });
    super("ConstantPad1d", padding, 1, "constant", value);
  }
}
/** Pads the last 2 dims with a constant. */
export class ConstantPad2d extends ConstantPadNd {
  constructor(padding: number | readonly number[], value: number, ...rest: []) {
    readLayerArgs("ConstantPad2d", [padding, value, ...rest], { required: [PADDING, ["value", NUMBER]] });
    super("ConstantPad2d", padding, 2, "constant", value);
  }
}
/** Pads the last 3 dims with a constant. */
export class ConstantPad3d extends ConstantPadNd {
  constructor(padding: number | readonly number[], value: number, ...rest: []) {
    readLayerArgs("ConstantPad3d", [padding, value, ...rest], { required: [PADDING, ["value", NUMBER]] });
    super("ConstantPad3d", padding, 3, "constant", value);
  }
}
/** Pads the last 2 dims with zeros. */
export class ZeroPad2d extends PadNd {
  constructor(padding: number | readonly number[], ...rest: []) {
    readLayerArgs("ZeroPad2d", [padding, ...rest], { required: [PADDING] });
    super("ZeroPad2d", padding, 2, "constant", 0);
  }
}
