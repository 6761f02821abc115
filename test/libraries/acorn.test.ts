/**
 * acorn (dist/acorn.js) compiled with every function marked must parse
 * exactly like the original: the same ASTs (with locations and ranges), the
 * same comments and tokens reported to onComment/onToken, the same
 * SyntaxErrors; on the main fiber, and inside a stackless fiber that is
 * suspended and resumed inside the parser at every token and comment.
 *
 * Corpus: JavaScript files of node_modules (see corpus.mjs), each parsed as
 * a module and as a script (one of them usually fails: both errors are
 * compared too), plus broken inputs made by cutting corpus files short.
 */
import { describe, expect } from "vitest";
import { check, checkListedRan } from "./ratchet";
import { CHECK_TIMEOUT, compileCheckId, expectNoDifferences, libraryUnderTest } from "./setup";
import { libraries, loadFixture, loadPackage } from "./library.mjs";
import { pick } from "./corpus.mjs";
import { differences, json, thrown } from "./compare.mjs";

const FILES = 120;
const BROKEN = 60;

const acorn = libraryUnderTest("acorn", (compiled) => loadPackage(libraries.acorn, { compiled }));
const drive = loadFixture("drive.js");

const corpus = pick(/\.(js|mjs|cjs)$/, { count: FILES, minBytes: 200, maxBytes: 100_000 });
const names = corpus.map((f: { name: string }) => f.name);

/** Hand-written broken inputs, and corpus files cut short (mostly errors,
 * at every kind of place in a file). */
const broken: { name: string; text: string }[] = [
  ["unterminated string", "let s = 'abc"],
  ["unterminated template", "`a${b"],
  ["bad regexp flags", "/a/gg"],
  ["invalid regexp", "/(?<a>x)(?<a>y)/"],
  ["duplicate let", "let a; let a;"],
  ["await in script", "await x"],
  ["yield in strict", "'use strict'; var yield = 1"],
  ["octal in strict", "'use strict'; 010"],
  ["return outside function", "return 1"],
  ["bad assignment target", "1 = 2"],
  ["unexpected token", "a b"],
  ["unterminated comment", "/* abc"],
  ["bad escape", "'\\u{110000}'"],
  ["private name outside class", "this.#x"],
  ["new.target outside function", "new.target"],
  ["duplicate export", "export { a }; export { a }; let a;"],
].map(([name, text]) => ({ name, text }));
for (const f of pick(/\.(js|mjs|cjs)$/, { count: BROKEN, minBytes: 500, maxBytes: 20_000 })) {
  broken.push({ name: `${f.name} (first ${Math.floor(f.text.length * 0.6)} chars)`, text: f.text.slice(0, Math.floor(f.text.length * 0.6)) });
}

type Wrap = (fn: (...args: any[]) => unknown) => (...args: any[]) => unknown;
const direct: Wrap = (fn) => fn;

/** One parse, observed: the AST or the error, and what the callbacks saw.
 * `inFiber`: run acorn.parse in a fiber, with callbacks that pause it. */
function parse(lib: any, text: string, sourceType: string, inFiber: boolean, counts: { pauses: number }): string {
  const comments: unknown[] = [];
  const tokens: unknown[] = [];
  const wrap: Wrap = inFiber ? drive.pausing : direct;
  const options = {
    ecmaVersion: "latest",
    sourceType,
    allowHashBang: true,
    allowReturnOutsideFunction: sourceType === "script",
    locations: true,
    ranges: true,
    onComment: wrap((...args: unknown[]) => comments.push(args)),
    onToken: wrap((token: unknown) => tokens.push(token)),
  };
  try {
    let ast;
    if (inFiber) {
      const r = drive.inFiber(lib, lib.parse, [text, options]);
      expect(r.kind).toBe("stackless");
      counts.pauses += r.pauses;
      ast = r.value;
    } else ast = lib.parse(text, options);
    return json({ ast, comments, tokens });
  } catch (e) {
    return json({ ...thrown(e), comments, tokens });
  }
}

function observeAll(lib: any, files: { text: string }[], inFiber: boolean, counts = { pauses: 0 }): string[] {
  return files.map((f) => [parse(lib, f.text, "module", inFiber, counts), parse(lib, f.text, "script", inFiber, counts)].join("\n"));
}

let expected: string[] | undefined;
const expectedCorpus = () => (expected ??= observeAll(acorn.plain(), corpus, false));
let expectedBroken: string[] | undefined;
const expectedErrors = () => (expectedBroken ??= observeAll(acorn.plain(), broken, false));

describe("acorn", () => {
  check(compileCheckId("acorn"), () => acorn.compileCheck(), CHECK_TIMEOUT);

  check("acorn/main: ASTs, comments and tokens of the corpus", () => {
    expectNoDifferences("ASTs", differences(names, expectedCorpus(), observeAll(acorn.compiled(), corpus, false)));
  }, CHECK_TIMEOUT);

  check("acorn/fiber: ASTs, comments and tokens of the corpus", () => {
    const counts = { pauses: 0 };
    const actual = observeAll(acorn.compiled(), corpus, true, counts);
    expectNoDifferences("ASTs parsed in a fiber", differences(names, expectedCorpus(), actual));
    // Every token and comment suspended the fiber inside the parser.
    expect(counts.pauses).toBeGreaterThan(FILES * 50);
  }, CHECK_TIMEOUT);

  check("acorn/main: syntax errors", () => {
    const exp = expectedErrors();
    // Nearly all of them are errors (as a module, as a script, or both).
    expect(exp.filter((o) => o.includes('"threw":"SyntaxError"')).length).toBeGreaterThan(broken.length * 0.8);
    expectNoDifferences("Errors", differences(broken.map((b) => b.name), exp, observeAll(acorn.compiled(), broken, false)));
  }, CHECK_TIMEOUT);

  check("acorn/fiber: syntax errors", () => {
    expectNoDifferences("Errors in a fiber", differences(broken.map((b) => b.name), expectedErrors(), observeAll(acorn.compiled(), broken, true)));
  }, CHECK_TIMEOUT);

  check("acorn/main: tokenizer", () => {
    const tokenize = (lib: any) =>
      corpus.map((f: { text: string }) => {
        try {
          return json([...lib.tokenizer(f.text, { ecmaVersion: "latest", sourceType: "module", locations: true })]);
        } catch (e) {
          return json(thrown(e));
        }
      });
    expectNoDifferences("Token streams", differences(names, tokenize(acorn.plain()), tokenize(acorn.compiled())));
  }, CHECK_TIMEOUT);

  check("acorn/fiber: parseExpressionAt and Parser.extend", () => {
    // A subclass made by Parser.extend (plugin style), and parseExpressionAt
    // at every statement start of a file, in a fiber, pausing per token.
    const run = (lib: any, inFiber: boolean) => {
      const Extended = lib.Parser.extend((Base: any) => class extends Base {});
      const text = corpus[0].text;
      const out: string[] = [];
      const counts = { pauses: 0 };
      for (let at = 0; at < text.length; at = text.indexOf("\n", at + 1)) {
        if (at < 0) break;
        const options = { ecmaVersion: "latest", locations: true, onToken: (inFiber ? drive.pausing : direct)(() => {}) };
        try {
          if (inFiber) {
            const r = drive.inFiber(Extended, Extended.parseExpressionAt, [text, at + 1, options]);
            counts.pauses += r.pauses;
            out.push(json(r.value));
          } else out.push(json(Extended.parseExpressionAt(text, at + 1, options)));
        } catch (e) {
          out.push(json(thrown(e)));
        }
      }
      return out;
    };
    const exp = run(acorn.plain(), false);
    expect(exp.length).toBeGreaterThan(20);
    expectNoDifferences("Expressions", differences(exp.map((_, i) => `expression ${i}`), exp, run(acorn.compiled(), true)));
  }, CHECK_TIMEOUT);

  checkListedRan("acorn");
});
