/**
 * Recurrent layers: RNN (tanh or relu), LSTM and GRU — multi-layer, bidirectional, batchFirst,
 * initial states, dropout between layers — and their one-step cells. Parameter names and gate
 * order are PyTorch's (`weight_ih_l0`, `weight_hh_l1_reverse`, gates i,f,g,o for LSTM and
 * r,z,n for GRU), so state dicts move between the two unchanged. Every weight and bias starts
 * U(−1/√H, 1/√H).
 *
 *   RNN:  h' = act(W_ih·x + b_ih + W_hh·h + b_hh)
 *   LSTM: i,f,g,o = σ,σ,tanh,σ(W_ih·x + b_ih + W_hh·h + b_hh);  c' = f⊙c + i⊙g;  h' = o⊙tanh(c')
 *   GRU:  r,z = σ(W_i·x + b_i + W_h·h + b_h);  n = tanh(W_in·x + b_in + r⊙(W_hn·h + b_hn));
 *         h' = (1 − z)⊙n + z⊙h
 *
 * The input projection W_ih·x of a whole layer is one matmul over all time steps; the recurrence
 * runs step by step. Gradients (backpropagation through time) come from the recorded graph, but
 * W_hh's gradient is one matmul over the sequence too, b_hh's one sum (recurrent-weight-grad.ts),
 * and the steps' gradients of the projection are gathered into one (sequence-steps.ts).
 */
import { formatShape, OptionError, ShapeError } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
import { BOOLEAN, NUMBER, STRING, type Slot, type WithOptions } from "../../ops/arguments.js";
import { DTYPE_OPTION, readLayerArgs } from "../constructor-args.js";
import { add, relu, tanh } from "../../ops/elementwise.js";
import { cat, stack } from "../../ops/join.js";
import { matmul } from "../../ops/matmul.js";
import { select, squeeze, transpose, unsqueeze } from "../../ops/shape.js";
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../functional/dropout.js";
import { gruCell } from "../functional/gru-cell.js";
import { lstmCell } from "../functional/lstm-cell.js";
import { uniform_ } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { sequenceWeightGrad } from "./recurrent-weight-grad.js";
import { sequenceSteps } from "./sequence-steps.js";
import { pyFloat } from "./repr.js";

export type RNNMode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

const GATES: Record<RNNMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/**
 * x·Wᵀ (+ b) over the last dim. matmul folds a sequence [T, N, I] into one [T·N, I] matrix, as
 * PyTorch's does: W's gradient is then one [G, T·N]·[T·N, I] product, where a batched product
 * would take T skinny ones (K = N) and sum them.
 */
function project(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const y = matmul(x, transpose(w, 0, 1));
  return b === null ? y : add(y, b);
}

/**
 * One recurrence step given the input projection xw = W_ih·x + b_ih ([N, G·H]), the recurrent
 * product hw = h·W_hhᵀ and the state. Returns the new hidden state and, for LSTM, the new cell state.
 */
export function recurrentStep(mode: RNNMode, xw: Tensor, hw: Tensor, h: Tensor, c: Tensor | null, bHH: Tensor | null): [Tensor, Tensor | null] {
  // LSTM, GRU: the gates and states in one fused kernel where the device has one (b_hh is added there)
  if (mode === "LSTM") return lstmCell(xw, hw, bHH, c!);
  if (mode === "GRU") return [gruCell(xw, hw, bHH, h), null];
  const pre = add(xw, bHH === null ? hw : add(hw, bHH));
  return [mode === "RNN_RELU" ? relu(pre) : tanh(pre), null];
}

export interface RNNOptions {
  numLayers?: number;
  /** "tanh" (default) or "relu"; RNN only. */
  nonlinearity?: "tanh" | "relu";
  bias?: boolean;
  /** Input and output are [batch, time, feature] instead of [time, batch, feature]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training. */
  dropout?: number;
  bidirectional?: boolean;
  dtype?: DType;
}

const SIZES: readonly Slot[] = [["inputSize", NUMBER], ["hiddenSize", NUMBER]];
// PyTorch 1.13's positional order after (input_size, hidden_size); RNN's nonlinearity is keyword-only there
const RNN_SLOTS: readonly Slot[] = [["numLayers", NUMBER], ["bias", BOOLEAN], ["batchFirst", BOOLEAN], ["dropout", NUMBER], ["bidirectional", BOOLEAN]];
type RNNArgs<O> = WithOptions<[numLayers: number, bias: boolean, batchFirst: boolean, dropout: number, bidirectional: boolean], O>;

function rnnOptions(layer: string, inputSize: number, hiddenSize: number, args: readonly unknown[]): RNNOptions {
  const keywordOnly: Slot[] = layer === "RNN" ? [["nonlinearity", STRING], DTYPE_OPTION] : [DTYPE_OPTION];
  return readLayerArgs<RNNOptions>(layer, [inputSize, hiddenSize, ...args], { required: SIZES, positional: RNN_SLOTS, keywordOnly });
}

/** The initial state: h0 (and c0 for LSTM), each [numLayers·directions, N, H] (or [L·D, H] unbatched). */
export type LSTMState = [Tensor, Tensor];

abstract class RNNBase<In extends unknown[], Out> extends Module<In, Out> {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;

  constructor(protected readonly layer: string, readonly mode: RNNMode, readonly inputSize: number, readonly hiddenSize: number, options: RNNOptions) {
    super();
    const { numLayers = 1, bias = true, batchFirst = false, dropout: p = 0, bidirectional = false, dtype = "float32" } = options;
    for (const [what, v] of [["input_size", inputSize], ["hidden_size", hiddenSize], ["num_layers", numLayers]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new OptionError(`${layer}: ${what} must be a positive integer, got ${v}`);
    }
    if (!(p >= 0 && p <= 1)) throw new OptionError(`${layer}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got ${p}`);
    this.numLayers = numLayers;
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.dropout = p;
    this.bidirectional = bidirectional;
    const gate = GATES[mode] * hiddenSize;
    const k = 1 / Math.sqrt(hiddenSize);
    for (let l = 0; l < numLayers; l++) {
      const inSize = l === 0 ? inputSize : hiddenSize * this.directions;
      for (let d = 0; d < this.directions; d++) {
        const suffix = `_l${l}${d === 1 ? "_reverse" : ""}`;
        const shapes: [string, number[]][] = [[`weight_ih${suffix}`, [gate, inSize]], [`weight_hh${suffix}`, [gate, hiddenSize]]];
        if (bias) shapes.push([`bias_ih${suffix}`, [gate]], [`bias_hh${suffix}`, [gate]]);
        for (const [name, shape] of shapes) {
          const p = new Parameter(zeros(shape, { dtype }));
          uniform_(p, -k, k);
          (this as unknown as Record<string, Parameter>)[name] = p;
        }
      }
    }
  }

  /** A no-op kept for code ported from PyTorch (there is no cuDNN weight buffer to compact here). */
  flattenParameters(): void {}

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** A parameter by PyTorch's name, e.g. `weight_hh_l1_reverse`. */
  param(name: string): Parameter {
    const p = (this as unknown as Record<string, unknown>)[name];
    if (!(p instanceof Parameter)) throw new OptionError(`${this.layer}: no parameter named '${name}'`);
    return p;
  }

  private weights(l: number, d: number): [Tensor, Tensor, Tensor | null, Tensor | null] {
    const s = `_l${l}${d === 1 ? "_reverse" : ""}`;
    return [this.param(`weight_ih${s}`), this.param(`weight_hh${s}`), this.bias ? this.param(`bias_ih${s}`) : null, this.bias ? this.param(`bias_hh${s}`) : null];
  }

  private checkState(what: string, t: Tensor, expected: number[], input: Tensor): void {
    if (t.shape.join() !== expected.join()) {
      throw new ShapeError(`${this.layer}: expected ${what} of shape ${formatShape(expected)}, got ${formatShape(t.shape)} (input ${formatShape(input.shape)})`);
    }
  }

  /** Runs all layers; h0/c0 are [L·D, N, H]. Returns the last layer's outputs [T, N, D·H] and the final states. */
  protected run(input: Tensor, h0: Tensor | null, c0: Tensor | null): { output: Tensor; hN: Tensor; cN: Tensor | null } {
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ShapeError(`${this.layer}: expected input to be 2D (unbatched) or 3D (batched), got input of shape ${formatShape(input.shape)}`);
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${this.layer}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.shape[input.ndim - 1]} (input ${formatShape(input.shape)})`);
    }
    const unbatched = input.ndim === 2;
    let x = unbatched ? unsqueeze(input, 1) : this.batchFirst ? transpose(input, 0, 1) : input;
    const [T, N] = [x.shape[0]!, x.shape[1]!];
    const H = this.hiddenSize;
    const stateShape = unbatched ? [this.numLayers * this.directions, H] : [this.numLayers * this.directions, N, H];
    const lstm = this.mode === "LSTM";
    const initial = (what: string, s: Tensor | null): Tensor => {
      // on the input's device, as PyTorch's default state
      if (s === null) return zeros([this.numLayers * this.directions, N, H], { dtype: input.dtype, device: input.storage.device });
      this.checkState(what, s, stateShape, input);
      return unbatched ? unsqueeze(s, 1) : s;
    };
    const h = initial("hidden state h_0", h0);
    const c = lstm ? initial("cell state c_0", c0) : null;
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < this.directions; d++) {
        const [wIH, wHH, bIH, bHH] = this.weights(l, d);
        let xwAll = project(x, wIH, bIH); // W_ih·x + b_ih for all steps in one matmul
        // W_hh's gradient as one matmul over the sequence and b_hh's as one sum, not one per step
        const oneGrad = sequenceWeightGrad(xwAll, wHH, bHH, this.mode === "GRU");
        if (oneGrad !== null) xwAll = oneGrad.xw;
        const xw = sequenceSteps(xwAll);
        let hs = select(h, 0, l * this.directions + d);
        let cs = c === null ? null : select(c, 0, l * this.directions + d);
        const steps: Tensor[] = new Array<Tensor>(T);
        for (let k = 0; k < T; k++) {
          const t = d === 0 ? k : T - 1 - k;
          const hw = oneGrad === null ? matmul(hs, transpose(wHH, 0, 1)) : oneGrad.product(t, hs);
          [hs, cs] = recurrentStep(this.mode, xw[t]!, hw, hs, cs, oneGrad === null ? bHH : oneGrad.bias);
          steps[t] = hs;
        }
        outs.push(stack(steps, 0));
        hN.push(hs);
        if (cs !== null) cN.push(cs);
      }
      x = outs.length === 1 ? outs[0]! : cat(outs, 2);
      if (this.dropout > 0 && this.training && l < this.numLayers - 1) x = dropout(x, { p: this.dropout, training: true });
    }
    const fix = (t: Tensor) => (unbatched ? squeeze(t, 1) : t);
    const output = unbatched ? squeeze(x, 1) : this.batchFirst ? transpose(x, 0, 1) : x;
    return { output, hN: fix(stack(hN, 0)), cN: lstm ? fix(stack(cN, 0)) : null };
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (this.mode === "RNN_RELU") s += ", nonlinearity=relu";
    if (!this.bias) s += ", bias=False";
    if (this.batchFirst) s += ", batch_first=True";
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += ", bidirectional=True";
    return s;
  }
}

/** Elman RNN with tanh or relu. forward(input, h0?) → [output, hN]. */
export class RNN extends RNNBase<[input: Tensor, h0?: Tensor | null], [Tensor, Tensor]> {
  /** PyTorch's `(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional)`, or options after the sizes. */
  constructor(inputSize: number, hiddenSize: number, ...args: RNNArgs<RNNOptions>) {
    const options = rnnOptions("RNN", inputSize, hiddenSize, args);
    const nl = options.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new OptionError(`RNN: unknown nonlinearity '${String(nl)}' (use "tanh" or "relu")`);
    super("RNN", nl === "tanh" ? "RNN_TANH" : "RNN_RELU", inputSize, hiddenSize, options);
  }
  forward(input: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const { output, hN } = this.run(input, h0, null);
    return [output, hN];
  }
}

/** Long short-term memory. forward(input, [h0, c0]?) → [output, [hN, cN]]. */
export class LSTM extends RNNBase<[input: Tensor, hx?: LSTMState | null], [Tensor, LSTMState]> {
  /** PyTorch's `(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional)`, or options after the sizes. */
  constructor(inputSize: number, hiddenSize: number, ...args: RNNArgs<Omit<RNNOptions, "nonlinearity">>) {
    super("LSTM", "LSTM", inputSize, hiddenSize, rnnOptions("LSTM", inputSize, hiddenSize, args));
  }
  forward(input: Tensor, hx: LSTMState | null = null): [Tensor, LSTMState] {
    const { output, hN, cN } = this.run(input, hx?.[0] ?? null, hx?.[1] ?? null);
    return [output, [hN, cN!]];
  }
}

/** Gated recurrent unit. forward(input, h0?) → [output, hN]. */
export class GRU extends RNNBase<[input: Tensor, h0?: Tensor | null], [Tensor, Tensor]> {
  /** PyTorch's `(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional)`, or options after the sizes. */
  constructor(inputSize: number, hiddenSize: number, ...args: RNNArgs<Omit<RNNOptions, "nonlinearity">>) {
    super("GRU", "GRU", inputSize, hiddenSize, rnnOptions("GRU", inputSize, hiddenSize, args));
  }
  forward(input: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const { output, hN } = this.run(input, h0, null);
    return [output, hN];
  }
}

/** The parts the three cells share: weight_ih [G·H, I], weight_hh [G·H, H], bias_ih, bias_hh. */
abstract class CellBase<In extends unknown[], Out> extends Module<In, Out> {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;
  constructor(protected readonly layer: string, readonly mode: RNNMode, readonly inputSize: number, readonly hiddenSize: number, { bias = true, dtype = "float32" }: CellOptions) {
    super();
    const g = GATES[mode] * hiddenSize;
    const k = 1 / Math.sqrt(hiddenSize);
    const make = (shape: number[]) => uniform_(new Parameter(zeros(shape, { dtype })), -k, k) as Parameter;
    this.weight_ih = make([g, inputSize]);
    this.weight_hh = make([g, hiddenSize]);
    this.bias_ih = bias ? make([g]) : null;
    this.bias_hh = bias ? make([g]) : null;
  }

  protected step(input: Tensor, h: Tensor | null, c: Tensor | null): [Tensor, Tensor | null] {
    if ((input.ndim !== 1 && input.ndim !== 2) || input.shape[input.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${this.layer}: expected input of shape [N, ${this.inputSize}] or [${this.inputSize}], got ${formatShape(input.shape)}`);
    }
    const unbatched = input.ndim === 1;
    const x = unbatched ? unsqueeze(input, 0) : input;
    const expected = unbatched ? [this.hiddenSize] : [x.shape[0]!, this.hiddenSize];
    const state = (what: string, s: Tensor | null) => {
      if (s === null) return zeros([x.shape[0]!, this.hiddenSize], { dtype: input.dtype, device: input.storage.device });
      if (s.shape.join() !== expected.join()) {
        throw new ShapeError(`${this.layer}: expected ${what} of shape ${formatShape(expected)}, got ${formatShape(s.shape)} (input ${formatShape(input.shape)})`);
      }
      return unbatched ? unsqueeze(s, 0) : s;
    };
    const hs = state("hidden state", h);
    const hw = matmul(hs, transpose(this.weight_hh, 0, 1));
    const [h2, c2] = recurrentStep(this.mode, project(x, this.weight_ih, this.bias_ih), hw, hs, this.mode === "LSTM" ? state("cell state", c) : null, this.bias_hh);
    const fix = (t: Tensor) => (unbatched ? squeeze(t, 0) : t);
    return [fix(h2), c2 === null ? null : fix(c2)];
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih ? "" : ", bias=False"}${this.mode === "RNN_RELU" ? ", nonlinearity=relu" : ""}`;
  }
}

interface CellOptions {
  bias?: boolean;
  dtype?: DType;
}

/** A cell's options: PyTorch's `(inputSize, hiddenSize, bias)` (RNNCell: then nonlinearity), or an object after the sizes. */
function cellOptions<O extends CellOptions>(layer: string, inputSize: number, hiddenSize: number, args: readonly unknown[]): O {
  const positional: Slot[] = layer === "RNNCell" ? [["bias", BOOLEAN], ["nonlinearity", STRING]] : [["bias", BOOLEAN]];
  return readLayerArgs<O>(layer, [inputSize, hiddenSize, ...args], { required: SIZES, positional, keywordOnly: [DTYPE_OPTION] }) as O;
}

type RNNCellOptions = CellOptions & { nonlinearity?: "tanh" | "relu" };

export class RNNCell extends CellBase<[input: Tensor, h?: Tensor | null], Tensor> {
  constructor(inputSize: number, hiddenSize: number, ...args: WithOptions<[bias: boolean, nonlinearity: "tanh" | "relu"], RNNCellOptions>) {
    const { nonlinearity = "tanh", ...options } = cellOptions<RNNCellOptions>("RNNCell", inputSize, hiddenSize, args);
    if (nonlinearity !== "tanh" && nonlinearity !== "relu") throw new OptionError(`RNNCell: unknown nonlinearity '${String(nonlinearity)}' (use "tanh" or "relu")`);
    super("RNNCell", nonlinearity === "relu" ? "RNN_RELU" : "RNN_TANH", inputSize, hiddenSize, options);
  }
  forward(input: Tensor, h: Tensor | null = null): Tensor {
    return this.step(input, h, null)[0];
  }
}

export class LSTMCell extends CellBase<[input: Tensor, hx?: LSTMState | null], LSTMState> {
  constructor(inputSize: number, hiddenSize: number, ...args: WithOptions<[bias: boolean], CellOptions>) {
    super("LSTMCell", "LSTM", inputSize, hiddenSize, cellOptions("LSTMCell", inputSize, hiddenSize, args));
  }
  forward(input: Tensor, hx: LSTMState | null = null): LSTMState {
    const [h, c] = this.step(input, hx?.[0] ?? null, hx?.[1] ?? null);
    return [h, c!];
  }
}

export class GRUCell extends CellBase<[input: Tensor, h?: Tensor | null], Tensor> {
  constructor(inputSize: number, hiddenSize: number, ...args: WithOptions<[bias: boolean], CellOptions>) {
    super("GRUCell", "GRU", inputSize, hiddenSize, cellOptions("GRUCell", inputSize, hiddenSize, args));
  }
  forward(input: Tensor, h: Tensor | null = null): Tensor {
    return this.step(input, h, null)[0];
  }
}
