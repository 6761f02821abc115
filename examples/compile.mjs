// Compiles an example with the fiberlet Babel plugin and imports it, the way
// examples/run.mjs and the tests (test/examples) run them. In an installed
// project this is just `plugins: ["fiberlet/babel"]` in a Babel config;
// inside the fiberlet repository the plugin and the runtime are loaded from
// its build (npm run build), so an example runs from a fresh clone.
import { transformFileSync } from "@babel/core";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";

const dist = new URL("../dist/", import.meta.url);

/** The compiled module of the example at `source` (a path). */
export async function importExample(source) {
  const { code } = transformFileSync(source, {
    babelrc: false,
    configFile: false,
    plugins: [new URL("cjs/babel-plugin/index.js", dist).pathname],
  });
  // Written to a temp dir, importing the runtime by absolute URL.
  const out = join(mkdtempSync(join(tmpdir(), "fiberlet-example-")), basename(source).replace(/\.js$/, ".mjs"));
  writeFileSync(
    out,
    code
      .replaceAll('"fiberlet/protocol"', JSON.stringify(new URL("esm/runtime/protocol.js", dist).href))
      .replaceAll('"fiberlet"', JSON.stringify(new URL("esm/runtime/index.js", dist).href))
      // The copy behaves as if it were where its source is (files it reads).
      .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(source).href)),
  );
  return import(pathToFileURL(out).href);
}
