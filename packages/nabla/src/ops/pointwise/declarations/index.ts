/**
 * Every declared pointwise op, by name: the one table the ops (src/ops/pointwise/call.ts), the wasm
 * build (assembly/build.mjs) and the tests read. Adding an op is one entry in one of these files.
 */
import type { PointwiseDeclaration } from "../declare.js";
import * as activations from "./activations.js";
import * as arithmetic from "./arithmetic.js";
import * as losses from "./losses.js";
import * as math from "./math.js";

export const DECLARATIONS: Readonly<Record<string, PointwiseDeclaration>> = { ...arithmetic, ...math, ...activations, ...losses };

export { activations, arithmetic, losses, math };
