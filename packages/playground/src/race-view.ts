/**
 * View 2: the optimizer race. Every enabled update rule (nabla's optim classes) starts from the
 * same point of a 2-D surface, each with its own learning rate; play/pause/step advance them all
 * together, their paths are drawn over the contour plot and their losses below.
 */
import { nn, tensor } from "nabla";
import { contourImage, drawPaths, surfaceGrid } from "./contour.js";
import { button, el, numberField, positive, selectField } from "./fields.js";
import { RULES, type Rule } from "./optimizers.js";
import { LineChart, PALETTE, Plane } from "./plot.js";
import { state } from "./state.js";
import { SURFACES, type Surface } from "./surfaces.js";

/** Steps per animation frame while playing. */
const STEPS_PER_FRAME = 2;

interface Runner {
  rule: Rule;
  color: string;
  enabled: boolean;
  lr: number;
  point: InstanceType<typeof nn.Parameter>;
  optimizer: ReturnType<Rule["make"]>;
  xs: number[];
  ys: number[];
  losses: number[];
  diverged: boolean;
}

export function raceView(): HTMLElement {
  let surface: Surface = SURFACES[0]!;
  let image = contourImage(surfaceGrid(surface));
  let step = 0;
  let playing = false;
  const lrs = new Map<string, number>();
  const enabled = new Map<string, boolean>(RULES.map((r) => [r.name, true]));
  let runners: Runner[] = [];

  let live: Runner[] = [];
  const plane = new Plane({
    size: 440,
    view: surface.view,
    under: (g, rect) => g.drawImage(image, rect.left, rect.top, rect.width, rect.height),
    over: (g, at, px) => drawPaths(g, at, px, surface, live.map((r) => ({ color: r.color, xs: r.xs, ys: r.ys }))),
  });
  plane.root.classList.add("surface");
  plane.root.dataset.plot = "surface";
  const lossPlot = new LineChart({ height: 300, series: [], logY: true, xLabel: "step", legend: true });
  lossPlot.root.dataset.plot = "race-loss";
  const counter = el("output", { dataset: { raceStep: "" } });
  const about = el("p", { className: "note" });
  const rows = el("tbody");

  const defaultLr = (rule: Rule): number => rule.raceLr * (rule.gradScaled ? surface.gradScale : 1);

  /** Every rule back at the start, with a fresh optimizer. */
  const reset = (): void => {
    step = 0;
    runners = RULES.map((rule, i) => {
      // the point is a 1×2 matrix so that Muon (2-D weights only) applies; the others do not care
      const point = new nn.Parameter(tensor([surface.start]));
      const lr = lrs.get(rule.name) ?? defaultLr(rule);
      return { rule, color: PALETTE[i % PALETTE.length]!, enabled: enabled.get(rule.name)!, lr, point, optimizer: rule.make([point], lr), xs: [surface.start[0]], ys: [surface.start[1]], losses: [], diverged: false };
    });
    render();
  };

  const advance = (n: number): void => {
    for (let k = 0; k < n; k++) {
      for (const r of runners) {
        if (!r.enabled || r.diverged) continue;
        r.optimizer.zeroGrad();
        const loss = surface.f(r.point.select(1, 0), r.point.select(1, 1), true).sum();
        loss.backward();
        r.optimizer.step();
        const [x, y] = Array.from(r.point.detach().toTypedArray(), Number) as [number, number];
        r.losses.push(loss.item());
        r.xs.push(x);
        r.ys.push(y);
        if (!Number.isFinite(x) || !Number.isFinite(y) || Math.abs(x) > 1e6 || Math.abs(y) > 1e6) r.diverged = true;
      }
      step++;
    }
    render();
  };

  const render = (): void => {
    live = runners.filter((r) => r.enabled);
    plane.redraw();
    lossPlot.setSeries(live.map((r) => ({ label: r.rule.name, color: r.color })));
    const floor = surfaceFloor(surface);
    lossPlot.setData(
      Array.from({ length: step }, (_, i) => i + 1),
      live.map((r) => r.losses.map((l) => l - floor)),
    );
    counter.textContent = `step ${step}`;
    counter.dataset.step = String(step);
    rows.replaceChildren(...runners.map(row));
    state.race = {
      surface: surface.name,
      step,
      minimum: surface.minimum,
      points: Object.fromEntries(runners.filter((r) => r.enabled).map((r) => [r.rule.name, { x: r.xs[r.xs.length - 1]!, y: r.ys[r.ys.length - 1]!, loss: r.losses[r.losses.length - 1] ?? NaN, lr: r.lr }])),
    };
  };

  const row = (r: Runner): HTMLTableRowElement => {
    const box = el("input", { type: "checkbox", checked: r.enabled, dataset: { rule: r.rule.name } });
    box.addEventListener("change", () => {
      enabled.set(r.rule.name, box.checked);
      reset();
    });
    const x = r.xs[r.xs.length - 1]!;
    const y = r.ys[r.ys.length - 1]!;
    const distance = Math.hypot(x - surface.minimum[0], y - surface.minimum[1]);
    const lrField = numberField(`lr-${r.rule.name}`, "lr", r.lr, positive, (v) => {
      lrs.set(r.rule.name, v);
      reset();
    });
    return el(
      "tr",
      {},
      el("td", {}, box),
      el("td", { style: `color: ${r.color}; font-weight: bold` } as object, r.rule.name),
      el("td", {}, lrField),
      el("td", { textContent: r.diverged ? "diverged" : `(${x.toFixed(3)}, ${y.toFixed(3)})` }),
      el("td", { textContent: `distance to ★ ${distance.toPrecision(3)}` }),
      el("td", { className: "note", textContent: r.rule.note ?? "" }),
    );
  };

  const frame = (): void => {
    if (!playing || !plane.root.isConnected) {
      playing = false;
      playButton.textContent = "Play";
      return;
    }
    advance(STEPS_PER_FRAME);
    requestAnimationFrame(frame);
  };
  const playButton = button("Play", "play", () => {
    playing = !playing;
    playButton.textContent = playing ? "Pause" : "Play";
    if (playing) requestAnimationFrame(frame);
  });

  const controls = el(
    "div",
    { className: "controls" },
    selectField("surface", "surface", SURFACES.map((s) => s.name), surface.name, (name) => {
      surface = SURFACES.find((s) => s.name === name)!;
      image = contourImage(surfaceGrid(surface));
      plane.setView(surface.view);
      about.textContent = surface.about;
      lrs.clear();
      reset();
    }),
    playButton,
    button("Step", "step", () => advance(1)),
    button("+100 steps", "step100", () => advance(100)),
    button("Reset", "reset", reset),
    counter,
  );
  about.textContent = surface.about;
  reset();
  return el(
    "div",
    { className: "view", dataset: { view: "race" } },
    controls,
    about,
    el("div", { className: "row" }, plane.root, el("div", { className: "grow" }, el("p", {}, "loss − minimum (log scale) per step"), lossPlot.root)),
    el("table", { className: "rules" }, rows),
    el("p", { className: "note" }, "Every rule is nabla's own optim class stepping a 1×2 Parameter; the gradient is autograd's. A changed lr or rule set restarts the race. SGD-like rules (whose step is lr × gradient) take a per-surface default lr; the normalised ones (Adam and kin) keep theirs."),
  );
}

/** The surface's lowest value (for the log-scale loss plot). */
function surfaceFloor(surface: Surface): number {
  return surface.name === "saddle" ? -1 - 1e-9 : -1e-9;
}
