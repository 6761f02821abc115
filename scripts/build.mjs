// Builds dist/: one CommonJS build of runtime/ and babel-plugin/ (with types),
// plus thin ESM wrappers that re-export it. A single implementation means the
// ESM and CommonJS entry points share one Fiber class and one scheduler
// (no dual-package hazard: `instanceof Fiber` holds across both).
//
// The build is written to a fresh directory beside dist/ and swapped in by
// renames, so a test or bench reading dist/ meanwhile sees the old build or
// the new one, never a half-written one.
import { execFileSync } from "node:child_process";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
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

  mkdirSync(join(next, "esm"), { recursive: true });
  const wrap = (file, from, names) =>
    writeFileSync(
      join(next, "esm", file),
      `import cjs from ${JSON.stringify(from)};\nexport const { ${names.join(", ")} } = cjs;\n`,
    );
  const runtime = createRequire(import.meta.url)(join(next, "cjs/runtime/index.js"));
  wrap("index.mjs", "../cjs/runtime/index.js", Object.keys(runtime));
  const protocol = createRequire(import.meta.url)(join(next, "cjs/runtime/protocol.js"));
  wrap("protocol.mjs", "../cjs/runtime/protocol.js", Object.keys(protocol));

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
