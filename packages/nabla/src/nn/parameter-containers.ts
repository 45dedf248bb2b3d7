/**
 * Parameters held in a list or by name (PyTorch's ParameterList and ParameterDict): modules whose
 * own parameters are their elements, so a parent that holds one in a field finds them
 * (`parameters()`, optimizers, `.to()`) and its state dict has PyTorch's keys: `field.0`,
 * `field.1`, … for a list, `field.<key>` for a dict. A plain tensor given to either becomes a
 * Parameter over the same data (requiring grad), as in PyTorch 1.13.
 */
import { Tensor } from "../tensor/tensor.js";
import { kind, readCtorArgs } from "../ops/arguments.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";
import { isIterable } from "./containers.js";
import { isPlainObject } from "../ops/options.js";

const TENSORS = kind("an iterable of Tensors", isIterable);
const NAMED_TENSORS = kind("an object of Tensors by name or an iterable of [name, Tensor] pairs", (v) => isIterable(v) || isPlainObject(v));

function asParameter(owner: string, what: string, value: unknown): Parameter {
  if (value instanceof Parameter) return value;
  if (value instanceof Tensor) return new Parameter(value);
  throw new TypeError(`${owner}: ${what} must be a Tensor or a Parameter, got ${value === null ? "null" : typeof value}`);
}

/** PyTorch's line for one parameter: `(0): Parameter containing: [torch.float32 of size 2x3]`. */
function parameterLine(key: string, p: Parameter, typeName: string): string {
  return `(${key}): Parameter containing: [${typeName} of size ${p.shape.join("x")}]`;
}

/** `Name(\n    line\n    …\n)` as PyTorch prints these (their lines come from extra_repr, indented twice). */
function containerRepr(name: string, lines: string[]): string {
  return lines.length === 0 ? `${name}()` : `${name}(\n${lines.map((l) => `    ${l}`).join("\n")}\n)`;
}

/** Parameters by position; in a parent's state dict `field.0`, `field.1`, …. */
export class ParameterList extends Module<[], never> {
  /** PyTorch's `(values)`: Parameters or tensors (made Parameters over the same data). */
  constructor(values: Iterable<Tensor> = [], ...rest: []) {
    super();
    readCtorArgs("ParameterList", [values, ...rest], { required: [["values", TENSORS]] });
    this.replaceAll(Array.from(values, (v, i) => asParameter("ParameterList", `element ${i}`, v)));
  }

  private list(): Parameter[] {
    return Object.keys(this)
      .filter((k) => /^\d+$/.test(k))
      .map((k) => Reflect.get(this, k) as Parameter);
  }

  private replaceAll(params: readonly Parameter[]): void {
    for (const key of Object.keys(this)) if (/^\d+$/.test(key)) Reflect.deleteProperty(this, key);
    params.forEach((p, i) => Reflect.set(this, String(i), p));
  }

  get length(): number {
    return this.list().length;
  }

  /** The i-th parameter (negative counts from the end). */
  at(index: number): Parameter {
    const list = this.list();
    const p = list[index < 0 ? index + list.length : index];
    if (p === undefined) throw new RangeError(`ParameterList.at: index ${index} is out of range for ${list.length} parameters`);
    return p;
  }

  /** Replaces the i-th parameter (PyTorch's `plist[i] = p`). */
  set(index: number, value: Tensor): this {
    const list = this.list();
    const i = index < 0 ? index + list.length : index;
    if (!Number.isInteger(i) || i < 0 || i >= list.length) throw new RangeError(`ParameterList.set: index ${index} is out of range for ${list.length} parameters`);
    Reflect.set(this, String(i), asParameter("ParameterList", `the value for index ${index}`, value));
    return this;
  }

  append(value: Tensor): this {
    const n = this.length;
    Reflect.set(this, String(n), asParameter("ParameterList", `element ${n}`, value));
    return this;
  }

  extend(values: Iterable<Tensor>): this {
    for (const v of values) this.append(v);
    return this;
  }

  [Symbol.iterator](): Iterator<Parameter> {
    return this.list()[Symbol.iterator]();
  }

  override toString(): string {
    return containerRepr("ParameterList", this.list().map((p, i) => parameterLine(String(i), p, `torch.${p.dtype}`)));
  }

  forward(): never {
    throw new Error("ParameterList: a ParameterList has no forward; use its parameters in your own forward");
  }
}

/**
 * Parameters by name; in a parent's state dict `field.<key>`. As PyTorch 1.13's update: a plain
 * object's keys are taken in sorted order (a dict's), a Map's or a list of pairs' in theirs.
 * Keys must be non-numeric names without "." that are not Module members.
 */
export class ParameterDict extends Module<[], never> {
  /** PyTorch's `(parameters)`: an object of tensors by name, a Map or an iterable of [name, tensor] pairs. */
  constructor(parameters: Record<string, Tensor> | Iterable<[string, Tensor]> = {}, ...rest: []) {
    super();
    readCtorArgs("ParameterDict", [parameters, ...rest], { required: [["parameters", NAMED_TENSORS]] });
    this.update(parameters);
  }

  /** Adds or replaces parameters: a plain object's in sorted key order, pairs in their order. */
  update(parameters: Record<string, Tensor> | Iterable<[string, Tensor]>): this {
    const entries = isIterable(parameters)
      ? Array.from(parameters as Iterable<[string, Tensor]>, (pair, i) => {
          if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError(`ParameterDict.update: element ${i} should be a [name, Tensor] pair`);
          return pair;
        })
      : Object.entries(parameters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [k, v] of entries) this.set(k, v);
    return this;
  }

  set(key: string, value: Tensor): this {
    const p = asParameter("ParameterDict", `the value for '${key}'`, value);
    if (typeof key !== "string" || key === "" || key.includes(".") || /^\d+$/.test(key) || (key in this && !this.has(key))) {
      throw new RangeError(`ParameterDict: invalid key '${String(key)}' (empty, containing ".", numeric, or the name of a Module member)`);
    }
    Reflect.set(this, key, p);
    return this;
  }

  get(key: string): Parameter | undefined {
    const p: unknown = Reflect.get(this, key);
    return p instanceof Parameter && Object.prototype.hasOwnProperty.call(this, key) ? p : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Removes the key and returns its parameter (PyTorch's pop), undefined if absent. */
  delete(key: string): Parameter | undefined {
    const p = this.get(key);
    if (p !== undefined) Reflect.deleteProperty(this, key);
    return p;
  }

  get size(): number {
    return this.keys().length;
  }

  keys(): string[] {
    return this.entries().map(([k]) => k);
  }

  values(): Parameter[] {
    return this.entries().map(([, p]) => p);
  }

  entries(): [string, Parameter][] {
    return Object.entries(this).filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  override toString(): string {
    const typeName = (p: Parameter) => (p.dtype === "float64" ? "torch.DoubleTensor" : "torch.FloatTensor");
    return containerRepr("ParameterDict", this.entries().map(([k, p]) => parameterLine(k, p, typeName(p))));
  }

  forward(): never {
    throw new Error("ParameterDict: a ParameterDict has no forward; use its parameters in your own forward");
  }
}
