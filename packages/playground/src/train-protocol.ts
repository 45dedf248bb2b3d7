/** The messages between the train view and its Web Worker. */
import type { SetName } from "./datasets.js";
import type { LayerStats } from "./stats.js";

export const HIDDEN_ACTIVATIONS = ["ReLU", "LeakyReLU", "Tanh", "Sigmoid", "ELU", "GELU", "SiLU", "Mish", "Softplus", "SELU"] as const;
export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];
export const SCHEDULES = ["constant", "cosine", "step"] as const;
export type Schedule = (typeof SCHEDULES)[number];

export interface TrainConfig {
  set: SetName;
  noise: number;
  hidden: number[];
  activation: HiddenActivation;
  optimizer: string;
  lr: number;
  batchSize: number;
  schedule: Schedule;
  /** Steps the schedule spans (cosine decays to 0 there; step divides lr by 10 at each third); training stops there. */
  steps: number;
  seed: number;
}

export type ToWorker = { type: "start"; config: TrainConfig } | { type: "pause" } | { type: "resume" } | { type: "lr"; lr: number };

export type FromWorker =
  | { type: "data"; inputs: Float32Array; labels: Int32Array; features: number; classes: number; statsSource: string }
  | {
      type: "progress";
      step: number;
      lr: number;
      loss: number;
      accuracy: number;
      layers: LayerStats[];
      /** Class probabilities on a GRID×GRID grid over the 2-D plane (row-major, y from top); null for digits. */
      grid: Float32Array | null;
      /** The predicted class of each digit the page shows (shownDigits); null for the 2-D sets. */
      predictions: Int32Array | null;
      done: boolean;
    }
  | { type: "error"; message: string };

export const GRID = 50;

/** Digits shown in the page. */
export const SHOWN_DIGITS = 60;
