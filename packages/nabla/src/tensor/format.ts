/** `toString` that prints exactly like PyTorch's `repr` (torch/_tensor_str.py, default print options). */
import { defaultDevice } from "../backend/device.js";
import type { Tensor } from "./tensor.js";
import { isFloating, torchDTypeName } from "./dtype.js";

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 80;

/** Python keeps the sign of −0 (`'{:.0f}'.format(-0.0)` is `-0`); JavaScript's toFixed/toExponential drop it. */
function signOfZero(value: number): string {
  return Object.is(value, -0) ? "-" : "";
}

/** Python's `'{:.4e}'`: two-digit exponent with sign (1.0000e-05). */
function sci(value: number): string {
  return signOfZero(value) + value.toExponential(PRECISION).replace(/e([+-])(\d)$/, "e$10$2");
}

function plain(value: number): string {
  return Number.isNaN(value) ? "nan" : value === Infinity ? "inf" : value === -Infinity ? "-inf" : "";
}

/** Chooses one format for all printed values, as PyTorch's _Formatter does. */
class Formatter {
  private intMode = true;
  private sciMode = false;
  private width = 1;

  constructor(
    private readonly floating: boolean,
    private readonly isBool: boolean,
    values: number[],
  ) {
    if (!floating) {
      for (const v of values) this.width = Math.max(this.width, this.raw(v).length);
      return;
    }
    const finite = values.filter((v) => Number.isFinite(v) && v !== 0);
    if (finite.length === 0) return;
    const abs = finite.map(Math.abs);
    const lo = Math.min(...abs);
    const hi = Math.max(...abs);
    this.intMode = finite.every((v) => v === Math.ceil(v));
    if (this.intMode) {
      if (hi / lo > 1000 || hi > 1e8) {
        this.sciMode = true;
        for (const v of finite) this.width = Math.max(this.width, sci(v).length);
      } else {
        for (const v of finite) this.width = Math.max(this.width, v.toFixed(0).length + 1);
      }
    } else if (hi / lo > 1000 || hi > 1e8 || lo < 1e-4) {
      this.sciMode = true;
      for (const v of finite) this.width = Math.max(this.width, sci(v).length);
    } else {
      for (const v of finite) this.width = Math.max(this.width, v.toFixed(PRECISION).length);
    }
  }

  get elementWidth(): number {
    return this.width;
  }

  private raw(v: number): string {
    if (this.isBool) return v ? "True" : "False";
    if (!this.floating) return String(v);
    const special = plain(v);
    if (special) return special;
    if (this.sciMode) return sci(v);
    if (this.intMode) return `${signOfZero(v)}${v.toFixed(0)}.`;
    return signOfZero(v) + v.toFixed(PRECISION);
  }

  format(v: number): string {
    return this.raw(v).padStart(this.width, " ");
  }
}

/** A nested view of the values with row-major access: shape plus a flat array. */
interface Block {
  shape: number[];
  values: number[];
}

function sub(block: Block, i: number): Block {
  const inner = block.shape.slice(1).reduce((p, s) => p * s, 1);
  return { shape: block.shape.slice(1), values: block.values.slice(i * inner, (i + 1) * inner) };
}

/** The values PyTorch looks at when summarising: the first and last EDGE_ITEMS along every dim. */
function summarizedValues(block: Block, summarize: boolean): number[] {
  if (block.shape.length === 0) return block.values;
  const n = block.shape[0]!;
  const picks = summarize && n > 2 * EDGE_ITEMS
    ? [...Array(EDGE_ITEMS).keys(), ...Array.from({ length: EDGE_ITEMS }, (_, k) => n - EDGE_ITEMS + k)]
    : [...Array(n).keys()];
  return picks.flatMap((i) => summarizedValues(sub(block, i), summarize));
}

function vectorString(block: Block, indent: number, summarize: boolean, f: Formatter): string {
  const n = block.shape[0]!;
  const elementLength = f.elementWidth + 2;
  const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / elementLength));
  let data: string[];
  if (summarize && n > 2 * EDGE_ITEMS) {
    data = [
      ...block.values.slice(0, EDGE_ITEMS).map((v) => f.format(v)),
      " ...",
      ...block.values.slice(n - EDGE_ITEMS).map((v) => f.format(v)),
    ];
  } else {
    data = block.values.map((v) => f.format(v));
  }
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(", "));
  return `[${lines.join(`,\n${" ".repeat(indent + 1)}`)}]`;
}

function tensorString(block: Block, indent: number, summarize: boolean, f: Formatter): string {
  const dim = block.shape.length;
  if (dim === 0) return f.format(block.values[0]!);
  if (dim === 1) return vectorString(block, indent, summarize, f);
  const n = block.shape[0]!;
  let slices: string[];
  const at = (i: number) => tensorString(sub(block, i), indent + 1, summarize, f);
  if (summarize && n > 2 * EDGE_ITEMS) {
    slices = [
      ...Array.from({ length: EDGE_ITEMS }, (_, i) => at(i)),
      "...",
      ...Array.from({ length: EDGE_ITEMS }, (_, i) => at(n - EDGE_ITEMS + i)),
    ];
  } else {
    slices = Array.from({ length: n }, (_, i) => at(i));
  }
  return `[${slices.join("," + "\n".repeat(dim - 1) + " ".repeat(indent + 1))}]`;
}

function addSuffixes(body: string, suffixes: string[], indent: number): string {
  const parts = [body];
  let lastLineLength = body.length - body.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > LINE_WIDTH) {
      parts.push(`,\n${" ".repeat(indent)}${suffix}`);
      lastLineLength = indent + suffix.length;
    } else {
      parts.push(`, ${suffix}`);
      lastLineLength += suffix.length + 2;
    }
  }
  parts.push(")");
  return parts.join("");
}

/** PyTorch's print of `t`; `read` its elements in row-major order where the caller has them already (a webgpu tensor). */
export function formatTensor(t: Tensor, read: ArrayLike<number> = t.toTypedArray()): string {
  const prefix = "tensor(";
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;
  const values = Array.from(read);
  if (t.numel() === 0) {
    body = "[]";
    if (t.ndim !== 1) suffixes.push(`size=(${t.shape.join(", ")}${t.ndim === 1 ? "," : ""})`);
  } else {
    const block: Block = { shape: t.shape.slice(), values };
    const summarize = t.numel() > THRESHOLD;
    const f = new Formatter(isFloating(t.dtype), t.dtype === "bool", summarizedValues(block, summarize));
    body = tensorString(block, indent, summarize, f);
  }
  // PyTorch names the device when it is not the default one (set_default_tensor_type's), before
  // the dtype; float64 tensors are made on the CPU whatever the default (WGSL has no f64), so
  // the CPU is their default device
  const home = t.dtype === "float64" ? "cpu" : defaultDevice();
  if (t.device !== home) suffixes.push(`device='${t.device}'`);
  if (t.dtype === "float64" || t.dtype === "int32") suffixes.push(`dtype=${torchDTypeName(t.dtype)}`);
  if (t.gradFn !== null) suffixes.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push("requires_grad=True");
  return addSuffixes(prefix + body, suffixes, indent);
}
