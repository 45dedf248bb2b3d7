/**
 * The update rules the race and the trainer offer, each made by the library's own optim class,
 * with a default learning rate for the race's 2-D surfaces and one for training a network.
 */
import { optim, type Tensor } from "nabla";

export interface Rule {
  name: string;
  make: (params: Tensor[], lr: number) => optim.Optimizer;
  /** Default lr in the race (2-D surfaces, full gradients). */
  raceLr: number;
  /** Default lr when training a network. */
  trainLr: number;
  /** Its step is lr × gradient (not normalised), so its race lr scales with the surface's gradients. */
  gradScaled?: boolean;
  /** Shown next to the rule. */
  note?: string;
}

export const RULES: Rule[] = [
  { name: "SGD", gradScaled: true, make: (p, lr) => new optim.SGD(p, { lr }), raceLr: 1e-3, trainLr: 0.1 },
  { name: "Momentum", gradScaled: true, make: (p, lr) => new optim.SGD(p, { lr, momentum: 0.9 }), raceLr: 1e-3, trainLr: 0.05 },
  { name: "Nesterov", gradScaled: true, make: (p, lr) => new optim.SGD(p, { lr, momentum: 0.9, nesterov: true }), raceLr: 1e-3, trainLr: 0.05 },
  { name: "Adagrad", make: (p, lr) => new optim.Adagrad(p, { lr }), raceLr: 0.5, trainLr: 0.05 },
  { name: "RMSprop", make: (p, lr) => new optim.RMSprop(p, { lr }), raceLr: 0.01, trainLr: 0.003 },
  { name: "Adam", make: (p, lr) => new optim.Adam(p, { lr }), raceLr: 0.1, trainLr: 0.01 },
  { name: "AdamW", make: (p, lr) => new optim.AdamW(p, { lr }), raceLr: 0.1, trainLr: 0.01 },
  { name: "Lion", make: (p, lr) => new optim.Lion(p, { lr }), raceLr: 0.01, trainLr: 0.001 },
  { name: "ScheduleFreeAdamW", make: (p, lr) => new optim.ScheduleFreeAdamW(p, { lr }), raceLr: 0.05, trainLr: 0.01, note: "draws its training point y" },
  { name: "ScheduleFreeSGD", gradScaled: true, make: (p, lr) => new optim.ScheduleFreeSGD(p, { lr }), raceLr: 1e-3, trainLr: 0.5, note: "draws its training point y" },
  { name: "Prodigy", make: (p, lr) => new optim.Prodigy(p, { lr }), raceLr: 1, trainLr: 1, note: "lr scales its own step-size estimate; leave it at 1" },
  {
    name: "Muon",
    make: (p, lr) => new optim.Muon(p, { lr }),
    raceLr: 0.02,
    trainLr: 0.02,
    note: "Muon orthogonalises 2-D weight matrices; the race's point is held as a 1×2 matrix, whose orthogonalisation is just g/‖g‖, so here Muon is normalised momentum. In a network, biases take its AdamW path.",
  },
];

export function findRule(name: string): Rule {
  const rule = RULES.find((r) => r.name === name);
  if (rule === undefined) throw new RangeError(`no update rule named "${name}"`);
  return rule;
}
