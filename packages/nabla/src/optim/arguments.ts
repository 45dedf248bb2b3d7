/**
 * An optimizer's arguments after `params`, as PyTorch takes them: positionally in its order
 * (`new optim.SGD(params, 0.1, 0.9)`, `new optim.Adam(params, 1e-3, [0.9, 0.99])`), as one
 * options object (the TypeScript way), or a positional prefix and the object
 * (`new optim.Adam(params, 1e-3, { maximize: true })`). A positional value of the wrong kind, or
 * more of them than the rule takes, is a TypeError naming the optimizer and the argument; the
 * object's options are checked by Optimizer itself (OptionErrors naming the option), as always.
 */
import { readCtorArgs, type Slot } from "../ops/arguments.js";
import { Tensor } from "../tensor/tensor.js";
import { describeValue, isIterable, isRecord } from "./validate.js";

export function optimizerArgs<O extends object>(name: string, params: unknown, args: readonly unknown[], positional: readonly Slot[]): Partial<O> {
  // a value of the wrong kind for params is a TypeError (Optimizer checks the groups inside)
  if (params instanceof Tensor || !isIterable(params)) {
    throw new TypeError(
      `${name}: params must be an iterable of Tensors or of parameter groups, got ${describeValue(params)}` + (params instanceof Tensor ? " (wrap one tensor in a list: [p])" : ""),
    );
  }
  const last = args.length - 1;
  // one options object, or null (which Optimizer reports as it always has)
  if (args.length === 1 && (args[0] === null || isRecord(args[0]))) return args[0] as Partial<O>;
  const options = last >= 0 && isRecord(args[last]) ? (args[last] as Partial<O>) : undefined;
  const values = readCtorArgs<O>(name, options === undefined ? args : args.slice(0, last), { leading: ["params"], positional });
  for (const key of Object.keys(values)) {
    if (options !== undefined && (options as Record<string, unknown>)[key] !== undefined) {
      throw new TypeError(`${name}: argument '${key}' given both positionally and in the options object`);
    }
  }
  return { ...values, ...options };
}
