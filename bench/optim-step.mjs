// Median time of one optimizer step over an MLP's parameters (784-256-128-10, as the mlp64 case),
// per rule, on the current backend (NABLA_BACKEND=js|wasm). Gradients are set once; the step is
// all that is timed. Prints one line per rule: median ms over `runs` rounds of `steps` steps.
//   NABLA_BACKEND=wasm node bench/optim-step.mjs [dist root, default ../dist] [--rules=Adam,SGD] [--threads=1] [--reference]
// --reference switches the fused kernels off (optim.setFusedSteps(false)): every rule's tensor ops.
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join, resolve } from "node:path";
import { median } from "./timing.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const root = resolve(positional[0] ?? join(here, "..", "dist"));
const { nn, optim, manualSeed, randn, setNumThreads } = await import(pathToFileURL(join(root, "src", "index.js")).href);
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const rules = (arg("rules") ?? "Adam,AdamW,SGD,SGD-momentum").split(",");
if (process.argv.includes("--reference")) optim.setFusedSteps(false);
if (arg("threads") !== undefined) setNumThreads(Number(arg("threads")));

const make = (rule, params) => {
  if (rule === "SGD-momentum") return new optim.SGD(params, { lr: 0.01, momentum: 0.9 });
  return new optim[rule](params, { lr: 1e-3 });
};

manualSeed(0);
const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10));
const params = [...model.parameters()];
for (const p of params) p.grad = randn(p.shape).mul(1e-3);
for (const rule of rules) {
  const opt = make(rule, params);
  const steps = 20;
  const times = [];
  for (let round = 0; round < 3 + 15; round++) {
    const t = performance.now();
    for (let i = 0; i < steps; i++) opt.step();
    if (round >= 3) times.push((performance.now() - t) / steps);
  }
  console.log(`${rule.padEnd(14)} ${median(times).toFixed(4)} ms/step`);
}
