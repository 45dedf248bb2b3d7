/** `train`: fit, evaluate, callbacks and metrics. */
export { fit, evaluate, predict, type FitOptions, type EvaluateOptions, type LossFn, type BatchSource } from "./fit.js";
export { History, monitorValue, type EpochLog } from "./history.js";
export { type Callback, type FitContext, type BatchEnd, type Scheduler, LambdaCallback } from "./callback.js";
export { ProgressLogger, TerminateOnNaN, LearningRateLogger, formatEpochLog, type LrRecord } from "./callbacks.js";
export { EarlyStopping, Monitor, type EarlyStoppingOptions, type MonitorOptions } from "./early-stopping.js";
export { ModelCheckpoint, checkpointOf, type ModelCheckpointOptions } from "./model-checkpoint.js";
export { accuracy, meanAbsoluteError, confusionMatrix, type Metric } from "./metrics.js";
