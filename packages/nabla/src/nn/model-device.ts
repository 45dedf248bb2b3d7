/**
 * `modelDevice(model)`: the device a model computes on, taken as its first parameter's (PyTorch
 * has no such property; Keras's and Lightning's fit and torchinfo's summary look there too).
 * Undefined for a model without parameters, whose inputs are then left where they are. The
 * callers (train/fit.ts, nn/summary.ts) move their batches or example inputs to it, so that data
 * read on the CPU runs through a model moved to the webgpu device.
 */
import type { Device } from "../backend/device.js";
import type { AnyModule } from "./module.js";

export function modelDevice(model: AnyModule): Device | undefined {
  return model.parameters()[0]?.device;
}
