/**
 * View 1: two activations side by side. For each, f(x) from the library and f'(x) from its
 * autograd (`x.requiresGrad_()`, `y.sum().backward()`, `x.grad`) over an adjustable range, the
 * parameters as sliders, the flat regions (|f'(x)| < 0.01: dead or saturated) shaded, the
 * formula, when to use it, and a probe that reads f and f' at one x.
 */
import { linspace, tensor, type Tensor } from "nabla";
import { ACTIVATIONS, defaults, findActivation, type Activation } from "./activation-catalogue.js";
import { el, numberField, selectField, slider } from "./fields.js";
import { LineChart } from "./plot.js";
import { state } from "./state.js";

/** Samples over the range. */
const SAMPLES = 401;
/** |f'| below this is drawn as a flat (dead or saturated) region. */
const FLAT = 0.01;

export interface Curve {
  name: string;
  xs: number[];
  ys: number[];
  ds: number[];
}

/** f and f' of an activation at the given points (float64), f' by autograd. */
export function evaluate(a: Activation, params: Record<string, number>, points: Tensor): { ys: number[]; ds: number[] } {
  const x = points.requiresGrad_();
  const y = a.apply(x, params);
  y.sum().backward();
  return { ys: Array.from(y.detach().toTypedArray(), Number), ds: Array.from(x.grad!.toTypedArray(), Number) };
}

/** The x intervals where |f'| < FLAT. */
export function flatBands(xs: number[], ds: number[]): [number, number][] {
  const bands: [number, number][] = [];
  let start: number | null = null;
  xs.forEach((x, i) => {
    const flat = Math.abs(ds[i]!) < FLAT;
    if (flat && start === null) start = i === 0 ? x : (x + xs[i - 1]!) / 2;
    if (!flat && start !== null) {
      bands.push([start, (x + xs[i - 1]!) / 2]);
      start = null;
    }
  });
  if (start !== null) bands.push([start, xs[xs.length - 1]!]);
  return bands;
}

function panel(index: number, initial: string, range: { lo: number; hi: number }): { root: HTMLElement; redraw: () => void } {
  let activation = findActivation(initial);
  let params = defaults(activation);
  let probeX = 2;
  let bands: [number, number][] = [];
  const chart = new LineChart({ height: 260, series: [{ label: "f(x)", color: "#1f77b4" }, { label: "f′(x)", color: "#d62728", dashed: true }], legend: true, bands: () => bands });
  chart.root.dataset.plot = `activation-${index}`;
  const sliders = el("div", { className: "sliders" });
  const formula = el("p", { className: "formula" });
  const when = el("p", { className: "when" });
  const probe = el("output", { dataset: { probe: String(index) } });
  const legend = el("p", { className: "legend" }, "f′(x) by autograd; ", el("span", { className: "swatch band" }), " |f′| < 0.01: dead or saturated; the legend under the plot reads the curves at the cursor");

  const redraw = (): void => {
    const xs = linspace(range.lo, range.hi, SAMPLES, { dtype: "float64" });
    const { ys, ds } = evaluate(activation, params, xs);
    const xsArr = Array.from(xs.toTypedArray(), Number);
    bands = flatBands(xsArr, ds);
    chart.setData(xsArr, [ys, ds]);
    const at = evaluate(activation, params, tensor([probeX], { dtype: "float64" }));
    probe.textContent = `f(${probeX}) = ${at.ys[0]!.toPrecision(6)},  f′(${probeX}) = ${at.ds[0]!.toPrecision(6)}`;
    probe.dataset.x = String(probeX);
    probe.dataset.f = String(at.ys[0]);
    probe.dataset.grad = String(at.ds[0]);
    state.activations[index] = { name: activation.name, xs: xsArr, ys, ds };
  };

  const choose = (name: string): void => {
    activation = findActivation(name);
    params = defaults(activation);
    formula.textContent = `f(x) = ${activation.formula}`;
    when.textContent = activation.when;
    sliders.replaceChildren(
      ...activation.params.map((p) =>
        slider(`${index}-${p.key}`, p.label, p.min, p.max, p.step, p.value, (v) => {
          params[p.key] = v;
          redraw();
        }),
      ),
    );
    redraw();
  };

  const root = el(
    "section",
    { className: "panel" },
    selectField(`activation-${index}`, "activation", ACTIVATIONS.map((a) => a.name), initial, choose),
    sliders,
    chart.root,
    legend,
    formula,
    when,
    el("p", {}, numberField(`probe-${index}`, "probe at x =", probeX, () => null, (v) => ((probeX = v), redraw())), " ", probe),
  );
  choose(initial);
  return { root, redraw };
}

export function activationsView(): HTMLElement {
  const range = { lo: -5, hi: 5 };
  const panels: { redraw: () => void }[] = [];
  const redrawAll = (): void => panels.forEach((p) => p.redraw());
  const controls = el(
    "div",
    { className: "controls" },
    numberField("range-lo", "x from", range.lo, (v) => (v < range.hi ? null : "must be below the upper end"), (v) => ((range.lo = v), redrawAll())),
    numberField("range-hi", "to", range.hi, (v) => (v > range.lo ? null : "must be above the lower end"), (v) => ((range.hi = v), redrawAll())),
  );
  const left = panel(0, "ReLU", range);
  const right = panel(1, "GELU", range);
  panels.push(left, right);
  return el("div", { className: "view", dataset: { view: "activations" } }, controls, el("div", { className: "side-by-side" }, left.root, right.root));
}
