// Builds dist/: one CommonJS build of runtime/ and babel-plugin/ (with types),
// plus thin ESM wrappers that re-export it. A single implementation means the
// ESM and CommonJS entry points share one Fiber class and one scheduler
// (no dual-package hazard: `instanceof Fiber` holds across both).
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.json")], { stdio: "inherit" });
writeFileSync(join(dist, "cjs/package.json"), '{ "type": "commonjs" }\n');

mkdirSync(join(dist, "esm"), { recursive: true });
const wrap = (file, from, names) =>
  writeFileSync(
    join(dist, "esm", file),
    `import cjs from ${JSON.stringify(from)};\nexport const { ${names.join(", ")} } = cjs;\n`,
  );
const runtime = createRequire(import.meta.url)(join(dist, "cjs/runtime/index.js"));
wrap("index.mjs", "../cjs/runtime/index.js", Object.keys(runtime));
const protocol = createRequire(import.meta.url)(join(dist, "cjs/runtime/protocol.js"));
wrap("protocol.mjs", "../cjs/runtime/protocol.js", Object.keys(protocol));
