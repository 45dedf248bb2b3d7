// The training page test/bundlers.test.ts bundles with esbuild and with Vite (as a user's app
// would: nabla imported by its package name, no top-level await, so esbuild's default iife
// format takes it). It checks that an op before ready() throws, saying so, then trains a small
// network, and leaves what it saw in window.report (or the error in window.failure).
import * as nb from "nabla";

let beforeReady = "";
try {
  nb.zeros([2, 2]);
} catch (e) {
  beforeReady = String(e?.message ?? e);
}

async function run() {
  await nb.ready();
  nb.setNumThreads(2);
  nb.manualSeed(0);
  const net = new nb.nn.Sequential(new nb.nn.Linear(64, 32), new nb.nn.ReLU(), new nb.nn.Linear(32, 4));
  const opt = new nb.optim.Adam(net.parameters(), { lr: 1e-2 });
  const x = nb.randn([128, 64]);
  const y = nb.randint(0, 4, [128]);
  let firstLoss = NaN;
  let lastLoss = NaN;
  for (let step = 0; step < 30; step++) {
    const loss = nb.nn.functional.crossEntropy(net.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (step === 0) firstLoss = loss.item();
    lastLoss = loss.item();
  }
  return {
    isolated: globalThis.crossOriginIsolated === true,
    backend: nb.getBackend(),
    threads: nb.getNumThreads(),
    beforeReady,
    firstLoss,
    lastLoss,
  };
}

run().then(
  (report) => (window.report = report),
  (error) => (window.failure = String(error?.stack ?? error)),
);
