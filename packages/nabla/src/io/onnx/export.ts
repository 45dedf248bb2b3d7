/**
 * `io.exportOnnx(model, exampleInputs, { opset, dynamicAxes })`: the model as ONNX bytes, built
 * by tracing one forward pass on the example inputs (as `torch.onnx.export` does).
 *
 * The trace records at two levels. Every nn layer the exporter knows (layers.ts) is intercepted
 * whole: a forward pre-hook and a forward hook on it, for the duration of the export, let its call
 * run as usual and then emit its ONNX nodes. Between layers, the Tensor methods a model's own `forward` calls
 * (`view`, `permute`, `add`, `softmax`, …; methods.ts) are wrapped the same way. Ops inside a
 * recorded one are not recorded again. A tensor that reaches a recorded op without having been
 * recorded is a parameter or buffer (an initializer under its state-dict name), a constant made
 * in forward (an initializer), or — when it has a gradient node — the output of an op the tracer
 * does not know, an error naming that op; the example inputs are traced as tensors that require
 * grad so that every op on them leaves such a node. An nn layer without an emitter is refused by
 * name. The model runs in eval mode (Dropout is the identity, BatchNorm uses running statistics)
 * and its modes are restored afterwards.
 *
 * Not seen by a trace: control flow on values (`item()`, `toArray()`), in-place ops (refused), and
 * shapes other than the example's except along `dynamicAxes` (reshapes keep the leading dims they
 * share with their input as "copy", so a dynamic batch axis stays dynamic).
 */
import { isFloating } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { Module, type AnyModule } from "../../nn/module.js";
import { attr, elementType, OnnxBuilder, OnnxExportError } from "./builder.js";
import { CONTAINERS, LAYER_EMITTERS, LIBRARY_LAYERS } from "./layers.js";
import { installMethodTracing } from "./methods.js";
import { encodeModel, type OnnxValueInfo } from "./proto.js";

export { OnnxExportError };

export interface OnnxExportOptions {
  /** The opset (only 17, the one the emitters are written for). */
  opset?: number;
  /** Names of the graph inputs (default input, input.1, …; PyTorch's default is input.N too). */
  inputNames?: string[];
  /** Names of the graph outputs (default output, output.1, …). */
  outputNames?: string[];
  /** Per input or output name, the axes that are dynamic and their names: `{ input: { 0: "batch" } }`. */
  dynamicAxes?: Record<string, Record<number, string>>;
  /** The graph's name (default: the model's class name). */
  graphName?: string;
}

const defaultNames = (base: string, n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? base : `${base}.${i}`));

/** Traces `model` on `exampleInputs` into an ONNX model (opset 17); returns its bytes. */
export function exportOnnx(model: AnyModule, exampleInputs: Tensor | readonly Tensor[], options: OnnxExportOptions = {}): Uint8Array {
  const opset = options.opset ?? 17;
  if (opset !== 17) throw new OnnxExportError(`exportOnnx: opset ${opset} is not supported (nabla writes opset 17)`);
  if (!(model instanceof Module)) throw new TypeError("exportOnnx: the model must be an nn.Module");
  const examples = exampleInputs instanceof Tensor ? [exampleInputs] : exampleInputs.slice();
  if (!examples.every((t) => t instanceof Tensor)) throw new TypeError("exportOnnx: exampleInputs must be a tensor or a list of tensors");
  const inputNames = options.inputNames ?? defaultNames("input", examples.length);
  if (inputNames.length !== examples.length) throw new OnnxExportError(`exportOnnx: ${inputNames.length} input names for ${examples.length} inputs`);
  const dynamic = options.dynamicAxes ?? {};

  const params = new Map<Tensor, string>();
  for (const [name, p] of model.namedParameters()) params.set(p, name);
  for (const [name, t] of model.namedBuffers()) if (!params.has(t)) params.set(t, name);
  const builder = new OnnxBuilder(params);
  builder.infer = (t) => inferCat(builder, t);

  const modes = Array.from(model.modules(), (m) => [m, m.training] as const);
  const restore: (() => void)[] = [];
  let outputs: Tensor[];
  let traced: Tensor[];
  try {
    model.eval();
    const depth = { value: 0 };
    for (const [path, m] of model.namedModules()) restore.push(interceptModule(builder, m, path, depth));
    restore.push(installMethodTracing(builder, depth));
    // Inputs are traced as tensors that require grad, so any op the tracer misses leaves a node to name.
    traced = examples.map((t, i) => {
      const x = isFloating(t.dtype) ? t.detach().requiresGrad_(true) : t;
      builder.bind(x, inputNames[i]!);
      return x;
    });
    const result = model.call(...traced);
    outputs = flattenTensors(result);
    if (outputs.length === 0) throw new OnnxExportError("exportOnnx: the model's forward returned no tensor");
  } finally {
    for (const undo of restore.reverse()) undo();
    for (const [m, training] of modes) m.training = training;
  }
  const outputNames = options.outputNames ?? defaultNames("output", outputs.length);
  if (outputNames.length !== outputs.length) throw new OnnxExportError(`exportOnnx: ${outputNames.length} output names for ${outputs.length} outputs`);
  builder.scope = "";
  outputs.forEach((t, i) => {
    builder.nodes.push({ opType: "Identity", inputs: [builder.name(t, "the model's output")], outputs: [outputNames[i]!], name: `/Identity_output_${i}`, attributes: {} });
  });
  const valueInfo = (name: string, t: Tensor): OnnxValueInfo => ({ name, type: elementType(t.dtype), shape: t.shape.map((s, axis) => dynamic[name]?.[axis] ?? s) });
  for (const name of Object.keys(dynamic)) {
    if (!inputNames.includes(name) && !outputNames.includes(name)) throw new OnnxExportError(`exportOnnx: dynamicAxes names "${name}", which is neither an input nor an output (${[...inputNames, ...outputNames].join(", ")})`);
  }
  return encodeModel({
    irVersion: 8,
    opset,
    producerName: "nabla",
    producerVersion: "0.1.0",
    graph: {
      name: options.graphName ?? model.constructor.name,
      nodes: builder.nodes,
      initializers: builder.initializers,
      inputs: examples.map((t, i) => valueInfo(inputNames[i]!, t)),
      outputs: outputs.map((t, i) => valueInfo(outputNames[i]!, t)),
    },
  });
}

function flattenTensors(value: unknown): Tensor[] {
  if (value instanceof Tensor) return [value];
  if (Array.isArray(value)) return value.flatMap(flattenTensors);
  throw new OnnxExportError(`exportOnnx: the model's forward returned a ${typeof value}; expected tensors (or nested lists of them)`);
}

/**
 * Hooks one module's calls for the trace: a layer with an emitter records itself, an nn layer
 * without one is refused by name, anything else (Sequential, a user's module) runs as it is.
 * Layers called inside a recorded one are not recorded again. Returns the undo.
 */
function interceptModule(builder: OnnxBuilder, m: AnyModule, path: string, depth: { value: number }): () => void {
  const cls = m.constructor;
  const emitter = LAYER_EMITTERS.get(cls);
  const libraryName = LIBRARY_LAYERS.get(cls);
  if (emitter === undefined && (libraryName === undefined || CONTAINERS.has(cls))) return () => {};
  const label = `nn.${libraryName ?? cls.name}${path ? ` ('${path}')` : ""}`;
  // per call of this module (innermost last): whether it is the one that records
  const records: boolean[] = [];
  const pre = m.registerForwardPreHook(() => {
    if (depth.value > 0) return void records.push(false);
    if (emitter === undefined) throw new OnnxExportError(`exportOnnx: ${label} is not supported by the ONNX exporter (docs/onnx.md lists the layers it covers)`);
    depth.value++;
    records.push(true);
  });
  const post = m.registerForwardHook((_m, args, out) => {
    if (!records.pop() || emitter === undefined) return;
    depth.value--;
    const scope = builder.scope;
    builder.scope = path;
    try {
      emitter(builder, m, args, out, label);
    } finally {
      builder.scope = scope;
    }
  });
  return () => {
    pre.remove();
    post.remove();
  };
}

/** `cat` is a function, not a method, so the trace sees it only as its gradient node: the dim is the one whose sizes add up. */
function inferCat(builder: OnnxBuilder, t: Tensor): string | undefined {
  const node = t.gradFn;
  if (node === null || node.name !== "CatBackward0" || node.inputs.length === 0) return undefined;
  const parts = node.inputs;
  const dims = t.shape.map((_, d) => d).filter((d) => parts.every((p) => p.ndim === t.ndim && p.shape.every((s, k) => k === d || s === t.shape[k])) && parts.reduce((a, p) => a + p.shape[d]!, 0) === t.shape[d]);
  if (dims.length !== 1) return undefined;
  const name = builder.op1("Concat", parts.map((p) => builder.name(p, "cat")), { axis: attr.i(dims[0]!) });
  builder.bind(t, name);
  return name;
}
