import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// No test may fail because the machine is slow: tests assert results, never how long they took.
// The limits below only stop a hung run; they are generous enough for the longest training test
// (a few minutes when quiet) on a loaded two-core machine. Keep per-test limits out of the tests.
const HUNG = 30 * 60_000;

// The whole suite runs once per backend: NABLA_BACKEND picks the backend at import time
// (packages/nabla/src/backend/wasm/index.ts), so each project gets its own. The wasm kernels' own tests run
// once more on the baseline build (no relaxed SIMD), which engines without it load. Storage that
// an op promised to overwrite is handed out full of NaN (heap.ts), so a missed element shows.

// The files of a project share one process (`isolate: false`): the library's module graph is
// loaded once per project, not once per file (that alone was ~1 s a file, a third of the CPU
// projects' time). test/process-settings.ts gives each file a fresh process's settings and
// generator and fails a file that leaves a process-wide setting changed.
const shared = { isolate: false, setupFiles: ["test/setup-shared-process.ts"] };

// The wasm project's files that need a process of their own (the project `wasm-fresh`):
// loading.test.ts checks that importing nabla compiles no kernels, so it must import first;
// memory.test.ts caps the wasm heap (64 and 512 MiB) and counts what it holds, which in a shared
// process would include what earlier files' modules still reference (CI saw 145 MiB live there).
const FRESH = ["test/loading.test.ts", "test/memory.test.ts"];
const wasmEnv = { NABLA_BACKEND: "wasm", NABLA_RELAXED_SIMD: "1", NABLA_POISON_UNINITIALIZED: "1" };

// Tests of the wasm kernels and the wasm heap's own parts that call the wasm backend (or the part)
// directly, whatever the default backend: in the js and webgpu projects they ran the same relaxed
// build again (the js project without poisoned storage), ~40 s of SwiftShader-project time and
// ~10 s of the js project's. They run in the wasm project and, where listed, wasm-baseline.
// (wasm-worker-flags skips itself outside the wasm project; wasm and wasm-float64 also check the
// JS backend's registration and float64 through the public API, so they stay in js.)
const WASM_KERNELS = ["wasm-block-table", "wasm-math-ulps", "wasm-math-ulps-f64", "wasm-matmul-skinny", "wasm-pointwise-extremum"].map((name) => `test/${name}.test.ts`);

// The tests run the library's source: `#platform` (the package's "imports") points into dist/ for
// the published package, and the command and the examples import the package by name, which here
// is the same module instance the tests import by path (one Tensor class, one wasm memory).
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const resolve = {
  alias: [
    { find: /^#platform$/, replacement: source("./packages/nabla/src/backend/wasm/platform-node.ts") },
    { find: /^nabla$/, replacement: source("./packages/nabla/src/index.ts") },
    { find: /^nabla\/node$/, replacement: source("./packages/nabla/src/node.ts") },
  ],
};

export default defineConfig({
  resolve,
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: HUNG,
    hookTimeout: HUNG,
    projects: [
      {
        extends: true,
        test: {
          name: "js",
          ...shared,
          env: { NABLA_BACKEND: "js" },
          // whole training runs (the command, the seed network's 25 epochs, every optimizer on the
          // digits, DDP) run once, on the default backend: on the JS reference they only repeat the
          // same flows at a few times the cost; its ops, layers, rules and examples are all checked
          exclude: ["test/seed.test.ts", "test/optim-digits.test.ts", "test/cli.test.ts", "test/io-ddp.test.ts", ...WASM_KERNELS],
        },
      },
      {
        // the wasm project runs the relaxed-SIMD build, as the CLI and the bench do
        extends: true,
        test: {
          name: "wasm",
          ...shared,
          env: wasmEnv,
          // The WebGPU tests (test/webgpu*.test.ts) run in the js project only: they check the
          // device against a CPU twin on the same values, and the CPU side is only the reference
          // there, itself checked against PyTorch on both backends by the rest of the suite.
          // webgpu.test.ts, -sync and -exit already skipped themselves here; -ops, -backend,
          // -rnn-cell, -host-free and -random repeated their device work (~40 s on SwiftShader)
          // against the wasm kernels. Tensors crossing between the wasm heap and the device are
          // the webgpu project's whole suite (.ci/run), whose CPU backend is wasm.
          exclude: ["test/webgpu*.test.ts", ...FRESH],
        },
      },
      // not `extends: true` (below): the wasm project's files that need a fresh process
      { resolve, test: { name: "wasm-fresh", testTimeout: HUNG, hookTimeout: HUNG, include: FRESH, env: wasmEnv } },
      {
        // The suite again with the WebGPU device as the default for new tensors (float64 stays on
        // the CPU, WGSL having no f64): `npm run test:webgpu`, the second step of .ci/run (after
        // npm test, where SwiftShader is installed), as it adds minutes on SwiftShader to a suite
        // that must stay well under ten; training-run tests take fewer steps here
        // (test/device-steps.ts). Left out: the whole training runs (as in js), the files that
        // build bundles or drive Chromium without tensors of the default device, the wasm
        // kernels' own tests, and the WebGPU tests, which choose their devices themselves and run
        // in the js project above.
        extends: true,
        test: {
          name: "webgpu",
          setupFiles: ["test/setup-webgpu.ts"],
          // the files share one process: one device start, module graph and set of compiled
          // pipelines for the suite, not one per file (test/setup-webgpu.ts; test/process-settings.ts
          // fails a file that leaves a process-wide setting changed)
          isolate: false,
          env: { NABLA_BACKEND: "webgpu", NABLA_RELAXED_SIMD: "1", NABLA_POISON_UNINITIALIZED: "1" },
          exclude: [
            ...["seed", "optim-digits", "cli", "io-ddp"],
            ...["bundlers", "package", "browser", "playground"],
            ...["wasm", "wasm-float64", "conv-direct", "conv-winograd"],
          ]
            .map((name) => `test/${name}.test.ts`)
            // the WebGPU tests choose their devices themselves (a CPU twin beside the device's)
            .concat("test/webgpu*.test.ts", ...WASM_KERNELS),
        },
      },
      {
        // not `extends: true`: that would merge the include lists, running every file again
        resolve,
        test: {
          name: "wasm-baseline",
          ...shared,
          testTimeout: HUNG,
          hookTimeout: HUNG,
          include: ["test/wasm.test.ts", "test/wasm-float64.test.ts", "test/wasm-matmul-skinny.test.ts", "test/wasm-math-ulps.test.ts", "test/wasm-math-ulps-f64.test.ts", "test/ops.test.ts", "test/conv-direct.test.ts", "test/gelu-pytorch.test.ts", "test/batchnorm-fused.test.ts", "test/matmul-fold.test.ts"],
          env: { NABLA_BACKEND: "wasm", NABLA_RELAXED_SIMD: "0", NABLA_POISON_UNINITIALIZED: "1" },
        },
      },
    ],
  },
});
