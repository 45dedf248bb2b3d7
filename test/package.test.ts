/**
 * The package as a user gets it: `npm pack`, the tarball unpacked into a fresh project's
 * node_modules, and nabla used from plain Node (ESM `import`, CommonJS `require`) and from
 * TypeScript compiled to ESM and to CommonJS (module nodenext in both kinds of package, and the
 * classic module commonjs with node10 resolution). Each program multiplies a tensor, imports
 * nabla/node, and fails to compile if nabla's types did not resolve. Checks `engines`, `types`
 * and `exports` in the packed package.json, and that require() and import share one module (one
 * Tensor class, one wasm memory). Needs dist/ (npm run build); runs once, in the "wasm" project.
 *
 * The tarball is unpacked with tar rather than `npm install --offline`: the library's runtime
 * dependencies (the CLI's data and plotting) are not in an offline cache; the library imports none
 * of them.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    expect(targets).toEqual(expect.arrayContaining(["./dist/src/index.js", "./dist/src/backend/wasm/platform-node.js", "./dist/src/backend/wasm/platform-browser.js"]));
    for (const target of targets) expect(() => readFileSync(join(packed, target)), target).not.toThrow();
  });

  it("runs from plain Node: ESM import and CommonJS require, one module for both", () => {
    const esm = folder(app, "esm-js", "module", { "main.js": ESM_PROGRAM });
    expect(JSON.parse(run("node", ["main.js"], esm))).toEqual(EXPECTED);
    const cjs = folder(app, "cjs-js", "commonjs", { "main.js": CJS_PROGRAM });
    expect(JSON.parse(run("node", ["main.js"], cjs))).toEqual(EXPECTED);
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
