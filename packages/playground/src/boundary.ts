/** Draws a classifier's decision boundary (class probabilities on a grid) and the points over it. */
import { EXTENT } from "./datasets.js";
import { context } from "./plot.js";

/** Class colours as RGB. */
export const CLASS_RGB: [number, number, number][] = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];

export function drawBoundary(canvas: HTMLCanvasElement, grid: Float32Array | null, size: number, classes: number, inputs: Float32Array, labels: Int32Array): void {
  const { g, w, h } = context(canvas);
  if (grid !== null) {
    const image = new ImageData(size, size);
    for (let cell = 0; cell < size * size; cell++) {
      let [r, gr, b] = [0, 0, 0];
      for (let c = 0; c < classes; c++) {
        const p = grid[cell * classes + c]!;
        const [cr, cg, cb] = CLASS_RGB[c % CLASS_RGB.length]!;
        [r, gr, b] = [r + p * cr, gr + p * cg, b + p * cb];
      }
      // lighten towards white so the points stay visible
      image.data.set([255 - 0.45 * (255 - r), 255 - 0.45 * (255 - gr), 255 - 0.45 * (255 - b), 255], cell * 4);
    }
    const off = new OffscreenCanvas(size, size);
    off.getContext("2d")!.putImageData(image, 0, 0);
    g.imageSmoothingEnabled = true;
    g.drawImage(off, 0, 0, w, h);
  }
  for (let i = 0; i < labels.length; i++) {
    const [x, y] = [inputs[2 * i]!, inputs[2 * i + 1]!];
    const [cr, cg, cb] = CLASS_RGB[labels[i]! % CLASS_RGB.length]!;
    g.fillStyle = `rgb(${cr},${cg},${cb})`;
    g.strokeStyle = "white";
    g.beginPath();
    g.arc(((x + EXTENT) / (2 * EXTENT)) * w, ((EXTENT - y) / (2 * EXTENT)) * h, 3, 0, 2 * Math.PI);
    g.fill();
    g.stroke();
  }
}

/** Draws the digits at `indices` (784 grey values each) as 28×28 images. */
export function drawDigits(container: HTMLElement, inputs: Float32Array, labels: Int32Array, indices: number[]): void {
  const canvases: HTMLCanvasElement[] = [];
  for (const i of indices) {
    const c = document.createElement("canvas");
    [c.width, c.height, c.title] = [28, 28, `label ${labels[i]}`];
    const image = new ImageData(28, 28);
    for (let p = 0; p < 784; p++) {
      const v = 255 - Math.round(inputs[i * 784 + p]! * 255);
      image.data.set([v, v, v, 255], p * 4);
    }
    c.getContext("2d")!.putImageData(image, 0, 0);
    canvases.push(c);
  }
  container.replaceChildren(...canvases);
}

/** Marks each shown digit with the network's prediction: a red frame where it is wrong. */
export function markPredictions(container: HTMLElement, labels: Int32Array, indices: number[], predictions: Int32Array): void {
  const canvases = container.querySelectorAll("canvas");
  indices.forEach((i, k) => {
    const c = canvases[k];
    if (c === undefined) return;
    const right = predictions[k] === labels[i];
    c.title = `label ${labels[i]}, predicted ${predictions[k]}`;
    c.dataset.predicted = String(predictions[k]);
    c.classList.toggle("wrong", !right);
  });
}
