// Runs in Chromium (test/webgpu-backend.test.ts): the library from dist/ as plain ES modules (an
// import map sends `#platform` to the browser platform), an MLP trained a few steps on the webgpu
// device (navigator.gpu) and the same steps on the CPU. Reports through window.report.
import * as nb from "#nabla";

async function train(device) {
  nb.manualSeed(4);
  const model = new nb.nn.Sequential(new nb.nn.Linear(4, 8), new nb.nn.ReLU(), new nb.nn.Linear(8, 3)).to(device);
  const x = nb.randn([12, 4]).to(device);
  const y = nb.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], { dtype: "int32" }).to(device);
  const optimizer = new nb.optim.Adam(model.parameters(), { lr: 0.05 });
  const losses = [];
  let crossed = 0;
  for (let step = 0; step < 5; step++) {
    const before = nb.deviceTransfers();
    optimizer.zeroGrad();
    const loss = nb.nn.functional.crossEntropy(model.call(x), y);
    loss.backward();
    optimizer.step();
    const after = nb.deviceTransfers();
    crossed += after.toDevice - before.toDevice + after.toHost - before.toHost;
    losses.push(await loss.itemAsync());
  }
  return { losses, crossed, device: model.parameters()[0].device };
}

async function run() {
  await nb.ready(); // the wasm kernels, the CPU backend here
  await nb.ready("webgpu");
  const cpu = await train("cpu");
  const gpu = await train("webgpu");
  return { cpu, gpu };
}

run().then(
  (r) => (window.report = r),
  (e) => (window.report = { error: String(e && e.stack ? e.stack : e) }),
);
