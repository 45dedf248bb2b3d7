#!/usr/bin/env node
/**
 * Draws every pointwise activation and its derivative over [−5, 5] into docs/activations.svg.
 * The curves are nabla's own: f(x) from nn.functional, f′(x) from autograd (so the value drawn at
 * a kink is the gradient nabla gives there, which is PyTorch's). The SVG is written by hand.
 *
 *   npm run build && node scripts/plot-activations.mjs
 *
 * NABLA=/path/to/index.js picks another build of nabla.
 */
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = process.env.NABLA ? resolve(process.env.NABLA) : join(root, "dist", "src", "index.js");
const { F, linspace, nn } = await import(pathToFileURL(entry).href);

/** [title, f] for every activation of one input. */
const pau = new nn.PAU({ dtype: "float64" });
const ACTIVATIONS = [
  ["Sigmoid", (x) => F.sigmoid(x)],
  ["Tanh", (x) => F.tanh(x)],
  ["ReLU", (x) => F.relu(x)],
  ["ReLU6", (x) => F.relu6(x)],
  ["LeakyReLU (slope 0.1)", (x) => F.leakyRelu(x, { negativeSlope: 0.1 })],
  ["PReLU (a = 0.25)", (x) => new nn.PReLU({ dtype: "float64" }).forward(x)],
  ["RReLU (eval)", (x) => F.rrelu(x)],
  ["ELU", (x) => F.elu(x)],
  ["SELU", (x) => F.selu(x)],
  ["CELU (α = 2)", (x) => F.celu(x, { alpha: 2 })],
  ["GELU", (x) => F.gelu(x)],
  ["GELU (tanh)", (x) => F.gelu(x, { approximate: "tanh" })],
  ["SiLU / Swish", (x) => F.silu(x)],
  ["Mish", (x) => F.mish(x)],
  ["Softplus", (x) => F.softplus(x)],
  ["Softsign", (x) => F.softsign(x)],
  ["Hardtanh", (x) => F.hardtanh(x)],
  ["Hardsigmoid", (x) => F.hardsigmoid(x)],
  ["Hardswish", (x) => F.hardswish(x)],
  ["LogSigmoid", (x) => F.logsigmoid(x)],
  ["Tanhshrink", (x) => F.tanhshrink(x)],
  ["Softshrink (λ = 0.5)", (x) => F.softshrink(x)],
  ["Hardshrink (λ = 0.5)", (x) => F.hardshrink(x)],
  ["Threshold (1, −1)", (x) => F.threshold(x, 1, -1)],
  ["PAU (initial: ≈ LeakyReLU)", (x) => pau.forward(x)],
];

const N = 201;
const COLS = 5;
const W = 230;
const H = 180;
const M = { left: 34, right: 10, top: 26, bottom: 22 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
const LEGEND = 34;

/** f and f′ at N points of [−5, 5]. */
function curves(f) {
  const x = linspace(-5, 5, N, { dtype: "float64", requiresGrad: true });
  const y = f(x);
  y.sum().backward();
  return { xs: Array.from(x.toTypedArray()), ys: Array.from(y.toTypedArray()), ds: Array.from(x.grad.toTypedArray()) };
}

const fmt = (v) => (Math.abs(v) < 1e-9 ? "0" : Number(v.toPrecision(3)).toString());
const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

function panel(title, f, col, row) {
  const { xs, ys, ds } = curves(f);
  let lo = Math.min(0, ...ys, ...ds);
  let hi = Math.max(0, ...ys, ...ds);
  const pad = 0.08 * (hi - lo || 1);
  lo -= pad;
  hi += pad;
  const px = (x) => M.left + ((x + 5) / 10) * PW;
  const py = (y) => M.top + ((hi - y) / (hi - lo)) * PH;
  const path = (vs) => vs.map((v, i) => `${i ? "L" : "M"}${px(xs[i]).toFixed(1)},${py(v).toFixed(1)}`).join("");
  const ox = col * W;
  const oy = LEGEND + row * H;
  return `<g transform="translate(${ox},${oy})">
  <rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" fill="#fafafa" stroke="#ccc"/>
  <line x1="${M.left}" x2="${M.left + PW}" y1="${py(0).toFixed(2)}" y2="${py(0).toFixed(2)}" stroke="#999" stroke-width="0.7"/>
  <line x1="${px(0)}" x2="${px(0)}" y1="${M.top}" y2="${M.top + PH}" stroke="#999" stroke-width="0.7"/>
  <text x="${M.left + PW / 2}" y="${M.top - 8}" text-anchor="middle" font-size="12" font-weight="bold">${esc(title)}</text>
  <text x="${M.left - 3}" y="${M.top + 4}" text-anchor="end" font-size="9">${fmt(hi)}</text>
  <text x="${M.left - 3}" y="${M.top + PH}" text-anchor="end" font-size="9">${fmt(lo)}</text>
  <text x="${M.left}" y="${M.top + PH + 12}" text-anchor="middle" font-size="9">−5</text>
  <text x="${px(0)}" y="${M.top + PH + 12}" text-anchor="middle" font-size="9">0</text>
  <text x="${M.left + PW}" y="${M.top + PH + 12}" text-anchor="middle" font-size="9">5</text>
  <path d="${path(ds)}" fill="none" stroke="#d62728" stroke-width="1.4" stroke-dasharray="4 2"/>
  <path d="${path(ys)}" fill="none" stroke="#1f77b4" stroke-width="1.8"/>
</g>`;
}

const rows = Math.ceil(ACTIVATIONS.length / COLS);
const width = COLS * W;
const height = LEGEND + rows * H;
const panels = ACTIVATIONS.map(([title, f], i) => panel(title, f, i % COLS, Math.floor(i / COLS)));
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="12" y="22" font-size="14" font-weight="bold">nabla's activations on [−5, 5]</text>
<line x1="330" x2="360" y1="17" y2="17" stroke="#1f77b4" stroke-width="2"/><text x="366" y="21" font-size="12">f(x)</text>
<line x1="420" x2="450" y1="17" y2="17" stroke="#d62728" stroke-width="1.6" stroke-dasharray="4 2"/><text x="456" y="21" font-size="12">f′(x), from autograd</text>
${panels.join("\n")}
</svg>
`;
const out = join(root, "docs", "activations.svg");
writeFileSync(out, svg);
console.log(`wrote ${out} (${ACTIVATIONS.length} activations, ${svg.length} bytes)`);
