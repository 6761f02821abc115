/**
 * Regression programs: minimal programs the fuzzer (or a person) found,
 * saved as test/fuzz/regressions/<name>.js and run three ways by
 * regressions.test.ts. A file is the program text (`function main(p0, p1)
 * {...}`) after a header of `//` comment lines; two of them are read:
 *
 *   // replies: [{"k":"same"},{"k":"throw"}]   the reply plan (default: same)
 *   // new                                       main is called with `new`
 *   // boundaries                                refused switches are expected
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

export const REGRESSIONS_DIR = new URL("./regressions/", import.meta.url);
export const KNOWN_FAILING = new URL("./known-failing.json", import.meta.url);

export function readKnownFailing() {
  return JSON.parse(readFileSync(KNOWN_FAILING, "utf8"));
}

export function parseRegression(text) {
  const header = text.match(/^(\/\/.*\n)*/)[0];
  const replies = /^\/\/ replies: (.*)$/m.exec(header);
  return {
    source: text.slice(header.length),
    replies: replies ? JSON.parse(replies[1]) : [{ k: "same" }],
    asNew: /^\/\/ new$/m.test(header),
    boundaries: /^\/\/ boundaries$/m.test(header),
  };
}

/** Every regression file: [{ name, program }], sorted by name. */
export function readRegressions() {
  return readdirSync(REGRESSIONS_DIR)
    .filter((f) => f.endsWith(".js"))
    .sort()
    .map((f) => ({ name: f.slice(0, -3), program: parseRegression(readFileSync(new URL(f, REGRESSIONS_DIR), "utf8")) }));
}

/** The text of a regression file for `program`, with a one-line `why`. */
export function formatRegression(program, why) {
  const header = [`// ${why}`];
  if (!(program.replies.length === 1 && program.replies[0].k === "same")) header.push(`// replies: ${JSON.stringify(program.replies)}`);
  if (program.asNew) header.push("// new");
  if (program.boundaries) header.push("// boundaries");
  return `${header.join("\n")}\n${program.source.endsWith("\n") ? program.source : `${program.source}\n`}`;
}

export function saveRegression(name, program, why) {
  writeFileSync(new URL(`${name}.js`, REGRESSIONS_DIR), formatRegression(program, why));
}
