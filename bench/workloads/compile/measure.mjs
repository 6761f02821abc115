// Child-process entry for the compile workload (protocol: bench/lib/child.mjs).
//
//   node bench/workloads/compile/measure.mjs '<spec json>'
//
// spec: { mode: "babel" | "fiberlet", input, warmup, reps, budgetMs, minify, compact, plugin }
// input: { lines } (generate.mjs: the compile row) or { depth } (nested.mjs:
// the nesting rows).
// Times @babel/core transforming that module: with no plugin (parse
// and print only) or with the fiberlet plugin loaded from spec.plugin. After
// `warmup` transforms it times up to `reps` more, stopping early once
// budgetMs of timed work is spent (a slow plugin build then costs one timed
// transform per sample rather than minutes). With spec.minify it also
// reports the terser-minified size of the output. With spec.compact Babel
// prints compactly (no whitespace, names kept) and the size is that
// output's: terser takes seconds on the megabytes deep nests compile to, and
// indentation would make even the unmarked output grow faster than its
// input.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { median } from "../../lib/stats.mjs";
import { generateModule } from "./generate.mjs";
import { nestedModule } from "./nested.mjs";

const require = createRequire(import.meta.url);

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const babel = require("@babel/core");
  const plugins = [];
  if (spec.mode === "fiberlet") {
    if (!existsSync(spec.plugin)) throw new Error("dist/cjs/babel-plugin/index.js missing: run npm run build");
    const plugin = require(spec.plugin);
    plugins.push(plugin.default ?? plugin);
  }
  const source = spec.input.depth ? nestedModule(spec.input.depth) : generateModule(spec.input.lines);
  const options = {
    filename: "generated.mjs",
    sourceType: "module",
    babelrc: false,
    configFile: false,
    sourceMaps: false,
    compact: spec.compact ?? "auto",
    plugins,
  };
  const transform = () => babel.transformSync(source, options).code;

  let code = "";
  for (let i = 0; i < spec.warmup; i++) code = transform();
  const times = [];
  let spent = 0;
  for (let i = 0; i < spec.reps && (i === 0 || spent < spec.budgetMs * 1e6); i++) {
    const start = process.hrtime.bigint();
    code = transform();
    times.push(Number(process.hrtime.bigint() - start));
    spent += times[i];
  }
  const metrics = { time: median(times) };
  if (spec.compact) metrics.size = Buffer.byteLength(code);
  else if (spec.minify) {
    const { minify } = require("terser");
    const minified = await minify(code, { module: true, compress: true, mangle: true });
    metrics.size = Buffer.byteLength(minified.code);
  }
  console.log(JSON.stringify({ ok: true, metrics, info: `${source.split("\n").length} lines, ${Buffer.byteLength(source)} bytes in` }));
}

main().catch((err) => {
  console.log(JSON.stringify({ ok: false, error: String(err?.message ?? err).split("\n")[0] }));
  process.exitCode = 1;
});
