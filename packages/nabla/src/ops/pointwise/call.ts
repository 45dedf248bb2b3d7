/**
 * Running pointwise expressions on tensors: broadcasting, the result's dtype, the backend's
 * pointwise kernel, and the autograd record. A declared op's backward is again a pointwise
 * expression (g·∂f/∂x) run by the same machinery and recorded the same way with symbolic
 * derivatives, so training and second derivatives take one path and there is no second formula.
 */
import { backend, type StridedView } from "../../backend/backend.js";
import { kernelDevice, webgpuContext } from "../../backend/device.js";
import { recordOp } from "../../autograd/node.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { anomalyMode } from "../../autograd/anomaly.js";
import { DTypeError } from "../../errors.js";
import { isFloating, promoteTypes, promoteWithScalar, type DType } from "../../tensor/dtype.js";
import { broadcastShapes, broadcastStrides, shapesEqual } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { operandsOn } from "../../tensor/transfer.js";
import { contiguousData, emptyTensor, gpuViewWith, resultTensor, resultTensorLike } from "../helpers.js";
import { sumToShape } from "../reduce.js";
import type { PointwiseDeclaration } from "./declare.js";
import { input, type Expr } from "./expr.js";
import { backwardPlan, kernelOf, planVariant, type BackwardPlan, type Kernel, type Variant } from "./plan.js";

export type Operand = Tensor | number;

interface SavingVariant extends Variant {
  /** Whether a backward reads the op's inputs (by tensor position) or its output. */
  readonly savesInput: readonly boolean[];
  readonly savesOutput: boolean;
}

/** Each declaration's variants, indexed by the mask of its number operands (filled on first use). */
const variants = new Map<PointwiseDeclaration, (SavingVariant | undefined)[]>();

function variantOf(decl: PointwiseDeclaration, scalarMask: number): SavingVariant {
  let byMask = variants.get(decl);
  if (byMask === undefined) variants.set(decl, (byMask = []));
  let v = byMask[scalarMask];
  if (v !== undefined) return v;
  const scalar = Array.from({ length: decl.arity }, (_, i) => (scalarMask & (1 << i)) !== 0);
  const planned = planVariant(decl, scalar);
  const tensors = scalar.filter((s) => !s).length;
  const reads = (test: (s: BackwardPlan["reads"][number]) => boolean) => planned.backward.some((p) => p?.reads.some(test) ?? false);
  v = {
    ...planned,
    savesInput: Array.from({ length: tensors }, (_, k) => reads((s) => s.kind === "input" && s.index === k)),
    savesOutput: reads((s) => s.kind === "output"),
  };
  byMask[scalarMask] = v;
  return v;
}

const FLOAT32: readonly [DType, DType] = ["float32", "float32"];
const FLOAT32_TO_BOOL: readonly [DType, DType] = ["float32", "bool"];

/**
 * The dtype a declared op computes in and the dtype of its result, checking what the op accepts.
 * They differ for conditions (computed in the operands' type, stored as bool) and for float ops
 * on integers (computed and stored as float32).
 */
export function dtypesOf(decl: PointwiseDeclaration, operands: readonly Operand[]): readonly [compute: DType, result: DType] {
  const first = operands[0];
  if (first instanceof Tensor && first.dtype === "float32") {
    // float32 tensors alone (the common case): nothing to promote, every declaration accepts them
    let same = true;
    for (let i = 1; i < operands.length; i++) {
      const o = operands[i];
      if (!(o instanceof Tensor) || o.dtype !== "float32") same = false;
    }
    if (same) return decl.boolResult ? FLOAT32_TO_BOOL : FLOAT32;
  }
  let common: DType | null = null;
  for (const o of operands) if (o instanceof Tensor) common = common === null ? o.dtype : promoteTypes(common, o.dtype);
  if (common === null) throw new TypeError(`${decl.name}: expected at least one Tensor operand, got ${operands.map((o) => typeof o).join(" and ")}`);
  for (const o of operands) if (typeof o === "number") common = promoteWithScalar(common, o);
  if (decl.dtypes === "numeric" && common === "bool") {
    throw new DTypeError(`${decl.name}: expected a numeric tensor, got bool`);
  }
  const compute = decl.dtypes === "float" && !isFloating(common) ? "float32" : common;
  return [compute, decl.boolResult ? "bool" : compute];
}

/** Numbers as the op's dtype holds them: PyTorch casts a scalar to float32 before a float32 op. */
function roundedTo(dtype: DType, values: readonly number[]): readonly number[] {
  return dtype === "float32" && values.length > 0 ? values.map(Math.fround) : values;
}

const NO_NUMBERS: readonly number[] = [];

/**
 * Runs a declared op: `operands` are its inputs (tensors or numbers), `params` its scalar options.
 * `operands` is a fresh array (every caller writes a literal): with no number among them it is
 * kept as the op's list of tensor inputs instead of a copy.
 */
export function callPointwise(decl: PointwiseDeclaration, operands: readonly Operand[], params: readonly number[] = NO_NUMBERS): Tensor {
  let mask = 0;
  for (let i = 0; i < operands.length; i++) {
    const o = operands[i];
    if (typeof o === "number") mask |= 1 << i;
    else if (!(o instanceof Tensor)) throw new TypeError(`${decl.name}: expected a Tensor or a number for operand ${i}, got ${describe(o)}`);
  }
  // the common case, tensors only, allocates no lists of its own (a per-op cost on small tensors)
  const tensors = mask === 0 ? (operands as readonly Tensor[]) : operands.filter((o): o is Tensor => typeof o !== "number");
  const [compute, dtype] = dtypesOf(decl, operands);
  const variant = variantOf(decl, mask);
  const allParams = mask === 0 ? roundedTo(compute, params) : roundedTo(compute, [...params, ...operands.filter((o): o is number => typeof o === "number")]);
  const out = runKernel(decl.name, variant.forward, tensors, allParams, dtype);
  if (decl.boolResult || !isFloating(dtype)) return out;
  // no graph to record (grad mode off, or no input requires grad): recordOp would attach nothing
  if (!anomalyMode && (!isGradEnabled() || !anyRequiresGrad(tensors))) return out;
  const saved: Tensor[] = [];
  for (let k = 0; k < tensors.length; k++) if (variant.savesInput[k]) saved.push(tensors[k]!);
  if (variant.savesOutput) saved.push(out);
  return recordOp(variant.node, out, tensors, (g) => gradients(variant.backward, tensors, out, g, allParams), saved);
}

/**
 * Runs a declared op with its result written straight into `dst` (an in-place op's `x.add_(y)`),
 * instead of into a new tensor then copied over: half the memory traffic of a gradient
 * accumulated into an existing `.grad`. Only where that is the same computation: `dst` on the
 * CPU, contiguous, of the result's dtype and shape, and every operand on its storage the very
 * same view (so each element is read before it is written). Returns false, having written
 * nothing, where the caller's general path must run (it also throws the errors).
 */
export function pointwiseInto(decl: PointwiseDeclaration, dst: Tensor, operands: readonly Operand[], params: readonly number[] = NO_NUMBERS): boolean {
  if (dst.storage.device !== "cpu" || !dst.isContiguous()) return false;
  let mask = 0;
  for (let i = 0; i < operands.length; i++) {
    const o = operands[i];
    if (typeof o === "number") {
      mask |= 1 << i;
      continue;
    }
    if (!(o instanceof Tensor) || o.storage.device !== "cpu" || !(o.shape === dst.shape || shapesEqual(o.shape, dst.shape) || broadcastsTo(o.shape, dst.shape))) return false;
    if (o.storage === dst.storage && (o.offset !== dst.offset || !shapesEqual(o.shape, dst.shape) || !shapesEqual(o.strides, dst.strides))) return false;
  }
  const [compute, dtype] = dtypesOf(decl, operands);
  if (compute !== dst.dtype || dtype !== dst.dtype) return false;
  const tensors = mask === 0 ? (operands as readonly Tensor[]) : operands.filter((o): o is Tensor => typeof o !== "number");
  const allParams = roundedTo(compute, mask === 0 ? params : [...params, ...operands.filter((o): o is number => typeof o === "number")]);
  const shape = dst.shape;
  const views: StridedView[] = tensors.map((t) => ({ data: t.storage.data, shape, strides: stridesIn(t, shape), offset: t.offset }));
  backend().pointwise(variantOf(decl, mask).forward, views, contiguousData(dst), allParams);
  return true;
}

/** Whether `shape` broadcasts to `target` without changing it (the in-place ops' rule). */
function broadcastsTo(shape: readonly number[], target: readonly number[]): boolean {
  if (shape.length > target.length) return false;
  for (let i = 1; i <= shape.length; i++) {
    const s = shape[shape.length - i]!;
    if (s !== 1 && s !== target[target.length - i]) return false;
  }
  return true;
}

function anyRequiresGrad(tensors: readonly Tensor[]): boolean {
  for (let i = 0; i < tensors.length; i++) if (tensors[i]!.requiresGrad) return true;
  return false;
}

function describe(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v;
}

/** Each tensor operand's gradient from its backward plan: g·∂f/∂x, summed back over broadcast dims. */
function gradients(plans: readonly (BackwardPlan | null)[], inputs: readonly Tensor[], out: Tensor, g: Tensor, params: readonly number[]): (Tensor | null)[] {
  return inputs.map((x, k) => {
    if (!x.requiresGrad) return null;
    const plan = plans[k];
    if (plan === null || plan === undefined) return emptyTensor(x.shape, isFloating(x.dtype) ? x.dtype : g.dtype, "backward", g.storage.device);
    const reads = plan.reads.map((s) => (s.kind === "grad" ? g : s.kind === "output" ? out : inputs[s.index]!));
    return sumToShape(evaluate("pointwise", plan.kernel, reads, params), x.shape);
  });
}

/** Symbolic backward plans of an expression's own inputs, cached per kernel. */
const symbolicPlans = new WeakMap<Kernel, (BackwardPlan | null)[]>();

/**
 * Runs any kernel expression on tensors, recorded with its symbolic derivatives: the backward of a
 * backward, and expressions built at run time. The result's dtype is the inputs' common one.
 */
export function evaluate(name: string, kernel: Kernel, inputs: readonly Tensor[], params: readonly number[]): Tensor {
  // g·1 and the like: the gradient itself, no kernel
  if (kernel.expr === input(0) && inputs.length === 1) return inputs[0]!;
  const dtype = inputs.map((t) => t.dtype).reduce(promoteTypes);
  const out = runKernel(name, kernel, inputs, params, dtype);
  if (!isFloating(dtype) || kernel.expr.type === "bool") return out;
  return recordOp(`${name}Backward`, out, inputs, (g) => {
    let plans = symbolicPlans.get(kernel);
    if (plans === undefined) {
      plans = inputs.map((_, k) => backwardPlan(kernel.expr, kernel.arity, k, undefined));
      symbolicPlans.set(kernel, plans);
    }
    return gradients(plans, inputs, out, g, params);
  }, [...inputs, out]);
}

/** Broadcasts the operands, allocates the result and runs the pointwise kernel of their device. */
function runKernel(op: string, kernel: Kernel, inputs: readonly Tensor[], params: readonly number[], dtype: DType): Tensor {
  let shape: readonly number[] = inputs[0]!.shape;
  for (let i = 1; i < inputs.length; i++) {
    const other = inputs[i]!.shape;
    if (other !== shape && !shapesEqual(other, shape)) shape = broadcastShapes(op, shape, other);
  }
  const device = kernelDevice(op, inputs);
  // operands on another device (a CPU scalar, a float64 CPU tensor's partner) are copied over
  inputs = operandsOn(inputs, device);
  if (device !== "cpu") return runGpuKernel(op, kernel, inputs, params, dtype, shape);
  // no broadcast: `shape` is still the first input's own array, whose strides the result may share
  const out = shape === inputs[0]!.shape ? resultTensorLike(inputs[0]!, dtype, op) : resultTensor(shape, dtype, op);
  const views: StridedView[] = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]!;
    views[i] = { data: t.storage.data, shape, strides: stridesIn(t, shape), offset: t.offset };
  }
  backend().pointwise(kernel, views, out.storage.data, params);
  return out;
}

/** t's strides read at the broadcast `shape` (its own where the shapes agree). */
function stridesIn(t: Tensor, shape: readonly number[]): readonly number[] {
  return t.shape === shape || shapesEqual(t.shape, shape) ? t.strides : broadcastStrides(t.shape, t.strides, shape);
}

/** runKernel on the webgpu device: its kernel computes in the dtypes the buffers carry (float32, int32, bool as u32). */
function runGpuKernel(op: string, kernel: Kernel, inputs: readonly Tensor[], params: readonly number[], dtype: DType, shape: readonly number[]): Tensor {
  const out = resultTensor(shape, dtype, op, "webgpu");
  // a backward kernel gets its forward's params and may use only the first of them (the CPU
  // kernels ignore the rest; the GPU's binds exactly kernel.params, the highest it reads + 1)
  webgpuContext(op).pointwise(kernel, inputs.map((t) => gpuViewWith(t, shape, stridesIn(t, shape))), out.storage.gpu, params.slice(0, kernel.params));
  return out;
}

/** The kernel of an expression built at run time (for ops composed on the fly). */
export function kernelFor(expr: Expr): Kernel {
  return kernelOf(expr);
}
