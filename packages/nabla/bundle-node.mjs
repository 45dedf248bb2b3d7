// Bundles the library's Node entry points (src/index.ts as `nabla`, src/node.ts as `nabla/node`)
// into dist/node/ with esbuild: package.json's exports send the "node" condition there, and
// everything else (browsers, bundlers) to tsc's unbundled modules in dist/src.
//
// Why Node gets a bundle: loaded as ~290 separate ES modules, the library leaves Node's ESM loader
// ~28K objects of per-module state on the JS heap and V8 bookkeeping for each module's code, and
// every garbage collection walks them: from the bundle a full collection costs about a third less
// CPU, an op of bench/programs/small-ops.mjs on 2,000 elements 11% less (17% with the collections
// its dropped results force), and the import ~90 ms instead of ~350 (12.1 → 9.5 MB of JS heap).
// A browser's bundler does the same for its users, so dist/src stays as tsc wrote it for them.
//
// The two entries share their modules through chunks (--splitting), so `nabla` and `nabla/node`
// are one instance (one Tensor class, one wasm memory). The webgpu modules stay lazily loaded
// chunks. `webgpu` and `mnist` (optional packages, loaded by computed specifiers) stay outside.
// Source maps point into src/ (run with `node --enable-source-maps` for such stack traces); they
// leave out the sources' text, which would repeat the ~2 MB of embedded wasm kernels.
//
//   node bundle-node.mjs      (run from packages/nabla; part of `npm run build`)
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/**
 * `#platform` (package.json "imports") resolves under the "node" condition to tsc's
 * dist/src/backend/wasm/platform-node.js; the bundle is built from src/, so it takes that module's
 * source instead, or the modules they both import would be bundled twice.
 */
const platformNode = {
  name: "nabla-platform-node",
  setup(b) {
    b.onResolve({ filter: /^#platform$/ }, () => ({ path: here("./src/backend/wasm/platform-node.ts") }));
  },
};

/**
 * A bundle's top-level classes are class expressions (esbuild converts them, unconditionally when
 * bundling), and one whose body names itself gets an inner name: `var Tensor = class _Tensor {`,
 * whose `.name` is "_Tensor" (console.log and stack traces would say so). esbuild's keepNames would
 * name them back, but it also wraps every named function in a `__name` call, which costs at each
 * closure made and breaks the device worker's function, which is run from its source text
 * (platform-node.ts). So each such class gets keepNames' static block itself, on its first line
 * (the source maps' lines stay right): its own name, set before any static field is evaluated.
 * (Functions whose names collide across modules are still renamed, `add3`, as in any bundle.)
 */
function nameClasses(text, file) {
  let named = 0;
  const out = text.replace(/^var ([\w$]+) = class _\1((?: extends [^{\n]+)?) \{$/gm, (_, name, heritage) => {
    named++;
    return `var ${name} = class _${name}${heritage} { static { Object.defineProperty(this, "name", { value: ${JSON.stringify(name)}, configurable: true }); }`;
  });
  const left = out.match(/^.*\bclass _[\w$]+\b.*$/m);
  if (left && !left[0].includes("static { Object.defineProperty(this, \"name\"")) {
    throw new Error(`bundle-node: ${file} has a class with an inner name this script does not rename: ${left[0]}`);
  }
  return { text: out, named };
}

const result = await build({
  absWorkingDir: here("."),
  entryPoints: { index: "src/index.ts", node: "src/node.ts" },
  outdir: "dist/node",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  // tsc's target (tsconfig.base.json): the same syntax as dist/src, nothing lowered
  target: "es2022",
  tsconfig: "tsconfig.json",
  external: ["webgpu", "mnist"],
  sourcemap: true,
  sourcesContent: false,
  logLevel: "warning",
  write: false,
});

let named = 0;
for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  if (file.path.endsWith(".js")) {
    const fixed = nameClasses(file.text, file.path);
    named += fixed.named;
    writeFileSync(file.path, fixed.text);
  } else writeFileSync(file.path, file.contents);
}
if (named === 0) throw new Error("bundle-node: no class with an inner name found; has esbuild's output changed? (see nameClasses)");
