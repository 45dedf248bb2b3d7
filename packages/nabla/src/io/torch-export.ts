/**
 * `io.exportTorch(model, exampleInputs)`: a nabla model as a PyTorch module — Python source
 * generated from the traced graph (the same trace as exportOnnx) plus its weights as a `.pt`
 * file (io.saveTorch) — so it can be trained past one machine with PyTorch's
 * DistributedDataParallel and come back with `loadStateDict` (scripts/ddp_train.py).
 *
 * The generated `NablaModel` registers every parameter and buffer under the nabla (= PyTorch)
 * state-dict name, in nested submodules (`fc1.weight` is parameter `weight` of submodule `fc1`),
 * so `load_state_dict(torch.load(weights))` and nabla's `loadStateDict` of what PyTorch saves
 * both work. Its forward is the traced graph, op by op, in torch calls. The trace is of eval
 * mode: Dropout is not in it, and BatchNorm uses batch statistics when the module trains (with
 * PyTorch's momentum 0.1) and running ones in eval.
 */
import type { AnyModule } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import { OnnxExportError } from "./onnx/builder.js";
import { exportOnnx, type OnnxExportOptions } from "./onnx/export.js";
import { decodeModel, type OnnxNode, type OnnxTensor } from "./onnx/proto.js";
import { decodeValues } from "./safetensors.js";
import { saveTorch } from "./torch-file.js";

export interface TorchExport {
  /** Python source of `class NablaModel(nn.Module)`. */
  source: string;
  /** The state dict as a `torch.save` file (the parameters and buffers the graph uses). */
  weights: Uint8Array;
}

const CODES: Record<string, string> = { float32: "F32", float64: "F64", int32: "I32", int64: "I64", bool: "BOOL" };

const py = (v: number): string => (Number.isInteger(v) ? String(v) : Number.isFinite(v) ? String(v) : v > 0 ? "float('inf')" : v < 0 ? "float('-inf')" : "float('nan')");
const pyList = (v: readonly number[]): string => `[${v.map(py).join(", ")}]`;
const pyStr = (s: string): string => JSON.stringify(s);

/** Traces `model` on `exampleInputs` and writes it as PyTorch source and weights. */
export function exportTorch(model: AnyModule, exampleInputs: Tensor | readonly Tensor[], options: Pick<OnnxExportOptions, "inputNames" | "outputNames"> = {}): TorchExport {
  const bytes = exportOnnx(model, exampleInputs, options);
  const graph = decodeModel(bytes, (reason) => {
    throw new OnnxExportError(`exportTorch: ${reason}`);
  }).graph;
  const state = model.stateDict();
  const constants = new Map<string, OnnxTensor>();
  const params: string[] = [];
  const buffers: string[] = [];
  const paramNames = new Set(Array.from(model.namedParameters(), ([n]) => n));
  for (const init of graph.initializers) {
    if (init.name.startsWith("onnx::Constant")) constants.set(init.name, init);
    else if (paramNames.has(init.name)) params.push(init.name);
    else buffers.push(init.name);
  }
  const valueOf = (name: string): number[] => {
    const c = constants.get(name);
    if (c === undefined) throw new OnnxExportError(`exportTorch: ${name} must be a constant`);
    return Array.from(decodeValues(c.raw, CODES[c.type]!, c.name, "constant", 0), Number);
  };

  const vars = new Map<string, string>();
  graph.inputs.forEach((v, i) => vars.set(v.name, `x${i}`));
  for (const p of params) vars.set(p, `self.get_parameter(${pyStr(p)})`);
  for (const b of buffers) vars.set(b, `self.get_buffer(${pyStr(b)})`);
  const constantLines: string[] = [];
  let c = 0;
  for (const [name, t] of constants) {
    const attr = `_c${c++}`;
    const dtype = { float32: "torch.float32", float64: "torch.float64", int32: "torch.int32", int64: "torch.int64", bool: "torch.bool" }[t.type as string] ?? "torch.float32";
    constantLines.push(`        self.register_buffer(${pyStr(attr)}, torch.tensor(${pyList(valueOf(name))}, dtype=${dtype}).reshape(${pyList(t.dims)}), persistent=False)`);
    vars.set(name, `self.${attr}`);
  }
  const lines: string[] = [];
  let counter = 0;
  const v = (name: string): string => {
    const r = vars.get(name);
    if (r === undefined) throw new OnnxExportError(`exportTorch: value ${name} is used before it is computed`);
    return r;
  };
  const assign = (node: OnnxNode, expr: string): void => {
    const out = `v${counter++}`;
    lines.push(`        ${out} = ${expr}  # ${node.name}`);
    vars.set(node.outputs[0]!, out);
  };
  for (const node of graph.nodes) {
    const a = node.attributes;
    const i = (name: string, fallback: number) => (a[name]?.value as number | undefined) ?? fallback;
    const f = (name: string, fallback: number) => (a[name]?.value as number | undefined) ?? fallback;
    const ints = (name: string) => a[name]?.value as number[] | undefined;
    const x = node.inputs.map((n) => (n === "" ? "None" : v(n)));
    const binary: Record<string, string> = { Add: "+", Sub: "-", Mul: "*", Div: "/", Pow: "**" };
    const unary: Record<string, string> = { Relu: "torch.relu", Sigmoid: "torch.sigmoid", Tanh: "torch.tanh", Exp: "torch.exp", Log: "torch.log", Sqrt: "torch.sqrt", Neg: "torch.neg", Abs: "torch.abs", Sign: "torch.sign", Erf: "torch.erf", Softplus: "F.softplus", Softsign: "F.softsign", HardSwish: "F.hardswish", Identity: "" };
    const op = node.opType;
    if (op in binary) assign(node, `${x[0]} ${binary[op]} ${x[1]}`);
    else if (op in unary) assign(node, unary[op] ? `${unary[op]}(${x[0]})` : x[0]!);
    else if (op === "Gemm") {
      if (i("transA", 0) || !i("transB", 0) || f("alpha", 1) !== 1 || f("beta", 1) !== 1) throw new OnnxExportError(`exportTorch: Gemm ${node.name} with options other than PyTorch's linear`);
      assign(node, `F.linear(${x[0]}, ${x[1]}, ${x[2] ?? "None"})`);
    } else if (op === "MatMul") assign(node, `torch.matmul(${x[0]}, ${x[1]})`);
    else if (op === "Transpose") assign(node, `${x[0]}.permute(${pyList(ints("perm")!)})`);
    else if (op === "Max" || op === "Min") assign(node, `torch.${op === "Max" ? "maximum" : "minimum"}(${x[0]}, ${x[1]})`);
    else if (op === "Where") assign(node, `torch.where(${x[0]}, ${x[1]}, ${x[2]})`);
    else if (op === "Greater") assign(node, `torch.gt(${x[0]}, ${x[1]})`);
    else if (op === "LeakyRelu") assign(node, `F.leaky_relu(${x[0]}, ${py(f("alpha", 0.01))})`);
    else if (op === "Elu") assign(node, `F.elu(${x[0]}, ${py(f("alpha", 1))})`);
    else if (op === "Celu") assign(node, `F.celu(${x[0]}, ${py(f("alpha", 1))})`);
    else if (op === "Selu") assign(node, `F.selu(${x[0]})`);
    else if (op === "HardSigmoid") assign(node, `F.hardsigmoid(${x[0]})`);
    else if (op === "Shrink") assign(node, f("bias", 0) === 0 ? `F.hardshrink(${x[0]}, ${py(f("lambd", 0.5))})` : `F.softshrink(${x[0]}, ${py(f("lambd", 0.5))})`);
    else if (op === "PRelu") assign(node, `torch.where(${x[0]} >= 0, ${x[0]}, ${x[0]} * ${x[1]})`);
    else if (op === "Clip") assign(node, `torch.clamp(${x[0]}, ${node.inputs[1] ? py(valueOf(node.inputs[1])[0]!) : "None"}, ${node.inputs[2] ? py(valueOf(node.inputs[2])[0]!) : "None"})`);
    else if (op === "Softmax" || op === "LogSoftmax") assign(node, `F.${op === "Softmax" ? "softmax" : "log_softmax"}(${x[0]}, ${i("axis", -1)})`);
    else if (op === "Conv" || op === "ConvTranspose") {
      const k = ints("kernel_shape")!.length;
      const pads = ints("pads")!;
      if (!pads.slice(0, k).every((p, j) => p === pads[k + j])) throw new OnnxExportError(`exportTorch: ${op} ${node.name} with asymmetric pads`);
      const common = `stride=${pyList(ints("strides")!)}, padding=${pyList(pads.slice(0, k))}, dilation=${pyList(ints("dilations")!)}, groups=${i("group", 1)}`;
      assign(node, op === "Conv" ? `F.conv${k}d(${x[0]}, ${x[1]}, ${x[2] ?? "None"}, ${common})` : `F.conv_transpose${k}d(${x[0]}, ${x[1]}, ${x[2] ?? "None"}, ${common}, output_padding=${pyList(ints("output_padding")!)})`);
    } else if (op === "MaxPool" || op === "AveragePool") {
      const k = ints("kernel_shape")!;
      const pads = ints("pads")!;
      const tail = op === "MaxPool" ? `dilation=${pyList(ints("dilations")!)}, ceil_mode=${i("ceil_mode", 0) ? "True" : "False"}` : `ceil_mode=${i("ceil_mode", 0) ? "True" : "False"}, count_include_pad=${i("count_include_pad", 0) ? "True" : "False"}`;
      assign(node, `F.${op === "MaxPool" ? "max" : "avg"}_pool${k.length}d(${x[0]}, ${pyList(k)}, stride=${pyList(ints("strides")!)}, padding=${pyList(pads.slice(0, k.length))}, ${tail})`);
    } else if (op === "GlobalAveragePool") assign(node, `${x[0]}.mean(dim=tuple(range(2, ${x[0]}.dim())), keepdim=True)`);
    else if (op === "GlobalMaxPool") assign(node, `${x[0]}.amax(dim=tuple(range(2, ${x[0]}.dim())), keepdim=True)`);
    else if (op === "BatchNormalization") assign(node, `F.batch_norm(${x[0]}, ${x[3]}, ${x[4]}, ${x[1]}, ${x[2]}, self.training, 0.1, ${py(f("epsilon", 1e-5))})`);
    else if (op === "LayerNormalization") assign(node, `F.layer_norm(${x[0]}, ${x[0]}.shape[${i("axis", -1)}:], ${x[1]}, ${x[2] ?? "None"}, ${py(f("epsilon", 1e-5))})`);
    else if (op === "Reshape") assign(node, `${x[0]}.reshape(_copy_zeros(${x[0]}, ${pyList(valueOf(node.inputs[1]!))}))`);
    else if (op === "Gather") assign(node, `_gather(${x[0]}, ${x[1]}, ${i("axis", 0)})`);
    else if (op === "Concat") assign(node, `torch.cat([${x.join(", ")}], ${i("axis", 0)})`);
    else if (op === "Split") {
      const outs = node.outputs.map(() => `v${counter++}`);
      lines.push(`        ${outs.join(", ")} = torch.chunk(${x[0]}, ${outs.length}, ${i("axis", 0)})  # ${node.name}`);
      node.outputs.forEach((o, j) => vars.set(o, outs[j]!));
    } else if (op === "Slice") {
      const axes = node.inputs[3] ? valueOf(node.inputs[3]) : [0];
      const steps = node.inputs[4] ? valueOf(node.inputs[4]) : [1];
      const starts = valueOf(node.inputs[1]!);
      const ends = valueOf(node.inputs[2]!).map((e) => (e >= 2 ** 53 - 1 ? "None" : String(e)));
      assign(node, `${x[0]}[(slice(None),) * ${axes[0]} + (slice(${starts[0]}, ${ends[0]}, ${steps[0]}),)]`);
    } else if (op === "ReduceMean" || op === "ReduceSum") {
      const axes = op === "ReduceMean" ? ints("axes") : node.inputs[1] ? valueOf(node.inputs[1]) : undefined;
      const keep = i("keepdims", 1) ? "True" : "False";
      const fn = op === "ReduceMean" ? "mean" : "sum";
      assign(node, axes === undefined ? (keep === "True" ? `${x[0]}.${fn}(dim=tuple(range(${x[0]}.dim())), keepdim=True)` : `${x[0]}.${fn}()`) : `${x[0]}.${fn}(dim=${pyList(axes)}, keepdim=${keep})`);
    } else if (op === "Shape") assign(node, `torch.tensor(${x[0]}.shape)`);
    else if (op === "Cast") assign(node, `${x[0]}.to(${({ 1: "torch.float32", 11: "torch.float64" } as Record<number, string>)[i("to", 1)] ?? "torch.float32"})`);
    else if (op === "Expand") assign(node, `${x[0]}.expand(${pyList(valueOf(node.inputs[1]!))})`);
    else if (op === "Unsqueeze") assign(node, `_unsqueeze(${x[0]}, ${pyList(valueOf(node.inputs[1]!))})`);
    else if (op === "Pad") {
      const pads = valueOf(node.inputs[1]!);
      const r = pads.length / 2;
      const torchPads: number[] = [];
      for (let d = r - 1; d >= 0; d--) torchPads.push(pads[d]!, pads[r + d]!);
      const mode = { constant: "constant", reflect: "reflect", edge: "replicate" }[(a.mode?.value as string) ?? "constant"] ?? "constant";
      assign(node, `F.pad(${x[0]}, ${pyList(torchPads)}, mode=${pyStr(mode)}${mode === "constant" && node.inputs[2] ? `, value=${py(valueOf(node.inputs[2])[0]!)}` : ""})`);
    } else if (op === "DepthToSpace") assign(node, `F.pixel_shuffle(${x[0]}, ${i("blocksize", 1)})`);
    else throw new OnnxExportError(`exportTorch: ${op} (node ${node.name}) has no PyTorch translation yet`);
  }
  const inputs = graph.inputs.map((_, i) => `x${i}`);
  const outputs = graph.outputs.map((o) => v(o.name));
  const declare = [
    ...params.map((p) => `        _register(self, ${pyStr(p)}, nn.Parameter(torch.empty(${pyList(state[p]!.shape)}, dtype=torch.${state[p]!.dtype})))`),
    ...buffers.map((b) => `        _register(self, ${pyStr(b)}, torch.empty(${pyList(state[b]!.shape)}, dtype=torch.${state[b]!.dtype === "int32" ? "int64" : state[b]!.dtype}))`),
  ];
  const source = `"""${graph.name} exported by nabla (io.exportTorch): the traced forward in torch calls.

Parameters and buffers keep nabla's (= PyTorch's) state-dict names, so
model.load_state_dict(torch.load(weights)) loads the .pt file written beside this one, and nabla's
loadStateDict reads back what torch.save writes of model.state_dict().
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def _register(root, name, value):
    """A parameter or buffer under a dotted name, in nested submodules (as PyTorch names them)."""
    *path, leaf = name.split(".")
    module = root
    for part in path:
        if not hasattr(module, part):
            module.add_module(part, nn.Module())
        module = getattr(module, part)
    if isinstance(value, nn.Parameter):
        module.register_parameter(leaf, value)
    else:
        module.register_buffer(leaf, value)


def _copy_zeros(x, shape):
    """ONNX's Reshape: a 0 copies the input's size at that position."""
    return [x.shape[i] if s == 0 else s for i, s in enumerate(shape)]


def _gather(data, indices, axis):
    picked = data.index_select(axis, indices.reshape(-1).long())
    return picked.reshape(data.shape[:axis] + indices.shape + data.shape[axis + 1:])


def _unsqueeze(x, axes):
    for a in sorted(d if d >= 0 else d + x.dim() + len(axes) for d in axes):
        x = x.unsqueeze(a)
    return x


class NablaModel(nn.Module):
    def __init__(self):
        super().__init__()
${[...declare, ...constantLines].join("\n") || "        pass"}

    def forward(self, ${inputs.join(", ")}):
${lines.join("\n")}
        return ${outputs.length === 1 ? outputs[0] : `(${outputs.join(", ")})`}
`;
  const used = Object.fromEntries([...params, ...buffers].map((k) => [k, state[k]!]));
  return { source, weights: saveTorch(used) };
}
