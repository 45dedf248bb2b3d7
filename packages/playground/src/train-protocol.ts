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
  /** `run` counts the "start" messages: a report of a run the page has since restarted is dropped. */
  | { type: "data"; run: number; inputs: Float32Array; labels: Int32Array; features: number; classes: number; statsSource: string }
  | {
      type: "progress";
      run: number;
      step: number;
      lr: number;
      loss: number;
      accuracy: number;
      layers: LayerStats[];
      /** The training loss every LOSS_EVERY steps since the last report (the loss curve's points). */
      losses: { steps: number[]; values: number[] };
      /** The decision boundary as a GRID×GRID picture (boundary.ts, painted in the worker and transferred); null for digits. */
      picture: ImageBitmap | null;
      /** The predicted class of each digit the page shows (shownDigits); null for the 2-D sets. */
      predictions: Int32Array | null;
      done: boolean;
    }
  | { type: "error"; message: string };

export const GRID = 50;

/** Steps between two points of the loss curve. */
export const LOSS_EVERY = 10;

/**
 * Least time between two reports, in ms: each report costs the worker a forward on the held-out
 * set and the grid, and the page a redraw of every chart, so they come about 8 times a second
 * however fast the steps are (the page stays responsive, the worker spends its time training).
 */
export const REPORT_MS = 120;

/** Digits shown in the page. */
export const SHOWN_DIGITS = 60;
