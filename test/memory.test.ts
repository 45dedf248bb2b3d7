/**
 * Storage in wasm memory is released by the garbage collector (FinalizationRegistry) and reused
 * through the allocator's free lists: a long training loop must not make the wasm heap grow.
 */
import { describe, expect, it } from "vitest";
import { getBackend, manualSeed, nn, optim, randint, randn } from "../src/index.js";
import { heapStats } from "../src/backend/wasm/heap.js";


describe("wasm storage", () => {
  // synchronous on purpose: the loop never gives the event loop a turn, as most training loops don't
  it.runIf(getBackend() === "wasm")("a 1,000-step training loop keeps memory flat", () => {
    manualSeed(0);
    const net = new nn.Sequential(new nn.Linear(100, 64), new nn.ReLU(), new nn.Linear(64, 10));
    const loss = new nn.CrossEntropyLoss();
    const opt = new optim.Adam(net.parameters(), { lr: 1e-3 });
    const x = randn([64, 100]);
    const y = randint(0, 10, [64]);
    const step = () => {
      const l = loss.forward(net.forward(x), y);
      opt.zeroGrad();
      l.backward();
      opt.step();
      return l.item();
    };
    const marks: number[] = [];
    let first = 0;
    let last = 0;
    for (let i = 0; i < 1000; i++) {
      const l = step();
      if (i === 0) first = l;
      last = l;
      if (i % 100 === 99) marks.push(heapStats().top);
    }
    expect(last).toBeLessThan(first); // it really trained
    // once collections have started, every step's storage is a reused block: the high-water
    // mark stops moving over the second half
    const half = marks[4]!;
    const end = marks[marks.length - 1]!;
    expect(end).toBeLessThanOrEqual(half * 1.2);
    // the loop allocates some 180 MB in all; far less than that is ever reserved
    expect(end).toBeLessThan(96 * 1024 * 1024);
  });
});
