// The wasm heap's table of live blocks (src/backend/wasm/block-table.ts) against a Map: random adds
// and removes over addresses chosen to collide, so that probe runs wrap around the table's end and
// removal's backward shift moves entries across it.
import { describe, expect, it } from "vitest";
import { seededRandom } from "./helpers.js";
import { BlockTable } from "../packages/nabla/src/backend/wasm/block-table.js";

describe("wasm heap block table", () => {
  it("agrees with a Map through random adds and removes, across growth", () => {
    const random = seededRandom(7);
    const table = new BlockTable();
    const reference = new Map<number, [size: number, registration: number]>();
    let registration = 0;
    for (let step = 0; step < 200_000; step++) {
      // few distinct addresses (64-byte aligned, some past 2 GiB), so runs collide and wrap
      const ptr = 65536 + 64 * Math.floor(random() * 3000) + (random() < 0.1 ? 2 ** 31 : 0);
      const had = reference.get(ptr);
      // first kept just under half of the first capacity (1,024), where probe runs are longest, then grown
      const most = step < 100_000 ? 511 : 1500;
      if (had === undefined && reference.size < most && (reference.size < most - 20 || random() < 0.3)) {
        const size = 64 * (1 + Math.floor(random() * 100));
        table.add(ptr, size, ++registration);
        reference.set(ptr, [size, registration]);
      } else {
        expect(table.remove(ptr)).toBe(had?.[0] ?? 0);
        if (had !== undefined) expect(table.removedRegistration).toBe(had[1]);
        reference.delete(ptr);
      }
      if (step % 997 === 0) {
        expect(table.count).toBe(reference.size);
        for (const [p, [size, s]] of reference) {
          expect(table.sizeAt(p)).toBe(size);
          expect(table.registrationAt(p)).toBe(s);
        }
      }
    }
    for (const p of [...reference.keys()]) {
      expect(table.sizeAt(p)).toBe(reference.get(p)![0]);
      table.remove(p);
      expect(table.sizeAt(p)).toBe(0);
    }
    expect(table.count).toBe(0);
  });
});
