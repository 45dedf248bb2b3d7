// Bundles the library's Node entry points (src/index.ts as `nabla`, src/node.ts as `nabla/node`)
// into dist/node/ with esbuild: package.json's exports send the "node" condition there, and
// everything else (browsers, bundlers) to tsc's unbundled modules in dist/src.
//
// Why Node gets a bundle: loaded as ~290 separate ES modules, the library leaves Node's ESM loader
// ~28K objects of per-module state on the JS heap and V8 bookkeeping for each module's code, and
// every garbage collection walks them; in the per-op loops (bench/programs/small-ops.mjs) a
// forced collection cost 30–37% more CPU and each op 17–25% more than from a bundle. A browser's
// bundler does the same for its users, so dist/src stays as tsc wrote it for them.
//
// The two entries share their modules through chunks (--splitting), so `nabla` and `nabla/node`
// are one instance (one Tensor class, one wasm memory). The webgpu modules stay lazily loaded
// chunks. `webgpu` and `mnist` (optional packages, loaded by computed specifiers) stay outside.
// Source maps point into src/ (run with `node --enable-source-maps` for such stack traces); they
// leave out the sources' text, which would repeat the ~2 MB of embedded wasm kernels.
//
//   node bundle-node.mjs      (run from packages/nabla; part of `npm run build`)
import { build } from "esbuild";
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

await build({
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
});
