/**
 * examples/word-language-model.ts (pytorch/examples word_language_model on GPL-3's text), LSTM and
 * Transformer, against its PyTorch twin, step by step.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runWordLanguageModel, type WordLanguageModelOptions } from "../examples/word-language-model.js";
import { Corpus, DEBIAN_TEXT } from "../examples/word-language-model/data.js";
import { TransformerModel } from "../examples/word-language-model/model.js";
import { exampleFixture, exampleOptions, expectInitialState, expectLosses } from "./examples-harness.js";

describe.skipIf(!existsSync(DEBIAN_TEXT))("examples/word-language-model.ts", () => {
  it.each(["lstm", "transformer"])("%s: trains its first 20 steps from the seed with PyTorch's losses (initial weights and dropout masks PyTorch's)", async (kind) => {
    const fixture = exampleFixture<Partial<WordLanguageModelOptions>>(`word_language_model_${kind}`);
    const result = await runWordLanguageModel({
      ...exampleOptions(fixture),
      save: "",
      onModel: (model) => {
        expectInitialState(model, fixture.init);
        if (model instanceof TransformerModel) {
          // the positional table, computed in float32 as PyTorch does (its sin/cos within an ulp)
          const pe = Array.from(model.pos_encoder.pe.narrow(0, 0, 40).contiguous().toTypedArray());
          (fixture.pe as number[]).forEach((v, i) => expect(Math.abs(pe[i]! - v)).toBeLessThanOrEqual(2 ** -23));
        }
      },
    });
    expectLosses(result.losses, fixture.losses);
    expectLosses(result.valLosses, fixture.valLosses as number[], { label: "validation loss" });
    expectLosses([result.testLoss], [fixture.testLoss as number], { label: "test loss" });
  });

  it("splits the text into lines and words as Python does", () => {
    const corpus = new Corpus(DEBIAN_TEXT);
    expect(corpus.dictionary.idx2word.slice(0, 3)).toEqual(["GNU", "GENERAL", "PUBLIC"]);
    expect(corpus.train.shape[0]! + corpus.valid.shape[0]! + corpus.test.shape[0]!).toBeGreaterThan(5000);
  });
});
