/**
 * Runs a test page on Chromium's WebGPU (headless, `--enable-unsafe-webgpu`, which brings its own
 * SwiftShader) and returns what the page left in `globalThis.report`: the one way the WebGPU
 * tests (test/webgpu.test.ts, test/webgpu-backend.test.ts) reach `navigator.gpu`.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = join(import.meta.dirname, "..");

/** Why the browser check cannot run here (once, in the js project; Chromium and `built`, a file under the repository, must exist), or null. */
export function browserSkipReason(built: string): string | null {
  if (process.env.NABLA_BACKEND !== undefined && process.env.NABLA_BACKEND !== "js") return "checked once, in the js project";
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM}`;
  if (!existsSync(join(ROOT, built))) return "dist/ is not built (npm run build)";
  return null;
}

/**
 * Serves `page` as /index.html and the repository's files beside it, cross-origin isolated (the
 * COOP and COEP headers), so that pages and workers have SharedArrayBuffer.
 */
function serve(page: string): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/index.html") {
      res.writeHead(200, { "Content-Type": "text/html" }).end(page);
      return;
    }
    const path = normalize(join(ROOT, url.pathname));
    if (!path.startsWith(ROOT) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": extname(path) === ".js" ? "text/javascript" : "application/octet-stream" }).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Loads `page` (HTML) in Chromium with WebGPU, waits for `globalThis.report`, and returns it with the page's uncaught errors. */
export async function runWebGpuPage<R>(page: string): Promise<{ report: R; errors: string[] }> {
  const server = await serve(page);
  const browser = await chromium.launch({ executablePath: CHROMIUM, timeout: 0, args: ["--no-sandbox", "--disable-dev-shm-usage", "--enable-unsafe-webgpu"] });
  try {
    const tab = await browser.newPage();
    tab.setDefaultTimeout(0);
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`);
    const done = await tab.waitForFunction(() => (globalThis as unknown as { report?: unknown }).report);
    return { report: (await done.jsonValue()) as R, errors };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
