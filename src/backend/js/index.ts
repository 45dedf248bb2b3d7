/** The plain-JS backend: every kernel, every dtype. The reference for all faster backends. */
import { registerBackend, type Backend } from "../backend.js";
import { allocTyped } from "../../tensor/dtype.js";
import { assign, binary, copy, unary, where } from "./elementwise.js";
import { argReduce, gather, reduce, scatterAdd, softmax, softmaxBackward } from "./reduce.js";
import { matmul } from "./matmul.js";
import { adamStep, sgdStep } from "./optim.js";
import { fold2d, maxPool2d } from "./pooling.js";

export const jsBackend: Backend = {
  name: "js",
  alloc: allocTyped,
  copy,
  assign,
  unary,
  binary,
  where,
  reduce,
  argReduce,
  matmul,
  softmax,
  softmaxBackward,
  gather,
  scatterAdd,
  fold2d,
  maxPool2d,
  adamStep,
  sgdStep,
};

registerBackend(jsBackend);
