import { defineConfig } from "vitest/config";

// The whole suite runs once per backend: NABLA_BACKEND picks the backend at import time
// (src/backend/wasm/index.ts), so each project gets its own.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    projects: [
      { extends: true, test: { name: "js", env: { NABLA_BACKEND: "js" } } },
      { extends: true, test: { name: "wasm", env: { NABLA_BACKEND: "wasm" } } },
    ],
  },
});
