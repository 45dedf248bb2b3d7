/**
 * torchvision.utils.save_image for grey images, written as binary PGM (a header line and the bytes;
 * any image viewer opens it, and it needs no encoder): the batch [N, 1, H, W] laid out in a grid of
 * `nrow` columns with 2-pixel padding, values (or, with `normalize`, values rescaled from the
 * batch's [min, max]) in [0, 1] mapped to 0–255 as x·255 + 0.5, clamped.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Tensor } from "nabla";

export function saveImage(batch: Tensor, path: string, { nrow = 8, padding = 2, normalize = false } = {}): void {
  const [n, c, h, w] = batch.shape as [number, number, number, number];
  if (batch.ndim !== 4 || c !== 1) throw new RangeError(`saveImage: expected grey images [N, 1, H, W], got [${batch.shape.join(", ")}]`);
  const x = Float32Array.from(batch.contiguous().toTypedArray());
  if (normalize) {
    let [lo, hi] = [Infinity, -Infinity];
    for (const v of x) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    for (let i = 0; i < x.length; i++) x[i] = (x[i]! - lo) / Math.max(hi - lo, 1e-5);
  }
  const cols = Math.min(nrow, n);
  const rows = Math.ceil(n / cols);
  const [width, height] = [cols * (w + padding) + padding, rows * (h + padding) + padding];
  const pixels = new Uint8Array(width * height);
  for (let k = 0; k < n; k++) {
    const [top, left] = [padding + Math.floor(k / cols) * (h + padding), padding + (k % cols) * (w + padding)];
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) pixels[(top + i) * width + left + j] = Math.min(255, Math.max(0, Math.floor(x[(k * h + i) * w + j]! * 255 + 0.5)));
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.concat([Buffer.from(`P5\n${width} ${height}\n255\n`), pixels]));
}
