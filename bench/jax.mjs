// jax-js's side of each case: wasm device, whole training steps and fwd+bwd passes under jit; the
// training cases also on its webgpu device (bench/webgpu.mjs calls useDevice("webgpu") first).
// jax-js counts references: every use of an array consumes it, `.ref` keeps it for another use.
import { init, numpy as np, nn, jit, grad, valueAndGrad, lax, defaultDevice } from "@jax-js/jax";
import { timeIt, timeTiny, MLP_RUNS, CNN_RUNS } from "./timing.mjs";
import * as D from "./data.mjs";

export const name = "jax-js";
let ready = false;
let device = "wasm";

/** The device every case runs on: "wasm" (the default) or "webgpu" (navigator.gpu must exist). */
export function useDevice(which) {
  device = which;
}

async function use() {
  if (!ready) {
    // a bare init() throws in Node 20 (no navigator)
    const devices = await init(device);
    if (!devices.includes(device)) throw new Error(`jax-js: no ${device} device (found ${devices.join(", ")})`);
    if (device !== "wasm") defaultDevice(device); // the wasm cases keep init's default, as before
  }
  ready = true;
}

export function describe() {
  return `@jax-js/jax 0.1.25 (${device}, jit)`;
}

const arr = (data, shape) => np.array(data).reshape(shape);

async function matmulGflops(m, k, n, ta, tb) {
  await use();
  const a = ta ? arr(D.uniform(m * k, 1, 7), [k, m]) : arr(D.uniform(m * k, 1, 7), [m, k]);
  const b = tb ? arr(D.uniform(k * n, 1, 8), [n, k]) : arr(D.uniform(k * n, 1, 8), [k, n]);
  const f = jit((a, b) => np.matmul(ta ? a.transpose() : a, tb ? b.transpose() : b));
  const ms = await timeIt(async () => {
    const c = f(a.ref, b.ref);
    await c.data();
  }, { warmup: 3, minRuns: 5, maxRuns: 5000, minMs: 1500, budgetMs: 1500 });
  return (2 * m * k * n) / ms / 1e6;
}

/** A jitted Adam step over a list of parameters: returns [loss, params, m, v]. */
function adamTrainer(lossFn, params, batch) {
  const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 1e-3];
  const step = jit((ps, ms, vs, x, y, stepSize, bc2) => {
    const [loss, gs] = valueAndGrad(lossFn)(ps.map((p) => p.ref), x, y);
    const m2 = ms.map((m, i) => m.mul(b1).add(gs[i].ref.mul(1 - b1)));
    const v2 = vs.map((v, i) => v.mul(b2).add(gs[i].ref.mul(gs[i]).mul(1 - b2)));
    // PyTorch's form: θ −= lr/bc1 · m / (√v/√bc2 + eps)
    const p2 = ps.map((p, i) =>
      p.sub(m2[i].ref.mul(stepSize.ref).div(np.sqrt(v2[i].ref).div(bc2.ref).add(eps))),
    );
    stepSize.dispose();
    bc2.dispose();
    return [loss, p2, m2, v2];
  });
  let ps = params;
  let ms = params.map((p) => np.zerosLike(p.ref));
  let vs = params.map((p) => np.zerosLike(p.ref));
  let t = 0;
  return async (x, y) => {
    t++;
    const stepSize = np.array(new Float32Array([lr / (1 - b1 ** t)]));
    const bc2 = np.array(new Float32Array([Math.sqrt(1 - b2 ** t)]));
    const [loss, p2, m2, v2] = step(ps, ms, vs, x.ref, y.ref, stepSize, bc2);
    [ps, ms, vs] = [p2, m2, v2];
    return (await loss.data())[0];
  };
}

const crossEntropy = (logits, yOneHot, batch) => nn.logSoftmax(logits, -1).mul(yOneHot).sum().mul(-1 / batch);

export async function trainMlp(batch, runs = MLP_RUNS) {
  await use();
  const params = D.mlpParams().flatMap((l) => [arr(l.w, [l.in, l.out]), arr(l.b, [l.out])]);
  const lossFn = (ps, x, y) => {
    const [w1, c1, w2, c2, w3, c3] = ps;
    let h = nn.relu(np.matmul(x, w1).add(c1));
    h = nn.relu(np.matmul(h, w2).add(c2));
    return crossEntropy(np.matmul(h, w3).add(c3), y, batch);
  };
  const { x, y } = D.mlpBatch(batch);
  const xs = arr(x, [batch, 784]);
  const ys = arr(D.oneHot(y, 10), [batch, 10]);
  const step = adamTrainer(lossFn, params, batch);
  let last = 0;
  const ms = await timeIt(async () => {
    last = await step(xs, ys);
  }, runs);
  return { value: (batch * 1000) / ms, loss: last };
}

/** 2×2 max pooling of NCHW by reshaping into windows. */
function maxPool2(x, n, c, h, w) {
  return x.reshape([n, c, h / 2, 2, w / 2, 2]).max([3, 5]);
}

export async function trainCnn(batch = 64, runs = CNN_RUNS) {
  await use();
  const p = D.cnnParams();
  const params = [
    arr(p.c1.w, [8, 1, 5, 5]), arr(p.c1.b, [1, 8, 1, 1]),
    arr(p.c2.w, [16, 8, 5, 5]), arr(p.c2.b, [1, 16, 1, 1]),
    arr(p.fc.w, [256, 10]), arr(p.fc.b, [10]),
  ];
  const lossFn = (ps, x, y) => {
    const [w1, c1, w2, c2, w3, c3] = ps;
    let h = maxPool2(nn.relu(lax.conv(x, w1, [1, 1], "VALID").add(c1)), batch, 8, 24, 24);
    h = maxPool2(nn.relu(lax.conv(h, w2, [1, 1], "VALID").add(c2)), batch, 16, 8, 8);
    return crossEntropy(np.matmul(h.reshape([batch, 256]), w3).add(c3), y, batch);
  };
  const { x, y } = D.cnnBatch(batch);
  const xs = arr(x, [batch, 1, 28, 28]);
  const ys = arr(D.oneHot(y, 10), [batch, 10]);
  const step = adamTrainer(lossFn, params, batch);
  let last = 0;
  const ms = await timeIt(async () => {
    last = await step(xs, ys);
  }, runs);
  return { value: (batch * 1000) / ms, loss: last };
}

async function activation(f) {
  await use();
  const { x, dy } = D.activationInput();
  const xs = np.array(x);
  const g = np.array(dy);
  // forward and backward in one jitted function: the gradient of Σ f(x)·dy is dy·f'(x)
  const run = jit(grad((x, g) => f(x).mul(g).sum()));
  const ms = await timeIt(async () => {
    const dx = run(xs.ref, g.ref);
    await dx.data();
  }, { warmup: 3, minRuns: 5, maxRuns: 5000, minMs: 1500, budgetMs: 1500 });
  return (D.ACTIVATION_SIZE * 1000) / ms;
}

export const cases = {
  mm512: () => matmulGflops(512, 512, 512, false, false),
  mm512x1: () => matmulGflops(512, 512, 512, false, false),
  mmNN: () => matmulGflops(128, 784, 256, false, false),
  mmTN: () => matmulGflops(128, 784, 256, true, false),
  mmNT: () => matmulGflops(128, 784, 256, false, true),
  mlp64: () => trainMlp(64),
  mlp256: () => trainMlp(256),
  cnn: () => trainCnn(64),
  relu: () => activation((x) => nn.relu(x)),
  tanh: () => activation((x) => np.tanh(x)),
  gelu: () => activation((x) => nn.gelu(x, { approximate: true })),
  tiny: async () => {
    await use();
    const a = np.array(new Float32Array([1, 2, 3, 4]));
    const b = np.array(new Float32Array([5, 6, 7, 8]));
    // jax-js is lazy: the add is only done once its value is asked for
    return timeTiny(() => np.add(a.ref, b.ref).dataSync(), { batch: 200 });
  },
};
