/** Small canvas plots (lines, shaded bands, histograms): enough for the playground, no library. */

export interface Series {
  ys: ArrayLike<number>;
  color: string;
  dashed?: boolean;
  label?: string;
}

export interface LinePlot {
  xs: ArrayLike<number>;
  series: Series[];
  /** x intervals drawn as grey bands (where an activation is flat). */
  bands?: [number, number][];
  yRange?: [number, number];
  /** Log scale on y (loss curves); values ≤ 0 are skipped. */
  logY?: boolean;
}

const MARGIN = { left: 44, right: 8, top: 8, bottom: 20 };

/**
 * Canvas sizes in CSS pixels, kept by a ResizeObserver: reading clientWidth while drawing would
 * force a layout on every frame (the page's longest tasks while training, before this cache).
 * A canvas whose size changes (laid out for the first time, or the window resized) gets a
 * "canvasresize" event, on which its view redraws.
 */
const sizes = new WeakMap<Element, { w: number; h: number }>();
const observer = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const { width, height } = entry.contentRect;
    if (width === 0 || height === 0) continue;
    sizes.set(entry.target, { w: width, h: height });
    entry.target.dispatchEvent(new Event("canvasresize"));
  }
});

/** A canvas sized for the device's pixel ratio, drawn in CSS pixels. */
export function context(canvas: HTMLCanvasElement): { g: CanvasRenderingContext2D; w: number; h: number } {
  const ratio = window.devicePixelRatio || 1;
  let size = sizes.get(canvas);
  if (size === undefined) {
    observer.observe(canvas);
    // until the observer reports, the canvas's own size
    size = { w: canvas.width / ratio, h: canvas.height / ratio };
  }
  const { w, h } = size;
  if (canvas.width !== Math.round(w * ratio)) canvas.width = Math.round(w * ratio);
  if (canvas.height !== Math.round(h * ratio)) canvas.height = Math.round(h * ratio);
  const g = canvas.getContext("2d")!;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, w, h);
  return { g, w, h };
}

const fmt = (v: number): string => (Math.abs(v) < 1e-12 ? "0" : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-2 ? v.toExponential(0) : String(Number(v.toPrecision(3))));

/** Draws lines over axes; returns nothing, the data is the caller's. */
export function drawLines(canvas: HTMLCanvasElement, plot: LinePlot): void {
  const { g, w, h } = context(canvas);
  const xs = plot.xs;
  if (xs.length === 0) return;
  const tr = (v: number): number => (plot.logY ? Math.log10(v) : v);
  let [lo, hi] = plot.yRange ?? [Infinity, -Infinity];
  if (!plot.yRange) {
    for (const s of plot.series) for (let i = 0; i < s.ys.length; i++) {
      const v = s.ys[i]!;
      if (!Number.isFinite(v) || (plot.logY && v <= 0)) continue;
      lo = Math.min(lo, tr(v));
      hi = Math.max(hi, tr(v));
    }
    if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
    if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
    const pad = 0.06 * (hi - lo);
    [lo, hi] = [lo - pad, hi + pad];
  } else if (plot.logY) [lo, hi] = [tr(lo), tr(hi)];
  const x0 = xs[0]!;
  const x1 = xs[xs.length - 1]! === x0 ? x0 + 1 : xs[xs.length - 1]!;
  const pw = w - MARGIN.left - MARGIN.right;
  const ph = h - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + ((x - x0) / (x1 - x0)) * pw;
  const py = (y: number): number => MARGIN.top + ((hi - y) / (hi - lo)) * ph;
  g.fillStyle = "rgba(128,128,128,0.18)";
  for (const [a, b] of plot.bands ?? []) g.fillRect(px(a), MARGIN.top, px(b) - px(a), ph);
  g.strokeStyle = "#999";
  g.lineWidth = 1;
  g.strokeRect(MARGIN.left, MARGIN.top, pw, ph);
  if (lo < 0 && hi > 0 && !plot.logY) {
    g.beginPath();
    g.moveTo(MARGIN.left, py(0));
    g.lineTo(MARGIN.left + pw, py(0));
    g.stroke();
  }
  if (x0 < 0 && x1 > 0) {
    g.beginPath();
    g.moveTo(px(0), MARGIN.top);
    g.lineTo(px(0), MARGIN.top + ph);
    g.stroke();
  }
  g.fillStyle = "#555";
  g.font = "10px sans-serif";
  g.textAlign = "right";
  for (const v of [lo, (lo + hi) / 2, hi]) g.fillText(plot.logY ? fmt(10 ** v) : fmt(v), MARGIN.left - 3, py(v) + 3);
  g.textAlign = "center";
  for (const v of [x0, (x0 + x1) / 2, x1]) g.fillText(fmt(v), px(v), h - 6);
  g.save();
  g.beginPath();
  g.rect(MARGIN.left, MARGIN.top, pw, ph);
  g.clip();
  for (const s of plot.series) {
    g.strokeStyle = s.color;
    g.lineWidth = 2;
    g.setLineDash(s.dashed ? [5, 4] : []);
    g.beginPath();
    let pen = false;
    for (let i = 0; i < s.ys.length && i < xs.length; i++) {
      const v = s.ys[i]!;
      if (!Number.isFinite(v) || (plot.logY && v <= 0)) {
        pen = false;
        continue;
      }
      const [X, Y] = [px(xs[i]!), py(tr(v))];
      if (pen) g.lineTo(X, Y);
      else g.moveTo(X, Y);
      pen = true;
    }
    g.stroke();
  }
  g.restore();
  g.setLineDash([]);
}

/** A histogram from bin edges and counts. */
export function drawHistogram(canvas: HTMLCanvasElement, edges: number[], counts: number[], color: string): void {
  const { g, w, h } = context(canvas);
  const top = Math.max(1, ...counts);
  const bw = w / Math.max(1, counts.length);
  g.fillStyle = color;
  counts.forEach((c, i) => {
    const bh = (c / top) * (h - 12);
    g.fillRect(i * bw + 0.5, h - 12 - bh, Math.max(1, bw - 1), bh);
  });
  g.fillStyle = "#555";
  g.font = "9px sans-serif";
  g.textAlign = "left";
  if (edges.length > 0) g.fillText(fmt(edges[0]!), 0, h - 2);
  g.textAlign = "right";
  if (edges.length > 0) g.fillText(fmt(edges[edges.length - 1]!), w, h - 2);
}

/** Distinct colours for series. */
export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939"];
