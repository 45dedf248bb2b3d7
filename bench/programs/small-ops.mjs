// Per-op overhead in nabla; its PyTorch twin is scripts/bench/small_ops.py (see there for the loop
// and what is printed).
import { manualSeed, memory, randn } from "nabla";
import { flags, median, report } from "./util.mjs";

/**
 * µs per op of `a = x + y; b = a·y; relu(b)` in a loop, each result dropped; `scoped`: each
 * iteration in memory.scope. `median`: the median batch (~20 ms each), which leaves out the
 * batches a forced collection fell in; `mean`: all the batches' time over all their ops, the
 * collections included (what a long loop pays).
 */
function perOpUs(x, y, batches, scoped = false) {
  const body = () => {
    const a = x.add(y);
    const b = a.mul(y);
    b.relu();
  };
  const loop = scoped
    ? (n) => {
        for (let k = 0; k < n; k++) memory.scope(body);
      }
    : (n) => {
        for (let k = 0; k < n; k++) body();
      };
  memory.collect(); // each measurement from a clean heap, not the previous one's dropped tensors
  let n = 1; // grow the batch until it takes ~20 ms
  for (;;) {
    const started = performance.now();
    loop(n);
    if (performance.now() - started > 20) break;
    n *= 2;
  }
  // then warm up for half a second more: the JIT's optimising compiles, the allocator's free lists;
  // and on until the heap stops growing (at most 5 s): a grow's first touches of fresh memory
  // (~18 µs a page on our VMs) would otherwise land in the measured batches (20–45 µs/op)
  const warmUntil = performance.now() + 500;
  const giveUp = performance.now() + 5000;
  let reserved = memory.stats().reserved;
  for (;;) {
    loop(n);
    const now = performance.now();
    if (now < warmUntil) continue;
    const grown = memory.stats().reserved;
    if (grown === reserved || now > giveUp) break;
    reserved = grown;
  }
  const times = [];
  for (let b = 0; b < batches; b++) {
    const started = performance.now();
    loop(n);
    times.push((performance.now() - started) / (3 * n));
  }
  const mean = times.reduce((s, t) => s + t, 0) / times.length; // equal batches: the mean of the batches' means
  return { median: 1000 * median(times), mean: 1000 * mean };
}

const args = flags({ batches: 15 });
manualSeed(0);
// `us{size}{mode}`: the median batch's µs/op; `us{size}{mode}mean`: the mean over every batch
const out = {};
const put = (key, { median, mean }) => {
  out[key] = median;
  out[`${key}mean`] = mean;
};
for (const size of [4, 2000, 100_000]) {
  const x = randn([size]);
  const y = randn([size]);
  put(`us${size}`, perOpUs(x, y, args.batches));
  if (size > 4) put(`us${size}scoped`, perOpUs(x, y, args.batches, true));
  x.requiresGrad_();
  y.requiresGrad_();
  put(`us${size}grad`, perOpUs(x, y, args.batches));
  if (size > 4) put(`us${size}gradscoped`, perOpUs(x, y, args.batches, true));
}
report(out);
