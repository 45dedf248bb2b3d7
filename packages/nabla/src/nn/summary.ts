/**
 * `summary(model, ...inputs)`: runs one forward pass (in eval mode, without gradients) and prints, for every
 * submodule that ran, its name and type, its output shape and the number of its own parameters,
 * then the totals — like the torchsummary / torchinfo tables.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { Tensor } from "../tensor/tensor.js";
import { modelDevice } from "./model-device.js";
import type { AnyModule } from "./module.js";
import { typeName } from "./type-name.js";

interface Row {
  name: string;
  type: string;
  depth: number;
  shape: string;
  params: number;
}

function shapeOf(value: unknown): string {
  if (value instanceof Tensor) return `[${value.shape.join(", ")}]`;
  if (Array.isArray(value)) return value.map(shapeOf).join(", ");
  if (value && typeof value === "object" && "values" in value) return shapeOf((value as { values: unknown }).values);
  return "-";
}

const count = (ps: Iterable<Tensor>) => Array.from(ps).reduce((n, p) => n + p.numel(), 0);

/**
 * The example inputs on the device of the model's parameters (torchinfo's summary moves its
 * input_data there too): a sample read from a CPU data set summarises a model on the webgpu device.
 */
function inputsOnModelDevice(model: AnyModule, inputs: unknown[]): unknown[] {
  const device = modelDevice(model);
  if (device === undefined) return inputs;
  return inputs.map((x) => (x instanceof Tensor && x.device !== device ? x.to(device) : x));
}

export function summarize(model: AnyModule, inputs: unknown[]): string {
  const rows: Row[] = [];
  const handles = Array.from(model.namedModules())
    .filter(([name]) => name !== "")
    .flatMap(([name, m]) => {
      let row: Row | null = null;
      const own = Array.from(m.namedParameters()).filter(([k]) => !k.includes("."));
      return [
        m.registerForwardPreHook(() => {
          row = { name, type: typeName(m), depth: name.split(".").length - 1, shape: "-", params: count(own.map(([, p]) => p)) };
          rows.push(row);
        }),
        m.registerForwardHook((_m, _i, out) => {
          if (row) row.shape = shapeOf(out);
        }),
      ];
    });
  // Evaluation mode for the pass, so that it changes nothing (no running-statistics update, no
  // dropout draws); every module's own mode is restored afterwards.
  const modes = Array.from(model.modules(), (m) => [m, m.training] as const);
  model.eval();
  try {
    noGrad(() => model.call(...inputsOnModelDevice(model, inputs)));
  } finally {
    handles.forEach((h) => h.remove());
    for (const [m, training] of modes) m.training = training;
  }
  const params = model.parameters();
  const total = count(params);
  const trainable = count(params.filter((p) => p.requiresGrad));
  const cells = rows.map((r) => [`${"  ".repeat(r.depth)}${r.name} (${r.type})`, r.shape, r.params.toLocaleString("en-US")]);
  const head = ["Layer (type)", "Output Shape", "Param #"];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `${c[0]!.padEnd(widths[0]!)}  ${c[1]!.padEnd(widths[1]!)}  ${c[2]!.padStart(widths[2]!)}`;
  const width = widths.reduce((a, b) => a + b, 0) + 4;
  return [
    `${typeName(model)} summary`,
    "=".repeat(width),
    line(head),
    "=".repeat(width),
    ...cells.map(line),
    "=".repeat(width),
    `Total params: ${total.toLocaleString("en-US")}`,
    `Trainable params: ${trainable.toLocaleString("en-US")}`,
    `Non-trainable params: ${(total - trainable).toLocaleString("en-US")}`,
    "-".repeat(width),
  ].join("\n");
}
