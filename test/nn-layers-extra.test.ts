/**
 * The layers of issue 11 against PyTorch (scripts/make_nn_extra_fixtures.py → nn_extra.json):
 * state-dict keys in PyTorch's order, outputs, input and parameter gradients; reprs; and a
 * PyTorch state dict loading into the same model written with nabla.
 */
import { describe, expect, it } from "vitest";
import { nn, type Tensor } from "../packages/nabla/src/index.js";
import { checkCase, stateDictOf, type Call, type LayerCase } from "./layers-harness.js";
import { expectClose, fromFixture, loadFixture, type FixtureTensor, type Tolerance } from "./helpers.js";

const fixture = loadFixture<{ layers: Record<string, LayerCase>; reprs: Record<string, string>; masks: Record<string, FixtureTensor> }>("nn_extra.json");

const mhaMasks: Call = (m, [q, k, v, attnMask, keyPaddingMask]) => (m as nn.MultiheadAttention).forward(q!, k!, v!, { attnMask, keyPaddingMask });
const mhaPerHead: Call = (m, [x, attnMask, keyPaddingMask]) =>
  (m as nn.MultiheadAttention).forward(x!, x!, x!, { attnMask, keyPaddingMask, averageAttnWeights: false });
const mhaPositional: Call = (m, [q, kv, attnMask, keyPaddingMask]) => (m as nn.MultiheadAttention).forward(q!, kv!, kv!, keyPaddingMask, true, attnMask);
const decoderCall: Call = (m, [tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask]) =>
  (m as nn.TransformerDecoderLayer).forward(tgt!, memory!, { tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask });
const decoderPositional: Call = (m, [tgt, memory, tgtMask, memoryMask, tgtKpm, memoryKpm]) => (m as nn.TransformerDecoder).forward(tgt!, memory!, tgtMask, memoryMask, tgtKpm, memoryKpm);
const transformerCall: Call = (m, [src, tgt, tgtMask, srcKpm]) =>
  (m as nn.Transformer).forward(src!, tgt!, { tgtMask, srcKeyPaddingMask: srcKpm, memoryKeyPaddingMask: srcKpm });
const transformerCausal: Call = (m, [src, tgt]) => (m as nn.Transformer).forward(src!, tgt!, null, nn.Transformer.generateSquareSubsequentMask(3));

/** Three layers deep in float32: PyTorch's fused kernels round differently; the gradients agree to ~1e-4 relative. */
const deep: Tolerance = { rtol: 1e-4, atol: 2e-6 };
/** A 3-D kernel's weight gradient sums a few hundred products with cancellation; the wasm GEMM's order and FMAs move it by ~2e-6. */
const conv3dSums: Tolerance = { rtol: 1e-5, atol: 5e-6 };

const table: [string, () => nn.AnyModule, Call?, Tolerance?][] = [
  ["conv3d_s2_p1", () => new nn.Conv3d(2, 4, 3, { stride: 2, padding: 1 }), undefined, conv3dSums],
  ["conv3d_groups_dilated", () => new nn.Conv3d(4, 6, [2, 3, 2], { stride: [1, 2, 1], padding: [1, 0, 1], dilation: [2, 1, 1], groups: 2, bias: false }), undefined, conv3dSums],
  ["conv3d_same", () => new nn.Conv3d(2, 3, [3, 2, 3], { padding: "same" }), undefined, conv3dSums],
  ["conv3d_unbatched", () => new nn.Conv3d(2, 2, 2)],
  ["convtranspose1d_s2_op1_g2", () => new nn.ConvTranspose1d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 })],
  ["convtranspose1d_dilated_unbatched", () => new nn.ConvTranspose1d(3, 2, 2, { stride: 3, dilation: 2, bias: false })],
  ["upsample_bilinear_align", () => new nn.Upsample({ scaleFactor: 2, mode: "bilinear", alignCorners: true })],
  ["upsample_nearest_size", () => new nn.Upsample([5, 3])],
  ["pixel_shuffle_module", () => new nn.PixelShuffle(2)],
  ["unfold_module", () => new nn.Unfold(2, { padding: 1 })],
  ["fold_module", () => new nn.Fold([3, 4], 2)],
  ["mha_kdim_vdim", () => new nn.MultiheadAttention(8, 2, { kdim: 5, vdim: 3, batchFirst: true }), mhaMasks],
  ["mha_bias_kv_zero_attn", () => new nn.MultiheadAttention(6, 3, { addBiasKv: true, addZeroAttn: true }), mhaPerHead],
  ["mha_kdim_bias_kv_unbatched", () => new nn.MultiheadAttention(6, 2, 0, false, true, false, 4, 4)],
  ["mha_zero_attn_masks", () => new nn.MultiheadAttention(4, 2, { addZeroAttn: true }), mhaPositional],
  ["decoder_post_relu", () => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }), decoderCall],
  ["decoder_pre_gelu", () => new nn.TransformerDecoderLayer(8, 2, 16, 0, "gelu", 1e-5, false, true), decoderCall],
  ["decoder_stack", () => new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 12, dropout: 0 }), 2, new nn.LayerNorm(8)), decoderPositional],
  ["transformer_batch_first", () => new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 12, dropout: 0, batchFirst: true }), transformerCall, deep],
  ["transformer_norm_first", () => new nn.Transformer(8, 2, 1, 1, 12, 0, "gelu", null, null, 1e-5, false, true), transformerCausal],
  ["reflection_pad2d", () => new nn.ReflectionPad2d([1, 2, 2, 0])],
  ["replication_pad1d", () => new nn.ReplicationPad1d(3)],
  ["constant_pad3d", () => new nn.ConstantPad3d([1, 0, 0, 2, 1, 1], -0.5)],
  ["zero_pad2d", () => new nn.ZeroPad2d(1)],
];

describe("issue 11's layers match PyTorch (keys, outputs, input and parameter gradients)", () => {
  it("every fixture case is checked", () => {
    expect(new Set(table.map(([name]) => name))).toEqual(new Set(Object.keys(fixture.layers)));
  });
  it.each(table)("%s", (name, make, call, tol) => {
    checkCase(fixture.layers[name]!, make(), call, tol);
  });
});

describe("reprs and masks", () => {
  it("print as PyTorch's", () => {
    const modules: Record<string, nn.AnyModule> = {
      conv3d: new nn.Conv3d(2, 3, 3, { stride: 2 }),
      convtranspose1d: new nn.ConvTranspose1d(2, 3, 3, { stride: 2, outputPadding: 1 }),
      upsample_scale: new nn.Upsample({ scaleFactor: 2 }),
      upsample_size: new nn.Upsample({ size: [3, 4], mode: "bilinear" }),
      upsample_scales: new nn.Upsample(null, [2, 3]),
      pixel_shuffle: new nn.PixelShuffle(2),
      pixel_unshuffle: new nn.PixelUnshuffle(3),
      unfold: new nn.Unfold(2),
      fold: new nn.Fold([4, 5], 2, { padding: [1, 0] }),
      reflection_pad2d: new nn.ReflectionPad2d(2),
      replication_pad1d: new nn.ReplicationPad1d([1, 2]),
      constant_pad2d: new nn.ConstantPad2d(1, 3.5),
      zero_pad2d: new nn.ZeroPad2d([1, 0, 2, 1]),
    };
    expect(new Set(Object.keys(modules))).toEqual(new Set(Object.keys(fixture.reprs)));
    for (const [name, m] of Object.entries(modules)) expect(m.toString(), name).toBe(fixture.reprs[name]);
  });

  it("Transformer.generateSquareSubsequentMask is PyTorch's causal mask", () => {
    expectClose(nn.Transformer.generateSquareSubsequentMask(3), fixture.masks.square_subsequent_3!);
    expect(nn.Transformer.generateSquareSubsequentMask(2, { dtype: "float64" }).dtype).toBe("float64");
  });
});

describe("PyTorch's state dicts load", () => {
  it("a Transformer's state dict from PyTorch loads and gives PyTorch's output", () => {
    const c = fixture.layers.transformer_batch_first!;
    const m = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 12, dropout: 0, batchFirst: true });
    expect(m.loadStateDict(stateDictOf(c.state_dict))).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const [src, tgt, tgtMask, kpm] = c.inputs.map((t) => fromFixture(t!));
    expectClose(m.forward(src!, tgt!, { tgtMask, srcKeyPaddingMask: kpm, memoryKeyPaddingMask: kpm }), c.outputs[0]!);
  });

  it("MultiheadAttention with kdim/vdim has separate q/k/v weights and no in_proj_weight", () => {
    const m = new nn.MultiheadAttention(8, 2, { kdim: 5, vdim: 3, addBiasKv: true });
    expect(Object.keys(m.stateDict())).toEqual(["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "bias_k", "bias_v", "out_proj.weight", "out_proj.bias"]);
    expect(m.k_proj_weight!.shape).toEqual([8, 5]);
    expect(m.in_proj_weight).toBeNull();
    expect(m.bias_k!.shape).toEqual([1, 1, 8]);
  });
});

describe("copies of a layer, as PyTorch's deepcopy", () => {
  it("TransformerEncoder(layer, n) and TransformerDecoder(layer, n) start every copy with the layer's weights, in its mode", () => {
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0.2 }).eval();
    const enc = new nn.TransformerEncoder(layer, 3);
    const sd = layer.stateDict();
    for (let i = 0; i < 3; i++) {
      const copy = enc.layers.at(i) as nn.TransformerEncoderLayer;
      expect(copy).not.toBe(layer);
      expect(copy.training).toBe(false);
      for (const [k, v] of Object.entries(copy.stateDict())) expectClose(v, sd[k]!, {}, k);
      expect(copy.linear1.weight).not.toBe(layer.linear1.weight);
    }
    const d = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8 }).double();
    const dec = new nn.TransformerDecoder(d, 2);
    expect((dec.layers.at(1) as nn.TransformerDecoderLayer).linear2.weight.dtype).toBe("float64");
  });

  it("TransformerEncoder.forward takes PyTorch's positional mask (word_language_model's call)", () => {
    const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0 }), 2);
    const x: Tensor = fromFixture({ dtype: "float32", shape: [3, 1, 4], data: [0.1, -0.2, 0.3, 0.4, 1, 0.5, -1, 2, 0.3, 0.3, -0.7, 0.2] });
    const mask = nn.Transformer.generateSquareSubsequentMask(3);
    expectClose(enc.forward(x, mask), enc.forward(x, { mask }));
    expectClose(enc.forward(x, mask), enc.forward(x, { srcMask: mask }));
    expect(() => enc.forward(x, 3 as never)).toThrow(TypeError);
    expect(() => enc.forward(x, 3 as never)).toThrow(/TransformerEncoder\.forward: expected mask \(argument 2\) to be a Tensor or null, got a number \(3\)/);
  });
});
