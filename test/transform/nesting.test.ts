// Functions nested in functions that can suspend (babel-plugin/lift.ts):
// each program in fixtures/nesting runs plain, compiled on the main fiber
// and compiled inside a fiber that really switches at every sw() (the fuzz
// harness's three runs; the oracle is the plain run). And the code of a
// nested function is emitted once, however deep it is nested.
import { describe, expect, it } from "vitest";
import { DIRECTIVE, check, compile } from "../fuzz/harness.mjs";
import { describeFixturePrograms } from "../support/fixture-programs";

describeFixturePrograms("nested functions behave as in place", new URL("./fixtures/nesting/", import.meta.url));

/** `depth` arrows nested in each other, each suspending; the innermost one
 * holds a marker string. */
function nest(depth: number): string {
  let body = `const r = sw(v${depth - 1}); return r + "innermost marker";`;
  for (let i = depth - 1; i >= 1; i--) {
    body = `let v${i} = sw(x${i}) + v${i - 1}; const f${i + 1} = (x${i + 1}) => { ${body} }; return f${i + 1}(v${i});`;
  }
  return `function main(p0, p1) { let v0 = 1; const f1 = (x1) => { ${body} }; return f1(2); }`;
}

describe("nesting is emitted once", () => {
  it("the innermost function's code appears as often nine deep as two deep", () => {
    const count = (depth: number) => (compile(`"${DIRECTIVE}";\n${nest(depth)}`) as { code: string }).code.split("innermost marker").length - 1;
    const once = count(2);
    expect(once).toBeGreaterThan(0);
    for (const depth of [5, 9]) expect(count(depth), `depth ${depth}`).toBe(once);
  });

  it("a nest nine deep runs as written", () => {
    const verdict = check({ source: nest(9), replies: [{ k: "same" }], asNew: false, boundaries: false });
    expect(verdict.kind === "ok" ? "ok" : JSON.stringify(verdict, null, 1)).toBe("ok");
  });
});
