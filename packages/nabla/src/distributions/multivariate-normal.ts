/**
 * MultivariateNormal(loc, covarianceMatrix | precisionMatrix | scaleTril), as
 * torch.distributions.MultivariateNormal: N(μ, Σ) over vectors of length n (event shape [n]),
 * held by the lower Cholesky factor L of Σ (Σ = L·Lᵀ; from a precision matrix P, the L with
 * L·Lᵀ = P⁻¹ that PyTorch computes by flipping). rsample is μ + L·ε with ε ~ N(0, I) drawn as
 * PyTorch draws it; logProb and entropy use triangular solves with L (Mahalanobis distance,
 * ½ ln|Σ| = Σ ln Lᵢᵢ), all differentiable.
 */
import { OptionError, ShapeError, formatShape } from "../errors.js";
import { eye } from "../ops/creation.js";
import { diagonal } from "../ops/diagonal.js";
import { flip } from "../ops/flip.js";
import { add, log, mul, pow, sub } from "../ops/elementwise.js";
import { matmul } from "../ops/matmul.js";
import { cholesky } from "../ops/cholesky.js";
import { sum } from "../ops/reduce.js";
import { expand, squeeze, transpose, unsqueeze } from "../ops/shape.js";
import { solveTriangular } from "../ops/triangular-solve.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import * as constraints from "./constraints.js";
import { Distribution, describeArg, type DistributionOptions, type SampleShape } from "./distribution.js";
import { standardNormal } from "./utils.js";

export interface MultivariateNormalOptions extends DistributionOptions {
  covarianceMatrix?: Tensor;
  precisionMatrix?: Tensor;
  scaleTril?: Tensor;
}

type MatrixName = "covarianceMatrix" | "precisionMatrix" | "scaleTril";
const PY_NAMES: Record<MatrixName, string> = { covarianceMatrix: "covariance_matrix", precisionMatrix: "precision_matrix", scaleTril: "scale_tril" };

/** The diagonal of the last two dims ([*, n, n] → [*, n]). */
export function batchDiagonal(m: Tensor): Tensor {
  return diagonal(m, 0, -2, -1);
}

/** PyTorch's _precision_to_scale_tril: the lower L with L·Lᵀ = P⁻¹, via the Cholesky factor of P flipped. */
function precisionToScaleTril(P: Tensor): Tensor {
  const Lf = cholesky(flip(P, [-2, -1]));
  const LInv = transpose(flip(Lf, [-2, -1]), -2, -1);
  const n = P.shape[P.ndim - 1]!;
  return solveTriangular(LInv, eye(n, n, { dtype: P.dtype }), { upper: false });
}

/** Σ ((L⁻¹x)²) over the last dim: the squared Mahalanobis distance of x under L·Lᵀ. */
function batchMahalanobis(L: Tensor, x: Tensor): Tensor {
  const y = squeeze(solveTriangular(L, unsqueeze(x, -1), { upper: false }), -1);
  return sum(pow(y, 2), -1);
}

export class MultivariateNormal extends Distribution {
  readonly loc: Tensor;
  /** L, the lower Cholesky factor of Σ, as given or computed (before broadcasting to the batch). */
  readonly unbroadcastedScaleTril: Tensor;
  private readonly given: MatrixName;
  private readonly matrix: Tensor;

  constructor(loc: Tensor, matrix?: Tensor | MultivariateNormalOptions, options: DistributionOptions = {}) {
    if (!(loc instanceof Tensor)) throw new TypeError(`MultivariateNormal: expected loc to be a Tensor, got ${describeArg(loc)}`);
    let args: MultivariateNormalOptions;
    if (matrix instanceof Tensor) args = { covarianceMatrix: matrix, ...options };
    else if (typeof matrix === "object" && matrix !== null && !Array.isArray(matrix)) args = matrix;
    else throw new TypeError(`MultivariateNormal: expected a covariance matrix or { covarianceMatrix | precisionMatrix | scaleTril }, got ${describeArg(matrix)}`);
    const { covarianceMatrix, precisionMatrix, scaleTril, ...rest } = args;
    if (loc.ndim < 1) throw new ShapeError("MultivariateNormal: loc must be at least one-dimensional");
    const given = ([["covarianceMatrix", covarianceMatrix], ["precisionMatrix", precisionMatrix], ["scaleTril", scaleTril]] as const).filter(([, v]) => v !== undefined);
    if (given.length !== 1) throw new OptionError("MultivariateNormal: exactly one of covarianceMatrix or precisionMatrix or scaleTril may be specified");
    const [name, m] = given[0]!;
    if (!(m instanceof Tensor)) throw new TypeError(`MultivariateNormal: expected ${name} to be a Tensor, got ${describeArg(m)}`);
    if (m.ndim < 2) throw new ShapeError(`MultivariateNormal: ${name} must be at least two-dimensional, with optional leading batch dimensions (got ${formatShape(m.shape)})`);
    const n = loc.shape[loc.ndim - 1]!;
    if (m.shape[m.ndim - 1] !== n || m.shape[m.ndim - 2] !== n) {
      throw new ShapeError(`MultivariateNormal: ${name} must be [*, ${n}, ${n}] to match loc's last dim ${n}, got ${formatShape(m.shape)}`);
    }
    const batchShape = broadcastShapes("MultivariateNormal", m.shape.slice(0, -2), loc.shape.slice(0, -1));
    super("MultivariateNormal", batchShape, [n], rest);
    this.given = name;
    this.matrix = expand(m, [...batchShape, n, n]);
    this.loc = expand(loc, [...batchShape, n]);
    this.validateParameters();
    this.unbroadcastedScaleTril = name === "scaleTril" ? m : name === "covarianceMatrix" ? cholesky(m) : precisionToScaleTril(m);
  }

  get argConstraints() {
    return {
      loc: constraints.realVector,
      covarianceMatrix: constraints.positiveDefinite,
      precisionMatrix: constraints.positiveDefinite,
      scaleTril: constraints.lowerCholesky,
    };
  }
  get support() {
    return constraints.realVector;
  }
  override get hasRsample() {
    return true;
  }
  protected params(): Record<string, Tensor> {
    return { loc: this.loc, [this.given]: this.matrix };
  }
  override toString(): string {
    return `MultivariateNormal(loc: ${formatShape(this.loc.shape)}, ${PY_NAMES[this.given]}: ${formatShape(this.matrix.shape)})`;
  }

  private get n(): number {
    return this.eventShape[0]!;
  }
  /** L broadcast to the batch. */
  get scaleTril(): Tensor {
    return expand(this.unbroadcastedScaleTril, [...this.batchShape, this.n, this.n]);
  }
  /** Σ = L·Lᵀ. */
  get covarianceMatrix(): Tensor {
    const L = this.unbroadcastedScaleTril;
    return expand(matmul(L, transpose(L, -2, -1)), [...this.batchShape, this.n, this.n]);
  }
  /** Σ⁻¹ = L⁻ᵀ·L⁻¹. */
  get precisionMatrix(): Tensor {
    const L = this.unbroadcastedScaleTril;
    const LInv = solveTriangular(L, eye(this.n, this.n, { dtype: L.dtype }), { upper: false });
    return expand(matmul(transpose(LInv, -2, -1), LInv), [...this.batchShape, this.n, this.n]);
  }

  override get mean(): Tensor {
    return this.loc;
  }
  override get mode(): Tensor {
    return this.loc;
  }
  /** The diagonal of Σ: Σⱼ Lᵢⱼ². */
  override get variance(): Tensor {
    return expand(sum(pow(this.unbroadcastedScaleTril, 2), -1), [...this.batchShape, this.n]);
  }

  override rsample(sampleShape: SampleShape = []): Tensor {
    const eps = standardNormal(this.extendedShape(sampleShape), this.loc.dtype, this.loc.device);
    return add(this.loc, squeeze(matmul(this.unbroadcastedScaleTril, unsqueeze(eps, -1)), -1));
  }

  private halfLogDet(): Tensor {
    return sum(log(batchDiagonal(this.unbroadcastedScaleTril)), -1);
  }

  /** −½(n ln 2π + (x − μ)ᵀΣ⁻¹(x − μ)) − ½ ln|Σ|. */
  logProb(value: Tensor): Tensor {
    this.validateSample(value);
    const m = batchMahalanobis(this.unbroadcastedScaleTril, sub(value, this.loc));
    return sub(mul(add(m, this.n * Math.log(2 * Math.PI)), -0.5), this.halfLogDet());
  }

  /** ½n(1 + ln 2π) + ½ ln|Σ|, over the batch. */
  override entropy(): Tensor {
    const h = add(this.halfLogDet(), 0.5 * this.n * (1 + Math.log(2 * Math.PI)));
    return this.batchShape.length === 0 ? h : expand(h, this.batchShape);
  }
}
