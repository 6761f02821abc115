// The browser examples (examples/*.js) and a TypeScript fixture
// (fixtures/app), bundled by fiberlet/rollup in Rollup, Vite 7 (Rollup) and
// Vite 8 (Rolldown), run in headless Chromium. Each page must report what
// the same programs give on Node (examples/run.mjs), with no error in the
// console. No CommonJS plugin anywhere: the runtime is ES modules.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, runPage, serveDirectory } from "./support/browser.js";
import { writePage } from "./support/page.js";
import { copyExamples, installedProject, repo } from "./support/project.js";

type FiberletRollup = typeof import("../../rollup-plugin/index.js").default;

let browser: Browser;
let project: string;
let fiberlet: FiberletRollup;
const expected: Record<string, unknown> = {};

const APP = {
  leaves: [1, 2, 3, 4, 5],
  kind: "stackless",
  unmarkedKind: "stackless",
  boundary: "FiberError",
  promises: ["slept 20", "slept 5"],
};

beforeAll(async () => {
  const launching = launchBrowser();
  project = installedProject("browser");
  const programs: Record<string, string> = {};
  for (const name of copyExamples(project)) {
    const program = name.replace(/\.js$/, "");
    programs[program] = `./${name}`;
    // The oracle: the same example compiled by the Babel plugin, on Node.
    const printed = execFileSync(process.execPath, [join(repo, "examples/run.mjs"), join(repo, "examples", name)], {
      encoding: "utf8",
      env: { ...process.env, FIBERLET_BACKEND: "continuation" },
    });
    expected[program] = JSON.parse(printed);
  }
  cpSync(join(__dirname, "fixtures/app"), join(project, "app"), { recursive: true });
  programs.app = "./app/main.ts";
  expected.app = APP;
  writePage(project, programs);
  const url = pathToFileURL(join(project, "node_modules/fiberlet/dist/esm/rollup.mjs")).href;
  fiberlet = ((await import(/* @vite-ignore */ url)) as { default: FiberletRollup }).default;
  browser = await launching;
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe("the examples in Chromium", () => {
  it("runs the browser examples (each page must match these results from Node)", () => {
    expect(Object.keys(expected)).toEqual(expect.arrayContaining(["generator", "channels", "parser", "app"]));
    expect(expected.generator).toEqual({ leaves: [1, 2, 3, 4, 5, 6, 7, 8], fromFiber: "abc" });
  });

  it("bundled by Rollup with fiberlet/rollup and @rollup/plugin-node-resolve", async () => {
    const { rollup } = await import("rollup");
    const { nodeResolve } = await import("@rollup/plugin-node-resolve");
    const plugins = [fiberlet(), nodeResolve({ browser: true, rootDir: project })];
    const bundle = await rollup({ input: join(project, "entry.js"), plugins });
    const out = join(project, "out-rollup");
    const { output } = await bundle.write({ dir: out, format: "es", sourcemap: true });
    await bundle.close();
    expect(plugins.map((p) => p.name)).toEqual(["fiberlet", "node-resolve"]);
    // The runtime once: every runtime module of the bundle comes from the ES
    // module build, and none twice.
    const runtime = Object.keys(output[0].type === "chunk" ? output[0].modules : {}).filter((id) => id.includes("/node_modules/fiberlet/"));
    expect(runtime.length).toBeGreaterThan(4);
    expect(runtime.filter((id) => !id.includes("/dist/esm/runtime/"))).toEqual([]);
    cpSync(join(project, "index.html"), join(out, "index.html"));
    const server = await serveDirectory(out);
    try {
      const run = await runPage(browser, server.url);
      expect(run.report).toEqual({ ok: expected });
      expect(run.errors).toEqual([]);
    } finally {
      await server.close();
    }
  }, 60_000);

  for (const version of ["vite", "vite7"] as const) {
    const label = version === "vite" ? "Vite 8" : "Vite 7";
    const load = async () => (await import(version)) as typeof import("vite");

    it(`${label}: the dev server's first page load from a cold cache`, async () => {
      const vite = await load();
      const logged: string[] = [];
      const logger = vite.createLogger("info");
      logger.info = logger.warn = logger.error = (message: string) => void logged.push(message);
      // Which modules the plugin compiles.
      const plugin = fiberlet();
      const compiled: string[] = [];
      const handler = plugin.transform.handler;
      plugin.transform.handler = async function (code, id) {
        const out = await handler.call(this, code, id);
        if (out) compiled.push(id.slice(project.length + 1));
        return out;
      };
      const server = await vite.createServer({
        root: project,
        configFile: false,
        customLogger: logger,
        cacheDir: join(project, `.cache-${version}-dev`),
        plugins: [plugin],
        server: { host: "127.0.0.1", port: 0, strictPort: false },
      });
      try {
        await server.listen();
        const url = server.resolvedUrls!.local[0];
        // A dependency found only while serving (the runtime import the
        // transform adds, if config() did not name it) makes Vite re-bundle
        // its dependencies and reload the page, failing the requests of the
        // first load: Vite 8 does, without the optimizeDeps entry.
        const run = await runPage(browser, url, 300);
        expect(run.report).toEqual({ ok: expected });
        expect(run.errors).toEqual([]);
        expect(run.loads).toBe(1);
        expect(logged.filter((m) => /new dependencies|reload/i.test(m))).toEqual([]);
        // The marked sources, and not Vite's pre-bundled runtime (which
        // mentions the directive in its messages).
        const marked = [...Object.keys(expected).filter((p) => p !== "app").map((p) => `${p}.js`), "app/main.ts", "app/walk.js"];
        expect(compiled.map((id) => id.split("?")[0]).sort()).toEqual(marked.sort());
      } finally {
        await server.close();
      }
    }, 60_000);

    it(`${label}: a production build`, async () => {
      const vite = await load();
      const out = join(project, `out-${version}`);
      mkdirSync(out, { recursive: true });
      await vite.build({
        root: project,
        configFile: false,
        logLevel: "silent",
        cacheDir: join(project, `.cache-${version}-build`),
        plugins: [fiberlet()],
        build: { outDir: out, emptyOutDir: true, sourcemap: true },
      });
      // The runtime once: its registry key (runtime/registry.ts) survives
      // minification (in whatever quotes), once per copy of the runtime.
      const js = readdirSync(out, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
      const text = js.map((f) => readFileSync(join(out, f), "utf8")).join("\n");
      expect(text.match(/["'`]fiberlet\.runtime["'`]/g)).toHaveLength(1);
      const server = await serveDirectory(out);
      try {
        const run = await runPage(browser, server.url);
        expect(run.report).toEqual({ ok: expected });
        expect(run.errors).toEqual([]);
      } finally {
        await server.close();
      }
    }, 60_000);
  }
});
