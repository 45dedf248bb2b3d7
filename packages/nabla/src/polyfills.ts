/**
 * `Symbol.dispose`, where the engine lacks it (older browsers), so that tensors are Disposable
 * (`using t = …`) everywhere. Imported before any class that defines a dispose method.
 */
const symbols = Symbol as unknown as { dispose?: symbol };
if (symbols.dispose === undefined) Object.defineProperty(Symbol, "dispose", { value: Symbol("Symbol.dispose") });

export {};
