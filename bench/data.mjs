// The same initial weights and data for every library: a seeded generator, plain Float32Arrays.

export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform floats in [-scale, scale). */
export function uniform(n, scale, seed) {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}

export function labels(n, classes, seed) {
  const r = rng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(r() * classes));
}

/** Row-major [rows, cols] → [cols, rows]. */
export function transpose(data, rows, cols) {
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return out;
}

export function oneHot(ys, classes) {
  const out = new Float32Array(ys.length * classes);
  ys.forEach((y, i) => (out[i * classes + y] = 1));
  return out;
}

/**
 * The MLP 784-256-128-10: weights as [in, out] (x·W + b), PyTorch's default init range 1/√in.
 */
export function mlpParams() {
  const sizes = [784, 256, 128, 10];
  const layers = [];
  for (let l = 0; l < 3; l++) {
    const [i, o] = [sizes[l], sizes[l + 1]];
    layers.push({ in: i, out: o, w: uniform(i * o, 1 / Math.sqrt(i), 10 + l), b: uniform(o, 1 / Math.sqrt(i), 20 + l) });
  }
  return layers;
}

export function mlpBatch(batch) {
  return { x: uniform(batch * 784, 1, 1), y: labels(batch, 10, 2) };
}

/**
 * The LeNet-style CNN: conv 1→8 5×5, ReLU, maxpool 2, conv 8→16 5×5, ReLU, maxpool 2,
 * linear 256→10. Conv weights as PyTorch's [out, in, kh, kw]; the linear as [in, out] with
 * inputs flattened in PyTorch's (channel, row, column) order.
 */
export function cnnParams() {
  return {
    c1: { w: uniform(8 * 1 * 25, 1 / Math.sqrt(25), 30), b: uniform(8, 1 / Math.sqrt(25), 31) },
    c2: { w: uniform(16 * 8 * 25, 1 / Math.sqrt(200), 32), b: uniform(16, 1 / Math.sqrt(200), 33) },
    fc: { w: uniform(256 * 10, 1 / 16, 34), b: uniform(10, 1 / 16, 35) },
  };
}

export function cnnBatch(batch) {
  return { x: uniform(batch * 784, 1, 3), y: labels(batch, 10, 4) };
}

export const ACTIVATION_SIZE = 1 << 20;
export function activationInput() {
  return { x: uniform(ACTIVATION_SIZE, 4, 5), dy: uniform(ACTIVATION_SIZE, 1, 6) };
}
