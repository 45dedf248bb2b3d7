/**
 * What the examples' tests share: reading a fixture written by scripts/make_example_fixtures.py
 * (the PyTorch twin's configuration, initial-state fingerprint and per-step losses) and comparing
 * nabla's run of the same example with it.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { io, type nn } from "../packages/nabla/src/index.js";
import { Replay, type ReplayPurpose } from "../examples/common/replay.js";

const DIR = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "examples");

export interface ExampleFixture<C> {
  /** The example's options, and the purposes replayed (see examples/common/replay.ts) with their seed. */
  config: C & { replay: ReplayPurpose[]; replaySeed: number };
  /** Per-tensor float64 sums of the initial state dict. */
  init: Record<string, number>;
  losses: number[];
  [other: string]: unknown;
}

export function exampleFixture<C>(name: string): ExampleFixture<C> {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), "utf8")) as ExampleFixture<C>;
}

/** The fixture's options for the example, with its Replay (undefined when nothing is replayed). */
export function exampleOptions<C>(fixture: ExampleFixture<C>): C & { replay: Replay | undefined } {
  const { replay, replaySeed, ...options } = fixture.config;
  return { ...(options as unknown as C), replay: replay.length > 0 ? new Replay(replaySeed, replay) : undefined };
}

/** The initial state dict the twin wrote. */
export function exampleState(name: string): nn.StateDict {
  const path = join(DIR, `${name}.safetensors`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run /usr/bin/python3 scripts/make_example_fixtures.py ${name}`);
  return io.parseSafetensors(new Uint8Array(readFileSync(path)), path);
}

/** The model's state dict has the twin's keys, in order, and the same per-tensor sums. */
export function expectInitialState(model: nn.AnyModule, init: Record<string, number>): void {
  const state = model.stateDict();
  expect(Object.keys(state)).toEqual(Object.keys(init));
  for (const [k, sum] of Object.entries(init)) {
    const got = Array.from(state[k]!.toTypedArray(), Number).reduce((a, b) => a + b, 0);
    expect(Math.abs(got - sum), `initial ${k}: sum ${got}, PyTorch's ${sum}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(sum)));
  }
}

/** Every step's loss within rtol (1e-4) of PyTorch's, relative to the larger of |loss| and `scale`. */
export function expectLosses(actual: readonly number[], expected: readonly number[], { rtol = 1e-4, scale = 0, label = "loss" } = {}): void {
  expect(actual.length, `${label}: number of steps`).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    const ok = Math.abs(a - e) <= rtol * Math.max(Math.abs(e), scale);
    if (!ok) throw new Error(`${label} at step ${i}: nabla ${a}, PyTorch ${e} (relative difference ${Math.abs(a - e) / Math.abs(e)}); all nabla: ${JSON.stringify(actual)}`);
  });
}
