// Headless Chromium for the bundler tests: the system's browser (Debian's
// `chromium` package; this machine cannot download Playwright's own), driven
// by playwright-core, and a static file server for built pages.
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { chromium, type Browser } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? CANDIDATES.find((p) => existsSync(p));
  if (!path) {
    throw new Error(
      `no Chromium found (looked for ${CANDIDATES.join(", ")}): install it with ` +
        "`apt-get install -y chromium` (.ci/run does) or set CHROMIUM_PATH",
    );
  }
  return path;
}

export function launchBrowser(): Promise<Browser> {
  // No sandbox: CI runs as root, where Chromium refuses its sandbox.
  return chromium.launch({ executablePath: chromiumPath(), chromiumSandbox: false });
}

/** What a page reported (see fixtures/page), with everything it logged as an error. */
export interface PageRun {
  report: { ok?: Record<string, unknown>; error?: string };
  errors: string[];
  /** How many times the page's entry module ran (a dev server's reload runs it again). */
  loads: number;
}

/**
 * Opens `url`, waits for the page to write its report into #report and
 * returns it. `settle` waits that much longer before reading how many times
 * the page loaded (a reload after the first report counts).
 */
export async function runPage(browser: Browser, url: string, settle = 0): Promise<PageRun> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("requestfailed", (r) => errors.push(`requestfailed: ${r.url()}`));
  try {
    await page.goto(url);
    const text = await page.locator("#report[data-done]").textContent({ timeout: 20_000 });
    if (settle) await page.waitForTimeout(settle);
    await page.locator("#report[data-done]").waitFor({ timeout: 20_000 });
    const loads = Number(await page.evaluate(() => sessionStorage.getItem("loads")));
    return { report: JSON.parse(text ?? "null"), errors, loads };
  } finally {
    await page.close();
  }
}

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".map": "application/json",
  ".json": "application/json",
  ".css": "text/css",
};

/** Serves the files of `dir` over HTTP on 127.0.0.1; resolves to its base URL and a close function. */
export async function serveDirectory(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    let file = join(dir, path);
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((done) => server.close(() => done())) };
}
