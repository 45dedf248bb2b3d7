/**
 * A module's class name that survives minification. `constructor.name` is what PyTorch's
 * `type(m).__name__` is, but a minifier renames classes (a bundled page would show "e" for
 * Linear); the names `nn` exports its classes under are property keys, which minifiers keep. So
 * a class of `nn` is named by its export (its own name where that is one of them, so unminified
 * code reads exactly as before); any other class (a user's model) by `constructor.name`.
 */
/** The namespace whose export names name its classes (`nn`, given by src/index.ts); read on first use. */
let namespace: object | null = null;
/** The export names of each class of `namespace`. */
let exported: Map<unknown, string[]> | null = null;

/**
 * Names the classes of `nn` by their exports. Called once by the package's entry: importing `nn`
 * from here would be a cycle (nn's modules use typeName) that bundlers may order badly.
 */
export function nameClasses(nn: object): void {
  namespace = nn;
  exported = null;
}

export function typeName(value: object): string {
  if (exported === null && namespace !== null) {
    exported = new Map();
    for (const [name, v] of Object.entries(namespace)) {
      if (typeof v !== "function") continue;
      const names = exported.get(v);
      if (names === undefined) exported.set(v, [name]);
      else names.push(name);
    }
  }
  const own = value.constructor?.name ?? "object";
  const names = exported?.get(value.constructor);
  return names === undefined || names.includes(own) ? own : names[0]!;
}
