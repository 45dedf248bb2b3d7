/**
 * View 3: train an MLP in a Web Worker (train-worker.ts) on a 2-D set or the digits, with the
 * layers, activation, optimizer, lr, batch size and schedule chosen here; shows the decision
 * boundary, the loss and accuracy curves, and per layer the histogram of its outputs, the share
 * of dead or saturated units and the gradient norm, as it trains.
 */
import { drawDigits, drawPoints, markPredictions } from "./boundary.js";
import { EXTENT, SETS, shownDigits, type SetName } from "./datasets.js";
import { button, el, integer, numberField, positive, selectField, textField } from "./fields.js";
import { RULES, findRule } from "./optimizers.js";
import { Histogram, LineChart, Plane } from "./plot.js";
import { state, type TrainState } from "./state.js";
import type { LayerStats } from "./stats.js";
import { HIDDEN_ACTIVATIONS, SCHEDULES, SHOWN_DIGITS, type FromWorker, type HiddenActivation, type Schedule, type ToWorker, type TrainConfig } from "./train-protocol.js";

const pct = (x: number | null): string => (x === null ? "—" : `${(100 * x).toFixed(1)}%`);

/**
 * New histogram charts per drawing: a chart's first drawing (its canvas made and composited) is
 * its costliest, so a new table gets its charts over a few reports rather than all in one frame.
 */
const NEW_HISTOGRAMS_PER_DRAW = 2;

/** The per-layer table: one row per leaf module, with its histogram. */
function layerRows(table: HTMLTableSectionElement, histograms: (Histogram | undefined)[], layers: LayerStats[], step: number): void {
  table.dataset.step = String(step);
  if (table.rows.length !== layers.length) {
    histograms.length = 0;
    table.replaceChildren(...layers.map(() => el("tr", {}, ...Array.from({ length: 8 }, () => el("td")))));
  }
  let made = 0;
  layers.forEach((s, i) => {
    const cells = table.rows[i]!.cells;
    const texts = [s.name, s.kind, `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)}`, `[${s.min.toFixed(2)}, ${s.max.toFixed(2)}]`, pct(s.dead), pct(s.saturated), s.gradNorm === null ? "—" : s.gradNorm.toExponential(2)];
    texts.forEach((t, c) => {
      // unchanged cells are left alone: each write costs a style and layout pass
      if (cells[c]!.textContent !== t) cells[c]!.textContent = t;
    });
    const rowFlag = s.dead !== null && s.dead > 0.5 ? "#d62728" : s.saturated !== null && s.saturated > 0.5 ? "#ff7f0e" : "#1f77b4";
    if (histograms[i] === undefined && made < NEW_HISTOGRAMS_PER_DRAW) {
      histograms[i] = new Histogram(180, 64);
      cells[7]!.append(histograms[i].root);
      made++;
    }
    histograms[i]?.setData(s.histogram.edges, s.histogram.counts, rowFlag);
    table.rows[i]!.dataset.layer = s.name;
    table.rows[i]!.dataset.dead = String(s.dead);
    table.rows[i]!.dataset.saturated = String(s.saturated);
  });
}

export function trainView(): HTMLElement {
  const config: TrainConfig = { set: "two spirals", noise: 0.1, hidden: [32, 32], activation: "ReLU", optimizer: "Adam", lr: 0.01, batchSize: 32, schedule: "constant", steps: 3000, seed: 1 };
  const worker = new Worker(new URL("./train-worker.ts", import.meta.url), { type: "module" });
  const send = (m: ToWorker): void => worker.postMessage(m);
  const history = { steps: [] as number[], accuracy: [] as number[], lossSteps: [] as number[], loss: [] as number[] };
  let data: Extract<FromWorker, { type: "data" }> | null = null;
  const train: TrainState = (state.train = { running: false, step: 0, loss: NaN, accuracy: NaN, layers: [], error: null });

  let picture: ImageBitmap | null = null;
  const boundary = new Plane({
    size: 440,
    view: [-EXTENT, EXTENT, -EXTENT, EXTENT],
    under: (g, rect) => {
      if (picture === null) return;
      g.imageSmoothingEnabled = true;
      g.drawImage(picture, rect.left, rect.top, rect.width, rect.height);
    },
    over: (g, at, px) => {
      if (data !== null && data.features === 2) drawPoints(g, at, px, data.inputs, data.labels, data.classes);
    },
  });
  boundary.root.classList.add("boundary");
  const histograms: (Histogram | undefined)[] = [];
  const digits = el("div", { className: "digits" });
  const digitsBox = el("div", { hidden: true }, el("p", { className: "note" }, "Some of the digits, each framed in red while the network gets it wrong (hover for its label and the prediction)."), digits);
  const lossPlot = new LineChart({ height: 170, series: [{ label: "loss", color: "#d62728" }], logY: true, xLabel: "step" });
  const accPlot = new LineChart({ height: 170, series: [{ label: "held-out accuracy", color: "#2ca02c" }], yRange: [0, 1], xLabel: "step" });
  lossPlot.root.dataset.plot = "loss";
  accPlot.root.dataset.plot = "accuracy";
  const counter = el("output", { dataset: { trainStep: "" } });
  const statsNote = el("p", { className: "note" });
  const body = el("tbody");
  const layersTable = el("table", { className: "layers" }, el("thead", {}, el("tr", {}, ...["layer", "kind", "mean ± std", "range", "dead", "saturated", "‖grad‖", "histogram of outputs"].map((t) => el("th", { textContent: t })))), body);
  const pauseButton = button("Pause", "pause", () => {
    train.running = !train.running;
    send({ type: train.running ? "resume" : "pause" });
    pauseButton.textContent = train.running ? "Pause" : "Resume";
  });

  /** The run the page shows (the worker numbers its runs the same way: one per "start"). */
  let run = 0;
  const restart = (): void => {
    history.steps.length = history.accuracy.length = history.lossSteps.length = history.loss.length = 0;
    [train.step, train.loss, train.accuracy, train.layers, train.error, train.running] = [0, NaN, NaN, [], null, true];
    pauseButton.textContent = "Pause";
    counter.textContent = "starting…";
    body.dataset.step = "0";
    run++;
    send({ type: "start", config: { ...config, hidden: [...config.hidden] } });
  };

  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const m = event.data;
    if (m.type === "error") {
      train.error = m.message;
      counter.textContent = `error: ${m.message}`;
      return;
    }
    if (m.run !== run) {
      if (m.type === "progress") m.picture?.close();
      return;
    }
    if (m.type === "data") {
      data = m;
      statsNote.textContent = `Per-layer statistics of the last training batch, from ${m.statsSource}. Dead: share of ReLU units that output 0 for the whole batch (so get no gradient); saturated: share of sigmoid/tanh outputs in their flat tails.`;
      boundary.root.hidden = m.features !== 2;
      digitsBox.hidden = m.features === 2;
      picture?.close();
      picture = null;
      if (m.features === 2) boundary.redraw();
      else drawDigits(digits, m.inputs, m.labels, shownDigits(m.labels.length, SHOWN_DIGITS));
      return;
    }
    history.steps.push(m.step);
    history.accuracy.push(m.accuracy);
    history.lossSteps.push(...m.losses.steps);
    history.loss.push(...m.losses.values);
    Object.assign(train, { step: m.step, loss: m.loss, accuracy: m.accuracy, layers: m.layers });
    if (m.done) train.running = false;
    if (m.picture !== null) {
      picture?.close();
      picture = m.picture;
    }
    // draw the latest report on the next frame, the layer table on the one after: two shorter frames, not one long one
    if (latest === null) requestAnimationFrame(drawCharts);
    latest = m;
  };

  let latest: Extract<FromWorker, { type: "progress" }> | null = null;
  const drawCharts = (): void => {
    const m = latest!;
    latest = null;
    requestAnimationFrame(() => layerRows(body, histograms, m.layers, m.step));
    counter.textContent = `step ${m.step} / ${config.steps} · lr ${m.lr.toPrecision(3)} · loss ${m.loss.toFixed(4)} · held-out accuracy ${(100 * m.accuracy).toFixed(1)}%${m.done ? " · done" : ""}`;
    counter.dataset.accuracy = String(m.accuracy);
    if (m.picture !== null) boundary.redraw();
    if (data !== null && m.predictions !== null) markPredictions(digits, data.labels, shownDigits(data.labels.length, SHOWN_DIGITS), m.predictions);
    lossPlot.setData(history.lossSteps, [history.loss]);
    accPlot.setData(history.steps, [history.accuracy]);
  };

  const hiddenParse = (text: string): number[] | string => {
    if (text === "") return [];
    const sizes = text.split(",").map((s) => Number(s.trim()));
    if (sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 512)) return `"${text}": give hidden sizes as whole numbers in [1, 512], comma-separated`;
    return sizes.length > 6 ? "at most 6 hidden layers" : sizes;
  };
  const controls = el(
    "div",
    { className: "controls" },
    selectField("set", "data", [...SETS], config.set, (v) => ((config.set = v as SetName), restart())),
    numberField("noise", "noise", config.noise, (v) => (v >= 0 && v <= 2 ? null : "must be in [0, 2]"), (v) => ((config.noise = v), restart())),
    textField("hidden", "hidden layers", config.hidden.join(","), hiddenParse, (v) => ((config.hidden = v), restart())),
    selectField("activation", "activation", [...HIDDEN_ACTIVATIONS], config.activation, (v) => ((config.activation = v as HiddenActivation), restart())),
    selectField("optimizer", "optimizer", RULES.map((r) => r.name), config.optimizer, (v) => {
      config.optimizer = v;
      config.lr = findRule(v).trainLr;
      (controls.querySelector('[data-field="lr"]') as HTMLInputElement).value = String(config.lr);
      restart();
    }),
    numberField("lr", "learning rate", config.lr, positive, (v) => {
      config.lr = v;
      send({ type: "lr", lr: v });
    }),
    numberField("batch", "batch size", config.batchSize, integer(1, 4096), (v) => ((config.batchSize = v), restart())),
    selectField("schedule", "schedule", [...SCHEDULES], config.schedule, (v) => ((config.schedule = v as Schedule), restart())),
    numberField("steps", "steps", config.steps, integer(1, 1_000_000), (v) => ((config.steps = v), restart())),
    button("Restart", "restart", restart),
    pauseButton,
  );
  restart();
  return el(
    "div",
    { className: "view", dataset: { view: "train" } },
    controls,
    el("p", { className: "note" }, "Training runs in a Web Worker with nabla's nn and optim; the learning rate changes live, any other change restarts. Accuracy is on a held-out 20% of the set."),
    counter,
    el("div", { className: "row" }, el("div", {}, boundary.root, digitsBox), el("div", { className: "grow" }, el("p", {}, "loss (log scale)"), lossPlot.root, el("p", {}, "held-out accuracy"), accPlot.root)),
    statsNote,
    layersTable,
  );
}
