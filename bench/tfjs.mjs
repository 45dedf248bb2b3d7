// TensorFlow.js's side of each case, on its "cpu" or "wasm" (XNNPACK) backend; the training cases
// also on "webgpu" (bench/webgpu.mjs, which sets up navigator.gpu before it loads this module).
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { timeIt, timeTiny, MLP_RUNS, CNN_RUNS } from "./timing.mjs";
import * as D from "./data.mjs";

export function make(backend) {
  const use = async () => {
    // imported only here: the package registers its backend on import, and needs navigator.gpu
    if (backend === "webgpu") await import("@tensorflow/tfjs-backend-webgpu");
    if (!(await tf.setBackend(backend))) throw new Error(`TF.js: the ${backend} backend did not start`);
    await tf.ready();
  };

  async function matmulGflops(m, k, n, ta, tb) {
    await use();
    const a = ta ? tf.tensor2d(D.uniform(m * k, 1, 7), [k, m]) : tf.tensor2d(D.uniform(m * k, 1, 7), [m, k]);
    const b = tb ? tf.tensor2d(D.uniform(k * n, 1, 8), [n, k]) : tf.tensor2d(D.uniform(k * n, 1, 8), [k, n]);
    const ms = await timeIt(() => {
      const c = tf.matMul(a, b, ta, tb);
      c.dataSync();
      c.dispose();
    }, { warmup: 3, minRuns: 5, maxRuns: 5000, minMs: 1500, budgetMs: 1500 });
    a.dispose();
    b.dispose();
    return (2 * m * k * n) / ms / 1e6;
  }

  /**
   * Adam steps through optimizer.minimize, one read of the loss per step: dataSync on the CPU
   * backends, `await data()` on webgpu (whose dataSync cannot read a GPU buffer in Node).
   */
  async function train(batch, vars, forward, x, y, classes, opts) {
    const yh = tf.tensor2d(D.oneHot(y, classes), [batch, classes]);
    const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
    let last = 0;
    const ms = await timeIt(async () => {
      const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy(yh, forward(x)), true, vars);
      last = backend === "webgpu" ? (await cost.data())[0] : cost.dataSync()[0];
      cost.dispose();
    }, opts);
    return { value: (batch * 1000) / ms, loss: last };
  }

  async function trainMlp(batch, runs = MLP_RUNS) {
    await use();
    const layers = D.mlpParams().map((l) => ({
      w: tf.variable(tf.tensor2d(l.w, [l.in, l.out])),
      b: tf.variable(tf.tensor1d(l.b)),
    }));
    const { x, y } = D.mlpBatch(batch);
    const xs = tf.tensor2d(x, [batch, 784]);
    const forward = (h) =>
      layers.reduce((acc, l, i) => {
        const z = tf.add(tf.matMul(acc, l.w), l.b);
        return i < layers.length - 1 ? tf.relu(z) : z;
      }, h);
    const vars = layers.flatMap((l) => [l.w, l.b]);
    return train(batch, vars, forward, xs, y, 10, runs);
  }

  async function trainCnn(batch = 64, runs = CNN_RUNS) {
    await use();
    const p = D.cnnParams();
    // PyTorch's [out, in, kh, kw] → TF's [kh, kw, in, out]; NHWC activations
    const hwio = (w, o, i) => tf.tidy(() => tf.tensor4d(w, [o, i, 5, 5]).transpose([2, 3, 1, 0]));
    const c1 = tf.variable(hwio(p.c1.w, 8, 1));
    const c2 = tf.variable(hwio(p.c2.w, 16, 8));
    const b1 = tf.variable(tf.tensor1d(p.c1.b));
    const b2 = tf.variable(tf.tensor1d(p.c2.b));
    const fw = tf.variable(tf.tensor2d(p.fc.w, [256, 10]));
    const fb = tf.variable(tf.tensor1d(p.fc.b));
    const { x, y } = D.cnnBatch(batch);
    const xs = tf.tensor4d(x, [batch, 28, 28, 1]);
    const forward = (h) => {
      h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, c1, 1, "valid"), b1)), 2, 2, "valid");
      h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, c2, 1, "valid"), b2)), 2, 2, "valid");
      // flatten in PyTorch's (channel, row, column) order
      h = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [batch, 256]);
      return tf.add(tf.matMul(h, fw), fb);
    };
    return train(batch, [c1, b1, c2, b2, fw, fb], forward, xs, y, 10, runs);
  }

  async function activation(f) {
    await use();
    const { x, dy } = D.activationInput();
    const xs = tf.tensor1d(x);
    const g = tf.tensor1d(dy);
    const grad = tf.grad(f);
    const ms = await timeIt(() => {
      const dx = grad(xs, g); // runs the forward pass and the backward pass
      dx.dataSync();
      dx.dispose();
    }, { warmup: 2, minRuns: 5, maxRuns: 5000, minMs: 1500, budgetMs: 1500 });
    return (D.ACTIVATION_SIZE * 1000) / ms;
  }

  const geluTanh = (x) =>
    tf.tidy(() => {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    });

  return {
    name: `TF.js ${backend}`,
    trainMlp,
    trainCnn,
    describe: () => `@tensorflow/tfjs ${tf.version_core} (${backend})`,
    cases: {
      mm512: () => matmulGflops(512, 512, 512, false, false),
      mm512x1: () => matmulGflops(512, 512, 512, false, false),
      mmNN: () => matmulGflops(128, 784, 256, false, false),
      mmTN: () => matmulGflops(128, 784, 256, true, false),
      mmNT: () => matmulGflops(128, 784, 256, false, true),
      mlp64: () => trainMlp(64),
      mlp256: () => trainMlp(256),
      cnn: () => trainCnn(),
      relu: () => activation((x) => tf.relu(x)),
      tanh: () => activation((x) => tf.tanh(x)),
      gelu: () => activation(geluTanh),
      tiny: async () => {
        await use();
        const a = tf.tensor1d([1, 2, 3, 4]);
        const b = tf.tensor1d([5, 6, 7, 8]);
        return timeTiny(() => tf.add(a, b).dispose());
      },
    },
  };
}
