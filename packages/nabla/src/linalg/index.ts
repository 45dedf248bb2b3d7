/**
 * `linalg`: PyTorch's torch.linalg namespace. Each function lives with its family in src/ops;
 * this file only gathers them under PyTorch's names, in camelCase.
 */
// norms
export { vectorNorm, matrixNorm, linalgNorm as norm, type VectorNormOptions, type MatrixNormOptions, type NormOptions, type MatrixOrd } from "../ops/norms.js";
// factorizations and triangular solves
export { cholesky, type CholeskyOptions } from "../ops/cholesky.js";
export { solveTriangular, type SolveTriangularOptions } from "../ops/triangular-solve.js";
export { luFactor, LuFactorResult } from "../ops/lu.js";
export { solve, inv, type SolveOptions } from "../ops/solve.js";
export { det, slogdet, SignLogAbsDet } from "../ops/determinant.js";
export { eigh, eigvalsh, Eigh, type EighOptions } from "../ops/eigh.js";
export { svd, svdvals, Svd, type SvdOptions } from "../ops/svd.js";
export { pinv, matrixRank, type RankToleranceOptions } from "../ops/pinv.js";
export { qr, QrResult, type QrMode } from "../ops/qr.js";
export { lstsq, LstsqResult, type LstsqOptions, type LstsqDriver } from "../ops/lstsq.js";
export { LinAlgError } from "../errors.js";
