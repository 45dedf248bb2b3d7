/**
 * The playground (packages/playground), built as a static site with Vite from the library's own
 * source and opened in Debian's Chromium, served cross-origin isolated as its dev server serves
 * it. Each view is driven through the page's controls and checked through what it shows (the
 * numbers behind the plots are on `window.playground`, the readouts in data attributes):
 * activations: f and f' of ReLU (f' from autograd) at ±2, along the sampled curve and as the
 * uPlot chart's legend reads them under the cursor, LeakyReLU's slope; a bad value is refused
 * next to its field. Training: XOR in the Web Worker reaches > 90% held-out accuracy and the
 * per-layer statistics appear; the two spirals pass 95%, an absurd lr changes the dead share
 * shown, and the bundled digits train. Served without COOP/COEP, the page isolates itself with
 * its service worker, or runs on one thread where service workers are blocked. Race: on
 * Rosenbrock, after 1,000 steps Adam ends 10× closer to the minimum than plain SGD. Runs once
 * (in the "wasm" project); skipped where Chromium is missing.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = join(import.meta.dirname, "..");
const TYPES: Record<string, string> = { ".js": "text/javascript", ".html": "text/html", ".css": "text/css", ".json": "application/json" };

/** Serves the built site, with the headers that make it cross-origin isolated or without. */
function serve(root: string, isolated = true): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = normalize(join(root, url.pathname === "/" ? "index.html" : url.pathname));
    if (!path.startsWith(root) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
    res.writeHead(200, { "Content-Type": TYPES[extname(path)] ?? "application/octet-stream", ...(isolated ? isolation : {}) });
    res.end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

interface Shown {
  ready: boolean;
  activations: { name: string; xs: number[]; ys: number[]; ds: number[] }[];
  race: { step: number; minimum: [number, number]; points: Record<string, { x: number; y: number; loss: number; lr: number }> } | null;
  train: { step: number; accuracy: number; error: string | null; layers: { name: string; kind: string; dead: number | null; gradNorm: number | null; histogram: { counts: number[] } }[] } | null;
}

const shown = (page: Page): Promise<Shown> => page.evaluate(() => (globalThis as unknown as { playground: Shown }).playground);

/**
 * Waits until the page has started. A page served without COOP/COEP reloads itself once (its
 * service worker installed): the wait is taken up again in the new document.
 */
async function ready(page: Page): Promise<void> {
  for (;;) {
    try {
      await page.waitForFunction(() => (globalThis as unknown as { playground?: { ready: boolean } }).playground?.ready === true);
      return;
    } catch (e) {
      if (!/context was destroyed|navigat/i.test(String(e))) throw e;
    }
  }
}

/** Types a value into a field and commits it (Enter fires "change"). */
async function type(page: Page, field: string, value: string): Promise<void> {
  await page.fill(`[data-field="${field}"]`, value);
  await page.press(`[data-field="${field}"]`, "Enter");
}

describe.runIf(process.env.NABLA_BACKEND === "wasm" && existsSync(CHROMIUM))("the playground in Chromium", () => {
  let site: string;
  let server: Server;
  let browser: Browser | null = null;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    site = mkdtempSync(join(tmpdir(), "nabla-playground-"));
    const config = join(ROOT, "packages", "playground", "vite.config.ts");
    execFileSync(join(ROOT, "node_modules", ".bin", "vite"), ["build", "--config", config, "--outDir", site, "--emptyOutDir", "--logLevel", "error"], { cwd: ROOT, stdio: "pipe" });
    server = await serve(site);
    try {
      // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
    } catch (e) {
      console.warn(`playground test skipped: Chromium did not start (${String(e).split("\n")[0]})`);
      return;
    }
    page = await browser.newPage();
    // Playwright's 30 s default would fail a slow machine; vitest.config.ts's limit catches a hung page
    page.setDefaultTimeout(0);
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => (globalThis as unknown as { playground?: { ready: boolean } }).playground?.ready === true);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (site !== undefined) rmSync(site, { recursive: true, force: true });
  });

  it("starts cross-origin isolated, with threads, and no errors", async (ctx) => {
    if (browser === null) return ctx.skip();
    expect(await page.getAttribute("#threads", "data-isolation")).toBe("headers");
    expect(await page.textContent("#threads")).toMatch(/^cross-origin isolated \(the server's COOP\/COEP headers\): nabla's wasm kernels use \d+ threads/);
    expect(problems).toEqual([]);
  });

  it("activations: ReLU's f and f' (autograd) read from the page, and LeakyReLU's slope", async (ctx) => {
    if (browser === null) return ctx.skip();
    await page.click('[data-tab="activations"]');
    const probe = async (x: string): Promise<{ f: number; grad: number }> => {
      await type(page, "probe-0", x);
      return { f: Number(await page.getAttribute('[data-probe="0"]', "data-f")), grad: Number(await page.getAttribute('[data-probe="0"]', "data-grad")) };
    };
    expect(await probe("2")).toEqual({ f: 2, grad: 1 });
    expect(await probe("-2")).toEqual({ f: 0, grad: 0 });
    const relu = (await shown(page)).activations[0]!;
    expect(relu.name).toBe("ReLU");
    expect(relu.xs.length).toBe(401);
    relu.xs.forEach((x, i) => {
      expect(relu.ys[i]).toBe(Math.max(0, x));
      if (x !== 0) expect(relu.ds[i]).toBe(x > 0 ? 1 : 0);
    });
    // the chart (uPlot) shows the same curve: its legend reads f and f' under the cursor
    const over = (await page.$('[data-plot="activation-0"] .u-over'))!;
    const box = (await over.boundingBox())!;
    for (const at of [0.2, 0.8]) {
      await page.mouse.move(box.x + at * box.width, box.y + box.height / 2);
      const [x, f, grad] = (await page.$$eval('[data-plot="activation-0"] .u-legend .u-value', (cells) => cells.map((c) => c.textContent))).map(Number);
      expect(f).toBeCloseTo(Math.max(0, x!), 2);
      expect(grad).toBe(x! > 0 ? 1 : 0);
    }
    await page.selectOption('[data-field="activation-1"]', "LeakyReLU");
    const leaky = (await shown(page)).activations[1]!;
    expect(leaky.name).toBe("LeakyReLU");
    expect(leaky.ds[0]).toBeCloseTo(0.01, 12);
    // the slider moves the slope
    await page.fill('[data-field="1-negativeSlope"]', "0.3");
    expect((await shown(page)).activations[1]!.ds[0]).toBeCloseTo(0.3, 12);
  });

  it("activations: a bad range is refused next to its field and the plot keeps its range", async (ctx) => {
    if (browser === null) return ctx.skip();
    await type(page, "range-lo", "abc");
    expect(await page.textContent('[data-refusal="range-lo"]')).toBe('refused: "abc" is not a number');
    await type(page, "range-lo", "9");
    expect(await page.textContent('[data-refusal="range-lo"]')).toMatch(/refused: must be below the upper end/);
    expect((await shown(page)).activations[0]!.xs[0]).toBe(-5);
    await type(page, "range-lo", "-3");
    expect(await page.textContent('[data-refusal="range-lo"]')).toBe("");
    expect((await shown(page)).activations[0]!.xs[0]).toBe(-3);
  });

  it("training: the two spirals with ReLU and the page's defaults reach 95% held-out accuracy within 3,000 steps", async (ctx) => {
    if (browser === null) return ctx.skip();
    await page.click('[data-tab="train"]');
    expect(await page.inputValue('[data-field="set"]')).toBe("two spirals");
    expect(await page.inputValue('[data-field="activation"]')).toBe("ReLU");
    const done = await page.waitForFunction(() => {
      const t = (globalThis as unknown as { playground: Shown }).playground.train;
      return t !== null && (t.error !== null || t.accuracy >= 0.95 || t.step >= 3000) ? t : null;
    });
    const train = (await done.jsonValue()) as NonNullable<Shown["train"]>;
    console.log(`two spirals: ${(100 * train.accuracy).toFixed(1)}% at step ${train.step}`);
    expect(train.error).toBeNull();
    expect(train.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(train.step).toBeLessThanOrEqual(3000);
  });

  it("training: XOR in the Web Worker passes 90% held-out accuracy, with per-layer statistics", async (ctx) => {
    if (browser === null) return ctx.skip();
    await page.selectOption('[data-field="set"]', "XOR");
    const done = await page.waitForFunction(() => {
      const t = (globalThis as unknown as { playground: Shown }).playground.train;
      return t !== null && (t.error !== null || (t.accuracy > 0.9 && t.step > 0)) ? t : null;
    });
    const train = (await done.jsonValue()) as NonNullable<Shown["train"]>;
    expect(train.error).toBeNull();
    expect(train.accuracy).toBeGreaterThan(0.9);
    // Linear, ReLU, Linear, ReLU, Linear: each with a histogram; the ReLUs with a dead share, the Linears with a gradient norm
    expect(train.layers.map((l) => l.kind)).toEqual(["Linear", "ReLU", "Linear", "ReLU", "Linear"]);
    for (const l of train.layers) expect(l.histogram.counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    for (const l of train.layers.filter((l) => l.kind === "ReLU")) expect(l.dead).toBeGreaterThanOrEqual(0);
    for (const l of train.layers.filter((l) => l.kind === "Linear")) expect(l.gradNorm).toBeGreaterThan(0);
    expect(await page.$$eval("table.layers tbody tr", (rows) => rows.length)).toBe(5);
    // the table shows the layers' real class names: the build is minified (no keepNames) and the library names classes by their exports
    expect(await page.$$eval("table.layers tbody tr", (rows) => rows.map((r) => r.children[1]!.textContent))).toEqual(["Linear", "ReLU", "Linear", "ReLU", "Linear"]);
    // bad values are refused next to their fields and training goes on
    await type(page, "lr", "-1");
    expect(await page.textContent('[data-refusal="lr"]')).toBe("refused: must be > 0");
    await type(page, "hidden", "0");
    expect(await page.textContent('[data-refusal="hidden"]')).toMatch(/^refused: "0": give hidden sizes as whole numbers in \[1, 512\]/);
    await type(page, "batch", "many");
    expect(await page.textContent('[data-refusal="batch"]')).toBe('refused: "many" is not a number');
    const before = (await shown(page)).train!.step;
    await page.waitForFunction((s) => (globalThis as unknown as { playground: Shown }).playground.train!.step > s, before);
    expect(problems).toEqual([]);
  });

  it("training: an absurd learning rate changes the dead-unit share shown", async (ctx) => {
    if (browser === null) return ctx.skip();
    const deadShares = async (): Promise<string> => (await page.$$eval("table.layers tbody tr", (rows) => rows.map((r) => r.getAttribute("data-dead")))).join(" ");
    // the step of the report the layer table shows (it is drawn a frame after the charts)
    const tableAfter = (step: number): Promise<unknown> => page.waitForFunction(`Number(document.querySelector("table.layers tbody")?.getAttribute("data-step")) > ${step}`);
    // a run long enough not to end during the test (a new length restarts it, at the page's lr)
    await type(page, "steps", "100000");
    await tableAfter(100);
    const sane = await deadShares();
    await type(page, "lr", "1000");
    expect(await page.textContent('[data-refusal="lr"]')).toBe("");
    // the page shows the new lr once the worker has taken it; 200 steps after that
    await page.waitForFunction('document.querySelector("[data-train-step]")?.textContent?.includes("lr 1.00e+3")');
    await tableAfter((await shown(page)).train!.step + 200);
    const absurd = await deadShares();
    console.log(`dead shares (ReLU layers) at lr 0.01: ${sane}; after 200 steps at lr 1000: ${absurd}`);
    expect(absurd).not.toBe(sane);
  });

  it("training: the 2,000 bundled digits are shown as images and an MLP learns them", async (ctx) => {
    if (browser === null) return ctx.skip();
    await type(page, "lr", "0.01");
    await page.selectOption('[data-field="set"]', "digits");
    const done = await page.waitForFunction(() => {
      const t = (globalThis as unknown as { playground: Shown }).playground.train;
      return t !== null && (t.error !== null || t.accuracy > 0.8) ? t : null;
    });
    const train = (await done.jsonValue()) as NonNullable<Shown["train"]>;
    console.log(`digits: ${(100 * train.accuracy).toFixed(1)}% held-out at step ${train.step}`);
    expect(train.error).toBeNull();
    expect(train.accuracy).toBeGreaterThan(0.8);
    expect(await page.$$eval(".digits canvas", (c) => c.length)).toBe(60);
    // each shown digit carries the network's prediction; most are right by now
    await page.waitForFunction('document.querySelectorAll(".digits canvas[data-predicted]").length === 60');
    const wrong = await page.$$eval(".digits canvas.wrong", (c) => c.length);
    expect(wrong).toBeLessThan(30);
    expect(await page.isVisible(".boundary")).toBe(false);
    // a squashing activation is recognised in the minified build too: its saturated share is measured
    await page.selectOption('[data-field="activation"]', "Tanh");
    await page.waitForFunction('[...document.querySelectorAll("table.layers tbody tr")].some((r) => r.children[1].textContent === "Tanh" && r.getAttribute("data-saturated") !== "null")');
  });

  it("served without COOP/COEP, the page isolates itself with its service worker (one reload), or runs on one thread where service workers are blocked, and says which", async (ctx) => {
    if (browser === null) return ctx.skip();
    const plain = await serve(site, false);
    const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
    const open = async (serviceWorkers: "allow" | "block"): Promise<{ isolation: string | null; text: string | null; grad: string | null; isolated: boolean }> => {
      const context = await browser!.newContext({ serviceWorkers });
      try {
        const other = await context.newPage();
        other.setDefaultTimeout(0);
        other.on("pageerror", (e) => problems.push(e.message));
        await other.goto(url);
        await ready(other);
        const shownThere = { isolation: await other.getAttribute("#threads", "data-isolation"), text: await other.textContent("#threads"), grad: await other.getAttribute('[data-probe="0"]', "data-grad"), isolated: (await other.evaluate("crossOriginIsolated")) as boolean };
        // the training worker starts and trains in this mode too (its script, fetched through the service worker, must carry COEP)
        await other.click('[data-tab="train"]');
        const train = await other.waitForFunction(() => {
          const t = (globalThis as unknown as { playground: Shown }).playground.train;
          return t !== null && (t.error !== null || t.step >= 100) ? t : null;
        });
        expect(((await train.jsonValue()) as NonNullable<Shown["train"]>).error).toBeNull();
        return shownThere;
      } finally {
        await context.close();
      }
    };
    try {
      const withWorker = await open("allow");
      expect(withWorker.isolation).toBe("service worker");
      expect(withWorker.isolated).toBe(true);
      expect(withWorker.text).toMatch(/^cross-origin isolated by the page's service worker \(the host sends no COOP\/COEP headers\): nabla's wasm kernels use \d+ threads/);
      expect(withWorker.grad).toBe("1");
      const blocked = await open("block");
      expect(blocked.isolation).toBe("none");
      expect(blocked.isolated).toBe(false);
      expect(blocked.text).toMatch(/^not cross-origin isolated .* nabla runs on one thread/);
      expect(blocked.grad).toBe("1");
      expect(problems).toEqual([]);
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });

  it("race: on Rosenbrock, with the page's default lrs, 1,000 steps take Adam 10× closer to the minimum than SGD", async (ctx) => {
    if (browser === null) return ctx.skip();
    await page.click('[data-tab="race"]');
    const start = (await shown(page)).race!;
    expect(start.step).toBe(0);
    const distance = (p: { x: number; y: number }, m: [number, number]): number => Math.hypot(p.x - m[0], p.y - m[1]);
    const startDistance = distance(start.points.Adam!, start.minimum);
    expect(start.points.SGD!.lr).toBe(1e-3);
    expect(start.points.Adam!.lr).toBe(0.1);
    // the other rules off (unchecking restarts the race), so the test runs two
    for (const rule of Object.keys(start.points)) if (rule !== "Adam" && rule !== "SGD") await page.uncheck(`[data-rule="${rule}"]`);
    expect(Object.keys((await shown(page)).race!.points).sort()).toEqual(["Adam", "SGD"]);
    for (let i = 0; i < 10; i++) await page.click('[data-action="step100"]');
    const race = (await shown(page)).race!;
    expect(race.step).toBe(1000);
    expect(await page.textContent("[data-race-step]")).toBe("step 1000");
    const adam = distance(race.points.Adam!, race.minimum);
    const sgd = distance(race.points.SGD!, race.minimum);
    console.log(`race, Rosenbrock, 1000 steps: distance to (1, 1) from ${startDistance.toFixed(3)}: Adam ${adam.toFixed(4)}, SGD ${sgd.toFixed(4)}`);
    expect(adam).toBeLessThan(startDistance / 10);
    expect(adam * 10).toBeLessThan(sgd);
    expect(problems).toEqual([]);
  });
});
