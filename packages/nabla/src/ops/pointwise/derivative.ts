/**
 * Symbolic differentiation of pointwise expressions: ∂e/∂inᵢ by the chain rule over the DAG, each
 * node's partials taken from its primitive (primitives.ts). The result is an expression again,
 * so it runs as a kernel and can itself be differentiated: a declared op's derivative, written
 * once, gives every higher derivative too.
 */
import { add, constant, mul, select, topological, type Expr } from "./expr.js";
import { PRIMITIVES, type Primitive } from "./primitives.js";

/** ∂e/∂inᵢ. Conditions (comparisons) contribute nothing; a select takes the branch's derivative. */
export function derivative(e: Expr, i: number): Expr {
  const d = new Map<Expr, Expr>();
  const zero = constant(0);
  for (const n of topological(e)) {
    if (n.type === "bool") continue;
    let dn: Expr;
    if (n.op === "input") dn = n.value === i ? constant(1) : zero;
    else if (n.op === "param" || n.op === "const") dn = zero;
    else if (n.op === "select") dn = select(n.args[0]!, d.get(n.args[1]!)!, d.get(n.args[2]!)!);
    else {
      const prim: Primitive = PRIMITIVES[n.op];
      const partials = prim.derivative?.(n.args, n) ?? n.args.map(() => 0);
      dn = zero;
      n.args.forEach((a, j) => {
        const da = d.get(a);
        if (da === undefined || da === zero) return;
        dn = add(dn, mul(partials[j]!, da));
      });
    }
    d.set(n, dn);
  }
  return d.get(e) ?? zero;
}
