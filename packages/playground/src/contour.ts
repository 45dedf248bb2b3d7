/**
 * A loss surface drawn as filled contour bands (log-spaced) with their edges darkened, from
 * values the library computes on a grid.
 */
import { linspace } from "nabla";
import type { Surface } from "./surfaces.js";

export const CONTOUR_GRID = 160;
const BANDS = 18;

/** The surface's values on a CONTOUR_GRID² grid (row-major, y from the top), by nabla. */
export function surfaceGrid(surface: Surface): Float32Array {
  const [x0, x1, y0, y1] = surface.view;
  const xs = linspace(x0, x1, CONTOUR_GRID).reshape([1, CONTOUR_GRID]).expand([CONTOUR_GRID, CONTOUR_GRID]);
  const ys = linspace(y1, y0, CONTOUR_GRID).reshape([CONTOUR_GRID, 1]).expand([CONTOUR_GRID, CONTOUR_GRID]);
  return Float32Array.from(surface.f(xs, ys, false).toTypedArray() as Float32Array);
}

/** The contour image, drawn once per surface; paths go on top. */
export function contourImage(values: Float32Array): ImageBitmap | OffscreenCanvas {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const level = (v: number): number => Math.min(BANDS - 1, Math.floor((Math.log(v - lo + 1e-3) - Math.log(1e-3)) / (Math.log(hi - lo + 1e-3) - Math.log(1e-3)) * BANDS));
  const n = CONTOUR_GRID;
  const levels = Array.from(values, level);
  const image = new ImageData(n, n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const k = levels[r * n + c]!;
      const t = k / (BANDS - 1);
      const edge = (c + 1 < n && levels[r * n + c + 1] !== k) || (r + 1 < n && levels[(r + 1) * n + c] !== k);
      // light blue (low) to light yellow (high); band edges darker
      const rgb = [200 + 50 * t, 225 + 20 * t, 250 - 90 * t].map((x) => (edge ? x * 0.8 : x));
      image.data.set([...rgb, 255], (r * n + c) * 4);
    }
  }
  const off = new OffscreenCanvas(n, n);
  off.getContext("2d")!.putImageData(image, 0, 0);
  return off;
}

/** A path of one rule over the surface, drawn in its colour with a dot at its current point. */
export interface RacePath {
  color: string;
  xs: number[];
  ys: number[];
}

/** Draws the paths over the contour picture, and a star at the surface's minimum. */
export function drawPaths(g: CanvasRenderingContext2D, at: (x: number, y: number) => [number, number], px: number, surface: Surface, paths: RacePath[]): void {
  const [sx, sy] = at(surface.minimum[0], surface.minimum[1]);
  g.fillStyle = "black";
  g.font = `${16 * px}px sans-serif`;
  g.textAlign = "center";
  g.textBaseline = "middle";
  g.fillText("★", sx, sy);
  g.lineWidth = 1.5 * px;
  for (const p of paths) {
    g.strokeStyle = p.color;
    g.beginPath();
    for (let i = 0; i < p.xs.length; i++) {
      const [x, y] = at(p.xs[i]!, p.ys[i]!);
      if (i === 0) g.moveTo(x, y);
      else g.lineTo(x, y);
    }
    g.stroke();
    const last = p.xs.length - 1;
    const [x, y] = at(p.xs[last]!, p.ys[last]!);
    g.fillStyle = p.color;
    g.beginPath();
    g.arc(x, y, 4 * px, 0, 2 * Math.PI);
    g.fill();
  }
}
