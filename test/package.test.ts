/**
 * The package as a user gets it: `npm pack`, the tarball unpacked into a fresh project's
 * node_modules, and nabla used from plain Node (ESM `import`, CommonJS `require`) and from
 * TypeScript compiled to ESM and to CommonJS (module nodenext in both kinds of package, and the
 * classic module commonjs with node10 resolution). Each program multiplies a tensor, imports
 * nabla/node, and fails to compile if nabla's types did not resolve. Checks `engines`, `types`
 * and `exports` in the packed package.json, and that require() and import share one module (one
 * Tensor class, one wasm memory). Node gets the esbuild bundle of the entries (dist/node, the
 * "node" condition of exports; packages/nabla/bundle-node.mjs): a program checks that both entries
 * resolve there, that a model trains, that the kernel workers (eval'd source) start and share a
 * matmul, and that `nabla` and `nabla/node` are one instance; the wasm kernels' base64 is in the
 * tarball once (dist/src's modules, which the bundle imports). Needs dist/ (npm run build); runs
 * once, in the "wasm" project.
 *
 * The tarball is unpacked with tar rather than `npm install --offline`: the library's runtime
 * dependencies (the CLI's data and plotting) are not in an offline cache; the library imports none
 * of them.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const TSC = join(ROOT, "node_modules", ".bin", "tsc");
const PACKAGE = join(ROOT, "packages", "nabla");

/** What each program prints. */
const EXPECTED = { backend: "wasm", product: [[7, 10], [15, 22]], saveFile: "function" };

const TS_PROGRAM = `import * as nb from "nabla";
import { saveFile } from "nabla/node";

const x: nb.Tensor = nb.tensor([[1, 2], [3, 4]]);
/** Never called: it compiles only if nabla's types resolved (were they \`any\`, the directive would be unused). */
export function typesAreNablas(): void {
  // @ts-expect-error: a shape is numbers
  nb.zeros("two");
}
console.log(JSON.stringify({ backend: nb.getBackend(), product: x.matmul(x).toArray(), saveFile: typeof saveFile }));
`;

const ESM_PROGRAM = `import * as nb from "nabla";
import { saveFile } from "nabla/node";
import { createRequire } from "node:module";

const required = createRequire(import.meta.url)("nabla");
if (required.Tensor !== nb.Tensor) throw new Error("require() and import gave two copies of nabla");
const x = nb.tensor([[1, 2], [3, 4]]);
console.log(JSON.stringify({ backend: nb.getBackend(), product: x.matmul(x).toArray(), saveFile: typeof saveFile }));
`;

const CJS_PROGRAM = `const nb = require("nabla");
const { saveFile } = require("nabla/node");

const x = nb.tensor([[1, 2], [3, 4]]);
console.log(JSON.stringify({ backend: nb.getBackend(), product: x.matmul(x).toArray(), saveFile: typeof saveFile }));
`;

/**
 * Node's bundle at work, in the unpacked project: which files `nabla` and `nabla/node` resolve to;
 * a Linear fitted to y = 2x + 1 (first and last loss); a matmul at two threads against one
 * thread's, after the pool's worker has started (counted through worker_threads' Worker, its
 * control word read until the worker reports itself idle, so that the matmul is shared with it);
 * a state dict written by nabla/node's saveFile, read by its loadFile and loaded into a model
 * of \`nabla\`, which takes only its own Tensor class (a second copy's tensors are refused); and the
 * exported classes' names, against tsc's modules (bundle-node.mjs names back the classes esbuild
 * gives an inner name, \`_Tensor\`).
 */
const BUNDLE_PROGRAM = `import { syncBuiltinESMExports } from "node:module";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import threads from "node:worker_threads";

const started = [];
const errors = [];
threads.Worker = class extends threads.Worker {
  constructor(source, options) {
    super(source, options);
    this.once("online", () => started.push(options?.workerData));
    this.on("error", (e) => errors.push(e.message));
  }
};
syncBuiltinESMExports();

const nb = await import("nabla");
const { loadFile, saveFile } = await import("nabla/node");
const resolved = [import.meta.resolve("nabla"), import.meta.resolve("nabla/node")].map((url) => url.split("/node_modules/nabla/")[1]);

nb.manualSeed(0);
const model = new nb.nn.Linear(1, 1);
const optimizer = new nb.optim.SGD(model.parameters(), 0.05);
const x = nb.tensor([[0], [1], [2], [3]]);
const y = x.mul(2).add(1);
const losses = [];
for (let step = 0; step < 300; step++) {
  optimizer.zeroGrad();
  const loss = nb.F.mseLoss(model.forward(x), y);
  loss.backward();
  optimizer.step();
  losses.push(loss.item());
}

const a = nb.randn([256, 300]);
const b = nb.randn([300, 256]);
nb.setNumThreads(1);
const one = a.matmul(b).toArray();
nb.setNumThreads(2);
a.matmul(b); // starts the helper
const settled = async (done) => {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
};
await settled(() => started.length > 0 || errors.length > 0);
const IDLE = 2; // worker-source.ts: the helper's control word once it waits for work
const control = started[0] && new Int32Array(started[0].memory.buffer, started[0].slot, 16);
await settled(() => errors.length > 0 || (control !== undefined && Atomics.load(control, 0) === IDLE));
const shared = control !== undefined && Atomics.load(control, 0) === IDLE;
const two = a.matmul(b).toArray();

const file = join(mkdtempSync(join(tmpdir(), "nabla-bundle-")), "linear.safetensors");
await saveFile(file, model.stateDict());
const restored = new nb.nn.Linear(1, 1);
restored.loadStateDict(await loadFile(file));
// the classes keep their names (console.log, stack traces), as in tsc's modules, loaded beside for this
const plain = await import(new URL("../node_modules/nabla/dist/src/index.js", import.meta.url).href);
const renamed = [];
const compareNames = (bundled, unbundled, path) => {
  for (const [key, value] of Object.entries(bundled)) {
    if (typeof value === "function" && /^[A-Z]/.test(key)) {
      if (value.name !== unbundled[key]?.name) renamed.push(\`\${path}\${key}: \${value.name}\`);
    } else if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value) && path.split(".").length < 4) {
      compareNames(value, unbundled[key] ?? {}, \`\${path}\${key}.\`);
    }
  }
};
compareNames(nb, plain, "");
console.log(JSON.stringify({
  resolved,
  renamed,
  trained: [losses[0] > 1, losses.at(-1) < 1e-3],
  workers: started.length,
  errors,
  shared,
  threads: nb.getNumThreads(),
  sameProduct: JSON.stringify(two) === JSON.stringify(one),
  restored: restored.weight.item() === model.weight.item(),
}));
`;

function run(command: string, args: string[], cwd: string): string {
  try {
    // the programs pick their backend themselves: not the test project's NABLA_BACKEND
    const env = { ...process.env, NABLA_BACKEND: undefined, NABLA_RELAXED_SIMD: undefined, NABLA_POISON_UNINITIALIZED: undefined };
    return execFileSync(command, args, { cwd, encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} (in ${cwd}) failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

/** A folder of the project with its own package.json (its "type" decides how .js is read) and files. */
function folder(app: string, name: string, type: "module" | "commonjs", files: Record<string, string>): string {
  const dir = join(app, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

function tsconfig(options: Record<string, unknown>): string {
  return JSON.stringify({ compilerOptions: { target: "es2022", strict: true, skipLibCheck: true, types: [], ...options }, files: ["main.ts"] });
}

describe.runIf(process.env.NABLA_BACKEND === "wasm")("the packed package", () => {
  let app: string;
  let manifest: { engines?: { node?: string }; types?: string; exports?: object; imports?: object };

  beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), "nabla-package-"));
    // --ignore-scripts: `prepare` would rebuild; the tests run on the dist/ already built
    run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", app], PACKAGE);
    const tarball = readdirSync(app).find((f) => f.endsWith(".tgz"))!;
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
    // the library depends on nothing, so npm installs it offline: a real install, as a user's
    run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", join(app, tarball)], app);
    const installed = readdirSync(join(app, "node_modules")).filter((name) => !name.startsWith("."));
    expect(installed, "the packages a project gets with nabla").toEqual(["nabla"]);
    manifest = JSON.parse(readFileSync(join(app, "node_modules", "nabla", "package.json"), "utf8"));
  });

  afterAll(() => {
    if (app !== undefined) rmSync(app, { recursive: true, force: true });
  });

  it("declares Node >= 20.19 (require() of ES modules), which this Node meets", () => {
    expect(manifest.engines?.node).toBe(">=20.19");
    const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
    expect(major > 20 || (major === 20 && minor >= 19)).toBe(true);
  });

  it("has its types and every target of exports and imports in the tarball", () => {
    const packed = join(app, "node_modules", "nabla");
    const paths = (map: object | undefined): string[] => Array.from(JSON.stringify(map ?? {}).matchAll(/:"(\.\/[^"]+)"/g), (m) => m[1]!);
    const targets = [manifest.types!, ...paths(manifest.exports), ...paths(manifest.imports)];
    expect(targets).toEqual(
      expect.arrayContaining(["./dist/src/index.js", "./dist/node/index.js", "./dist/node/node.js", "./dist/src/backend/wasm/platform-node.js", "./dist/src/backend/wasm/platform-browser.js"]),
    );
    for (const target of targets) expect(() => readFileSync(join(packed, target)), target).not.toThrow();
  });

  it("carries the wasm kernels once: the bundle imports dist/src's base64 modules, it does not embed them", () => {
    // every wasm module's base64 begins "AGFzbQ" (its magic number, "\0asm"); each kernel build is one module
    const packed = join(app, "node_modules", "nabla");
    const files = readdirSync(packed, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    const holding = files.filter((f) => readFileSync(f, "utf8").includes("AGFzbQ")).map((f) => relative(packed, f).replaceAll("\\", "/"));
    expect(holding.sort()).toEqual(["dist/src/backend/wasm/kernels-baseline.generated.js", "dist/src/backend/wasm/kernels-relaxed.generated.js"]);
    for (const f of holding) expect(readFileSync(join(packed, f), "utf8").split("AGFzbQ").length - 1, f).toBe(1);
  });

  it("runs from plain Node: ESM import and CommonJS require, one module for both", () => {
    const esm = folder(app, "esm-js", "module", { "main.js": ESM_PROGRAM });
    expect(JSON.parse(run("node", ["main.js"], esm))).toEqual(EXPECTED);
    const cjs = folder(app, "cjs-js", "commonjs", { "main.js": CJS_PROGRAM });
    expect(JSON.parse(run("node", ["main.js"], cjs))).toEqual(EXPECTED);
  });

  it("gives Node the bundle: one instance for nabla and nabla/node, trains, shares a matmul with a kernel worker", () => {
    const dir = folder(app, "bundle", "module", { "main.js": BUNDLE_PROGRAM });
    expect(JSON.parse(run("node", ["main.js"], dir))).toEqual({
      resolved: ["dist/node/index.js", "dist/node/node.js"],
      renamed: [],
      trained: [true, true],
      workers: 1,
      errors: [],
      shared: true,
      threads: 2,
      sameProduct: true,
      restored: true,
    });
  });

  const projects = [
    { name: "TypeScript compiled to ESM (module nodenext)", type: "module", options: { module: "nodenext" } },
    { name: "TypeScript compiled to CommonJS (module nodenext)", type: "commonjs", options: { module: "nodenext" } },
    { name: "TypeScript compiled to CommonJS (module commonjs, node10 resolution)", type: "commonjs", options: { module: "commonjs" } },
  ] as const;
  for (const [i, { name, type, options }] of projects.entries()) {
    it(`type-checks and runs as ${name}`, () => {
      const dir = folder(app, `ts-${i}`, type, { "main.ts": TS_PROGRAM, "tsconfig.json": tsconfig(options) });
      run(TSC, ["-p", "."], dir);
      const emitted = readFileSync(join(dir, "main.js"), "utf8");
      expect(emitted.includes('require("nabla")')).toBe(type === "commonjs");
      expect(JSON.parse(run("node", ["main.js"], dir))).toEqual(EXPECTED);
    });
  }
});
