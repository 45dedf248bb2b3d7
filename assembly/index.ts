// The wasm module's exports: float32 kernels over a memory that JS owns and allocates from.
export { unary, binary, binaryND } from "./elementwise";
export { sumRows, maxRows, argRows, softmax, softmaxBackward } from "./reduce";
export { matmul, matmulShared, workBytes } from "./matmul";
export { copyF32, copyND, gather, scatterAdd, zeroBytes } from "./memory";
export { adamStep, sgdStep } from "./optim";
export { runJob } from "./jobs";
export { fold2d, maxPool2d } from "./pool";
