/**
 * einsum with PyTorch's grammar: subscripts a–z and A–Z, `...` for broadcast dims, `->` for an
 * explicit output (implicit: the ellipsis dims, then the subscripts seen once, A–Z before a–z),
 * repeated subscripts in one operand for diagonals (`ii->i`, `ii` the trace), subscripts left out
 * of the output summed, size-1 dims broadcast. Built as PyTorch's is: each operand's diagonals
 * taken as `diagonal` views, its dims permuted into one shared order, then operands contracted
 * pairwise by permute/reshape and the batched `matmul` op, so gradients come from those ops.
 */
import { DTypeError, ShapeError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { requireTensor } from "./arguments.js";
import { diagonal } from "./diagonal.js";
import { matmul } from "./matmul.js";
import { sum } from "./reduce.js";
import { permute, reshape } from "./shape.js";

// ---- parsing ---------------------------------------------------------------------------------

/** A subscript as an index 0–51 (A–Z then a–z, PyTorch's order), or ELLIPSIS. */
const ELLIPSIS = -1;

function labelOf(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 65 && code <= 90) return code - 65;
  if (code >= 97 && code <= 122) return code - 97 + 26;
  return -2;
}

const letter = (label: number) => String.fromCharCode(label < 26 ? 65 + label : 97 + label - 26);

/** Parses one term ("ij", "...k", "") into labels; `where` names it in errors. */
function parseTerm(term: string, offset: number, where: string): number[] {
  const labels: number[] = [];
  for (let i = 0; i < term.length; i++) {
    const c = term[i]!;
    if (c === ".") {
      if (term.slice(i, i + 3) !== "...") throw new ShapeError(`einsum: found '.' for ${where} that is not part of any ellipsis`);
      if (labels.includes(ELLIPSIS)) throw new ShapeError(`einsum: ellipsis can only appear once in ${where}`);
      labels.push(ELLIPSIS);
      i += 2;
      continue;
    }
    const label = labelOf(c);
    if (label < 0) {
      throw new ShapeError(`einsum: invalid subscript given at index ${offset + i} in the equation string, subscripts must be in [a-zA-Z]`);
    }
    labels.push(label);
  }
  return labels;
}

interface Equation {
  inputs: number[][];
  /** Null for an implicit output. */
  output: number[] | null;
}

function parseEquation(equation: string, count: number): Equation {
  const eq = equation.replace(/\s+/g, "");
  const arrow = eq.indexOf("->");
  const lhs = arrow < 0 ? eq : eq.slice(0, arrow);
  const terms = lhs.split(",");
  let offset = 0;
  const inputs = terms.map((term, i) => {
    const labels = parseTerm(term, offset, `operand ${i}`);
    offset += term.length + 1;
    return labels;
  });
  const output = arrow < 0 ? null : parseTerm(eq.slice(arrow + 2), arrow + 2, "the output");
  if (terms.length > count) throw new ShapeError(`einsum: fewer operands were provided (${count}) than specified in the equation (${terms.length})`);
  if (terms.length < count) throw new ShapeError(`einsum: more operands were provided (${count}) than specified in the equation (${terms.length})`);
  return { inputs, output };
}

// ---- contraction -------------------------------------------------------------------------------

/**
 * Σ over `sumDims` of left·right, both with the same number of dims (size 1 where absent):
 * PyTorch's sumproduct_pair, one batched matmul over [shared, left-only, summed] × [shared, summed, right-only].
 */
function sumProductPair(left: Tensor, right: Tensor, sumDims: readonly boolean[]): Tensor {
  const ndim = left.ndim;
  for (let i = 0; i < ndim; i++) {
    if (!sumDims[i]) continue;
    // a summed dim on one side only is summed there first
    if (left.shape[i] !== 1 && right.shape[i] === 1) left = sum(left, i, { keepdim: true });
    else if (right.shape[i] !== 1 && left.shape[i] === 1) right = sum(right, i, { keepdim: true });
  }
  const both: number[] = [];
  const leftOnly: number[] = [];
  const summed: number[] = [];
  const rightOnly: number[] = [];
  for (let i = 0; i < ndim; i++) {
    const l = left.shape[i] !== 1;
    const r = right.shape[i] !== 1;
    if (sumDims[i] && l && r) summed.push(i);
    else if (l && r) both.push(i);
    else if (l) leftOnly.push(i);
    else rightOnly.push(i);
  }
  const size = (t: Tensor, dims: number[]) => dims.reduce((p, d) => p * t.shape[d]!, 1);
  const [nBoth, nLeft, nSum, nRight] = [size(left, both), size(left, leftOnly), size(left, summed), size(right, rightOnly)];
  const l3 = reshape(permute(left, [...both, ...leftOnly, ...summed, ...rightOnly]), [nBoth, nLeft, nSum]);
  const r3 = reshape(permute(right, [...both, ...summed, ...rightOnly, ...leftOnly]), [nBoth, nSum, nRight]);
  const product = matmul(l3, r3);
  const order = [...both, ...leftOnly, ...summed, ...rightOnly];
  const shaped = reshape(product, [
    ...both.map((d) => left.shape[d]!),
    ...leftOnly.map((d) => left.shape[d]!),
    ...summed.map(() => 1),
    ...rightOnly.map((d) => right.shape[d]!),
  ]);
  const inverse = new Array<number>(ndim);
  order.forEach((d, i) => (inverse[d] = i));
  return permute(shaped, inverse);
}

/** Sums over the operands per the equation; see the file comment. */
export function einsum(equation: string, ...operands: Tensor[] | [readonly Tensor[]]): Tensor {
  if (typeof equation !== "string") throw new TypeError(`einsum: argument 'equation' must be a string, but got ${typeof equation}`);
  const ops = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as readonly Tensor[];
  ops.forEach((t, i) => requireTensor("einsum", `operands[${i}]`, t));
  if (ops.length === 0) throw new ShapeError("einsum: must provide at least one operand");
  const dtype = ops[0]!.dtype;
  for (const t of ops) {
    if (t.dtype !== dtype) throw new DTypeError(`einsum: expected all operands to have the same dtype, but got ${dtype} and ${t.dtype}`);
  }
  const { inputs, output } = parseEquation(equation, ops.length);

  // how many dims each ellipsis covers; the broadcast ellipsis is as long as the longest
  const ellipsisDims = inputs.map((labels, i) => {
    const named = labels.filter((l) => l !== ELLIPSIS).length;
    const nd = ops[i]!.ndim;
    if (!labels.includes(ELLIPSIS)) {
      if (named !== nd) {
        throw new ShapeError(
          `einsum: the number of subscripts in the equation (${named}) does not match the number of dimensions (${nd}) for operand ${i} and no ellipsis was given`,
        );
      }
      return 0;
    }
    if (named > nd) {
      throw new ShapeError(`einsum: the number of subscripts in the equation (${named}) is more than the number of dimensions (${nd}) for operand ${i}`);
    }
    return nd - named;
  });
  const ellipsis = Math.max(0, ...ellipsisDims);

  // the output: explicit, or the ellipsis then the labels seen once, in label order
  const counts = new Array<number>(52).fill(0);
  inputs.forEach((labels) => labels.forEach((l) => l !== ELLIPSIS && counts[l]!++));
  let out: number[];
  if (output === null) {
    out = [...(inputs.some((l) => l.includes(ELLIPSIS)) ? [ELLIPSIS] : []), ...counts.flatMap((c, l) => (c === 1 ? [l] : []))];
  } else {
    output.forEach((l, i) => {
      if (l === ELLIPSIS) return;
      if (counts[l] === 0) throw new ShapeError(`einsum: output subscript ${letter(l)} does not appear in the equation for any input operand`);
      if (output.indexOf(l) !== i) throw new ShapeError(`einsum: output subscript ${letter(l)} appears more than once in the output`);
    });
    out = output;
  }

  // one shared dim order: the output's dims, then the summed labels, then a summed ellipsis
  const ellipsisKeys = Array.from({ length: ellipsis }, (_, i) => 100 + i);
  const keysOf = (labels: number[]) => labels.flatMap((l) => (l === ELLIPSIS ? ellipsisKeys : [l]));
  const outputKeys = keysOf(out);
  const summedKeys = counts.flatMap((c, l) => (c > 0 && !out.includes(l) ? [l] : []));
  const allKeys = [...outputKeys, ...summedKeys, ...(out.includes(ELLIPSIS) ? [] : ellipsisKeys)];
  const position = new Map(allKeys.map((k, i) => [k, i]));

  const sizes = new Array<number>(allKeys.length).fill(1);
  const lastUse = new Array<number>(allKeys.length).fill(-1);
  const aligned = ops.map((t, i) => {
    // this operand's keys, its ellipsis aligned to the right of the shared one
    const keys = inputs[i]!.flatMap((l) => (l === ELLIPSIS ? ellipsisKeys.slice(ellipsis - ellipsisDims[i]!) : [l]));
    // repeated keys: take the diagonal, two dims at a time (the merged dim goes last)
    let x = t;
    let current = keys.slice();
    const dimsOf = (key: number) => current.flatMap((k, d) => (k === key ? [d] : []));
    for (const key of new Set(keys)) {
      let dims = dimsOf(key);
      const n = x.shape[dims[0]!]!;
      for (const d of dims) {
        if (x.shape[d] !== n) {
          throw new ShapeError(`einsum: subscript ${letter(key)} is repeated for operand ${i} but the sizes don't match, ${x.shape[d]} != ${n}`);
        }
      }
      while (dims.length > 1) {
        const [a, b] = dims as [number, number];
        x = diagonal(x, 0, a, b);
        current = [...current.filter((_, d) => d !== a && d !== b), key];
        dims = dimsOf(key);
      }
    }
    current.forEach((key, d) => {
      const p = position.get(key)!;
      const s = x.shape[d]!;
      if (s !== 1 && sizes[p] !== 1 && sizes[p] !== s) {
        const what = key >= 100 ? `dimension ${key - 100} covered by the ellipsis` : `subscript ${letter(key)}`;
        throw new ShapeError(`einsum: ${what} has size ${s} for operand ${i}, which does not broadcast with the size ${sizes[p]} seen before`);
      }
      if (s !== 1) sizes[p] = s;
      lastUse[p] = i;
    });
    // permute into the shared order and add size-1 dims for the keys this operand lacks
    const order = current.map((k, d) => [position.get(k)!, d] as const).sort((a, b) => a[0] - b[0]);
    const permuted = permute(x, order.map(([, d]) => d));
    const shape = new Array<number>(allKeys.length).fill(1);
    order.forEach(([p, d]) => (shape[p] = x.shape[d]!));
    return reshape(permuted, shape);
  });

  const isOutput = allKeys.map((_, p) => p < outputKeys.length);
  // dims that no later operand and not the output needs are summed as soon as possible
  let result = aligned[0]!;
  const firstOnly = allKeys.flatMap((_, p) => (!isOutput[p] && lastUse[p]! <= 0 && result.shape[p] !== 1 ? [p] : []));
  if (firstOnly.length > 0) result = sum(result, firstOnly, { keepdim: true });
  for (let i = 1; i < aligned.length; i++) {
    result = sumProductPair(result, aligned[i]!, allKeys.map((_, p) => !isOutput[p] && lastUse[p] === i));
  }
  // every dim past the output's has been summed to size 1
  return reshape(result, result.shape.slice(0, outputKeys.length));
}
