// fiberlet/register's cheap check (register/source-kind.ts): which files are
// parsed at all. A miss would leave a marked file uncompiled; a false
// positive only costs a compile that changes nothing.
import { describe, expect, it } from "vitest";
import { mayBeMarked, sourceKind } from "../../register/source-kind.js";

const q = (s: string) => s.replaceAll("'", '"'); // the directive, spelled with double quotes

describe("register: which files are parsed", () => {
  it("finds the directive at the top, in a function body, after a comment, with either quote", () => {
    for (const source of [
      q("'use fiber';\nimport x from 'y';"),
      q("#!/usr/bin/env node\n'use fiber'\nfoo();"),
      q("function f() { 'use fiber'; return g(); }"),
      q("const f = () => {\n  'use fiber'\n  return g();\n};"),
      q("'use strict'; 'use fiber';"),
      q("/** doc */ 'use fiber';"),
      "'use fiber';",
    ]) {
      expect(mayBeMarked(source), source).toBe(true);
    }
  });

  it("does not take the words in an expression or a message for the directive", () => {
    for (const source of [
      q("const DIRECTIVE = 'use fiber';"),
      q("throw new Error('mark it with \\'use fiber\\'');"),
      q("log(`say 'use fiber' to mark`);"),
      q("check('use fiber')"),
      "plain code",
    ]) {
      expect(mayBeMarked(source), source).toBe(false);
    }
  });

  it("knows JavaScript, TypeScript and declaration files by extension", () => {
    expect(["a.js", "a.mjs", "a.cjs", "a.ts", "a.MTS", "a.cts", "a.d.ts", "a.d.mts", "a.json", "a.tsx"].map(sourceKind)).toEqual([
      "js", "js", "js", "ts", "ts", "ts", null, null, null, null,
    ]);
  });
});
