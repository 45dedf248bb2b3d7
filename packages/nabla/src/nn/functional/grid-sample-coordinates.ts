/**
 * The padding modes of F.gridSample as pointwise ops on the sampling positions, so they run where
 * the grid lives (one fused kernel on the webgpu device, no read of the grid) and carry PyTorch's
 * gradient rules (ATen's GridSampler.h, the `_set_grad` forms) instead of the symbolic ones:
 *
 *   clip     u ↦ min(max(u, 0), limit), d/du = 1 strictly inside (0, limit), else 0
 *            ("borders are out of bounds": clamp's own rule would pass the gradient at the bounds)
 *   reflect  u ↦ u folded into [−shift, span − shift] (span = twiceSpan/2) as often as needed,
 *            d/du = ±1, the sign of the number of folds (abs's rule would give 0 at the fold point)
 *
 * and the taps (the integer positions a point reads) as fused kernels over [N, points], so that
 * building a corner's flat index costs a few kernels, not a dozen.
 *
 * The padding modes evaluate in float64 on the CPU (rounded once into float32, as the host loops did before)
 * and in float32 on the device.
 */
import { binary, ternary, unary } from "../../ops/pointwise/declare.js";
import { add, and, apply, eq, ge, gt, le, lt, or, select, sub, toNum, type Expr } from "../../ops/pointwise/expr.js";

/** Clamps to [0, limit]; NaN stays NaN (as the host's Math.min(Math.max(u, 0), limit) did). */
export const clipCoordinates = unary({
  name: "gridSample",
  node: "ClampBackward1",
  params: ["limit"],
  forward: (u, [limit]) => select(le(u, 0), 0, select(ge(u, limit!), limit!, u)),
  derivative: (u, _y, [limit]) => toNum(and(gt(u, 0), lt(u, limit!))),
});

/** Pieces of the fold of u: whether the count of folds is odd, and whether u + shift < 0. */
function fold(u: Expr, twiceSpan: Expr, shift: Expr): { value: Expr; odd: Expr; negative: Expr } {
  const shifted = add(u, shift);
  const extra = apply("fmod", apply("abs", shifted), twiceSpan); // exact on every backend (WGSL: nb_fmod)
  const flipped = sub(twiceSpan, extra);
  const odd = gt(extra, flipped);
  return { value: sub(select(odd, flipped, extra), shift), odd, negative: lt(shifted, 0) };
}

/**
 * Reflects positions into [0, size − 1] (alignCorners: twiceSpan 2(size − 1), shift 0) or
 * [−½, size − ½] (twiceSpan 2·size, shift ½); a single pixel with alignCorners (twiceSpan 0)
 * gives position 0 and no gradient (PyTorch's reflect_coordinates).
 */
export const reflectCoordinates = unary({
  name: "gridSample",
  node: "ReflectCoordinatesBackward",
  params: ["twiceSpan", "shift"],
  forward: (u, [twiceSpan, shift]) => select(eq(twiceSpan!, 0), 0, fold(u, twiceSpan!, shift!).value),
  derivative: (u, _y, [twiceSpan, shift]) => {
    const { odd, negative } = fold(u, twiceSpan!, shift!);
    // −1 when exactly one of (odd folds, u + shift < 0) holds
    return select(eq(twiceSpan!, 0), 0, select(odd, select(negative, 1, -1), select(negative, -1, 1)));
  },
});

/**
 * A tap's integer position `u + shift` (u already floored or rounded) along a dim of `size`, or −1
 * when outside [0, size), NaN and ±inf included: small exact integers, cast to int32 next.
 */
export const tapPosition = unary({
  name: "gridSample",
  node: "GridSampleTap",
  params: ["size", "shift"],
  forward: (u, [size, shift]) => {
    const p = add(u, shift!);
    return select(and(ge(p, 0), lt(p, size!)), p, -1);
  },
  derivative: null,
});

/**
 * A corner's flat index from its per-coordinate offsets (int32 position·stride, −1 outside): their
 * sum, or 0 when one is outside (a valid index for the gather; the value is masked).
 */
export const tapIndex2 = binary({
  name: "gridSample",
  node: "GridSampleTap",
  dtypes: "numeric",
  forward: (x, y) => select(or(lt(x, 0), lt(y, 0)), 0, add(x, y)),
  derivatives: null,
});
export const tapIndex3 = ternary({
  name: "gridSample",
  node: "GridSampleTap",
  dtypes: "numeric",
  forward: (x, y, z) => select(or(or(lt(x, 0), lt(y, 0)), lt(z, 0)), 0, add(add(x, y), z)),
  derivatives: null,
});

/** Whether every per-coordinate offset of a corner is inside (none is −1). */
export const tapInside2 = binary({ name: "gridSample", node: "GridSampleTap", dtypes: "numeric", forward: (x, y) => and(ge(x, 0), ge(y, 0)), derivatives: null });
export const tapInside3 = ternary({
  name: "gridSample",
  node: "GridSampleTap",
  dtypes: "numeric",
  forward: (x, y, z) => and(and(ge(x, 0), ge(y, 0)), ge(z, 0)),
  derivatives: null,
});
