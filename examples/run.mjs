// Compiles an example with the fiberlet Babel plugin, runs it, and prints
// what its main() returns (as JSON):
//   node examples/run.mjs                         examples/generator.js
//   node examples/run.mjs channels                examples/channels.js (a name, or a path)
// `npm run example` builds fiberlet first, then runs examples/generator.js.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { importExample } from "./compile.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const arg = process.argv[2] ?? "generator";
const byName = [".js", ".mjs"].map((ext) => resolve(here, arg + ext)).find((file) => existsSync(file));
const source = existsSync(arg) ? resolve(arg) : byName;
if (source === undefined) {
  console.error(`examples/run.mjs: no example ${JSON.stringify(arg)} (a file, or a name in examples/)`);
  process.exit(2);
}
const mod = await importExample(source);
if (typeof mod.main === "function") console.log(JSON.stringify(await mod.main()));
