// The wasm module's exports: float32 and float64 kernels over a memory that JS owns and allocates from.
export { pointwiseF32, pointwiseF64 } from "./pointwise";
export { sumRows, maxRows, argRows, softmax } from "./reduce";
export { matmul, matmulShared, workBytes } from "./matmul";
export { copyF32, copyND, gather, scatterAdd, zeroBytes } from "./memory";
export { adamStep, sgdStep } from "./optim";
export { runJob } from "./jobs";
export { fold2d, maxPool2d } from "./pool";
export { addChannelBias, im2col, col2im } from "./conv";
