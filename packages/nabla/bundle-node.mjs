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
// leave out the sources' text, which would repeat the ~1.3 MB of embedded wasm kernels. Those
// kernels (base64 modules) are not bundled either: the bundle imports tsc's copies in dist/src, so
// that the tarball carries them once and Node and browsers load the same modules (see
// kernelsFromDistSrc).
//
//   node bundle-node.mjs      (run from packages/nabla; part of `npm run build`)
import { build } from "esbuild";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
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
 * The wasm kernels' base64 modules (src/backend/wasm/kernels-{baseline,relaxed}.generated.ts,
 * ~640 KB each) are left out of the bundle and imported from tsc's output in dist/src, which the
 * package ships for browsers anyway: bundled, the tarball would carry each twice (1.29 MB more
 * unpacked, 224 KB more packed: gzip's 32 KB window cannot see the repeat). esbuild writes an
 * external import's path as given, but which output file (an entry or a chunk, at different
 * depths) holds the import is only known after the build, so the import gets a placeholder,
 * `nabla-dist-src:<path under dist/src>`, that linkDistSrc turns into the path relative to the
 * file that holds it. (Resolved from src/backend/wasm/platform-node.ts: see platformNode.)
 */
const DIST_SRC = "nabla-dist-src:";
const kernelsFromDistSrc = {
  name: "nabla-kernels-from-dist-src",
  setup(b) {
    b.onResolve({ filter: /^\.\/kernels-(baseline|relaxed)\.generated\.js$/ }, (args) => {
      const module = relative(here("./src"), `${args.resolveDir}/${args.path.slice(2)}`).replaceAll("\\", "/");
      if (!existsSync(here(`./dist/src/${module}`))) {
        throw new Error(`bundle-node: dist/src/${module} is missing; the bundle imports the kernels from tsc's output (run tsc first: npm run build)`);
      }
      return { path: DIST_SRC + module, external: true };
    });
  },
};

/** Replaces kernelsFromDistSrc's placeholders in one output file; returns the text and how many. */
function linkDistSrc(text, file) {
  let linked = 0;
  const out = text.replace(/"nabla-dist-src:([^"]+)"/g, (_, module) => {
    linked++;
    const path = relative(dirname(file), here(`./dist/src/${module}`)).replaceAll("\\", "/");
    return JSON.stringify(path.startsWith(".") ? path : `./${path}`);
  });
  if (out.includes(DIST_SRC)) throw new Error(`bundle-node: ${file} names ${DIST_SRC} where it cannot be linked; has esbuild's output changed? (see linkDistSrc)`);
  return { text: out, linked };
}

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
  plugins: [platformNode, kernelsFromDistSrc],
  sourcemap: true,
  sourcesContent: false,
  logLevel: "warning",
  write: false,
});

let named = 0;
let linked = 0;
for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  if (file.path.endsWith(".js")) {
    const fixed = nameClasses(file.text, file.path);
    const withKernels = linkDistSrc(fixed.text, file.path);
    named += fixed.named;
    linked += withKernels.linked;
    writeFileSync(file.path, withKernels.text);
  } else writeFileSync(file.path, file.contents);
}
if (named === 0) throw new Error("bundle-node: no class with an inner name found; has esbuild's output changed? (see nameClasses)");
if (linked !== 2) throw new Error(`bundle-node: ${linked} imports of the wasm kernels linked to dist/src, expected 2 (baseline, relaxed; see kernelsFromDistSrc)`);
