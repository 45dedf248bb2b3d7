import { NUMBER, STRING, orNull, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import { enableGrad, noGrad } from "../autograd/grad-mode.js";
import { OptionError } from "../errors.js";
import { fromTypedArray } from "../ops/helpers.js";
import { readValuesSync } from "../tensor/transfer.js";
import type { TypedArray } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { flat, flatForUpdate, Optimizer, type Closure, type ParamGroupSpec } from "./optimizer.js";
import { anyNumber, count, finite, listOf, optional, required, vector, type StateSpec } from "./state-fields.js";
import { checkLr, checkPositiveInt } from "./validate.js";

export interface LBFGSOptions {
  lr: number;
  /** Iterations per `step(closure)`. */
  maxIter: number;
  /** Closure evaluations per step; null means maxIter·5/4. */
  maxEval: number | null;
  /** Stop when every |gradient| is at most this. */
  toleranceGrad: number;
  /** Stop when the loss or the step changes by less than this. */
  toleranceChange: number;
  /** How many (s, y) pairs the inverse-Hessian estimate remembers. */
  historySize: number;
  /** null: fixed steps of lr; "strong_wolfe": a line search satisfying the strong Wolfe conditions. */
  lineSearchFn: "strong_wolfe" | null;
}

type Vector = Float64Array;

/**
 * Kept on the first parameter only (the others keep nothing): the counters, and flat float64
 * vectors over all the parameters (the direction d, the last gradient, up to historySize (s, y)
 * pairs with their ρ = 1/(yᵀs)).
 */
export type LBFGSState = {
  func_evals?: number;
  n_iter?: number;
  d?: Tensor | null;
  t?: number;
  old_dirs?: Tensor[];
  old_stps?: Tensor[];
  ro?: number[];
  H_diag?: number;
  prev_flat_grad?: Tensor | null;
  prev_loss?: number;
};

/**
 * L-BFGS (Liu & Nocedal 1989): a quasi-Newton method. From the last m steps sₖ = θₖ₊₁ − θₖ and
 * gradient changes yₖ = gₖ₊₁ − gₖ it builds d ≈ −H⁻¹g by the two-loop recursion:
 *
 *   q ← −g;  for k = newest…oldest:  aₖ = ρₖ sₖ·q,  q ← q − aₖyₖ       (ρₖ = 1/(yₖ·sₖ))
 *   r ← q·(y·s)/(y·y) (newest pair);  for k = oldest…newest:  b = ρₖ yₖ·r,  r ← r + sₖ(aₖ − b)
 *   θ ← θ + t·r         t = lr (first iteration: min(1, 1/‖g‖₁)·lr), or from the strong-Wolfe search
 *
 * as torch/optim/lbfgs.py computes it, up to `maxIter` iterations per `step(closure)`. The closure
 * must clear the gradients, compute the loss, call backward() and return the loss. One parameter
 * group only. Vectors are kept in float64, whatever the parameters' dtype.
 */
export class LBFGS extends Optimizer<LBFGSOptions, LBFGSState> {
  /** After params: PyTorch's positional `(lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<LBFGSOptions>>, ...args: WithOptions<[lr: number, maxIter: number, maxEval: number | null, toleranceGrad: number, toleranceChange: number, historySize: number, lineSearchFn: "strong_wolfe" | null], Partial<LBFGSOptions>>) {
    const options = optimizerArgs<LBFGSOptions>("LBFGS", params, args, [["lr", NUMBER], ["maxIter", NUMBER], ["maxEval", orNull(NUMBER)], ["toleranceGrad", NUMBER], ["toleranceChange", NUMBER], ["historySize", NUMBER], ["lineSearchFn", orNull(STRING)]]);
    super(
      "LBFGS",
      params,
      { lr: 1, maxIter: 20, maxEval: null, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null },
      options,
    );
    if (this.paramGroups.length !== 1) throw new OptionError("LBFGS: doesn't support per-parameter options (parameter groups)");
  }

  protected validate({ lr, maxIter, maxEval, historySize, lineSearchFn }: LBFGSOptions): void {
    checkLr("LBFGS", lr);
    checkPositiveInt("LBFGS", "maxIter", maxIter);
    if (maxEval !== null) checkPositiveInt("LBFGS", "maxEval", maxEval);
    checkPositiveInt("LBFGS", "historySize", historySize);
    if (lineSearchFn !== null && lineSearchFn !== "strong_wolfe") {
      throw new OptionError(`LBFGS: invalid lineSearchFn: ${JSON.stringify(lineSearchFn)} (only "strong_wolfe" or null)`);
    }
  }

  /**
   * All state sits on the first parameter: counters, and flat float64 vectors over all the
   * parameters (the direction d, the last gradient, up to historySize (s, y) pairs).
   */
  protected stateSpec({ historySize }: LBFGSOptions, p: Tensor): StateSpec {
    if (p !== this.params[0]) return {};
    const n = this.params.reduce((total, q) => total + q.numel(), 0);
    return {
      func_evals: required(count),
      n_iter: required(count),
      d: optional(vector(n, true)),
      t: optional(finite),
      old_dirs: optional(listOf(vector(n), historySize)),
      old_stps: optional(listOf(vector(n), historySize)),
      ro: optional(listOf(finite, historySize)),
      H_diag: optional(finite),
      prev_flat_grad: optional(vector(n, true)),
      prev_loss: optional(anyNumber),
    };
  }

  protected override checkStateEntries(state: Record<string, unknown>): string | null {
    const lengths = ["old_dirs", "old_stps", "ro"].map((k) => (Array.isArray(state[k]) ? (state[k] as unknown[]).length : 0));
    return lengths.every((l) => l === lengths[0]) ? null : `old_dirs, old_stps and ro must be as long as each other, got ${lengths.join(", ")}`;
  }

  override addParamGroup(spec: ParamGroupSpec<LBFGSOptions>): void {
    if (this.paramGroups.length > 0) throw new OptionError("LBFGS: doesn't support per-parameter options (parameter groups)");
    super.addParamGroup(spec);
  }

  protected initState(): LBFGSState {
    return {};
  }

  protected updateParameter(): void {
    throw new OptionError("LBFGS: step() needs a closure that re-evaluates the loss");
  }

  private get params(): Tensor[] {
    return this.paramGroups[0]!.params;
  }

  private gatherFlatGrad(): Vector {
    const out = new Float64Array(this.params.reduce((n, p) => n + p.numel(), 0));
    let at = 0;
    for (const p of this.params) {
      if (p.grad !== null) out.set(hostValues(p.grad), at);
      at += p.numel();
    }
    return out;
  }

  /**
   * The host copies of the webgpu parameters during one step(): each is read back once, then kept
   * equal to what this optimizer writes (the same float32 values a read would give), so that an
   * iteration reads only the loss and the gradients, not the parameters again. Cleared when the
   * step ends: the parameters may change between steps.
   */
  private hostCopies: (TypedArray | null)[] = [];

  /** Parameter i's values to update: the CPU storage itself, or the step's host copy of a webgpu parameter. */
  private valuesOf(i: number): TypedArray {
    const p = this.params[i]!;
    if (p.storage.device === "cpu") return flatForUpdate(p);
    return (this.hostCopies[i] ??= hostValues(p).slice());
  }

  /** θ ← θ + t·d, rounding to each parameter's dtype. */
  private addGrad(t: number, d: Vector): void {
    let at = 0;
    this.params.forEach((p, k) => {
      const theta = this.valuesOf(k);
      for (let i = 0; i < theta.length; i++) theta[i] = theta[i]! + t * d[at + i]!;
      if (p.storage.device !== "cpu") writeParam(p, theta);
      at += theta.length;
    });
  }

  private cloneParams(): TypedArray[] {
    return this.params.map((p, i) => (p.storage.device === "cpu" ? hostValues(p) : this.valuesOf(i)).slice());
  }

  private setParams(values: TypedArray[]): void {
    this.params.forEach((p, i) => {
      this.valuesOf(i).set(values[i]!);
      if (p.storage.device !== "cpu") writeParam(p, values[i]!);
    });
  }

  private evaluate(closure: Closure): number {
    const value = enableGrad(closure);
    return value instanceof Tensor ? value.item() : value;
  }

  /** Loss and gradient at θ + t·d, leaving θ as it was. */
  private directionalEvaluate(closure: Closure, x: TypedArray[], t: number, d: Vector): [number, Vector] {
    this.addGrad(t, d);
    const loss = this.evaluate(closure);
    const g = this.gatherFlatGrad();
    this.setParams(x);
    return [loss, g];
  }

  override step(closure?: Closure): number {
    if (closure === undefined) throw new OptionError("LBFGS: step() needs a closure that re-evaluates the loss");
    try {
      return noGrad(() => this.run(closure));
    } finally {
      this.hostCopies = [];
    }
  }

  private run(closure: Closure): number {
    const { lr, maxIter, toleranceGrad, toleranceChange, historySize, lineSearchFn } = this.paramGroups[0]!;
    const maxEval = this.paramGroups[0]!.maxEval ?? Math.floor((maxIter * 5) / 4);
    const first = this.params[0]!;
    let state = this.state.get(first);
    if (state === undefined) this.state.set(first, (state = this.initState()));
    state.func_evals ??= 0;
    state.n_iter ??= 0;

    const origLoss = this.evaluate(closure);
    let loss = origLoss;
    let currentEvals = 1;
    state.func_evals += 1;
    let flatGrad = this.gatherFlatGrad();
    if (maxAbs(flatGrad) <= toleranceGrad) return origLoss;

    let d = vectorOf(state.d);
    let t = state.t ?? 0;
    let oldDirs = (state.old_dirs ?? []).map(toVector);
    let oldStps = (state.old_stps ?? []).map(toVector);
    let ro = (state.ro ?? []).slice();
    let hDiag = state.H_diag ?? 1;
    let prevFlatGrad = vectorOf(state.prev_flat_grad);
    let prevLoss = state.prev_loss ?? 0;
    const al = new Array<number>(historySize).fill(0);

    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      state.n_iter += 1;
      if (state.n_iter === 1) {
        d = flatGrad.map((g) => -g);
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = 1;
      } else {
        const y = flatGrad.map((g, i) => g - prevFlatGrad![i]!);
        const s = d!.map((v) => v * t);
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (oldDirs.length === historySize) {
            oldDirs.shift();
            oldStps.shift();
            ro.shift();
          }
          oldDirs.push(y);
          oldStps.push(s);
          ro.push(1 / ys);
          hDiag = ys / dot(y, y);
        }
        // The two-loop recursion: d = −H·g.
        const q = flatGrad.map((g) => -g);
        for (let i = oldDirs.length - 1; i >= 0; i--) {
          al[i] = dot(oldStps[i]!, q) * ro[i]!;
          axpy(q, -al[i]!, oldDirs[i]!);
        }
        const r = q.map((v) => v * hDiag);
        for (let i = 0; i < oldDirs.length; i++) {
          const beI = dot(oldDirs[i]!, r) * ro[i]!;
          axpy(r, al[i]! - beI, oldStps[i]!);
        }
        d = r;
      }
      prevFlatGrad = flatGrad.slice();
      prevLoss = loss;
      t = state.n_iter === 1 ? Math.min(1, 1 / sumAbs(flatGrad)) * lr : lr;
      const gtd = dot(flatGrad, d!);
      if (gtd > -toleranceChange) break;

      let lsFuncEvals = 0;
      let optCond = false;
      if (lineSearchFn === "strong_wolfe") {
        const xInit = this.cloneParams();
        const result = strongWolfe((x, step, dir) => this.directionalEvaluate(closure, x, step, dir), xInit, t, d!, loss, flatGrad, gtd, toleranceChange);
        [loss, flatGrad, t, lsFuncEvals] = result;
        this.addGrad(t, d!);
        optCond = maxAbs(flatGrad) <= toleranceGrad;
      } else {
        this.addGrad(t, d!);
        if (nIter !== maxIter) {
          loss = this.evaluate(closure);
          flatGrad = this.gatherFlatGrad();
          optCond = maxAbs(flatGrad) <= toleranceGrad;
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.func_evals += lsFuncEvals;
      if (nIter === maxIter || currentEvals >= maxEval || optCond) break;
      if (maxAbs(d!) * Math.abs(t) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    state.d = d === null ? null : toTensor(d);
    state.t = t;
    state.old_dirs = oldDirs.map(toTensor);
    state.old_stps = oldStps.map(toTensor);
    state.ro = ro;
    state.H_diag = hDiag;
    state.prev_flat_grad = prevFlatGrad === null ? null : toTensor(prevFlatGrad);
    state.prev_loss = prevLoss;
    return origLoss;
  }
}

function toTensor(v: Vector): Tensor {
  return fromTypedArray(v, [v.length], "float64");
}

function toVector(v: Tensor): Vector {
  return Float64Array.from(v.toTypedArray() as ArrayLike<number>);
}

function vectorOf(v: Tensor | null | undefined): Vector | null {
  return v instanceof Tensor ? toVector(v) : null;
}

function dot(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(y: Vector, a: number, x: Vector): void {
  for (let i = 0; i < y.length; i++) y[i] = y[i]! + a * x[i]!;
}

function maxAbs(v: Vector): number {
  let m = 0;
  for (const x of v) m = Math.max(m, Math.abs(x));
  return m;
}

function sumAbs(v: Vector): number {
  let s = 0;
  for (const x of v) s += Math.abs(x);
  return s;
}

/** The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to the bounds. */
function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

type ObjFunc = (x: TypedArray[], t: number, d: Vector) => [number, Vector];

/** A line search for t satisfying the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5–3.6), as torch's `_strong_wolfe`. */
function strongWolfe(
  obj: ObjFunc,
  x: TypedArray[],
  t: number,
  d: Vector,
  f: number,
  g: Vector,
  gtd: number,
  toleranceChange: number,
  c1 = 1e-4,
  c2 = 0.9,
  maxLs = 25,
): [number, Vector, number, number] {
  const dNorm = maxAbs(d);
  let [fNew, gNew] = obj(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew = dot(gNew, d);
  let tPrev = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: Vector[] = [];
  let bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [t];
      bracketF = [fNew];
      bracketG = [gNew];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew;
    gtdPrev = gtdNew;
    [fNew, gNew] = obj(x, t, d);
    lsFuncEvals++;
    gtdNew = dot(gNew, d);
    lsIter++;
  }
  if (lsIter === maxLs) {
    bracket = [0, t];
    bracketF = [f, fNew];
    bracketG = [g, gNew];
  }

  // Zoom: shrink the bracket until a point satisfies the strong Wolfe conditions.
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
    const hi = Math.max(...bracket);
    const lo = Math.min(...bracket);
    const eps = 0.1 * (hi - lo);
    if (Math.min(hi - t, t - lo) < eps) {
      if (insufProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    [fNew, gNew] = obj(x, t, d);
    lsFuncEvals++;
    gtdNew = dot(gNew, d);
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]!) {
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew;
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (bracket[highPos]! - bracket[lowPos]!) >= 0) {
        bracket[highPos] = bracket[lowPos]!;
        bracketF[highPos] = bracketF[lowPos]!;
        bracketG[highPos] = bracketG[lowPos]!;
        bracketGtd[highPos] = bracketGtd[lowPos]!;
      }
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew;
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos]!, bracketG[lowPos]!, bracket[lowPos]!, lsFuncEvals];
}

/**
 * LBFGS is a host algorithm (its history and directions in float64, as PyTorch's in the
 * parameters' dtype): for parameters on the webgpu device the gradients are read back
 * (synchronously, counted) at each evaluation, the parameters once per step (`hostCopies`), and
 * the updated parameters written back (counted uploads), so its arithmetic, and its results, are
 * the CPU's.
 */
function hostValues(t: Tensor): TypedArray {
  if (t.storage.device === "cpu") return flat(t.isContiguous() ? t : t.contiguous());
  return readValuesSync(t, "LBFGS", "the model on the CPU for LBFGS (it reads the parameters and gradients at each evaluation)");
}

/** Writes host values into a parameter on the webgpu device (one counted upload). */
function writeParam(p: Tensor, values: TypedArray): void {
  p.copy_(fromTypedArray(values, p.shape, p.dtype));
}
