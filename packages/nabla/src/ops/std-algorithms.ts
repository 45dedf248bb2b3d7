/**
 * The C++ standard library's sorting algorithms as GCC's libstdc++ writes them (`std::sort`'s
 * introsort, `std::partial_sort`'s heap select, `std::nth_element`'s introselect), ported step
 * for step. PyTorch's CPU sort, topk and mode call these, so where equal keys make the order
 * implementation-defined, running the very same steps puts tied elements (and so their indices)
 * where PyTorch 1.13 puts them on this machine. `stableSort` stands for `std::stable_sort`: every
 * stable sort gives the same result.
 *
 * Each works on a range [first, last) of (key, index) pairs held in two parallel arrays, ordered
 * by `less`; most of PyTorch's comparators look at the keys alone, median's also at the indices.
 */

/** A strict weak ordering on (key, index) pairs: is (a, ia) before (b, ib)? */
export type Less = (a: number, b: number, ia: number, ib: number) => boolean;

/** Ascending with NaN largest (PyTorch's `KeyValueCompAsc`, and topk's smallest-first). */
export const ascendingNanLast: Less = (a, b) => a < b || (b !== b && a === a);
/** Descending with NaN first (PyTorch's `KeyValueCompDesc`, and topk's largest-first). */
export const descendingNanFirst: Less = (a, b) => a > b || (a !== a && b === b);

/** libstdc++'s `_S_threshold`: introsort leaves ranges this short to insertion sort. */
const THRESHOLD = 16;

/** floor(log2(n)) for n > 0 (libstdc++'s `std::__lg`). */
const lg = (n: number) => 31 - Math.clz32(n);

/** C++ integer division of a possibly negative numerator by 2. */
const half = (n: number) => Math.trunc(n / 2);

export class PairRange {
  constructor(
    readonly keys: Float64Array,
    readonly idx: Int32Array,
    readonly less: Less,
  ) {}

  /** Loads n values of `data` from `offset` as keys, with their positions 0 … n−1 as indices. */
  load(data: ArrayLike<number>, offset: number, n: number): void {
    for (let i = 0; i < n; i++) {
      this.keys[i] = data[offset + i]!;
      this.idx[i] = i;
    }
  }

  private lessAt(i: number, j: number): boolean {
    return this.less(this.keys[i]!, this.keys[j]!, this.idx[i]!, this.idx[j]!);
  }

  private swap(i: number, j: number): void {
    const { keys, idx } = this;
    const k = keys[i]!;
    keys[i] = keys[j]!;
    keys[j] = k;
    const x = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = x;
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from]!;
    this.idx[to] = this.idx[from]!;
  }

  private put(at: number, key: number, index: number): void {
    this.keys[at] = key;
    this.idx[at] = index;
  }

  // ---- std::sort ------------------------------------------------------------------------------

  sort(first: number, last: number): void {
    if (first === last) return;
    this.introsortLoop(first, last, lg(last - first) * 2);
    this.finalInsertionSort(first, last);
  }

  private introsortLoop(first: number, last: number, depthLimit: number): void {
    while (last - first > THRESHOLD) {
      if (depthLimit === 0) {
        this.partialSort(first, last, last);
        return;
      }
      depthLimit--;
      const cut = this.unguardedPartitionPivot(first, last);
      this.introsortLoop(cut, last, depthLimit);
      last = cut;
    }
  }

  private unguardedPartitionPivot(first: number, last: number): number {
    const mid = first + half(last - first);
    this.moveMedianToFirst(first, first + 1, mid, last - 1);
    return this.unguardedPartition(first + 1, last, first);
  }

  private moveMedianToFirst(result: number, a: number, b: number, c: number): void {
    if (this.lessAt(a, b)) {
      if (this.lessAt(b, c)) this.swap(result, b);
      else if (this.lessAt(a, c)) this.swap(result, c);
      else this.swap(result, a);
    } else if (this.lessAt(a, c)) this.swap(result, a);
    else if (this.lessAt(b, c)) this.swap(result, c);
    else this.swap(result, b);
  }

  private unguardedPartition(first: number, last: number, pivot: number): number {
    for (;;) {
      while (this.lessAt(first, pivot)) first++;
      last--;
      while (this.lessAt(pivot, last)) last--;
      if (!(first < last)) return first;
      this.swap(first, last);
      first++;
    }
  }

  private finalInsertionSort(first: number, last: number): void {
    if (last - first > THRESHOLD) {
      this.insertionSort(first, first + THRESHOLD);
      for (let i = first + THRESHOLD; i !== last; i++) this.unguardedLinearInsert(i);
    } else {
      this.insertionSort(first, last);
    }
  }

  private insertionSort(first: number, last: number): void {
    if (first === last) return;
    for (let i = first + 1; i !== last; i++) {
      if (this.lessAt(i, first)) {
        const key = this.keys[i]!;
        const index = this.idx[i]!;
        for (let j = i; j > first; j--) this.move(j - 1, j);
        this.put(first, key, index);
      } else {
        this.unguardedLinearInsert(i);
      }
    }
  }

  private unguardedLinearInsert(last: number): void {
    const key = this.keys[last]!;
    const index = this.idx[last]!;
    let next = last - 1;
    while (this.less(key, this.keys[next]!, index, this.idx[next]!)) {
      this.move(next, last);
      last = next;
      next--;
    }
    this.put(last, key, index);
  }

  // ---- std::partial_sort and the heap under it -------------------------------------------------

  partialSort(first: number, middle: number, last: number): void {
    this.heapSelect(first, middle, last);
    this.sortHeap(first, middle);
  }

  private heapSelect(first: number, middle: number, last: number): void {
    this.makeHeap(first, middle);
    for (let i = middle; i < last; i++) if (this.lessAt(i, first)) this.popHeap(first, middle, i);
  }

  private makeHeap(first: number, last: number): void {
    const len = last - first;
    if (len < 2) return;
    for (let parent = half(len - 2); ; parent--) {
      this.adjustHeap(first, parent, len, this.keys[first + parent]!, this.idx[first + parent]!);
      if (parent === 0) return;
    }
  }

  private adjustHeap(first: number, holeIndex: number, len: number, key: number, index: number): void {
    const topIndex = holeIndex;
    let secondChild = holeIndex;
    while (secondChild < half(len - 1)) {
      secondChild = 2 * (secondChild + 1);
      if (this.lessAt(first + secondChild, first + secondChild - 1)) secondChild--;
      this.move(first + secondChild, first + holeIndex);
      holeIndex = secondChild;
    }
    if ((len & 1) === 0 && secondChild === half(len - 2)) {
      secondChild = 2 * (secondChild + 1);
      this.move(first + secondChild - 1, first + holeIndex);
      holeIndex = secondChild - 1;
    }
    // std::__push_heap
    let parent = half(holeIndex - 1);
    while (holeIndex > topIndex && this.less(this.keys[first + parent]!, key, this.idx[first + parent]!, index)) {
      this.move(first + parent, first + holeIndex);
      holeIndex = parent;
      parent = half(holeIndex - 1);
    }
    this.put(first + holeIndex, key, index);
  }

  private popHeap(first: number, last: number, result: number): void {
    const key = this.keys[result]!;
    const index = this.idx[result]!;
    this.move(first, result);
    this.adjustHeap(first, 0, last - first, key, index);
  }

  private sortHeap(first: number, last: number): void {
    while (last - first > 1) {
      last--;
      this.popHeap(first, last, last);
    }
  }

  // ---- std::nth_element -------------------------------------------------------------------------

  nthElement(first: number, nth: number, last: number): void {
    if (first === last || nth === last) return;
    let depthLimit = lg(last - first) * 2;
    while (last - first > 3) {
      if (depthLimit === 0) {
        this.heapSelect(first, nth + 1, last);
        this.swap(first, nth);
        return;
      }
      depthLimit--;
      const cut = this.unguardedPartitionPivot(first, last);
      if (cut <= nth) first = cut;
      else last = cut;
    }
    this.insertionSort(first, last);
  }

  // ---- std::stable_sort ------------------------------------------------------------------------

  /** A bottom-up merge sort: equal keys keep their order, as std::stable_sort's. */
  stableSort(first: number, last: number): void {
    const n = last - first;
    if (n < 2) return;
    let srcKeys = this.keys.slice(first, last);
    let srcIdx = this.idx.slice(first, last);
    let dstKeys = new Float64Array(n);
    let dstIdx = new Int32Array(n);
    for (let width = 1; width < n; width *= 2) {
      for (let lo = 0; lo < n; lo += 2 * width) {
        const mid = Math.min(lo + width, n);
        const hi = Math.min(lo + 2 * width, n);
        let i = lo;
        let j = mid;
        for (let k = lo; k < hi; k++) {
          // take from the right run only when it is strictly smaller: ties keep left-first order
          if (i < mid && (j >= hi || !this.less(srcKeys[j]!, srcKeys[i]!, srcIdx[j]!, srcIdx[i]!))) {
            dstKeys[k] = srcKeys[i]!;
            dstIdx[k] = srcIdx[i++]!;
          } else {
            dstKeys[k] = srcKeys[j]!;
            dstIdx[k] = srcIdx[j++]!;
          }
        }
      }
      [srcKeys, dstKeys] = [dstKeys, srcKeys];
      [srcIdx, dstIdx] = [dstIdx, srcIdx];
    }
    this.keys.set(srcKeys, first);
    this.idx.set(srcIdx, first);
  }
}
