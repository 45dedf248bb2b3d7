/** `autograd`: PyTorch's torch.autograd namespace — gradients without `.grad`, checks, anomaly mode. */
export { grad, type GradOptions } from "./backward.js";
export { gradcheck, type GradcheckOptions } from "./gradcheck.js";
export { detectAnomaly, setDetectAnomaly } from "./anomaly.js";
export { Function, FunctionCtx } from "./function.js";
