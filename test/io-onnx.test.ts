/**
 * io.exportOnnx: every covered layer and activation, a model with its own forward (methods, cat),
 * dynamic axes, and the errors for what cannot be exported. Each exported model runs in ONNX
 * Runtime (onnxruntime-node, a dev dependency; skipped with a message where it is not installed)
 * and must give nabla's outputs within 1e-5 relative + 1e-6 absolute. Models exported by real
 * PyTorch (scripts/make_onnx_fixtures.py) from the same weights must give the same outputs too.
 */
import { createRequire } from "node:module";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cat, io, manualSeed, nn, optim, randint, randn, tensor, Tensor, noGrad } from "../packages/nabla/src/index.js";
import { defaultConfig, type TrainConfig } from "../packages/cli/src/config.js";
import { parseExportArgs, runExport } from "../packages/cli/src/export-command.js";
import { runTrain } from "../packages/cli/src/train-command.js";
import { tinyImageDir } from "./cli-data.js";
import { errorOf, expectClose, type FixtureTensor } from "./helpers.js";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** The part of onnxruntime-node's API the tests use (typed here, so the typecheck does not need the package). */
interface OrtTensor {
  data: ArrayLike<number>;
  dims: readonly number[];
}
interface Ort {
  Tensor: new (type: string, data: ArrayLike<number>, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(bytes: Uint8Array): Promise<{ run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> }> };
}

/** onnxruntime-node from node_modules, or from NABLA_ONNXRUNTIME (a path to the package), or null. */
function loadOrt(): Ort | null {
  const require = createRequire(import.meta.url);
  for (const id of [process.env.NABLA_ONNXRUNTIME, "onnxruntime-node"]) {
    if (!id) continue;
    try {
      return require(id) as Ort;
    } catch {
      // try the next
    }
  }
  return null;
}
const ort = loadOrt();
const ortMissing = "onnxruntime-node is not installed (npm install --ignore-scripts, or set NABLA_ONNXRUNTIME to the package's path): ONNX outputs are not checked against ONNX Runtime";

const ORT_TYPES = { float32: "float32", float64: "float64", int32: "int32", bool: "bool" } as const;

async function runOnnx(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, { data: ArrayLike<number>; dims: readonly number[] }>> {
  const session = await ort!.InferenceSession.create(bytes);
  const inputs: Record<string, OrtTensor> = {};
  for (const [k, t] of Object.entries(feeds)) inputs[k] = new ort!.Tensor(ORT_TYPES[t.dtype], t.contiguous().toTypedArray(), t.shape.slice());
  return session.run(inputs);
}

function expectAgree(actual: { data: ArrayLike<number>; dims: readonly number[] }, want: Tensor, label: string): void {
  expect(actual.dims.slice(), `${label}: shape`).toEqual(want.shape.slice());
  const w = want.toTypedArray();
  let worst = 0;
  let at = -1;
  for (let i = 0; i < w.length; i++) {
    const err = Math.abs(Number(actual.data[i]) - w[i]!) - (1e-6 + 1e-5 * Math.abs(w[i]!));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(at, `${label}: element ${at} is ${actual.data[at]} in ONNX Runtime and ${w[at]} in nabla`).toBe(-1);
}

/** Exports, runs in ONNX Runtime, compares with nabla's forward in eval mode. */
async function check(model: nn.AnyModule, inputs: Tensor[], label: string, options: io.OnnxExportOptions & { skipImport?: boolean } = {}): Promise<Uint8Array> {
  const bytes = io.exportOnnx(model, inputs, options);
  model.eval();
  const want = noGrad(() => (model.forward as (...a: Tensor[]) => unknown)(...inputs));
  const flat = (v: unknown): Tensor[] => (v instanceof Tensor ? [v] : (v as unknown[]).flatMap(flat));
  const outs = flat(want);
  const names = options.inputNames ?? inputs.map((_, i) => (i === 0 ? "input" : `input.${i}`));
  const got = await runOnnx(bytes, Object.fromEntries(inputs.map((t, i) => [names[i]!, t])));
  outs.forEach((t, i) => expectAgree(got[(options.outputNames ?? [])[i] ?? (i === 0 ? "output" : `output.${i}`)]!, t, label));
  // and back into nabla: the same weights, the same outputs
  if (!options.skipImport) {
    const back = io.loadOnnx(bytes, label);
    for (const [k, v] of Object.entries(back.stateDict())) {
      const original = model.stateDict()[k];
      if (original) expect(Array.from(v.toTypedArray()), `${label}: ${k} after the round trip`).toEqual(Array.from(original.toTypedArray()));
    }
    // loadOnnx builds a CPU module (as onnx2torch does; its graph makes constants on the host): it
    // runs on the inputs' values on the CPU
    const again = flat(noGrad(() => back.forward(...inputs.map((t) => t.to("cpu")))));
    outs.forEach((t, i) => expectAgree({ data: again[i]!.toTypedArray(), dims: again[i]!.shape }, t, `${label} (nabla → ONNX → nabla)`));
  }
  return bytes;
}

/** A model that runs some training steps' worth of forward passes, so BatchNorm's running statistics are not the initial ones. */
function warm(model: nn.AnyModule, input: Tensor): nn.AnyModule {
  model.train();
  noGrad(() => {
    for (let i = 0; i < 3; i++) (model.forward as (x: Tensor) => unknown)(input.mul(1 + i).add(0.5));
  });
  return model;
}

const x2 = (n = 4, f = 6) => randn([n, f]).mul(2);

interface Case {
  name: string;
  /** Leave out the loadOnnx round trip (for an op loadOnnx does not read). */
  skipImport?: boolean;
  model: () => nn.AnyModule;
  inputs: () => Tensor[];
}

manualSeed(0);
const activations: [string, () => nn.Module][] = [
  ["ReLU", () => new nn.ReLU()],
  ["Sigmoid", () => new nn.Sigmoid()],
  ["Tanh", () => new nn.Tanh()],
  ["ReLU6", () => new nn.ReLU6()],
  ["ReLUSquared", () => new nn.ReLUSquared()],
  ["SELU", () => new nn.SELU()],
  ["SiLU", () => new nn.SiLU()],
  ["Mish", () => new nn.Mish()],
  ["Softsign", () => new nn.Softsign()],
  ["Hardsigmoid", () => new nn.Hardsigmoid()],
  ["Hardswish", () => new nn.Hardswish()],
  ["LogSigmoid", () => new nn.LogSigmoid()],
  ["Tanhshrink", () => new nn.Tanhshrink()],
  ["LeakyReLU", () => new nn.LeakyReLU({ negativeSlope: 0.2 })],
  ["ELU", () => new nn.ELU({ alpha: 0.7 })],
  ["CELU", () => new nn.CELU({ alpha: 1.3 })],
  ["GELU", () => new nn.GELU()],
  ["GELU(tanh)", () => new nn.GELU({ approximate: "tanh" })],
  ["Softplus", () => new nn.Softplus()],
  ["Softplus(beta=2, threshold=1)", () => new nn.Softplus({ beta: 2, threshold: 1 })],
  ["Hardtanh", () => new nn.Hardtanh({ minVal: -0.5, maxVal: 1.5 })],
  ["Softshrink", () => new nn.Softshrink({ lambd: 0.3 })],
  ["Hardshrink", () => new nn.Hardshrink({ lambd: 0.3 })],
  ["Threshold", () => new nn.Threshold(0.1, -2)],
  ["RReLU (eval)", () => new nn.RReLU()],
  ["Softmax", () => new nn.Softmax({ dim: 1 })],
  ["LogSoftmax", () => new nn.LogSoftmax({ dim: -1 })],
  ["Softmin", () => new nn.Softmin({ dim: 1 })],
  ["GLU", () => new nn.GLU({ dim: 1 })],
  ["SwiGLU", () => new nn.SwiGLU()],
  ["GeGLU", () => new nn.GeGLU({ dim: 1 })],
  ["PReLU", () => new nn.PReLU()],
];

const cases: Case[] = [
  { name: "Linear", model: () => new nn.Linear(6, 3), inputs: () => [x2()] },
  { name: "Linear without bias on 3-d input", model: () => new nn.Linear(6, 3, { bias: false }), inputs: () => [randn([2, 5, 6])] },
  { name: "Conv1d", model: () => new nn.Conv1d(3, 4, 3, { stride: 2, padding: 1 }), inputs: () => [randn([2, 3, 11])] },
  { name: "Conv2d (dilation, groups)", model: () => new nn.Conv2d(4, 6, 3, { padding: 2, dilation: 2, groups: 2 }), inputs: () => [randn([2, 4, 9, 8])] },
  { name: "Conv2d padding same", model: () => new nn.Conv2d(2, 3, [4, 3], { padding: "same" }), inputs: () => [randn([1, 2, 7, 6])] },
  { name: "ConvTranspose2d", model: () => new nn.ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }), inputs: () => [randn([2, 3, 5, 4])] },
  { name: "ConvTranspose1d", model: () => new nn.ConvTranspose1d(3, 2, 4, { stride: 3 }), inputs: () => [randn([2, 3, 5])] },
  { name: "MaxPool2d", model: () => new nn.MaxPool2d(3, { stride: 2, padding: 1 }), inputs: () => [randn([2, 3, 9, 8])] },
  { name: "MaxPool1d (dilation)", model: () => new nn.MaxPool1d(2, { dilation: 2 }), inputs: () => [randn([2, 3, 9])] },
  { name: "AvgPool2d", model: () => new nn.AvgPool2d(2), inputs: () => [randn([2, 3, 8, 6])] },
  { name: "AvgPool2d (padding, countIncludePad false)", model: () => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), inputs: () => [randn([2, 3, 7, 7])] },
  { name: "AvgPool1d", model: () => new nn.AvgPool1d(3, { stride: 2 }), inputs: () => [randn([2, 3, 9])] },
  { name: "AdaptiveAvgPool2d(1)", model: () => new nn.AdaptiveAvgPool2d(1), inputs: () => [randn([2, 3, 5, 7])] },
  { name: "AdaptiveAvgPool2d(2, 3)", model: () => new nn.AdaptiveAvgPool2d([2, 3]), inputs: () => [randn([2, 3, 4, 9])] },
  { name: "AdaptiveMaxPool2d", model: () => new nn.AdaptiveMaxPool2d([2, 2]), inputs: () => [randn([2, 3, 4, 6])] },
  { name: "BatchNorm1d", model: () => warm(new nn.BatchNorm1d(6), x2(8)), inputs: () => [x2()] },
  { name: "BatchNorm2d without affine", model: () => warm(new nn.BatchNorm2d(3, { affine: false }), randn([4, 3, 5, 5])), inputs: () => [randn([2, 3, 5, 5])] },
  { name: "LayerNorm", model: () => new nn.LayerNorm([5, 6]), inputs: () => [randn([2, 5, 6]).mul(3)] },
  { name: "LayerNorm without affine", model: () => new nn.LayerNorm(6, { elementwiseAffine: false }), inputs: () => [x2()] },
  { name: "GroupNorm", model: () => new nn.GroupNorm(2, 4), inputs: () => [randn([2, 4, 3, 5])] },
  { name: "RMSNorm", model: () => new nn.RMSNorm(6), inputs: () => [randn([2, 3, 6])] },
  { name: "Dropout (eval)", model: () => new nn.Sequential(new nn.Linear(6, 6), new nn.Dropout({ p: 0.5 })), inputs: () => [x2()] },
  { name: "Embedding", model: () => new nn.Embedding(10, 4), inputs: () => [randint(0, 10, [3, 5])] },
  { name: "Flatten", model: () => new nn.Flatten(), inputs: () => [randn([2, 3, 4, 5])] },
  { name: "Flatten(1, 2)", model: () => new nn.Flatten(1, 2), inputs: () => [randn([2, 3, 4, 5])] },
  { name: "Unflatten", model: () => new nn.Unflatten(1, [2, 3]), inputs: () => [x2()] },
  { name: "ZeroPad2d", model: () => new nn.ZeroPad2d([1, 2, 0, 3]), inputs: () => [randn([1, 2, 3, 4])] },
  { name: "ConstantPad1d", model: () => new nn.ConstantPad1d(2, 0.5), inputs: () => [randn([1, 2, 3])] },
  { name: "ReflectionPad2d", model: () => new nn.ReflectionPad2d(2), inputs: () => [randn([1, 2, 4, 5])] },
  { name: "ReplicationPad1d", model: () => new nn.ReplicationPad1d([1, 3]), inputs: () => [randn([1, 2, 4])] },
  { name: "Upsample nearest", model: () => new nn.Upsample({ scaleFactor: 2 }), inputs: () => [randn([1, 2, 3, 4])] },
  { name: "Upsample bilinear", model: () => new nn.Upsample({ scaleFactor: 2, mode: "bilinear" }), inputs: () => [randn([1, 2, 3, 4])] },
  { name: "UpsamplingBilinear2d (align corners)", model: () => new nn.UpsamplingBilinear2d({ size: [5, 7] }), inputs: () => [randn([1, 2, 3, 4])] },
  { name: "PixelShuffle", model: () => new nn.PixelShuffle(2), inputs: () => [randn([1, 8, 3, 2])] },
  { name: "PReLU per channel", model: () => { const m = new nn.PReLU({ numParameters: 3 } as never); noGrad(() => (m as unknown as { weight: Tensor }).weight.copy_(tensor([0.1, -0.2, 0.3]))); return m; }, inputs: () => [randn([2, 3, 4])] },
  { name: "LSTM", model: () => new nn.LSTM(4, 5), inputs: () => [randn([6, 3, 4])] },
  { name: "LSTM (2 layers, bidirectional, batchFirst)", model: () => new nn.LSTM(4, 5, { numLayers: 2, bidirectional: true, batchFirst: true }), inputs: () => [randn([3, 6, 4])] },
  { name: "GRU", model: () => new nn.GRU(4, 5, { numLayers: 2 }), inputs: () => [randn([6, 3, 4])] },
  { name: "GRU (bidirectional, no bias)", model: () => new nn.GRU(4, 3, { bidirectional: true, bias: false }), inputs: () => [randn([5, 2, 4])] },
  { name: "RNN (relu)", model: () => new nn.RNN(4, 5, { nonlinearity: "relu", bidirectional: true }), inputs: () => [randn([6, 3, 4])] },
  { name: "RNN (tanh, 2 layers)", model: () => new nn.RNN(4, 5, { numLayers: 2 }), inputs: () => [randn([6, 3, 4])] },
  ...activations.map(([name, make]) => ({ name, model: () => new nn.Sequential(new nn.Linear(6, 6), make()), inputs: () => [x2()] })),
];

/** A model with its own forward: Tensor methods and cat between layers. */
class Custom extends nn.Module {
  fc = new nn.Linear(6, 8);
  conv = new nn.Conv1d(2, 2, 3, { padding: 1 });
  head = new nn.Linear(12, 3);
  forward(x: Tensor): Tensor {
    const h = this.fc.forward(x).tanh(); // [n, 8]
    const seq = h.view(-1, 2, 4); // [n, 2, 4]
    const c = this.conv.forward(seq).relu().permute(0, 2, 1).contiguous(); // [n, 4, 2]
    const mixed = c.transpose(1, 2).reshape(x.shape[0]!, 8).add(h.mul(0.5)).sub(1).div(2); // [n, 8]
    const pooled = mixed.narrow(1, 0, 4).sigmoid().mul(mixed.slice(1, 4, 8)); // [n, 4]
    const both = cat([mixed.exp().neg().add(h.abs()), pooled], 1); // [n, 12]
    const att = both.unsqueeze(1).matmul(both.unsqueeze(2)).squeeze(2).softmax(1); // [n, 1]
    return this.head.forward(both.mul(att).clamp(-3, 3)).logSoftmax(1).add(both.mean(1, { keepdim: true })).add(both.sum(1, { keepdim: true }).abs().sqrt().select(1, 0).unsqueeze(1));
  }
}

describe.skipIf(ort === null)("exportOnnx runs in ONNX Runtime with nabla's outputs (1e-5 rel + 1e-6 abs)", () => {
  for (const c of cases) {
    it(c.name, async () => {
      manualSeed(7);
      await check(c.model(), c.inputs(), c.name, { skipImport: c.skipImport });
    });
  }

  it("a model with its own forward: view, permute, transpose, narrow/slice/select, arithmetic, matmul, cat, reductions", async () => {
    manualSeed(3);
    await check(new Custom(), [randn([4, 6]).abs().add(0.1)], "Custom");
  });

  it("a CNN with a dynamic batch axis runs on another batch size", async () => {
    manualSeed(5);
    const model = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }),
      new nn.BatchNorm2d(4),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Dropout({ p: 0.25 }),
      new nn.Flatten(),
      new nn.Linear(4 * 4 * 4, 10),
    );
    warm(model, randn([6, 1, 8, 8]));
    const bytes = io.exportOnnx(model, randn([2, 1, 8, 8]), { dynamicAxes: { input: { 0: "batch" }, output: { 0: "batch" } } });
    model.eval();
    const x = randn([5, 1, 8, 8]);
    const got = await runOnnx(bytes, { input: x });
    expectAgree(got.output!, noGrad(() => model.forward(x)), "dynamic batch");
    expect(model.training).toBe(false); // eval() above; the export restored the train mode it found
  });

  it("LSTM and GRU given initial states, in a model's own forward", async () => {
    class Seq extends nn.Module<[x: Tensor, h0: Tensor, c0: Tensor], Tensor[]> {
      lstm = new nn.LSTM(4, 3, { numLayers: 2, batchFirst: true });
      gru = new nn.GRU(3, 2, { bidirectional: true });
      forward(x: Tensor, h0: Tensor, c0: Tensor): Tensor[] {
        const [y, [h, c]] = this.lstm.forward(x, [h0, c0]);
        const [z, g] = this.gru.forward(y.transpose(0, 1), h.narrow(2, 0, 2).add(0.1));
        return [z, g, c];
      }
    }
    manualSeed(4);
    await check(new Seq(), [randn([2, 5, 4]), randn([2, 2, 3]), randn([2, 2, 3])], "Seq", { inputNames: ["x", "h0", "c0"] });
  });

  it("MultiheadAttention (self-attention with a causal mask, and cross-attention, batchFirst) with its weights", async () => {
    class Attn extends nn.Module<[x: Tensor, memory: Tensor, mask: Tensor, padding: Tensor], Tensor[]> {
      self_ = new nn.MultiheadAttention(8, 2);
      cross = new nn.MultiheadAttention(8, 4, { batchFirst: true });
      forward(x: Tensor, memory: Tensor, mask: Tensor, padding: Tensor): Tensor[] {
        const [a, w] = this.self_.forward(x, x, x, { attnMask: mask });
        const [c, w2] = this.cross.forward(a.transpose(0, 1), memory, memory, { averageAttnWeights: false, keyPaddingMask: padding });
        return [c, w!, w2!];
      }
    }
    manualSeed(8);
    const L = 5;
    const causal = tensor(Array.from({ length: L * L }, (_, i) => Math.floor(i / L) < i % L)).reshape([L, L]);
    const padding = tensor([[false, false, true], [false, true, true]]);
    await check(new Attn(), [randn([L, 2, 8]), randn([2, 3, 8]), causal, padding], "attention", { inputNames: ["x", "memory", "mask", "padding"] });
  });

  for (const [name, options] of [
    ["post-norm, relu", {}],
    ["pre-norm, gelu, batchFirst", { normFirst: true, activation: "gelu", batchFirst: true }],
  ] as const) {
    it(`TransformerEncoderLayer (${name}) and a TransformerEncoder with a final norm`, async () => {
      manualSeed(9);
      const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, ...options });
      const x = randn(options === undefined || !("batchFirst" in options) ? [6, 2, 8] : [2, 6, 8]);
      await check(layer, [x], `TransformerEncoderLayer (${name})`);
      const encoder = new nn.TransformerEncoder(layer, 2, new nn.LayerNorm(8));
      await check(encoder, [x], `TransformerEncoder (${name})`);
      // with a key padding mask
      class Padded extends nn.Module<[src: Tensor, padding: Tensor], Tensor> {
        enc = encoder;
        forward(src: Tensor, padding: Tensor): Tensor {
          return this.enc.forward(src, { srcKeyPaddingMask: padding });
        }
      }
      const padding = tensor(Array.from({ length: 12 }, (_, i) => i % 6 >= 4 + Math.floor(i / 6))).reshape([2, 6]);
      await check(new Padded(), [x, padding], `TransformerEncoder (${name}) with a key padding mask`, { inputNames: ["src", "padding"] });
    });
  }

  it("TransformerDecoderLayer, TransformerDecoder and Transformer (causal target mask, padding)", async () => {
    manualSeed(12);
    const T = 4;
    const causal = tensor(Array.from({ length: T * T }, (_, i) => (Math.floor(i / T) < i % T ? -Infinity : 0))).reshape([T, T]);
    const tgt = randn([T, 2, 8]);
    const memory = randn([5, 2, 8]);
    const layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16 });
    class Dec extends nn.Module<[t: Tensor, m: Tensor, mask: Tensor], Tensor> {
      dec = new nn.TransformerDecoder(layer, 2, new nn.LayerNorm(8));
      forward(t: Tensor, m: Tensor, mask: Tensor): Tensor {
        return this.dec.forward(t, m, { tgtMask: mask });
      }
    }
    await check(layer, [tgt, memory], "TransformerDecoderLayer", { inputNames: ["tgt", "memory"] });
    await check(new Dec(), [tgt, memory, causal], "TransformerDecoder", { inputNames: ["tgt", "memory", "mask"] });
    const model = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 2, dimFeedforward: 16, batchFirst: true, normFirst: true, activation: "gelu" });
    class Full extends nn.Module<[src: Tensor, target: Tensor, mask: Tensor, padding: Tensor], Tensor> {
      t = model;
      forward(src: Tensor, target: Tensor, mask: Tensor, padding: Tensor): Tensor {
        return this.t.forward(src, target, { tgtMask: mask, srcKeyPaddingMask: padding, memoryKeyPaddingMask: padding });
      }
    }
    const padding = tensor([[false, false, false, true, true], [false, false, false, false, true]]);
    await check(new Full(), [randn([2, 5, 8]), randn([2, T, 8]), causal, padding], "Transformer", { inputNames: ["src", "tgt", "mask", "padding"] });
  });

  it("LSTMCell, GRUCell and RNNCell, with and without a state", async () => {
    class Cells extends nn.Module<[x: Tensor, h: Tensor, c: Tensor], Tensor[]> {
      lstm = new nn.LSTMCell(4, 3);
      gru = new nn.GRUCell(3, 3);
      rnn = new nn.RNNCell(3, 2, { nonlinearity: "relu" });
      forward(x: Tensor, h: Tensor, c: Tensor): Tensor[] {
        const [h1, c1] = this.lstm.forward(x, [h, c]);
        const [h0] = this.lstm.forward(x);
        const g = this.gru.forward(h1, h0);
        const g0 = this.gru.forward(h0);
        return [h1, c1, g, g0, this.rnn.forward(g.add(g0))];
      }
    }
    manualSeed(13);
    await check(new Cells(), [randn([2, 4]), randn([2, 3]), randn([2, 3])], "cells", { inputNames: ["x", "h", "c"] });
  });

  it("float64 models", async () => {
    manualSeed(1);
    const model = new nn.Sequential(new nn.Linear(3, 4, { dtype: "float64" }), new nn.GELU());
    await check(model, [randn([2, 3], { dtype: "float64" })], "float64");
  });

  it("several inputs and outputs with their names", async () => {
    class Two extends nn.Module<[x: Tensor, y: Tensor], Tensor[]> {
      a = new nn.Linear(3, 2);
      forward(x: Tensor, y: Tensor): Tensor[] {
        const h = this.a.forward(x);
        return [h.add(y), h.mul(y)];
      }
    }
    manualSeed(2);
    await check(new Two(), [randn([2, 3]), randn([2, 2])], "two", { inputNames: ["x", "y"], outputNames: ["sum", "product"] });
  });
});
if (ort === null) it.skip(ortMissing, () => {});

describe("exportOnnx", () => {
  it("keeps PyTorch's parameter names as initializers", () => {
    const bytes = io.exportOnnx(new nn.Sequential(new nn.Linear(2, 3), new nn.BatchNorm1d(3)), randn([2, 2]));
    const text = new TextDecoder("latin1").decode(bytes);
    for (const name of ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var"]) expect(text).toContain(name);
  });

  it("names an unsupported layer and where it is", () => {
    const model = new nn.Sequential(new nn.Identity(), new nn.PixelUnshuffle(2));
    expect(errorOf(() => io.exportOnnx(model, randn([1, 2, 4, 4]))).message).toMatch(/nn\.PixelUnshuffle \('1'\) is not supported by the ONNX exporter/);
  });

  it("names an op the tracer does not record", () => {
    class Odd extends nn.Module {
      fc = new nn.Linear(3, 3);
      forward(x: Tensor): Tensor {
        return this.fc.forward(nn.functional.hardshrink(x, { lambd: 0.5 }) as Tensor).cumsum(1).add(1);
      }
    }
    expect(errorOf(() => io.exportOnnx(new Odd(), randn([2, 3]))).message).toMatch(/made by (Hardshrink|Cumsum), an op the tracer does not record/);
  });

  it("refuses in-place ops on traced tensors and restores the Tensor methods afterwards", () => {
    class InPlace extends nn.Module {
      fc = new nn.Linear(3, 3);
      forward(x: Tensor): Tensor {
        return this.fc.forward(x).add_(1);
      }
    }
    const add = Tensor.prototype.add;
    expect(errorOf(() => io.exportOnnx(new InPlace(), randn([2, 3]))).message).toMatch(/in-place Tensor\.add_/);
    expect(Tensor.prototype.add).toBe(add);
  });

  it("refuses other opsets and unknown dynamic-axis names", () => {
    expect(errorOf(() => io.exportOnnx(new nn.ReLU(), randn([2]), { opset: 13 })).message).toMatch(/opset 13 is not supported/);
    expect(errorOf(() => io.exportOnnx(new nn.ReLU(), randn([2]), { dynamicAxes: { x: { 0: "n" } } })).message).toMatch(/dynamicAxes names "x"/);
  });
});

describe.skipIf(ort === null)("nabla export --onnx: the command's models", () => {
  for (const model of ["mlp", "cnn"] as const) {
    it(`${model}: ONNX Runtime gives the trained model's outputs`, async () => {
      const dataDir = tinyImageDir(128, 32);
      const config: TrainConfig = { ...defaultConfig(dataDir), model, hidden: [16], epochs: 1, batchSize: 32, activation: model === "mlp" ? "gelu" : "relu" };
      const dir = mkdtempSync(join(tmpdir(), "nabla-export-"));
      const trained = await runTrain(config, { checkpointDir: dir, resume: false, plot: false }, { log: () => {} });
      const out = join(dir, "model.onnx");
      const lines: string[] = [];
      const { inputShape } = await runExport({ format: "onnx", checkpoint: join(dir, "last.safetensors"), out }, (l) => lines.push(l));
      expect(lines.join("\n")).toMatch(/wrote .*model\.onnx \(\d+ bytes, ONNX opset 17\): input \[batch, 1, 16, 16\] -> output \[batch, \d+\]/);
      trained.model.eval();
      const x = randn([7, ...inputShape]);
      const got = await runOnnx(new Uint8Array(readFileSync(out)), { input: x });
      expectAgree(got.output!, noGrad(() => (trained.model.forward as (t: Tensor) => Tensor)(x)), `nabla export ${model}`);
      rmSync(dir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    });
  }

  it("usage errors", () => {
    expect(errorOf(() => parseExportArgs(["a.safetensors", "b.onnx"])).message).toMatch(/--onnx or --torch/);
    expect(errorOf(() => parseExportArgs(["--torch", "a.safetensors", "b.onnx"])).message).toMatch(/must end in \.py/);
    expect(errorOf(() => parseExportArgs(["--onnx", "a.safetensors"])).message).toMatch(/expected CHECKPOINT and OUT\.onnx, got 1/);
    expect(parseExportArgs(["--onnx", "a", "b"])).toEqual({ format: "onnx", checkpoint: "a", out: "b", dataset: undefined });
  });
});

/** Models exported by torch.onnx.export from the same weights (scripts/make_onnx_fixtures.py). */
const torchFixture = join(ROOT, "test", "fixtures", "onnx_torch.json");
describe.skipIf(ort === null || !existsSync(torchFixture))("ONNX models exported by PyTorch agree with nabla's", () => {
  const fixture = existsSync(torchFixture) ? (JSON.parse(readFileSync(torchFixture, "utf8")) as { cases: { name: string; file: string; weights: string; input: FixtureTensor; output: FixtureTensor }[] }) : { cases: [] };
  for (const c of fixture.cases) {
    it(c.name, async () => {
      const pt = io.loadTorch(new Uint8Array(readFileSync(join(ROOT, "test", "fixtures", c.weights)))) as Record<string, Tensor>;
      const model = TORCH_MODELS[c.name]!();
      model.loadStateDict(pt);
      model.eval();
      const x = tensor(c.input.data as number[]).reshape(c.input.shape);
      const mine = noGrad(() => (model.forward as (t: Tensor) => Tensor)(x));
      expectClose(mine, c.output, { rtol: 1e-5, atol: 1e-6 }, `${c.name}: nabla against PyTorch`);
      const got = await runOnnx(new Uint8Array(readFileSync(join(ROOT, "test", "fixtures", c.file))), { input: x });
      expectAgree(got.output!, mine, `${c.name}: PyTorch's ONNX file in ONNX Runtime`);
      // and nabla's own export of the same weights
      await check(model, [x], `${c.name} (nabla's export)`);
    });
  }
});

describe.skipIf(!existsSync(torchFixture))("loadOnnx: PyTorch's ONNX files run and fine-tune in nabla", () => {
  const fixture = existsSync(torchFixture) ? (JSON.parse(readFileSync(torchFixture, "utf8")) as { cases: { name: string; file: string; input: FixtureTensor; output: FixtureTensor }[] }) : { cases: [] };
  for (const c of fixture.cases) {
    it(c.name, () => {
      const model = io.loadOnnx(new Uint8Array(readFileSync(join(ROOT, "test", "fixtures", c.file))), c.file);
      // a CPU module (see above), whatever the default device
      const x = tensor(c.input.data as number[], { device: "cpu" }).reshape(c.input.shape);
      expectClose(model.forward(x) as Tensor, c.output, { rtol: 1e-5, atol: 1e-6 }, `${c.name}: PyTorch's ONNX file in nabla`);
      // a few steps of SGD on the imported parameters lower the loss
      const params = model.parameters();
      expect(params.length).toBeGreaterThan(0);
      const opt = new optim.SGD(params, { lr: 0.05 });
      const target = randn((model.forward(x) as Tensor).shape, { device: "cpu" });
      const loss = () => (model.forward(x) as Tensor).sub(target).pow(2).mean();
      const before = loss().item();
      for (let i = 0; i < 5; i++) {
        opt.zeroGrad();
        loss().backward();
        opt.step();
      }
      expect(loss().item()).toBeLessThan(before);
    });
  }

  it("keeps the state-dict names, so the original weights load back", () => {
    const model = io.loadOnnx(new Uint8Array(readFileSync(join(ROOT, "test", "fixtures", "onnx_torch_mlp.onnx"))));
    expect(Object.keys(model.stateDict())).toEqual(["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"]);
    const pt = io.loadTorch(new Uint8Array(readFileSync(join(ROOT, "test", "fixtures", "onnx_torch_mlp.pt")))) as Record<string, Tensor>;
    model.loadStateDict(pt);
  });
});

describe("loadOnnx refuses what it cannot read", () => {
  const good = () => io.exportOnnx(new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU()), randn([1, 3]));
  it("unsupported ops, by name, when loading", () => {
    const bytes = good();
    // rename the Relu node's op_type (field 4: key 0x22, length 4) to one nabla does not read
    const text = new TextDecoder("latin1").decode(bytes);
    const at = text.indexOf("\u0022\u0004Relu") + 2;
    expect(at).toBeGreaterThan(1);
    const patched = bytes.slice();
    patched.set(new TextEncoder().encode("Rexu"), at);
    expect(errorOf(() => io.loadOnnx(patched, "m.onnx")).message).toMatch(/op Rexu \(node .*\) is not supported/);
  });

  it("truncated and corrupt bytes", () => {
    const bytes = good();
    expect(errorOf(() => io.loadOnnx(bytes.subarray(0, bytes.length - 7), "t.onnx"))).toBeInstanceOf(Error);
    expect(errorOf(() => io.loadOnnx(new Uint8Array([0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f]), "t.onnx")).message).toMatch(/runs past the end/);
    expect(errorOf(() => io.loadOnnx(new Uint8Array([0x0b]), "t.onnx")).message).toMatch(/wire type 3 is not supported/);
    expect(errorOf(() => io.loadOnnx(new Uint8Array(0), "t.onnx")).message).toMatch(/no graph/);
  });
});

class LstmHead extends nn.Module {
  lstm = new nn.LSTM(4, 6, { numLayers: 2, batchFirst: true });
  fc = new nn.Linear(6, 3);
  forward(x: Tensor): Tensor {
    const [y] = this.lstm.forward(x);
    return this.fc.forward(y.select(1, -1));
  }
}

/** The PyTorch models of scripts/make_onnx_fixtures.py, in nabla. */
const TORCH_MODELS: Record<string, () => nn.AnyModule> = {
  mlp: () => new nn.Sequential(new nn.Linear(8, 16), new nn.GELU(), new nn.LayerNorm(16), new nn.Linear(16, 4), new nn.LogSoftmax({ dim: 1 })),
  cnn: () =>
    new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }),
      new nn.BatchNorm2d(4),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(4 * 4 * 4, 10),
    ),
  lstm: () => new LstmHead(),
};
