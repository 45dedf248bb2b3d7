/**
 * What nn's constructors share in reading their arguments (see readCtorArgs): the kinds only nn
 * has (a Module), nabla's dtype option, and PyTorch's `inplace`, which is read in its slot so
 * that the arguments after it keep PyTorch's positions, and refused when true: nabla's layers
 * return a new tensor and never overwrite their input.
 */
import { OptionError } from "../errors.js";
import { BOOLEAN, DTYPE, kind, readCtorArgs, type Signature, type Slot } from "../ops/arguments.js";
import { Module } from "./module.js";

export const MODULE = kind("a Module", (v) => v instanceof Module);

/** PyTorch's `inplace` slot. */
export const INPLACE: Slot = ["inplace", BOOLEAN];

/** nabla's dtype of the parameters and buffers a layer makes (PyTorch's factory keyword). */
export const DTYPE_OPTION: Slot = ["dtype", DTYPE];

/** The `inplace` option, for the types of the layers that take it. */
export interface InplaceOption {
  /** PyTorch's inplace; only false: nabla's layers return a new tensor. */
  inplace?: boolean;
}

/** readCtorArgs for a layer: also refuses inplace: true, naming the class. */
export function readLayerArgs<O extends object>(cls: string, args: readonly unknown[], signature: Signature): Partial<O> {
  const options = readCtorArgs<O>(cls, args, signature);
  if ((options as InplaceOption).inplace === true) {
    throw new OptionError(`${cls}: inplace=true is not supported (nabla's layers return a new tensor and leave their input as it is); leave it out`);
  }
  return options;
}

/** A layer that takes no arguments: anything given is a TypeError naming it. */
export function noArgs(cls: string, args: readonly unknown[]): void {
  readCtorArgs(cls, args, {});
}
