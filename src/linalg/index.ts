/**
 * torch.linalg: the decompositions and solves, as `linalg.cholesky`, `linalg.solveTriangular`
 * (norms may join them: one export block per family).
 */
// factorizations and triangular solves
export { cholesky, type CholeskyOptions } from "../ops/cholesky.js";
export { solveTriangular, type SolveTriangularOptions } from "../ops/triangular-solve.js";
export { LinAlgError } from "../errors.js";
