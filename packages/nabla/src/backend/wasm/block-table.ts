/**
 * The heap's record of the blocks handed out and not yet freed: address → size and the slot of the
 * block's registration with the garbage collector (0: none; heap.ts). An open-addressing hash table over typed arrays (linear
 * probing, deletion by backward shift, so no tombstones), not a Map: every op allocates and frees
 * a block, and a Map that has once been promoted to V8's old space rehashes into a fresh old-space
 * table every few dozen deletes. That garbage piled up between full collections (~125 bytes per
 * op, 2.5 MB every 20 ms in a loop of 2,000-element ops), and its pointers to young Block objects
 * made each scavenge slower than the last. This table allocates only when it doubles.
 */

/** The first capacity (a power of two); the table doubles past half full. */
const INITIAL_CAPACITY = 1024;

export class BlockTable {
  /** Addresses (0: empty slot; no block starts at 0, the heap starts at 64 KiB); unsigned, as wasm32 spans 4 GiB. */
  private keys = new Uint32Array(INITIAL_CAPACITY);
  private sizes = new Uint32Array(INITIAL_CAPACITY);
  private registrations = new Int32Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  /** 32 − log2(capacity): the hash is the product's top bits. */
  private shift = 32 - Math.log2(INITIAL_CAPACITY);
  /** Blocks recorded. */
  count = 0;
  /** The registration of the block the last `remove` forgot. */
  removedRegistration = 0;

  /**
   * The home slot of an address: Fibonacci hashing, the top bits of ptr · 2^32/φ. Its low bits
   * would do badly: they depend only on the address's low bits, which blocks of one size share.
   * Blocks of 2^n bytes fell on capacity / 2^(n−6) slots: 16K live 8 KiB blocks on 512 of 65,536,
   * 4K live 256 KiB blocks on 8 of 16,384; freeing and taking one of them cost 245 ns and 6.4 µs
   * (a probe run's length each), 86 and 35 ns with the top bits.
   */
  private home(ptr: number): number {
    // blocks are 64-byte aligned: the address's low bits carry nothing, so hash what is above them
    return Math.imul(ptr >>> 6, 0x9e3779b1) >>> this.shift;
  }

  /** The slot holding `ptr`, or the empty slot where it would go. */
  private slotOf(ptr: number): number {
    const keys = this.keys;
    let i = this.home(ptr);
    for (;;) {
      i &= this.mask;
      const k = keys[i]!;
      if (k === ptr || k === 0) return i;
      i++;
    }
  }

  /** Records a block (its address must not be recorded already). */
  add(ptr: number, size: number, registration: number): void {
    if (2 * (this.count + 1) > this.keys.length) this.grow();
    const i = this.slotOf(ptr);
    this.keys[i] = ptr;
    this.sizes[i] = size;
    this.registrations[i] = registration;
    this.count++;
  }

  /** The size of the block at `ptr`, or 0 if none is recorded there. */
  sizeAt(ptr: number): number {
    const i = this.slotOf(ptr);
    return this.keys[i] === ptr ? this.sizes[i]! : 0;
  }

  /** The registration of the block at `ptr`, or 0 if it has none or none is recorded there. */
  registrationAt(ptr: number): number {
    const i = this.slotOf(ptr);
    return this.keys[i] === ptr ? this.registrations[i]! : 0;
  }

  /** Sets the registration of the recorded block at `ptr`. */
  setRegistration(ptr: number, registration: number): void {
    const i = this.slotOf(ptr);
    if (this.keys[i] === ptr) this.registrations[i] = registration;
  }

  /** Forgets the block at `ptr` and returns its size (0 if none was recorded). */
  remove(ptr: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let i = this.slotOf(ptr);
    if (keys[i] !== ptr) return 0;
    const size = this.sizes[i]!;
    this.removedRegistration = this.registrations[i]!;
    this.count--;
    // backward shift: move up each later entry of the run whose home slot is not between the gap and it
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j]!;
      if (k === 0) break;
      const home = this.home(k);
      // the entry at j may fill the gap at i unless its home lies cyclically in (i, j]
      if (i <= j ? home > i && home <= j : home > i || home <= j) continue;
      keys[i] = k;
      this.sizes[i] = this.sizes[j]!;
      this.registrations[i] = this.registrations[j]!;
      i = j;
    }
    keys[i] = 0;
    return size;
  }

  private grow(): void {
    const { keys, sizes, registrations } = this;
    const capacity = 2 * keys.length;
    this.keys = new Uint32Array(capacity);
    this.sizes = new Uint32Array(capacity);
    this.registrations = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    for (let s = 0; s < keys.length; s++) {
      const k = keys[s]!;
      if (k === 0) continue;
      const i = this.slotOf(k);
      this.keys[i] = k;
      this.sizes[i] = sizes[s]!;
      this.registrations[i] = registrations[s]!;
    }
  }
}
