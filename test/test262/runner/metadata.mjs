/**
 * Which tests run, and how: test262 front matter (flags, includes,
 * negative, features) and the scenarios a test asks for
 * (test262/INTERPRETING.md).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";

/** The directories of test/language this runner covers (all vendored). */
export const DIRECTORIES = [
  "expressions",
  "statements",
  "function-code",
  "arguments-object",
  "block-scope",
  "computed-property-names",
  "destructuring",
  "rest-parameters",
];

/** Every test file, as "language/<dir>/...js", in a stable order. */
export function listTests(root) {
  const out = [];
  const walk = (rel) => {
    for (const entry of readdirSync(join(root, "test", rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".js") && !entry.name.includes("_FIXTURE")) out.push(path);
    }
  };
  for (const dir of DIRECTORIES) walk(`language/${dir}`);
  return out.sort();
}

export function readMetadata(source) {
  const match = /\/\*---([\s\S]*?)---\*\//.exec(source);
  const meta = (match && load(match[1])) || {};
  return {
    includes: meta.includes ?? [],
    flags: new Set(meta.flags ?? []),
    features: meta.features ?? [],
    negative: meta.negative ?? null,
  };
}

/**
 * How a test is run: once sloppy and once strict unless its flags say
 * otherwise; module and raw tests as they are. Returns [] for tests this
 * host cannot run (the reason is counted).
 */
export function scenarios(meta) {
  const f = meta.flags;
  if (f.has("CanBlockIsFalse")) return []; // Node's main thread can block
  if (f.has("module")) return ["module"];
  if (f.has("raw")) return ["raw"];
  if (f.has("onlyStrict")) return ["strict"];
  if (f.has("noStrict")) return ["sloppy"];
  return ["sloppy", "strict"];
}

/** The harness files a scenario loads before the test, in order. */
export function harnessFiles(meta) {
  if (meta.flags.has("raw")) return [];
  const files = ["assert.js", "sta.js"];
  if (meta.flags.has("async")) files.push("doneprintHandle.js");
  for (const f of meta.includes) if (!files.includes(f)) files.push(f);
  return files;
}
