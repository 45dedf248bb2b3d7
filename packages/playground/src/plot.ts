/**
 * The page's charts, drawn by uPlot (a small, fast canvas chart library): line charts (activation
 * curves, loss and accuracy curves), histograms (bars), and planes (a loss surface or a decision
 * boundary) whose picture is painted under uPlot's axes by a hook, with marks (paths, points) over
 * it. The data stays the caller's; a chart only shows it.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** Distinct colours for series. */
export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939"];

/**
 * Charts that fill their box's width follow it when it is laid out or resized, through one
 * ResizeObserver (reading clientWidth while drawing would force a layout on every frame).
 */
const onResize = new WeakMap<Element, (width: number) => void>();
const observer = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const width = Math.floor(entry.contentRect.width);
    if (width > 0) onResize.get(entry.target)?.(width);
  }
});

function followWidth(box: HTMLElement, resize: (width: number) => void): void {
  onResize.set(box, resize);
  observer.observe(box);
}

const AXIS_FONT = "11px system-ui, sans-serif";
const axis = (label?: string): uPlot.Axis => ({ font: AXIS_FONT, labelFont: AXIS_FONT, label, labelSize: label === undefined ? 0 : 16, stroke: "#555", grid: { stroke: "#eee", width: 1 }, ticks: { stroke: "#ccc", width: 1, size: 4 } });

/** A log axis's tick label: 10ⁿ written as 1e-5 … 1e5 (uPlot's own labels, "0.00001", do not fit). */
function powerOfTen(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return "";
  if (v >= 0.01 && v < 1e4) return String(Number(v.toPrecision(3)));
  return v.toExponential(0).replace("+", "");
}

/** Non-finite values (a diverged loss) and, on a log scale, values ≤ 0 are gaps in the line. */
function cleaned(ys: ArrayLike<number>, logY: boolean): (number | null)[] {
  const out = new Array<number | null>(ys.length);
  for (let i = 0; i < ys.length; i++) {
    const v = ys[i]!;
    out[i] = Number.isFinite(v) && (!logY || v > 0) ? v : null;
  }
  return out;
}

export interface Series {
  label: string;
  color: string;
  dashed?: boolean;
}

export interface LineChartOptions {
  height: number;
  series: Series[];
  /** Log scale on y (loss curves); values ≤ 0 are gaps. */
  logY?: boolean;
  /** A fixed y range (accuracy in [0, 1]); otherwise it follows the data. */
  yRange?: [number, number];
  xLabel?: string;
  yLabel?: string;
  /** Shows uPlot's legend (the values under the cursor). */
  legend?: boolean;
  /** Called on each drawing to get x intervals shaded grey under the lines (where an activation is flat). */
  bands?: () => [number, number][];
}

/** Lines over a shared x, with axes, a legend that reads the values under the cursor, and optional shaded x bands. */
export class LineChart {
  readonly root: HTMLDivElement;
  #chart: uPlot;
  #options: LineChartOptions;
  #data: uPlot.AlignedData = [[]];

  constructor(options: LineChartOptions) {
    this.root = document.createElement("div");
    this.root.className = "chart";
    this.#options = options;
    this.#chart = this.#make(400);
    followWidth(this.root, (width) => {
      if (width !== this.#chart.width) this.#chart.setSize({ width, height: options.height });
    });
  }

  #make(width: number): uPlot {
    const o = this.#options;
    const bands = o.bands;
    const shade = (u: uPlot): void => {
      const g = u.ctx;
      g.save();
      g.fillStyle = "rgba(128,128,128,0.18)";
      for (const [a, b] of bands!()) {
        const [x0, x1] = [u.valToPos(a, "x", true), u.valToPos(b, "x", true)];
        const left = Math.max(u.bbox.left, x0);
        const right = Math.min(u.bbox.left + u.bbox.width, x1);
        if (right > left) g.fillRect(left, u.bbox.top, right - left, u.bbox.height);
      }
      g.restore();
    };
    return new uPlot(
      {
        width,
        height: o.height,
        legend: { show: o.legend ?? false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: false },
          y: o.logY ? { distr: 3 } : o.yRange ? { auto: false, range: o.yRange } : {},
        },
        axes: [axis(o.xLabel), o.logY ? { ...axis(o.yLabel), size: 52, values: (_u, splits) => splits.map(powerOfTen) } : axis(o.yLabel)],
        series: [{ label: "x" }, ...o.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dashed ? [5, 4] : undefined, points: { show: false } }))],
        hooks: bands ? { drawClear: [shade] } : {},
      },
      this.#data,
      this.root,
    );
  }

  /** New values: xs and one ys per series (in the order given). */
  setData(xs: ArrayLike<number>, ys: ArrayLike<number>[]): void {
    const logY = this.#options.logY ?? false;
    this.#data = [Array.from(xs), ...ys.map((y) => cleaned(y, logY))];
    this.#chart.setData(this.#data);
  }

  /** Other series (a rule turned on or off): the chart is built again, the same size. */
  setSeries(series: Series[]): void {
    const same = series.length === this.#options.series.length && series.every((s, i) => s.label === this.#options.series[i]!.label && s.color === this.#options.series[i]!.color);
    if (same) return;
    const width = this.#chart.width;
    this.#chart.destroy();
    this.#options = { ...this.#options, series };
    this.#data = [[]];
    this.#chart = this.#make(width);
  }
}

/** A histogram (bars over bin edges) in a fixed box; its colour can change from one drawing to the next. */
export class Histogram {
  readonly root: HTMLDivElement;
  #chart: uPlot;
  #range: [number, number] = [0, 1];
  #color = PALETTE[0]!;

  constructor(width: number, height: number) {
    this.root = document.createElement("div");
    this.root.className = "chart histogram";
    this.#chart = new uPlot(
      {
        width,
        height,
        legend: { show: false },
        cursor: { show: false },
        padding: [4, 8, 0, 8],
        scales: { x: { time: false, range: () => this.#range }, y: { range: (_u, _lo, hi) => [0, Math.max(1, hi)] } },
        axes: [{ ...axis(), font: "9px system-ui, sans-serif", size: 18, gap: 2, ticks: { size: 3, stroke: "#ccc", width: 1 }, grid: { show: false } }, { show: false }],
        series: [{}, { fill: () => this.#color, stroke: () => this.#color, width: 0, paths: uPlot.paths.bars!({ size: [1, Infinity], gap: 1 }), points: { show: false } }],
      },
      [[], []],
      this.root,
    );
  }

  /** Bars of `counts` between consecutive `edges`. */
  setData(edges: ArrayLike<number>, counts: ArrayLike<number>, color: string): void {
    const n = counts.length;
    if (n === 0 || edges.length !== n + 1) return;
    this.#range = [edges[0]!, edges[n]! > edges[0]! ? edges[n]! : edges[0]! + 1];
    this.#color = color;
    const centers = Array.from({ length: n }, (_, i) => (edges[i]! + edges[i + 1]!) / 2);
    this.#chart.setData([centers, Array.from(counts)]);
  }
}

export interface PlaneOptions {
  /** Width and height in CSS pixels, axes included. */
  size: number;
  /** [x0, x1, y0, y1]: the part of the plane shown. */
  view: [number, number, number, number];
  /** Paints the picture of the plane into `rect` (canvas pixels), under the axes' grid-less plot area. */
  under: (g: CanvasRenderingContext2D, rect: uPlot.BBox) => void;
  /** Draws marks over the picture; `at` maps plane coordinates to canvas pixels, `px` is one CSS pixel in canvas pixels. */
  over: (g: CanvasRenderingContext2D, at: (x: number, y: number) => [number, number], px: number) => void;
}

/**
 * A 2-D plane with uPlot's axes: the picture (a contour plot, a heat map: images uPlot does not
 * draw) is painted by a hook into the plot area, the marks over it by another; `redraw()` after
 * the picture or the marks change.
 */
export class Plane {
  readonly root: HTMLDivElement;
  #chart: uPlot;
  #view: [number, number, number, number];

  constructor(options: PlaneOptions) {
    this.root = document.createElement("div");
    this.root.className = "chart plane";
    this.#view = options.view;
    const clip = (u: uPlot, draw: () => void): void => {
      const { left, top, width, height } = u.bbox;
      u.ctx.save();
      u.ctx.beginPath();
      u.ctx.rect(left, top, width, height);
      u.ctx.clip();
      draw();
      u.ctx.restore();
    };
    this.#chart = new uPlot(
      {
        width: options.size,
        height: options.size,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        scales: { x: { time: false, range: () => [this.#view[0], this.#view[1]] }, y: { range: () => [this.#view[2], this.#view[3]] } },
        axes: [{ ...axis(), grid: { show: false } }, { ...axis(), grid: { show: false } }],
        series: [{}, { label: "", scale: "y", points: { show: false } }],
        hooks: {
          drawClear: [(u) => clip(u, () => options.under(u.ctx, u.bbox))],
          draw: [(u) => clip(u, () => options.over(u.ctx, (x, y) => [u.valToPos(x, "x", true), u.valToPos(y, "y", true)], uPlot.pxRatio))],
        },
      },
      [[this.#view[0], this.#view[1]], [null, null]],
      this.root,
    );
  }

  /** Shows another part of the plane (another surface). */
  setView(view: [number, number, number, number]): void {
    this.#view = view;
    this.#chart.setData([[view[0], view[1]], [null, null]]);
  }

  /** Paints the picture and the marks again. */
  redraw(): void {
    this.#chart.redraw(false, false);
  }
}
