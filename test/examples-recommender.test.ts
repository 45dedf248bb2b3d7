/** examples/recommender.ts (matrix factorisation on generated ratings) against its PyTorch twin, step by step. */
import { describe, expect, it } from "vitest";
import { generateRatings, runRecommender, type RecommenderOptions } from "../examples/recommender.js";
import { exampleFixture, exampleOptions, exampleState, expectInitialState, expectLosses } from "./examples-harness.js";

const fixture = exampleFixture<RecommenderOptions>("recommender");
const generated = fixture.data as { users: number[]; items: number[]; ratings: number[]; ratingSum: number };

describe("examples/recommender.ts", () => {
  it("generates the twin's ratings", () => {
    const { nUsers, nItems, nRatings } = exampleOptions(fixture);
    const { users, items, ratings } = generateRatings(nUsers, nItems, nRatings);
    expect(Array.from(users.toTypedArray()).slice(0, 20)).toEqual(generated.users);
    expect(Array.from(items.toTypedArray()).slice(0, 20)).toEqual(generated.items);
    expect(Array.from(ratings.toTypedArray()).slice(0, 20)).toEqual(generated.ratings);
    expect(ratings.sum().item()).toBe(generated.ratingSum);
  });

  it("trains its first 20 steps from PyTorch's initial weights with PyTorch's losses (data order replayed)", () => {
    const result = runRecommender({ ...exampleOptions(fixture), onModel: (model) => expectInitialState(model, fixture.init) });
    expectLosses(result.losses, fixture.losses);
    expectLosses(result.testRmse, fixture.testRmse as number[], { label: "test RMSE" });
  });

  it("starts from a state dict PyTorch wrote (how a benchmark starts both programs from one state)", () => {
    const result = runRecommender({ ...exampleOptions(fixture), seed: 12345, initialState: exampleState("recommender"), onModel: (model) => expectInitialState(model, fixture.init) });
    expectLosses(result.losses, fixture.losses);
  });
});
