/** A classifier's decision boundary (class probabilities on a grid) as a picture, the points over it, and the digits. */

/** Class colours as RGB. */
export const CLASS_RGB: [number, number, number][] = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];

/**
 * The decision boundary as a size×size picture: each cell the class colours mixed by their
 * probabilities, lightened so the points stay visible. Painted in the training worker, so the
 * page only draws a finished bitmap.
 */
export function boundaryPicture(grid: ArrayLike<number>, size: number, classes: number): ImageBitmap {
  const image = new ImageData(size, size);
  const pixels = image.data;
  for (let cell = 0; cell < size * size; cell++) {
    let [r, gr, b] = [0, 0, 0];
    for (let c = 0; c < classes; c++) {
      const p = grid[cell * classes + c]!;
      const [cr, cg, cb] = CLASS_RGB[c % CLASS_RGB.length]!;
      [r, gr, b] = [r + p * cr, gr + p * cg, b + p * cb];
    }
    pixels[cell * 4] = 255 - 0.45 * (255 - r);
    pixels[cell * 4 + 1] = 255 - 0.45 * (255 - gr);
    pixels[cell * 4 + 2] = 255 - 0.45 * (255 - b);
    pixels[cell * 4 + 3] = 255;
  }
  const off = new OffscreenCanvas(size, size);
  off.getContext("2d")!.putImageData(image, 0, 0);
  return off.transferToImageBitmap();
}

/** Draws the set's points in their class colours, one path per class. */
export function drawPoints(g: CanvasRenderingContext2D, at: (x: number, y: number) => [number, number], px: number, inputs: Float32Array, labels: Int32Array, classes: number): void {
  g.strokeStyle = "white";
  g.lineWidth = px;
  for (let c = 0; c < classes; c++) {
    const [cr, cg, cb] = CLASS_RGB[c % CLASS_RGB.length]!;
    g.fillStyle = `rgb(${cr},${cg},${cb})`;
    g.beginPath();
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== c) continue;
      const [x, y] = at(inputs[2 * i]!, inputs[2 * i + 1]!);
      g.moveTo(x + 3 * px, y);
      g.arc(x, y, 3 * px, 0, 2 * Math.PI);
    }
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
