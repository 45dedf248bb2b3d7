/** `nn.utils`: helpers around training — gradient clipping, per-layer activation diagnostics. */
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from "./clip-grad.js";
export { ActivationStats, type ActivationStatsOptions, type LayerStats, type Histogram } from "./activation-stats.js";
