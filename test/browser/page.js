// Loaded by test/browser.test.ts into a Chromium page as a plain ES module (no bundler; an import
// map in the page resolves "#platform" as package.json's "imports" would): loads nabla from
// dist/, checks that an op before ready() throws, splits a matmul across threads where it can,
// trains a few steps, and leaves what it saw in window.report (or the error in window.failure).
import * as nb from "../../packages/nabla/dist/src/index.js";
import { idleHelpers } from "../../packages/nabla/dist/src/backend/wasm/pool.js";
import { usesRelaxedSimd } from "../../packages/nabla/dist/src/backend/wasm/instance.js";

let beforeReady = "";
try {
  nb.randn([300, 300]);
} catch (e) {
  beforeReady = String(e?.message ?? e);
}

async function run() {
  await nb.ready();
  const report = {
    isolated: globalThis.crossOriginIsolated === true,
    backend: nb.getBackend(),
    cores: navigator.hardwareConcurrency,
    relaxedSimd: usesRelaxedSimd,
    helpers: 0,
    beforeReady,
    threads: 0,
    sameProduct: false,
    maxDiffFromJs: NaN,
    firstLoss: NaN,
    lastLoss: NaN,
  };
  nb.manualSeed(0);
  const a = nb.randn([200, 300]);
  const b = nb.randn([300, 150]);
  nb.setNumThreads(2);
  report.threads = nb.getNumThreads();
  if (report.backend === "wasm" && report.isolated) {
    // Web Workers start asynchronously: wait for the helper to report idle
    for (let i = 0; i < 200 && idleHelpers(2) < 1; i++) await new Promise((r) => setTimeout(r, 25));
  }
  if (report.backend === "wasm") report.helpers = idleHelpers(2);
  const two = nb.noGrad(() => a.matmul(b));
  nb.setNumThreads(1);
  const one = nb.noGrad(() => a.matmul(b));
  report.sameProduct = one.sub(two).abs().max().item() === 0;
  const backend = nb.getBackend();
  nb.setBackend("js");
  const reference = nb.noGrad(() => a.matmul(b));
  nb.setBackend(backend);
  report.maxDiffFromJs = reference.sub(two).abs().max().item();
  // the seed network's shape on random data: the loss must fall
  nb.setNumThreads(2);
  const net = new nb.nn.Sequential(new nb.nn.Linear(64, 32), new nb.nn.ReLU(), new nb.nn.Linear(32, 4));
  const opt = new nb.optim.Adam(net.parameters(), { lr: 1e-2 });
  const x = nb.randn([128, 64]);
  const y = nb.randint(0, 4, [128]);
  for (let step = 0; step < 30; step++) {
    const loss = nb.nn.functional.crossEntropy(net.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (step === 0) report.firstLoss = loss.item();
    report.lastLoss = loss.item();
  }
  return report;
}

run().then(
  (report) => (window.report = report),
  (error) => (window.failure = String(error?.stack ?? error)),
);
