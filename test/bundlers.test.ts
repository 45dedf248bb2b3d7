/**
 * nabla bundled for the browser as a user's app would bundle it (installed from the packed
 * tarball), and run in Chromium: esbuild
 * with `--bundle --platform=browser` and Vite with its defaults build test/browser/bundle-page.js
 * (which imports "nabla" by name) with no errors and no warnings, and the page trains. The
 * package.json "imports" map sends `#platform` to platform-browser.ts under the browser
 * condition, so no Node module (node:os, node:worker_threads) reaches the bundle. Each bundle is
 * served with and without cross-origin isolation: getNumThreads() is 2 where Web Workers can
 * start and 1 where they cannot. Needs dist/ (npm run build), like test/browser.test.ts; runs
 * once (in the "wasm" project) and is skipped where Chromium is missing.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = join(import.meta.dirname, "..");
const BIN = join(ROOT, "node_modules", ".bin");
const TYPES: Record<string, string> = { ".js": "text/javascript", ".html": "text/html" };

/** Serves a built site, with the headers that make it cross-origin isolated or without. */
function serve(root: string, isolated: boolean): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = normalize(join(root, url.pathname === "/" ? "index.html" : url.pathname));
    if (!path.startsWith(root) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = { "Content-Type": TYPES[extname(path)] ?? "application/octet-stream" };
    if (isolated) {
      headers["Cross-Origin-Opener-Policy"] = "same-origin";
      headers["Cross-Origin-Embedder-Policy"] = "require-corp";
    }
    res.writeHead(200, headers).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Runs a build command; returns everything it printed (both bundlers print only warnings and errors at these log levels). */
function build(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

interface PageReport {
  isolated: boolean;
  backend: string;
  threads: number;
  beforeReady: string;
  firstLoss: number;
  lastLoss: number;
}

describe.runIf(process.env.NABLA_BACKEND === "wasm" && existsSync(CHROMIUM))("bundled for the browser", () => {
  let app: string;
  let browser: Browser | null = null;
  /** What the bundlers printed, by name. */
  const printed: Record<string, string> = {};
  /** The built site's folder, by bundler name. */
  const sites: Record<string, string> = {};

  beforeAll(async () => {
    // an app folder with nabla installed from its packed tarball, as a user's project gets it
    app = mkdtempSync(join(tmpdir(), "nabla-bundle-"));
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", app], { cwd: join(ROOT, "packages", "nabla"), stdio: "pipe" });
    const tarball = readdirSync(app).find((f) => f.endsWith(".tgz"))!;
    execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", join(app, tarball)], { cwd: app, stdio: "pipe" });
    copyFileSync(join(ROOT, "test", "browser", "bundle-page.js"), join(app, "main.js"));
    const html = (src: string): string => `<!doctype html><title>app</title><link rel="icon" href="data:,"><script type="module" src="${src}"></script>\n`;

    mkdirSync(join(app, "esbuild"));
    writeFileSync(join(app, "esbuild", "index.html"), html("./main.js"));
    printed.esbuild = build(join(BIN, "esbuild"), ["main.js", "--bundle", "--platform=browser", "--outfile=esbuild/main.js", "--log-level=warning"], app);
    sites.esbuild = join(app, "esbuild");

    writeFileSync(join(app, "index.html"), html("/main.js"));
    printed.vite = build(join(BIN, "vite"), ["build", "--logLevel", "warn"], app);
    sites.vite = join(app, "dist");

    try {
      // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
    } catch (e) {
      console.warn(`bundle test skipped in the browser: Chromium did not start (${String(e).split("\n")[0]})`);
    }
  });

  afterAll(async () => {
    await browser?.close();
    if (app !== undefined) rmSync(app, { recursive: true, force: true });
  });

  for (const bundler of ["esbuild", "vite"]) {
    it(`${bundler} builds the page with no errors or warnings, and nothing from Node in it`, () => {
      expect(printed[bundler]).toBe("");
      const files = bundler === "esbuild" ? [join(sites.esbuild!, "main.js")] : readdirJs(join(sites.vite!, "assets"));
      const nodeModules = files.flatMap((f) => readFileSync(f, "utf8").match(/.{0,40}node:(os|worker_threads|fs).{0,40}/g) ?? []);
      expect(nodeModules).toEqual([]);
    });

    for (const isolated of [true, false]) {
      it(`the ${bundler} bundle trains in Chromium ${isolated ? "with" : "without"} cross-origin isolation`, async (ctx) => {
        if (browser === null) return ctx.skip();
        const server = await serve(sites[bundler]!, isolated);
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on("pageerror", (e) => problems.push(e.message));
        page.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
        });
        try {
          await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
          const done = await page.waitForFunction(() => {
            const w = globalThis as unknown as { report?: unknown; failure?: string };
            return w.report ?? (w.failure === undefined ? null : { failure: w.failure });
          });
          const r = (await done.jsonValue()) as PageReport | { failure: string };
          if ("failure" in r) throw new Error(`in the page: ${r.failure}`);
          expect(problems).toEqual([]);
          expect(r.isolated).toBe(isolated);
          expect(r.backend).toBe("wasm");
          expect(r.beforeReady).toMatch(/ran before the wasm backend started.*await ready\(\)/);
          expect(r.threads).toBe(isolated ? 2 : 1);
          expect(r.lastLoss).toBeLessThan(r.firstLoss * 0.8);
        } finally {
          await page.close();
          await new Promise((resolve) => server.close(resolve));
        }
      });
    }
  }
});

function readdirJs(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".js"))
    .map((f) => join(dir, f));
}
