/** Containers: Sequential runs its modules in order; children are named "0", "1", …. */
import { Module } from "./module.js";

type Layer = Module & { forward(input: never): unknown };

export class Sequential extends Module {
  constructor(...layers: Layer[]) {
    super();
    layers.forEach((layer, i) => {
      if (!(layer instanceof Module)) throw new TypeError(`Sequential: argument ${i} is not a Module`);
      (this as unknown as Record<string, Module>)[String(i)] = layer;
    });
  }

  get length(): number {
    return Array.from(this.children()).length;
  }

  /** The i-th module. */
  at(index: number): Module {
    const list = Array.from(this.children());
    const m = list[index < 0 ? index + list.length : index];
    if (m === undefined) throw new RangeError(`Sequential.at: index ${index} is out of range for ${list.length} modules`);
    return m;
  }

  forward<T>(input: T): T {
    let x: unknown = input;
    for (const layer of this.children()) x = (layer as unknown as { forward(i: unknown): unknown }).forward(x);
    return x as T;
  }
}

/** Numbered children for lists of modules; the state-dict keys are `0.weight`, `1.weight`, …. */
function setChildren(owner: Module, modules: readonly Module[]): void {
  const fields = owner as unknown as Record<string, Module | undefined>;
  for (const key of Object.keys(fields)) if (/^\d+$/.test(key)) delete fields[key];
  modules.forEach((m, i) => {
    if (!(m instanceof Module)) throw new TypeError(`${owner.constructor.name}: element ${i} is not a Module`);
    fields[String(i)] = m;
  });
}

/** A list of modules whose parameters the owner finds (PyTorch's ModuleList); it has no forward of its own. */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    setChildren(this, Array.from(modules));
  }

  private list(): Module[] {
    return Array.from(this.children());
  }

  get length(): number {
    return this.list().length;
  }

  at(index: number): Module {
    const list = this.list();
    const m = list[index < 0 ? index + list.length : index];
    if (m === undefined) throw new RangeError(`ModuleList.at: index ${index} is out of range for ${list.length} modules`);
    return m;
  }

  append(module: Module): this {
    setChildren(this, [...this.list(), module]);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    setChildren(this, [...this.list(), ...modules]);
    return this;
  }

  insert(index: number, module: Module): this {
    const list = this.list();
    list.splice(index < 0 ? index + list.length : index, 0, module);
    setChildren(this, list);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
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
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    const entries = Symbol.iterator in modules ? Array.from(modules as Iterable<[string, Module]>) : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }

  set(key: string, module: Module): this {
    if (!(module instanceof Module)) throw new TypeError(`ModuleDict: value for '${key}' is not a Module`);
    if (key === "" || key.includes(".") || /^\d+$/.test(key) || (key in this && !(this.get(key) instanceof Module))) {
      throw new RangeError(`ModuleDict: invalid key '${key}' (empty, containing ".", numeric, or the name of a Module member)`);
    }
    (this as unknown as Record<string, Module>)[key] = module;
    return this;
  }

  get(key: string): Module | undefined {
    const m = (this as unknown as Record<string, unknown>)[key];
    return m instanceof Module && Object.prototype.hasOwnProperty.call(this, key) ? m : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  delete(key: string): boolean {
    if (!this.has(key)) return false;
    delete (this as unknown as Record<string, Module>)[key];
    return true;
  }

  get size(): number {
    return this.keys().length;
  }

  keys(): string[] {
    return Array.from(this.namedChildren(), ([k]) => k);
  }

  values(): Module[] {
    return Array.from(this.children());
  }

  entries(): [string, Module][] {
    return Array.from(this.namedChildren());
  }

  forward(): never {
    throw new Error("ModuleDict: a ModuleDict has no forward; call its modules in your own forward");
  }
}
