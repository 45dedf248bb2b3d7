/** Containers: Sequential runs its modules in order; children are named "0", "1", …. */
import type { Tensor } from "../tensor/tensor.js";
import { kind, readCtorArgs } from "../ops/arguments.js";
import { Module, type AnyModule } from "./module.js";

/** An iterable other than a string (the containers' lists of modules or parameters). */
export const isIterable = (v: unknown): v is Iterable<unknown> => typeof (v as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] === "function" && typeof v !== "string";
const MODULES = kind("an iterable of Modules", isIterable);
/** A plain object of Modules by name, or an iterable of [name, Module] pairs (a Map). */
const NAMED_MODULES = kind("an object of Modules by name or an iterable of [name, Module] pairs", (v) => isIterable(v) || (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype));

/** Modules from one Tensor to a Tensor, run in order: a `Module<[Tensor], Tensor>` itself. */
export class Sequential extends Module {
  constructor(...layers: Module[]) {
    super();
    layers.forEach((layer, i) => {
      if (Array.isArray(layer)) throw new TypeError(`Sequential: argument ${i} is an array; pass the modules as separate arguments, new nn.Sequential(...layers), as PyTorch's nn.Sequential(*layers)`);
      if (!(layer instanceof Module)) throw new TypeError(`Sequential: argument ${i} is not a Module`);
      Reflect.set(this, String(i), layer);
    });
  }

  /** The layers, which the constructor took as Tensor → Tensor modules. */
  private layers(): Module[] {
    return Array.from(this.children()) as Module[];
  }

  get length(): number {
    return this.layers().length;
  }

  /** The i-th module. */
  at(index: number): Module {
    const list = this.layers();
    const m = list[index < 0 ? index + list.length : index];
    if (m === undefined) throw new RangeError(`Sequential.at: index ${index} is out of range for ${list.length} modules`);
    return m;
  }

  forward(input: Tensor): Tensor {
    let x = input;
    for (const layer of this.layers()) x = layer.forward(x);
    return x;
  }
}

/** Numbered children for lists of modules; the state-dict keys are `0.weight`, `1.weight`, …. */
function setChildren(owner: AnyModule, modules: readonly AnyModule[]): void {
  for (const key of Object.keys(owner)) if (/^\d+$/.test(key)) Reflect.deleteProperty(owner, key);
  modules.forEach((m, i) => {
    if (!(m instanceof Module)) throw new TypeError(`${owner.constructor.name}: element ${i} is not a Module`);
    Reflect.set(owner, String(i), m);
  });
}

/** A list of modules whose parameters the owner finds (PyTorch's ModuleList); it has no forward of its own. */
export class ModuleList extends Module<[], never> {
  constructor(modules: Iterable<AnyModule> = [], ...rest: []) {
    super();
    readCtorArgs("ModuleList", [modules, ...rest], { required: [["modules", MODULES]] });
    setChildren(this, Array.from(modules));
  }

  private list(): AnyModule[] {
    return Array.from(this.children());
  }

  get length(): number {
    return this.list().length;
  }

  at(index: number): AnyModule {
    const list = this.list();
    const m = list[index < 0 ? index + list.length : index];
    if (m === undefined) throw new RangeError(`ModuleList.at: index ${index} is out of range for ${list.length} modules`);
    return m;
  }

  append(module: AnyModule): this {
    setChildren(this, [...this.list(), module]);
    return this;
  }

  extend(modules: Iterable<AnyModule>): this {
    setChildren(this, [...this.list(), ...modules]);
    return this;
  }

  insert(index: number, module: AnyModule): this {
    const list = this.list();
    list.splice(index < 0 ? index + list.length : index, 0, module);
    setChildren(this, list);
    return this;
  }

  [Symbol.iterator](): Iterator<AnyModule> {
    return this.list()[Symbol.iterator]();
  }

  forward(): never {
    throw new Error("ModuleList: a ModuleList has no forward; call its modules in your own forward");
  }
}

/**
 * Modules by name (PyTorch's ModuleDict): the keys become state-dict prefixes. Keys must be
 * identifiers that are not names of Module members and contain no "."; purely numeric keys would
 * be ordered first by JavaScript, so they are rejected too.
 */
export class ModuleDict extends Module<[], never> {
  constructor(modules: Record<string, AnyModule> | Iterable<[string, AnyModule]> = {}, ...rest: []) {
    super();
    readCtorArgs("ModuleDict", [modules, ...rest], { required: [["modules", NAMED_MODULES]] });
    const entries = Symbol.iterator in modules ? Array.from(modules as Iterable<[string, AnyModule]>) : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }

  set(key: string, module: AnyModule): this {
    if (!(module instanceof Module)) throw new TypeError(`ModuleDict: value for '${key}' is not a Module`);
    if (key === "" || key.includes(".") || /^\d+$/.test(key) || (key in this && !(this.get(key) instanceof Module))) {
      throw new RangeError(`ModuleDict: invalid key '${key}' (empty, containing ".", numeric, or the name of a Module member)`);
    }
    Reflect.set(this, key, module);
    return this;
  }

  get(key: string): AnyModule | undefined {
    const m: unknown = Reflect.get(this, key);
    return m instanceof Module && Object.prototype.hasOwnProperty.call(this, key) ? m : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  delete(key: string): boolean {
    if (!this.has(key)) return false;
    Reflect.deleteProperty(this, key);
    return true;
  }

  get size(): number {
    return this.keys().length;
  }

  keys(): string[] {
    return Array.from(this.namedChildren(), ([k]) => k);
  }

  values(): AnyModule[] {
    return Array.from(this.children());
  }

  entries(): [string, AnyModule][] {
    return Array.from(this.namedChildren());
  }

  forward(): never {
    throw new Error("ModuleDict: a ModuleDict has no forward; call its modules in your own forward");
  }
}
