// Push to pull with a fiber: acorn's tokens, one next() at a time.
//
//   npm run build && node examples/acorn-tokens.mjs [file.js]
//
// acorn.parse(input, { onToken }) pushes every token into a callback. The
// iterator of test/libraries/fixtures/token-pull.js (30 lines, marked with
// the module-level directive) runs acorn.parse in a fiber whose onToken
// switches each token out to the caller of next(), so the parser advances
// only as far as the consumer pulls. acorn itself is compiled with the
// plugin, every function marked (its dist/acorn.js as installed); the first
// run compiles it (about a minute), later runs read the compiled copy from
// node_modules/.cache/fiberlet-libraries.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { libraries, loadFixture, loadPackage } from "../test/libraries/library.mjs";

const file = process.argv[2] ?? fileURLToPath(new URL("./generator.js", import.meta.url));
const acorn = loadPackage(libraries.acorn, { compiled: true }).exports;
const { tokens } = loadFixture("token-pull.js");

const source = readFileSync(file, "utf8");
const options = { ecmaVersion: "latest", sourceType: "module", locations: true };
let parsed = 0;
const hooks = { produced: () => parsed++ }; // runs in the parsing fiber

let pulled = 0;
for (const token of tokens(acorn, source, options, hooks)) {
  const { line, column } = token.loc.start;
  console.log(`${String(line).padStart(4)}:${String(column).padEnd(3)} ${token.type.label.padEnd(8)} ${token.value ?? ""}`);
  if (++pulled === 15) break; // stop early: the parse is abandoned here
}
console.log(`pulled ${pulled} tokens; the parser produced ${parsed}, then stopped (${file} is ${source.length} characters)`);
