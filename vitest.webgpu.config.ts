// Temporary (helpers' branches use it): the same as `npx vitest run --project webgpu` of vitest.config.ts.
// `npx vitest run -c vitest.webgpu.config.ts test/ops.test.ts`. Deleted once those branches land.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
export default defineConfig({
  resolve: {
    alias: [
      { find: /^#platform$/, replacement: source("./packages/nabla/src/backend/wasm/platform-node.ts") },
      { find: /^nabla$/, replacement: source("./packages/nabla/src/index.ts") },
      { find: /^nabla\/node$/, replacement: source("./packages/nabla/src/node.ts") },
    ],
  },
  test: {
    name: "webgpu",
    include: ["test/**/*.test.ts"],
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
    setupFiles: ["test/setup-webgpu.ts"],
    env: { NABLA_BACKEND: "webgpu", NABLA_RELAXED_SIMD: "1", NABLA_POISON_UNINITIALIZED: "1", VK_ICD_FILENAMES: "/usr/lib/chromium/vk_swiftshader_icd.json" },
  },
});
