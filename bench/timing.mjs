// Timing helpers: warm-up, then repeated runs until enough samples or enough time; medians.

/**
 * Training steps per case: the same counts for every library, so that the losses after them
 * can be compared. Each warms up first (a library's first steps pay for growing its heap and
 * compiling); the CNN's counts are smaller because TF.js cpu takes ~5 s a step on it.
 */
export const MLP_RUNS = { warmup: 50, minRuns: 50, maxRuns: 50 };
export const CNN_RUNS = { warmup: 5, minRuns: 10, maxRuns: 10 };

/** `--name value` pairs as an object (every value a string). */
export function parseFlags(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, "")] = argv[i + 1];
  return out;
}

/** Median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Median milliseconds of one call of fn (sync or async), after `warmup` calls. Runs at least
 * `minRuns` times and for at least `minMs` (a short window is easily hit by a burst of other
 * work on a shared machine), and keeps going up to `maxRuns` while under `budgetMs` in all.
 */
export async function timeIt(fn, { warmup = 3, minRuns = 5, maxRuns = 30, budgetMs = 3000, minMs = 0 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  const start = performance.now();
  for (;;) {
    const elapsed = performance.now() - start;
    const enough = times.length >= minRuns && elapsed >= minMs;
    if (enough && (times.length >= maxRuns || elapsed >= budgetMs)) break;
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Median microseconds per call of a tiny sync fn, timed in batches of `batch` calls. */
export function timeTiny(fn, { batch = 2000, batches = 15 } = {}) {
  // long enough a warm-up for the JIT to have optimised the whole call path: at least ten
  // batches and half a second (optimising compiles run on a background thread, which a busy
  // machine delays)
  const warmUntil = performance.now() + 500;
  for (let b = 0; b < 10 || performance.now() < warmUntil; b++) for (let i = 0; i < batch; i++) fn();
  const per = [];
  for (let b = 0; b < batches; b++) {
    const t = performance.now();
    for (let i = 0; i < batch; i++) fn();
    per.push(((performance.now() - t) * 1000) / batch);
  }
  return median(per);
}
