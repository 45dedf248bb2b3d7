// The wasm module's exports: float32 and float64 kernels over a memory that JS owns and allocates from.
export { pointwiseF32, pointwiseF64 } from "./pointwise";
export { sumRows, maxRows, argRows, softmax } from "./reduce";
export { sumRows64, prodRows64, extremeRows64, logsumexpRows64, argRows64, softmax64 } from "./reduce64";
export { matmul, matmulShared, workBytes } from "./matmul";
export { matmul64, workBytes64 } from "./matmul64";
export { copyF32, copyND, copyND64, gather, gather64, scatterAdd, scatterAdd64, zeroBytes } from "./memory";
export { adamStep, adadeltaStep, sgdStep } from "./optim";
export { adamStep64, sgdStep64 } from "./optim64";
export { runJob } from "./jobs";
export { fold2d, fold2d64, maxPool2d, maxPool2d64 } from "./pool";
export { addChannelBias, im2col, col2im } from "./conv";
export { lstmCell, lstmCellBackward, lstmCell64, lstmCellBackward64, gruCell, gruCellBackward, gruCell64, gruCellBackward64 } from "./lstm";
export { directConvBytes, packWeights, packedWeightBytes } from "./conv-direct";
export { weightByColumns, weightGyFloats, weightPlaneFloats, weightUnitCount } from "./conv-direct-weight";
export { weightColumnTileCount } from "./conv-direct-weight-columns";
export { inputWeightFloats, inputWorkBytes, packInputWeights } from "./conv-direct-input";
export { winogradWeights, winogradWeightsBack, winogradInput, winogradInputWork, winogradGradient, winogradGradientWork, winogradOutput, winogradSlotBytes, winogradPlaneFloats, winogradSumPartials } from "./conv-winograd";
export { keepMask } from "./random";
