/**
 * Declaring a pointwise op: its name, the dtypes it takes, its forward expression and, where the
 * symbolic derivative would be unstable or differ from PyTorch's at a kink, its derivative as an
 * expression (which may use the output `y`, e.g. σ' = y(1 − y)). That is the whole op: kernels in
 * every language, the gradient and every higher gradient come from these expressions.
 */
import { input, param, type Expr, type Operand, lift } from "./expr.js";

/**
 * Which inputs an op takes: "float" (an int or bool input is first cast to float32, as PyTorch's
 * exp or sigmoid do), "numeric" (float or int32, not bool), "any".
 */
export type DTypeRule = "float" | "numeric" | "any";

export interface PointwiseDeclaration {
  /** The function's name, e.g. "silu" (also the name in error messages). */
  readonly name: string;
  /**
   * PyTorch's autograd node name, e.g. "SiluBackward0"; or the name for each pattern of number
   * operands (pow: PowBackward1 for two tensors, PowBackward0 for a number exponent).
   */
  readonly node: string | ((scalar: readonly boolean[]) => string);
  readonly arity: number;
  /** Names of the scalar options, in the order the expressions read them (param(0), param(1), …). */
  readonly params: readonly string[];
  readonly dtypes: DTypeRule;
  /** Whether the result is a condition (stored as bool), e.g. a comparison. */
  readonly boolResult: boolean;
  /** The value, over input(0 … arity − 1) and the params. */
  readonly forward: Expr;
  /**
   * ∂forward/∂inputᵢ for each input, over the inputs, the params and the output y = input(arity);
   * undefined: derived symbolically from `forward`; null: not differentiable in that input.
   */
  readonly derivatives: readonly (Expr | null | undefined)[];
}

interface Common {
  name: string;
  node: PointwiseDeclaration["node"];
  params?: readonly string[];
  dtypes?: DTypeRule;
  boolResult?: boolean;
}

/** The params as expressions, for the declaration's lambdas. */
const paramsOf = (names: readonly string[] | undefined): Expr[] => (names ?? []).map((_, i) => param(i));

/**
 * y = f(x). `derivative(x, y, params)` gives dy/dx; leave it out to have it derived from f.
 */
export function unary(
  spec: Common & {
    forward: (x: Expr, params: Expr[]) => Operand;
    derivative?: ((x: Expr, y: Expr, params: Expr[]) => Operand) | null;
  },
): PointwiseDeclaration {
  const p = paramsOf(spec.params);
  const x = input(0);
  const y = input(1);
  return declaration(spec, 1, lift(spec.forward(x, p)), [
    spec.derivative === null ? null : spec.derivative === undefined ? undefined : lift(spec.derivative(x, y, p)),
  ]);
}

/**
 * out = f(a, b), broadcasting. `derivatives(a, b, out, params)` gives [∂/∂a, ∂/∂b] (null where
 * there is none); leave it out to have both derived from f.
 */
export function binary(
  spec: Common & {
    forward: (a: Expr, b: Expr, params: Expr[]) => Operand;
    derivatives?: ((a: Expr, b: Expr, out: Expr, params: Expr[]) => [Operand | null, Operand | null]) | null;
  },
): PointwiseDeclaration {
  const p = paramsOf(spec.params);
  const [a, b, out] = [input(0), input(1), input(2)];
  const given = spec.derivatives === null ? [null, null] : spec.derivatives?.(a, b, out, p);
  return declaration(spec, 2, lift(spec.forward(a, b, p)), [0, 1].map((i) => {
    const d = given?.[i];
    return d === undefined ? undefined : d === null ? null : lift(d);
  }));
}

/** out = f(a, b, c), broadcasting (where, lerp, addcmul …). */
export function ternary(
  spec: Common & {
    forward: (a: Expr, b: Expr, c: Expr, params: Expr[]) => Operand;
    derivatives?: ((a: Expr, b: Expr, c: Expr, out: Expr, params: Expr[]) => [Operand | null, Operand | null, Operand | null]) | null;
  },
): PointwiseDeclaration {
  const p = paramsOf(spec.params);
  const [a, b, c, out] = [input(0), input(1), input(2), input(3)];
  const given = spec.derivatives === null ? [null, null, null] : spec.derivatives?.(a, b, c, out, p);
  return declaration(spec, 3, lift(spec.forward(a, b, c, p)), [0, 1, 2].map((i) => {
    const d = given?.[i];
    return d === undefined ? undefined : d === null ? null : lift(d);
  }));
}

function declaration(spec: Common, arity: number, forward: Expr, derivatives: (Expr | null | undefined)[]): PointwiseDeclaration {
  return {
    name: spec.name,
    node: spec.node,
    arity,
    params: spec.params ?? [],
    dtypes: spec.dtypes ?? "float",
    boolResult: spec.boolResult ?? forward.type === "bool",
    forward,
    derivatives,
  };
}
