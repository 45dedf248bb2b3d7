// nabla's side of each benchmark case. Every function returns the case's number (see run.mjs).
import * as nb from "../packages/nabla/dist/src/index.js";
import { timeIt, timeTiny, MLP_RUNS, CNN_RUNS } from "./timing.mjs";
import * as D from "./data.mjs";

const { nn, optim, tensor, noGrad, F } = nb;

// the bench runs nabla as the CLI does: the wasm build with relaxed SIMD (fused multiply-add)
if (nb.getBackend() === "wasm") nb.setBackend("wasm", { relaxedSimd: true });

export const name = "nabla";

export function describe() {
  const relaxed = nb.getBackendOptions().relaxedSimd ? ", relaxed SIMD" : "";
  return `nabla (${nb.getBackend()} backend${relaxed}, ${nb.getNumThreads()} threads)`;
}

function fromArray(data, shape, requiresGrad = false) {
  return tensor(data, { requiresGrad }).reshape(shape);
}

async function matmulGflops(m, k, n, ta, tb) {
  // a transposed operand is stored the other way round and read through a transposed view
  const a = ta ? fromArray(D.uniform(m * k, 1, 7), [k, m]).t() : fromArray(D.uniform(m * k, 1, 7), [m, k]);
  const b = tb ? fromArray(D.uniform(k * n, 1, 8), [n, k]).t() : fromArray(D.uniform(k * n, 1, 8), [k, n]);
  const ms = await timeIt(() => noGrad(() => a.matmul(b)), { warmup: 5, minRuns: 15, maxRuns: 5000, minMs: 1500, budgetMs: 1500 });
  return (2 * m * k * n) / ms / 1e6;
}

function setParam(p, data) {
  p.storage.data.set(data);
}

/** The MLP 784-256-128-10 with data.mjs's initial weights (set on the CPU; `device` moves it). */
export function mlpNet() {
  const net = new nn.Sequential(
    new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10),
  );
  const params = net.parameters();
  D.mlpParams().forEach((l, i) => {
    setParam(params[2 * i], D.transpose(l.w, l.in, l.out)); // PyTorch keeps [out, in]
    setParam(params[2 * i + 1], l.b);
  });
  return net;
}

/** The LeNet-style CNN of data.mjs with its initial weights. */
export function cnnNet() {
  const p = D.cnnParams();
  const net = new nn.Sequential(
    new nn.Conv2d(1, 8, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(256, 10),
  );
  const params = net.parameters();
  [p.c1.w, p.c1.b, p.c2.w, p.c2.b, D.transpose(p.fc.w, 256, 10), p.fc.b].forEach((d, i) => setParam(params[i], d));
  return net;
}

/** Training the MLP on one batch (timeTraining); `runs` as timing.mjs's MLP_RUNS. */
export function trainMlp(batch, { device = "cpu", runs = MLP_RUNS } = {}) {
  const { x, y } = D.mlpBatch(batch);
  return timeTraining(mlpNet(), fromArray(x, [batch, 784]), tensor(y, { dtype: "int32" }), batch, runs, device);
}

export function trainCnn(batch = 64, { device = "cpu", runs = CNN_RUNS } = {}) {
  const { x, y } = D.cnnBatch(batch);
  return timeTraining(cnnNet(), fromArray(x, [batch, 1, 28, 28]), tensor(y, { dtype: "int32" }), batch, runs, device);
}

/**
 * Adam training steps (cross-entropy) on one batch: samples per second, the last loss and, on the
 * webgpu device, the host↔device transfers per timed step. A device other than the CPU gets the
 * model and the batch moved there first (`module.to`, `t.to`, as a PyTorch user does) and the loss
 * read with `await itemAsync()` once per step (on the CPU, `item()`).
 */
async function timeTraining(net, xs, ys, batch, runs, device) {
  if (device !== "cpu") {
    await nb.ready(device);
    net.to(device);
    xs = xs.to(device);
    ys = ys.to(device);
  }
  const params = net.parameters();
  const loss = new nn.CrossEntropyLoss();
  const opt = new optim.Adam(params, { lr: 1e-3 });
  let last = 0;
  const step = async () => {
    const l = loss.forward(net.forward(xs), ys);
    opt.zeroGrad();
    l.backward();
    opt.step();
    last = device === "cpu" ? l.item() : await l.itemAsync();
  };
  // the warm-up here rather than in timeIt, so that the transfers are counted over the timed steps only
  for (let i = 0; i < runs.warmup; i++) await step();
  let steps = 0;
  const before = { ...nb.deviceTransfers() };
  const ms = await timeIt(async () => {
    await step();
    steps++;
  }, { ...runs, warmup: 0 });
  const after = nb.deviceTransfers();
  const transfers = device === "cpu" ? undefined : { toDevice: (after.toDevice - before.toDevice) / steps, toHost: (after.toHost - before.toHost) / steps };
  return { value: (batch * 1000) / ms, loss: last, ...(transfers ? { transfers } : {}) };
}

async function activation(fn) {
  const { x, dy } = D.activationInput();
  const xs = tensor(x, { requiresGrad: true });
  const g = tensor(dy);
  const ms = await timeIt(() => {
    xs.grad = null;
    fn(xs).backward(g);
  }, { warmup: 5, minRuns: 15, maxRuns: 5000, minMs: 1500, budgetMs: 1500 });
  return (D.ACTIVATION_SIZE * 1000) / ms;
}

export const cases = {
  mm512: () => matmulGflops(512, 512, 512, false, false),
  mm512x1: async () => {
    const threads = nb.getNumThreads();
    nb.setNumThreads(1);
    try {
      return await matmulGflops(512, 512, 512, false, false);
    } finally {
      nb.setNumThreads(threads);
    }
  },
  mmNN: () => matmulGflops(128, 784, 256, false, false),
  mmTN: () => matmulGflops(128, 784, 256, true, false),
  mmNT: () => matmulGflops(128, 784, 256, false, true),
  mlp64: () => trainMlp(64),
  mlp256: () => trainMlp(256),
  cnn: () => trainCnn(64),
  relu: () => activation((x) => x.relu()),
  tanh: () => activation((x) => x.tanh()),
  gelu: () => activation((x) => F.gelu(x, { approximate: "tanh" })),
  tiny: () => {
    const a = tensor([1, 2, 3, 4], { dtype: "float32" });
    const b = tensor([5, 6, 7, 8], { dtype: "float32" });
    return timeTiny(() => a.add(b));
  },
  tinyGrad: () => {
    const a = tensor([1, 2, 3, 4], { dtype: "float32", requiresGrad: true });
    const b = tensor([5, 6, 7, 8], { dtype: "float32", requiresGrad: true });
    return timeTiny(() => a.add(b));
  },
};
