/**
 * The examples' command lines: each flag of the PyTorch original (`--batch-size 64`), plus
 * `--steps N` (stop after N optimisation steps, for benchmarks) and `--json` (print the per-step
 * losses as JSON at the end). Flags are parsed by node:util's parseArgs and typed from their
 * defaults: a number takes a number, a boolean that defaults to false is switched on by its
 * presence, one that defaults to true takes a value (`--decay_lr=false`, as nanoGPT's
 * configurator); `--help` prints them.
 */
import { parseArgs } from "node:util";
import { ready, type Device } from "nabla";

export type FlagValue = number | string | boolean;
/** Flags by option name; `flag` overrides the kebab-case command-line name (`--batchSize` in dcgan, as the original spells it). */
export type FlagSpec = Record<string, { default: FlagValue; help: string; flag?: string }>;
export type Flags<S extends FlagSpec> = { [K in keyof S]: S[K]["default"] extends number ? number : S[K]["default"] extends boolean ? boolean : string };

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const flagOf = (name: string, spec: FlagSpec) => spec[name]!.flag ?? kebab(name);

/** True when the module at `url` is the program node was started with. */
export function isMain(url: string): boolean {
  return url === `file://${process.argv[1]}`;
}

/**
 * Parses argv against flags named in camelCase (given on the command line in kebab-case, or as
 * `flag` says). Returns null after printing the help, or after printing what is wrong with a flag
 * (exit status 2), never a stack trace.
 */
export function parseFlags<S extends FlagSpec>(argv: readonly string[], description: string, spec: S): Flags<S> | null {
  try {
    return parse(argv, description, spec);
  } catch (e) {
    console.error(`${(e as Error).message}\n(--help lists the flags)`);
    process.exitCode = 2;
    return null;
  }
}

function parse<S extends FlagSpec>(argv: readonly string[], description: string, spec: S): Flags<S> | null {
  const options: Record<string, { type: "string" | "boolean" }> = { help: { type: "boolean" } };
  for (const [name, { default: d }] of Object.entries(spec)) options[flagOf(name, spec)] = { type: d === false ? "boolean" : "string" };
  const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  if (values.help) {
    console.log(description);
    for (const [name, { default: d, help }] of Object.entries(spec)) console.log(`  --${flagOf(name, spec)}${d === false ? "" : ` (default ${d})`}  ${help}`);
    return null;
  }
  const out: Record<string, FlagValue> = {};
  for (const [name, { default: d }] of Object.entries(spec)) {
    const flag = flagOf(name, spec);
    const given = values[flag];
    if (given === undefined) out[name] = d;
    else if (d === true) {
      if (!/^(true|false)$/i.test(String(given))) throw new Error(`--${flag}: expected true or false, got ${JSON.stringify(given)}`);
      out[name] = /^true$/i.test(String(given));
    } else if (typeof d === "number") {
      const n = Number(given);
      if (given === "" || !Number.isFinite(n)) throw new Error(`--${flag}: expected a number, got ${JSON.stringify(given)}`);
      out[name] = n;
    } else out[name] = given as FlagValue;
  }
  return out as Flags<S>;
}

/** The flags every example has besides its PyTorch original's. */
export const COMMON_FLAGS = {
  steps: { default: 0, help: "stop after this many optimisation steps (0: no limit)" },
  json: { default: false, help: "print the per-step losses as JSON at the end" },
} satisfies FlagSpec;

/**
 * `--device`, for the examples whose originals move their model and batches to a `device`
 * (`model.to(device)`, `data.to(device)`): "cpu" (the default) or "webgpu".
 */
export const DEVICE_FLAG = {
  device: { default: "cpu", help: "the device to train on: cpu or webgpu (the original's torch.device)" },
} satisfies FlagSpec;

/**
 * The device an example was asked for, started: the original's `device = torch.device(...)`.
 * Throws naming the flag for anything but "cpu" or "webgpu".
 */
export async function startDevice(device: string): Promise<Device> {
  if (device !== "cpu" && device !== "webgpu") throw new Error(`--device: expected cpu or webgpu, got ${JSON.stringify(device)}`);
  if (device === "webgpu") await ready("webgpu");
  return device;
}

/** Prints the run's length and speed (and its losses with --json). */
export function report(losses: readonly number[], startedMs: number, json: boolean): void {
  const seconds = (performance.now() - startedMs) / 1000;
  console.log(`${losses.length} steps in ${seconds.toFixed(2)} s (${((1000 * seconds) / Math.max(1, losses.length)).toFixed(1)} ms/step)`);
  if (json) console.log(JSON.stringify(losses));
}
