// Builds dist/: a CommonJS build of runtime/ and babel-plugin/ (dist/cjs) and
// a real ES module build of runtime/ (dist/esm/runtime: `export` statements,
// no CommonJS inside, so bundlers read it as it is), both with types. The two
// builds of the runtime, like any other copies of fiberlet a thread loads,
// share one scheduler, R and Fiber class through runtime/registry.ts.
//
// The build is written to a fresh directory beside dist/ and swapped in by
// renames, so a test or bench reading dist/ meanwhile sees the old build or
// the new one, never a half-written one.
import { execFileSync } from "node:child_process";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const next = join(root, `dist.next-${process.pid}`);
rmSync(next, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
try {
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.json"), "--outDir", join(next, "cjs")], { stdio: "inherit" });
  writeFileSync(join(next, "cjs/package.json"), '{ "type": "commonjs" }\n');
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.esm.json"), "--outDir", join(next, "esm")], { stdio: "inherit" });
  writeFileSync(join(next, "esm/package.json"), '{ "type": "module" }\n');

  // Each build says which copy it is (runtime/registry.ts): the package
  // version, and where it was loaded from (in ES modules, import.meta.url).
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const stamp = (file, from, to) => {
    const text = readFileSync(file, "utf8");
    if (!text.includes(from)) throw new Error(`build: ${file} no longer contains ${from}; update scripts/build.mjs`);
    writeFileSync(file, text.replace(from, to));
  };
  for (const build of ["cjs", "esm"]) stamp(join(next, build, "runtime/registry.js"), 'VERSION = "source"', `VERSION = ${JSON.stringify(version)}`);
  stamp(join(next, "esm/runtime/registry.js"), 'typeof __filename === "string" ? __filename : undefined', "import.meta.url");

  // The entry points before dist/esm/runtime existed, for scripts that load
  // them by path (test/babel8/check.mjs).
  writeFileSync(join(next, "esm/index.mjs"), 'export * from "./runtime/index.js";\n');
  writeFileSync(join(next, "esm/protocol.mjs"), 'export * from "./runtime/protocol.js";\n');
  // fiberlet/rollup: a default export for ESM configs (rollup.config.mjs,
  // vite.config.ts), with declarations of its own, since the CommonJS
  // declarations describe `exports.default`.
  writeFileSync(
    join(next, "esm/rollup.mjs"),
    'import cjs from "../cjs/rollup-plugin/index.js";\nexport const fiberlet = cjs.fiberlet;\nexport default fiberlet;\n',
  );
  writeFileSync(
    join(next, "esm/rollup.d.mts"),
    'import type { FiberletPlugin, FiberletRollupOptions } from "../cjs/rollup-plugin/index.js";\n' +
      "export type { FiberletPlugin, FiberletRollupOptions };\n" +
      "export declare function fiberlet(options?: FiberletRollupOptions): FiberletPlugin;\nexport default fiberlet;\n",
  );

  const old = join(root, `dist.old-${process.pid}`);
  let hadOld = true;
  try {
    renameSync(dist, old);
  } catch {
    hadOld = false;
  }
  renameSync(next, dist);
  if (hadOld) rmSync(old, { recursive: true, force: true });
} finally {
  rmSync(next, { recursive: true, force: true });
}
