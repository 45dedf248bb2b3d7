#!/usr/bin/env node
/**
 * Screenshots of the playground's views for the README (docs/playground-*.png), from the static
 * build in Debian's Chromium:  npm run build:playground && node scripts/playground-screenshots.mjs [outDir]
 */
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const root = join(repo, "packages", "playground", "dist");
const out = process.argv[2] ?? join(repo, "docs");
const TYPES = { ".js": "text/javascript", ".html": "text/html", ".css": "text/css" };
const server = createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  const path = normalize(join(root, url.pathname === "/" ? "index.html" : url.pathname));
  if (!path.startsWith(root) || !existsSync(path)) return res.writeHead(404).end();
  res.writeHead(200, { "Content-Type": TYPES[extname(path)] ?? "application/octet-stream", "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" }).end(readFileSync(path));
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage"] });
const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
page.on("pageerror", (e) => console.log("pageerror", e.message));

await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.waitForFunction(() => globalThis.playground?.ready);
await page.selectOption(`[data-field="activation-1"]`, "Sigmoid");
await page.waitForTimeout(300); await page.screenshot({ path: `${out}/playground-activations.png`, clip: { x: 0, y: 0, width: 1200, height: 600 } });
await page.click('[data-tab="race"]');
for (let i = 0; i < 3; i++) await page.click('[data-action="step100"]');
await page.screenshot({ path: `${out}/playground-race.png`, fullPage: true });
await page.click('[data-tab="train"]');
await page.waitForFunction(() => globalThis.playground.train?.step >= 600);
await page.click('[data-action="pause"]');
await page.screenshot({ path: `${out}/playground-train.png`, fullPage: true });
await page.selectOption('[data-field="set"]', "digits");
await page.waitForFunction(() => globalThis.playground.train?.step >= 300, null, { timeout: 120000 });
console.log("digits", JSON.stringify(await page.evaluate(() => ({ s: globalThis.playground.train.step, a: globalThis.playground.train.accuracy }))));
await page.screenshot({ path: `${out}/playground-digits.png`, fullPage: true });
await browser.close();
server.close();
