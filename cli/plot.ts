/**
 * Training curves: an SVG written with Vega-Lite (rendered headless by Vega, no browser or canvas
 * needed) and a small line chart for the terminal (asciichart).
 */
import asciichart from "asciichart";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** One point of a curve: epoch, value, and which curve it belongs to ("train loss", …). */
export interface CurvePoint {
  epoch: number;
  value: number;
  series: string;
}

/** Renders the curves as an SVG document: one panel per metric (loss, accuracy), one line per split. */
export async function curvesSvg(points: CurvePoint[], title: string): Promise<string> {
  const rows = points.map((p) => {
    const [split, ...metric] = p.series.split(" ");
    return { epoch: p.epoch, value: p.value, split, metric: metric.join(" ") };
  });
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values: rows },
    facet: { column: { field: "metric", type: "nominal", title: null } },
    spec: {
      width: 300,
      height: 200,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "epoch", type: "quantitative", axis: { tickMinStep: 1 } },
        y: { field: "value", type: "quantitative", scale: { zero: false } },
        color: { field: "split", type: "nominal" },
      },
    },
    resolve: { scale: { y: "independent" } },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  return view.toSVG();
}

/** A line chart of one series for the terminal, `height` rows tall. */
export function terminalChart(values: number[], height = 8): string {
  if (values.length === 0) return "";
  // asciichart needs at least two points to draw a line
  const series = values.length === 1 ? [values[0]!, values[0]!] : values;
  return asciichart.plot(series, { height, format: (x: number) => x.toFixed(4).padStart(9) });
}
