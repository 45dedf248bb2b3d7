/**
 * Per-layer statistics of a model: the library's `nn.utils.ActivationStats` (histograms, dead
 * ReLU units, saturated sigmoid/tanh units, gradient norms), the same feature `nabla train
 * --inspect` prints.
 */
import { nn } from "nabla";

export type LayerStats = nn.utils.LayerStats;
export type ActivationStatsLike = nn.utils.ActivationStats;

type Model = InstanceType<typeof nn.Module>;

/** Statistics of every leaf module of `model`, over `bins` histogram bins. */
export function activationStats(model: Model, bins = 30): nn.utils.ActivationStats {
  return new nn.utils.ActivationStats(model, { bins });
}

/** Which implementation the page shows as the source of its statistics. */
export const statsSource = (): string => "nn.utils.ActivationStats";
