/**
 * The plain-JS backend: every kernel, every dtype. The reference for all faster backends. It offers
 * the fused Adam/AdamW and SGD steps as plain loops (one pass where the tensor-op rules make about
 * twenty: ~11x faster steps; optim.setFusedSteps(false) runs the rules' reference instead) and the
 * fused LSTM and GRU steps and their backwards (js/lstm-cell.ts, js/gru-cell.ts).
 */
import { registerBackend, type Backend } from "../backend.js";
import { allocTyped } from "../../tensor/dtype.js";
import { assign, copy } from "./copy.js";
import { pointwise } from "./pointwise.js";
import { argReduce, gather, reduce, scatterAdd } from "./reduce.js";
import { matmul } from "./matmul.js";
import { fold2d, maxPool2d } from "./pooling.js";
import { conv2d, conv2dInput, conv2dWeight } from "./conv.js";
import { adamStep, sgdStep } from "./optim-steps.js";
import { lstmCell, lstmCellBackward } from "./lstm-cell.js";
import { gruCell, gruCellBackward } from "./gru-cell.js";

export const jsBackend: Backend = {
  name: "js",
  alloc: allocTyped,
  copy,
  assign,
  pointwise,
  reduce,
  argReduce,
  matmul,
  gather,
  scatterAdd,
  fold2d,
  maxPool2d,
  conv2d,
  conv2dInput,
  conv2dWeight,
  fused: { adamStep, sgdStep, lstmCell, lstmCellBackward, gruCell, gruCellBackward },
};

registerBackend(jsBackend);
