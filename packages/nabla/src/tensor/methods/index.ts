/**
 * Tensor methods grouped by family, one file each: every file declares its methods on the Tensor
 * interface (TypeScript merges the declaration into the class) and installs them on
 * Tensor.prototype, delegating to the op of the same name in src/ops. The core methods (views,
 * arithmetic, reductions, autograd) stay in tensor.ts. Imported once, by src/index.ts.
 */
import "./shaping.js";
import "./indexing.js";
import "./sorting.js";
import "./linalg.js";
import "./math.js";
import "./random.js";
import "./creation.js";
import "./reductions.js";
import "./arithmetic.js";
import "./rearranging.js";
import "./windows.js";
import "./inplace-views.js";
