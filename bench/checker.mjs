// fiberlet check on a large real TypeScript code base: rxjs 7.8.2's own
// sources (251 files, about 21,000 lines, shipped in its npm package under
// src/). Fetched once with `npm pack` into <tmpdir>/fiberlet-bench-rxjs,
// then analysed twice: as published (no "use fiber" anywhere), and with a
// module-level "use fiber" in every file, where the checker's minimal
// marking says which directives can go (needless-mark). Target: < 30 s each.
//   npm run build && node bench/checker.mjs
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
// Outside node_modules: the checker never analyses files inside one.
const cache = join(tmpdir(), "fiberlet-bench-rxjs");
const pkg = join(cache, "package");
mkdirSync(cache, { recursive: true });
if (!existsSync(pkg)) {
  execFileSync("npm", ["pack", "rxjs@7.8.2", "--silent"], { cwd: cache, stdio: ["ignore", "ignore", "inherit"] });
  execFileSync("tar", ["xzf", "rxjs-7.8.2.tgz"], { cwd: cache });
}
const { check } = createRequire(import.meta.url)(join(root, "dist/cjs/checker/index.js"));

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(name) && !name.endsWith(".d.ts") ? [p] : [];
  });
}

function run(label, config) {
  const start = performance.now();
  const result = check(config);
  const seconds = (performance.now() - start) / 1000;
  const counts = {};
  for (const f of result.findings) counts[f.code] = (counts[f.code] ?? 0) + 1;
  const lines = sources(join(config, "..")).reduce((n, f) => n + readFileSync(f, "utf8").split("\n").length, 0);
  console.log(`${label.padEnd(34)} ${String(result.files).padStart(4)} files ${String(lines).padStart(6)} lines ${seconds.toFixed(1).padStart(5)} s  ${JSON.stringify(counts)}  ${seconds < 30 ? "ok" : "OVER 30 s"}`);
  return result;
}

run("rxjs 7.8.2 src (as published)", join(pkg, "src/tsconfig.esm.json"));
// The same sources, every module marked.
const marked = join(pkg, "marked-src");
rmSync(marked, { recursive: true, force: true });
cpSync(join(pkg, "src"), marked, { recursive: true });
for (const f of sources(marked)) writeFileSync(f, `"use fiber";\n${readFileSync(f, "utf8")}`);
const result = run("rxjs 7.8.2 src, every module marked", join(marked, "tsconfig.esm.json"));
const modules = sources(marked).length;
const needless = result.findings.filter((f) => f.code === "needless-mark").length;
console.log(`minimal marking: ${needless} of ${modules} module directives never matter (nothing in the module may suspend); the other ${modules - needless} call code the checker cannot see (kept)`);
