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
