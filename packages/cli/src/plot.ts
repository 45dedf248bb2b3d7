/**
 * Training curves: an SVG written with Vega-Lite (rendered headless by Vega, no browser or canvas
 * needed) and a small line chart for the terminal (asciichart).
 */
import asciichart from "asciichart";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** One point of a curve: its epoch and value, the metric with its unit ("accuracy (%)"), and the split ("train", "test"). */
export interface CurvePoint {
  epoch: number;
  value: number;
  metric: string;
  split: string;
}

/** Renders the curves as an SVG document: a panel per metric, its y axis titled with the metric and its unit; a line per split. */
export async function curvesSvg(points: CurvePoint[], title: string): Promise<string> {
  const metrics = [...new Set(points.map((p) => p.metric))];
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values: points },
    hconcat: metrics.map((metric) => ({
      width: 300,
      height: 200,
      transform: [{ filter: { field: "metric", equal: metric } }],
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1 } },
        y: { field: "value", type: "quantitative", title: metric, scale: { zero: false } },
        color: { field: "split", type: "nominal", title: "data" },
      },
    })),
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  return view.toSVG();
}

/** A line chart of one value per epoch for the terminal, `height` rows tall, with its epoch axis under it. */
export function terminalChart(values: number[], height = 8): string {
  if (values.length === 0) return "";
  // asciichart needs at least two points to draw a line
  const series = values.length === 1 ? [values[0]!, values[0]!] : values;
  const chart = asciichart.plot(series, { height, format: (x: number) => x.toFixed(4).padStart(9) });
  // the line starts on the value axis, ten characters in (nine for the label, a space)
  const epochs = values.length === 1 ? "epoch 1" : `epoch 1 → ${values.length}`;
  return `${chart}\n${" ".repeat(10)}${epochs}`;
}
