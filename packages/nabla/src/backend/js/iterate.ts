/** Walking strided views row by row: the one loop every elementwise kernel shares. */

/**
 * Merges adjacent dims that every view walks contiguously (stride[i] = stride[i+1]·shape[i+1]),
 * so that a contiguous tensor becomes one long row and inner loops run long.
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): [number[], number[][]] {
  // plain loops, no closures: every elementwise op, copy and kernel input check walks this
  const views = strides.length;
  const outShape: number[] = [];
  const outStrides: number[][] = new Array<number[]>(views);
  for (let t = 0; t < views; t++) outStrides[t] = [];
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue; // a size-1 dim never moves the offset
    const last = outShape.length - 1;
    let merges = last >= 0;
    for (let t = 0; merges && t < views; t++) merges = outStrides[t]![last] === strides[t]![d]! * size;
    if (merges) {
      outShape[last] = outShape[last]! * size;
      for (let t = 0; t < views; t++) outStrides[t]![last] = strides[t]![d]!;
    } else {
      outShape.push(size);
      for (let t = 0; t < views; t++) outStrides[t]!.push(strides[t]![d]!);
    }
  }
  return [outShape, outStrides];
}

/**
 * Calls `row(outStart, offsets, innerStrides, length)` for every innermost row of `shape`,
 * where `offsets[t]` is where view t's row begins and `innerStrides[t]` its step along the row.
 * The output is taken to be contiguous, starting at `outStart`.
 */
export function forEachRow(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
  row: (outStart: number, offsets: readonly number[], innerStrides: readonly number[], length: number) => void,
): void {
  let total = 1;
  for (const s of shape) total *= s;
  if (total === 0) return;
  const [cShape, cStrides] = coalesce(shape, strides);
  const nd = cShape.length;
  const offs = offsets.slice();
  if (nd === 0) {
    row(0, offs, strides.map(() => 0), 1);
    return;
  }
  const length = cShape[nd - 1]!;
  const inner = cStrides.map((s) => s[nd - 1]!);
  const counter = new Array<number>(nd).fill(0);
  for (let start = 0; start < total; start += length) {
    row(start, offs, inner, length);
    for (let d = nd - 2; d >= 0; d--) {
      counter[d]!++;
      for (let t = 0; t < offs.length; t++) offs[t]! += cStrides[t]![d]!;
      if (counter[d]! < cShape[d]!) break;
      for (let t = 0; t < offs.length; t++) offs[t]! -= cStrides[t]![d]! * cShape[d]!;
      counter[d] = 0;
    }
  }
}
