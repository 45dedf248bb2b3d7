/**
 * What the views show, as numbers, on `window.playground`: the browser tests read it (and a
 * curious user can, from the console).
 */
import type { Curve } from "./activations-view.js";
import type { LayerStats } from "./stats.js";

export interface RaceState {
  surface: string;
  step: number;
  /** Current point and loss of each rule, by name. */
  points: Record<string, { x: number; y: number; loss: number; lr: number }>;
  minimum: [number, number];
}

export interface TrainState {
  running: boolean;
  step: number;
  loss: number;
  accuracy: number;
  layers: LayerStats[];
  error: string | null;
}

export const state: { ready: boolean; activations: Curve[]; race: RaceState | null; train: TrainState | null } = {
  ready: false,
  activations: [],
  race: null,
  train: null,
};

(globalThis as unknown as { playground: typeof state }).playground = state;
