// Compiles an example with the fiberlet Babel plugin and runs it:
//   node examples/run.mjs [examples/generator.js]
import { transformFileSync } from "@babel/core";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const source = resolve(process.argv[2] ?? new URL("./generator.js", import.meta.url).pathname);
// In an installed project this is just `plugins: ["fiberlet/babel"]`; inside
// the fiberlet repository itself the plugin is loaded from its build.
const plugin = new URL("../dist/cjs/babel-plugin/index.js", import.meta.url).pathname;
const { code } = transformFileSync(source, {
  babelrc: false,
  configFile: false,
  plugins: [plugin],
});
// Written next to a package.json-less temp dir, importing "fiberlet" by
// absolute path so the example runs from a fresh clone without linking.
const out = join(mkdtempSync(join(tmpdir(), "fiberlet-example-")), basename(source).replace(/\.js$/, ".mjs"));
const here = new URL("..", import.meta.url);
writeFileSync(
  out,
  code
    .replaceAll('"fiberlet/protocol"', JSON.stringify(new URL("dist/esm/protocol.mjs", here).href))
    .replaceAll('"fiberlet"', JSON.stringify(new URL("dist/esm/index.mjs", here).href)),
);
const mod = await import(pathToFileURL(out).href);
if (typeof mod.main === "function") console.log(JSON.stringify(mod.main()));
