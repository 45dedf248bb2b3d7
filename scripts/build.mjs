// The repository's build, step by step, each skipped when nothing it reads has changed since it
// last succeeded: CI builds twice (npm ci's `prepare`, then `npm test`), and the wasm kernels alone
// take ~40 s to compile.
//
//   node scripts/build.mjs [--force] [step or package ...]
//
// with packages nabla (steps nabla-wasm, nabla-js), cli and examples; none named = all four steps,
// in order. The packages' `npm run build` call this with their own names. --force (or
// NABLA_BUILD_FORCE=1) runs every named step whatever its stamp says.
//
// A step is skipped only when its stamp (a JSON file beside its outputs) holds
//   - the hash of its inputs: every file under its input paths (relative path and content), the
//     versions of the tools it runs, the Node version, the environment variables it reads, its
//     command and this script's own text; and
//   - the hash of its outputs: every file under its output paths, so a missing, partial, edited
//     or extra output file (a stale module in dist/) also runs the step again;
// and both still match. The stamp is deleted before the step runs and written only after it
// succeeded, so a failed or interrupted step runs again next time.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const NABLA = join(ROOT, "packages", "nabla");
const CLI = join(ROOT, "packages", "cli");
const STAMP = ".build-stamp.json";
const SELF = fileURLToPath(import.meta.url);
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
const EMPTY_DIST = ["-e", "fs.rmSync('dist', { recursive: true, force: true })"];

/** The packages every TypeScript step compiles with (their types shape what tsc accepts). */
const TS_TOOLS = ["typescript", "@types/node"];

/**
 * Each step: where it runs, what it reads, what it writes, and the commands: Node's arguments,
 * run in order, each of which must exit 0. The lock file stands for every dependency's version; `tools` are read from
 * node_modules as installed, in case node_modules and the lock file disagree.
 */
const STEPS = {
  "nabla-wasm": {
    cwd: NABLA,
    // assembly/build.mjs: the kernels (assembly/*.ts) and the pointwise ops they are generated from
    inputs: ["assembly", "src/ops/pointwise", "package.json", "../../package-lock.json"],
    outputs: [
      "assembly/pointwise.generated.ts",
      "src/backend/wasm/pointwise-keys.generated.ts",
      "src/backend/wasm/kernels.generated.ts",
      "src/backend/wasm/kernels-baseline.generated.ts",
      "src/backend/wasm/kernels-relaxed.generated.ts",
      "build/kernels.wasm",
      "build/kernels-relaxed.wasm",
    ],
    stamp: "build/.wasm-stamp.json",
    env: ["NABLA_WASM_NAMES"],
    tools: ["assemblyscript", "typescript"],
    commands: [["assembly/build.mjs"]],
  },
  "nabla-js": {
    cwd: NABLA,
    // src/ includes the wasm step's generated modules
    inputs: ["src", "tsconfig.json", "../../tsconfig.base.json", "package.json", "bundle-node.mjs", "../../package-lock.json"],
    outputs: ["dist"],
    stamp: `dist/${STAMP}`,
    tools: [...TS_TOOLS, "esbuild"],
    // dist/ is emptied first: tsc would leave the modules of deleted sources there
    commands: [EMPTY_DIST, [TSC, "-p", "tsconfig.json"], ["bundle-node.mjs"]],
  },
  cli: {
    cwd: CLI,
    // the command compiles against nabla's declarations in dist/src
    inputs: ["src", "tsconfig.json", "../../tsconfig.base.json", "package.json", "../nabla/dist/src", "../../package-lock.json"],
    outputs: ["dist"],
    stamp: `dist/${STAMP}`,
    tools: TS_TOOLS,
    commands: [EMPTY_DIST, [TSC, "-p", "tsconfig.json"]],
  },
  examples: {
    cwd: ROOT,
    inputs: ["examples", "tsconfig.json", "tsconfig.base.json", "package.json", "packages/nabla/dist/src", "packages/cli/dist", "package-lock.json"],
    outputs: ["dist"],
    stamp: `dist/${STAMP}`,
    tools: TS_TOOLS,
    // not emptied first, as before: tsc writes dist/examples only
    commands: [[TSC, "-p", "tsconfig.json"]],
  },
};
const PACKAGES = { nabla: ["nabla-wasm", "nabla-js"], cli: ["cli"], examples: ["examples"] };

/** Every file under `paths` (files or folders), as sorted paths relative to `cwd`, less `skip`. */
function filesUnder(cwd, paths, skip) {
  const files = [];
  const visit = (path) => {
    const full = join(cwd, path);
    if (skip.has(full) || !existsSync(full)) return;
    if (statSync(full).isDirectory()) for (const name of readdirSync(full).sort()) visit(join(path, name));
    else files.push(path);
  };
  for (const path of paths) visit(path);
  return files.map((file) => file.split(sep).join("/")).sort();
}

/** One hash over the files' relative paths and contents (and the missing paths, by name). */
function hashFiles(cwd, paths, skip = new Set()) {
  const hash = createHash("sha256");
  for (const path of paths) if (!existsSync(join(cwd, path))) hash.update(`missing ${path}\0`);
  for (const file of filesUnder(cwd, paths, skip)) hash.update(`${file}\0`).update(readFileSync(join(cwd, file))).update("\0");
  return hash.digest("hex");
}

function toolVersion(name) {
  const manifest = join(ROOT, "node_modules", name, "package.json");
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, "utf8")).version : "absent";
}

/** What the step's result depends on, as one hash. A step's outputs are never its inputs. */
function inputsHash(step) {
  const outputs = new Set([...step.outputs, step.stamp].map((path) => join(step.cwd, path)));
  const hash = createHash("sha256");
  hash.update(readFileSync(SELF)).update(process.version);
  hash.update(JSON.stringify({
    // the same hash in any checkout
    commands: step.commands.map((args) => args.map((arg) => arg.replace(ROOT, "<root>"))),
    env: (step.env ?? []).map((name) => [name, process.env[name] ?? null]),
    tools: step.tools.map((name) => [name, toolVersion(name)]),
  }));
  hash.update(hashFiles(step.cwd, step.inputs, outputs));
  return hash.digest("hex");
}

/** The hash of the step's outputs; null when one of them is missing. */
function outputsHash(step) {
  if (!step.outputs.every((path) => existsSync(join(step.cwd, path)))) return null;
  return hashFiles(step.cwd, step.outputs, new Set([join(step.cwd, step.stamp)]));
}

function readStamp(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

function runStep(name, force) {
  const step = STEPS[name];
  const stampPath = join(step.cwd, step.stamp);
  const inputs = inputsHash(step);
  const stamp = readStamp(stampPath);
  if (!force && stamp?.inputs === inputs && stamp.outputs === outputsHash(step)) {
    console.log(`build: ${name} is up to date (${relative(ROOT, stampPath)})`);
    return;
  }
  rmSync(stampPath, { force: true });
  const started = performance.now();
  for (const args of step.commands) execFileSync(process.execPath, args, { cwd: step.cwd, stdio: "inherit" });
  const outputs = outputsHash(step);
  if (outputs === null) throw new Error(`build: ${name} succeeded but did not write all of ${step.outputs.join(", ")}`);
  // written whole or not at all: a stamp cut short by a crash must not parse as a valid one
  writeFileSync(`${stampPath}.tmp`, `${JSON.stringify({ inputs, outputs }, null, 2)}\n`);
  renameSync(`${stampPath}.tmp`, stampPath);
  console.log(`build: ${name} built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const args = process.argv.slice(2);
const force = args.includes("--force") || process.env.NABLA_BUILD_FORCE === "1";
const named = args.filter((arg) => arg !== "--force");
const unknown = named.filter((name) => !(name in STEPS) && !(name in PACKAGES));
if (unknown.length > 0) {
  console.error(`build: unknown step or package ${unknown.join(", ")}; the steps are ${Object.keys(STEPS).join(", ")}, the packages ${Object.keys(PACKAGES).join(", ")}`);
  process.exit(2);
}
const steps = named.length === 0 ? Object.keys(STEPS) : named.flatMap((name) => PACKAGES[name] ?? [name]);
try {
  for (const name of steps) runStep(name, force);
} catch (error) {
  // the failing command has printed its own errors
  console.error(`build: ${error.message}`);
  process.exit(1);
}
