/**
 * The playground's entry: makes the page cross-origin isolated where it can (isolation.ts), starts
 * nabla's wasm backend (`await ready()` before the first op), then shows one of the three views,
 * each built on the library itself.
 */
import { getNumThreads, ready, setNumThreads } from "nabla";
import { activationsView } from "./activations-view.js";
import { el } from "./fields.js";
import { describeIsolation, isolate } from "./isolation.js";
import { raceView } from "./race-view.js";
import { state } from "./state.js";
import { trainView } from "./train-view.js";
import "./style.css";

const VIEWS: [id: string, title: string, make: () => HTMLElement][] = [
  ["activations", "Activations", activationsView],
  ["race", "Optimizer race", raceView],
  ["train", "Train a network", trainView],
];

async function main(): Promise<void> {
  // before nabla starts: on a host without COOP/COEP headers this may reload the page once
  const isolation = await isolate();
  await ready();
  setNumThreads(crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1);
  const threads = document.getElementById("threads")!;
  threads.textContent = describeIsolation(isolation, getNumThreads());
  threads.dataset.isolation = isolation.mode;
  const built = new Map<string, HTMLElement>();
  const main = document.getElementById("view")!;
  const tabs = document.getElementById("tabs")!;
  const show = (id: string): void => {
    const [, , make] = VIEWS.find(([v]) => v === id)!;
    if (!built.has(id)) built.set(id, make());
    main.replaceChildren(built.get(id)!);
    for (const b of tabs.querySelectorAll("button")) b.classList.toggle("active", b.dataset.tab === id);
    location.hash = id;
  };
  for (const [id, title] of VIEWS) {
    const b = el("button", { textContent: title, dataset: { tab: id } });
    b.addEventListener("click", () => show(id));
    tabs.append(b);
  }
  const first = location.hash.slice(1);
  show(VIEWS.some(([v]) => v === first) ? first : "activations");
  state.ready = true;
}

main().catch((e: unknown) => {
  document.getElementById("view")!.textContent = `The playground failed to start: ${String(e)}`;
  throw e;
});
