/**
 * The code a kernel worker runs, as a plain-JS string so that it works the same from src/ under
 * vitest, from dist/, and from a Blob URL in a browser. `start` receives { memory, bytes, slot }:
 * the shared memory, the kernel module's bytes and the address of this worker's control block.
 *
 * The control block (Int32Array at `slot`): [0] state 0 starting, 1 task posted, 2 idle, 3 stop,
 * 4 running (claimed from 1 by compareExchange: until then the caller may take the task back);
 * [1] the shared job's address (assembly/jobs.ts), [2] this worker's scratch, [13] 1 if the last task failed.
 * Tasks are posted and awaited with Atomics on shared memory.
 */
export const WORKER_LOOP = `
function start({ memory, bytes, slot }) {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const k = instance.exports;
  const ctl = new Int32Array(memory.buffer, slot, 16);
  // milliseconds to stay awake after a task before sleeping
  const SPIN_MS = 2;
  Atomics.store(ctl, 0, 2);
  Atomics.notify(ctl, 0);
  for (;;) {
    // stay awake a while before sleeping, as OpenMP runtimes do: a training step posts its
    // matmuls a fraction of a millisecond apart, and a futex wake-up takes tens of microseconds
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(ctl, 0) === 2 && performance.now() < until) {
      for (let i = 0; i < 200 && Atomics.load(ctl, 0) === 2; i++);
    }
    Atomics.wait(ctl, 0, 2);
    const state = Atomics.load(ctl, 0);
    if (state === 3) break;
    // claim the task: the caller takes back a task no worker has claimed once it has done all the work
    if (state !== 1 || Atomics.compareExchange(ctl, 0, 1, 4) !== 1) continue;
    try {
      k.runJob(ctl[1], ctl[2]);
      ctl[13] = 0;
    } catch (e) {
      ctl[13] = 1; // a trap: reported by the caller, which must never wait forever
    }
    Atomics.store(ctl, 0, 2);
    Atomics.notify(ctl, 0);
  }
}
`;

// Each platform (platform-node.ts, platform-browser.ts) appends how its workers receive the start data.
