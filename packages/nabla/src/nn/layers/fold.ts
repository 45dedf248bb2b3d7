/** Unfold and Fold (F.unfold / F.fold as modules): sliding blocks out of an image and back. No parameters. */
import type { Tensor } from "../../tensor/tensor.js";
import { pair, type IntOrPair } from "../functional/conv.js";
import { foldImpl, unfoldImpl, type FoldOptions } from "../functional/fold.js";
import { NUMBER_OR_NUMBERS, type Slot, type WithOptions } from "../../ops/arguments.js";
import { readLayerArgs } from "../constructor-args.js";
import { Module } from "../module.js";

// PyTorch's positional order after the sizes
const GEOMETRY: readonly Slot[] = [["dilation", NUMBER_OR_NUMBERS], ["padding", NUMBER_OR_NUMBERS], ["stride", NUMBER_OR_NUMBERS]];
type FoldArgs = WithOptions<[dilation: IntOrPair, padding: IntOrPair, stride: IntOrPair], FoldOptions>;

/** Python's repr of an int or a tuple of them, as PyTorch prints the arguments it was given. */
const py = (v: IntOrPair) => (typeof v === "number" ? String(v) : `(${v.join(", ")})`);

abstract class BlockLayer extends Module {
  readonly dilation: IntOrPair;
  readonly padding: IntOrPair;
  readonly stride: IntOrPair;
  constructor(layer: string, readonly kernelSize: IntOrPair, { dilation = 1, padding = 0, stride = 1 }: FoldOptions) {
    super();
    // checked here, so that a bad option fails at construction
    pair(layer, "kernelSize", kernelSize, 1);
    pair(layer, "dilation", dilation, 1);
    pair(layer, "padding", padding, 0);
    pair(layer, "stride", stride, 1);
    this.dilation = dilation;
    this.padding = padding;
    this.stride = stride;
  }
  protected geometry(): FoldOptions {
    return { dilation: this.dilation, padding: this.padding, stride: this.stride };
  }
  protected blockRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, dilation=${py(this.dilation)}, padding=${py(this.padding)}, stride=${py(this.stride)}`;
  }
}

/** [N, C, H, W] → [N, C·kH·kW, L]: every block of the kernel's size as a column. */
export class Unfold extends BlockLayer {
  /** PyTorch's `(kernelSize, dilation, padding, stride)`, or options after the kernel size. */
  constructor(kernelSize: IntOrPair, ...args: FoldArgs) {
    super("Unfold", kernelSize, readLayerArgs<FoldOptions>("Unfold", [kernelSize, ...args], { required: [["kernelSize", NUMBER_OR_NUMBERS]], positional: GEOMETRY }));
  }
  forward(input: Tensor): Tensor {
    return unfoldImpl("Unfold", input, this.kernelSize, this.geometry());
  }
  override extraRepr(): string {
    return this.blockRepr();
  }
}

/** [N, C·kH·kW, L] → [N, C, H, W]: blocks summed back into an image of outputSize. */
export class Fold extends BlockLayer {
  /** PyTorch's `(outputSize, kernelSize, dilation, padding, stride)`, or options after the sizes. */
  constructor(readonly outputSize: IntOrPair, kernelSize: IntOrPair, ...args: FoldArgs) {
    super("Fold", kernelSize, readLayerArgs<FoldOptions>("Fold", [outputSize, kernelSize, ...args], { required: [["outputSize", NUMBER_OR_NUMBERS], ["kernelSize", NUMBER_OR_NUMBERS]], positional: GEOMETRY }));
    pair("Fold", "outputSize", outputSize, 1);
  }
  forward(input: Tensor): Tensor {
    return foldImpl("Fold", input, this.outputSize, this.kernelSize, this.geometry());
  }
  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}, ${this.blockRepr()}`;
  }
}
