/** `optim.lrScheduler`: learning-rate schedules (pure functions) and PyTorch's scheduler classes. */
export { LRScheduler, type SchedulerStateDict } from "./lr-scheduler.js";
export {
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  LinearLR,
  ConstantLR,
  PolynomialLR,
  LambdaLR,
  MultiplicativeLR,
} from "./schedulers.js";
export { CyclicLR, OneCycleLR, type CyclicLROptions, type OneCycleLROptions } from "./cyclic.js";
export { SequentialLR, ChainedScheduler } from "./composite.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./reduce-on-plateau.js";
export * as schedules from "./schedules.js";
