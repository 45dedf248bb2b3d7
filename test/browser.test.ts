/**
 * nabla in a real browser (Debian's Chromium through playwright-core), loaded from dist/ as
 * plain ES modules: in a cross-origin isolated page the wasm backend splits matmuls across Web
 * Workers; in a page without isolation (no SharedArrayBuffer constructor, no workers) it runs
 * the same kernels on one thread (and getNumThreads() says 1). Either way an op before
 * `await ready()` throws, saying so, and then a small network trains. The page runs
 * test/browser/page.js as it is; this test runs once (in the "wasm" project) and is skipped
 * where Chromium is missing (.ci/run installs it).
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = join(import.meta.dirname, "..");
const TYPES: Record<string, string> = { ".js": "text/javascript", ".html": "text/html", ".json": "application/json" };

/**
 * Serves the repository: under /isolated/ with the two headers that make a page cross-origin
 * isolated (what a site must send for SharedArrayBuffer and threads), under /plain/ without.
 */
function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const [, mode, ...rest] = url.pathname.split("/");
    const path = normalize(join(ROOT, ...rest));
    if ((mode !== "isolated" && mode !== "plain") || !path.startsWith(ROOT)) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = {};
    if (mode === "isolated") {
      headers["Cross-Origin-Opener-Policy"] = "same-origin";
      headers["Cross-Origin-Embedder-Policy"] = "require-corp";
    }
    if (rest.join("/") === "index.html") {
      const platform = `/${mode}/packages/nabla/dist/src/backend/wasm/platform-browser.js`;
      const page =
        `<!doctype html><title>nabla</title><script type="importmap">{"imports":{"#platform":"${platform}"}}</script>` +
        `<script type="module" src="/${mode}/test/browser/page.js"></script>`;
      res.writeHead(200, { ...headers, "Content-Type": "text/html" }).end(page);
      return;
    }
    if (!existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { ...headers, "Content-Type": TYPES[extname(path)] ?? "application/octet-stream" });
    res.end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** What test/browser/page.js reports after loading nabla, splitting a matmul and training a few steps. */
interface PageReport {
  isolated: boolean;
  backend: string;
  cores: number;
  /** Whether the kernels loaded are the relaxed-SIMD build (Chromium has it since 114). */
  relaxedSimd: boolean;
  helpers: number;
  /** What an op before ready() threw. */
  beforeReady: string;
  /** getNumThreads() after setNumThreads(2). */
  threads: number;
  /** The two-thread product equals the one-thread product exactly. */
  sameProduct: boolean;
  /** Largest difference from the JS backend's product. */
  maxDiffFromJs: number;
  firstLoss: number;
  lastLoss: number;
}

async function runInPage(page: Page, base: string): Promise<PageReport> {
  // Playwright's 30 s default would fail a slow machine; vitest.config.ts's limit catches a hung page
  page.setDefaultTimeout(0);
  await page.goto(`${base}/index.html`);
  const done = await page.waitForFunction(() => {
    const w = globalThis as unknown as { report?: unknown; failure?: string };
    return w.report ?? (w.failure === undefined ? null : { failure: w.failure });
  });
  const result = (await done.jsonValue()) as PageReport | { failure: string };
  if ("failure" in result) throw new Error(`in the page: ${result.failure}`);
  return result;
}

describe.runIf(process.env.NABLA_BACKEND === "wasm" && existsSync(CHROMIUM))("in a browser (Chromium)", () => {
  let server: Server;
  let browser: Browser | null = null;
  let origin: string;

  beforeAll(async () => {
    server = await serve();
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
      // --disable-dev-shm-usage: containers often give /dev/shm too little room for Chromium
      browser = await chromium.launch({ executablePath: CHROMIUM, timeout: 0, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
    } catch (e) {
      // a Chromium that cannot start here is the machine's problem, not nabla's: skip, loudly
      console.warn(`browser test skipped: Chromium did not start (${String(e).split("\n")[0]})`);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it("splits matmuls across Web Workers in a cross-origin isolated page and trains", async (ctx) => {
    if (browser === null) return ctx.skip();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const r = await runInPage(page, `${origin}/isolated`);
    expect(errors).toEqual([]);
    expect(r.isolated).toBe(true);
    expect(r.backend).toBe("wasm");
    expect(r.relaxedSimd).toBe(true);
    expect(r.cores).toBeGreaterThanOrEqual(1);
    expect(r.helpers).toBe(1);
    expect(r.threads).toBe(2);
    expect(r.beforeReady).toMatch(/ran before the wasm backend started.*await ready\(\)/);
    expect(r.sameProduct).toBe(true);
    expect(r.maxDiffFromJs).toBeLessThan(1e-3);
    expect(r.lastLoss).toBeLessThan(r.firstLoss * 0.8);
    await page.close();
  });

  it("runs the wasm kernels on one thread where the page is not isolated (no SharedArrayBuffer constructor, no workers)", async (ctx) => {
    if (browser === null) return ctx.skip();
    const page = await browser.newPage();
    const r = await runInPage(page, `${origin}/plain`);
    expect(r.isolated).toBe(false);
    expect(r.backend).toBe("wasm");
    expect(r.helpers).toBe(0);
    expect(r.threads).toBe(1); // asked for 2, but no worker can start here
    expect(r.beforeReady).toMatch(/ran before the wasm backend started.*await ready\(\)/);
    expect(r.sameProduct).toBe(true);
    expect(r.maxDiffFromJs).toBeLessThan(1e-3);
    expect(r.lastLoss).toBeLessThan(r.firstLoss * 0.8);
    await page.close();
  });
});
