/**
 * marked (lib/marked.umd.js) compiled with every function marked must
 * render exactly like the original: the same HTML and the same token trees
 * for the Markdown files of node_modules (READMEs, changelogs, docs), with
 * several option sets; on the main fiber, and inside a stackless fiber
 * suspended at every walkTokens visit, hook, tokenizer and renderer call of
 * a Marked instance whose extensions pause.
 */
import { describe, expect } from "vitest";
import { check, checkListedRan } from "./ratchet";
import { CHECK_TIMEOUT, compileCheckId, expectNoDifferences, libraryUnderTest } from "./setup";
import { libraries, loadFixture, loadPackage } from "./library.mjs";
import { pick } from "./corpus.mjs";
import { differences, json, thrown } from "./compare.mjs";

const FILES = 120;

const marked = libraryUnderTest("marked", (compiled) => loadPackage(libraries.marked, { compiled }));
const drive = loadFixture("drive.js");

const corpus = pick(/\.(md|markdown)$/i, { count: FILES, maxBytes: 200_000 });
const names = corpus.map((f: { name: string }) => f.name);

const optionSets = [{}, { gfm: false }, { breaks: true }, { pedantic: true, gfm: false }];

const observe = (fn: () => unknown) => {
  try {
    return json(fn());
  } catch (e) {
    return json(thrown(e));
  }
};

/** HTML and token trees for every option set, through the default instance. */
function render(lib: any): string[] {
  return corpus.map((f: { text: string }) =>
    [...optionSets.map((o) => observe(() => lib.marked.parse(f.text, o))), observe(() => lib.marked.lexer(f.text)), observe(() => lib.marked.parseInline(f.text.slice(0, 2000)))].join("\n"),
  );
}

const RENDERERS = ["space", "code", "blockquote", "html", "heading", "hr", "list", "listitem", "checkbox", "paragraph", "table", "tablerow", "tablecell", "strong", "em", "codespan", "br", "del", "link", "image", "text"];
const TOKENIZERS = ["paragraph", "heading", "fences", "list", "inlineText", "link", "codespan", "emStrong"];

/** A Marked instance whose extensions call `wrap(fn)` versions of no-op
 * callbacks: renderers and tokenizers return false (marked falls back to
 * its own), hooks return their input, walkTokens does nothing. */
function instance(lib: any, wrap: (fn: (...a: any[]) => unknown) => unknown): any {
  const m = new lib.Marked();
  m.use({
    walkTokens: wrap(() => {}),
    hooks: { preprocess: wrap((s: string) => s), postprocess: wrap((s: string) => s), processAllTokens: wrap((t: unknown) => t) },
    renderer: Object.fromEntries(RENDERERS.map((n) => [n, wrap(() => false)])),
    tokenizer: Object.fromEntries(TOKENIZERS.map((n) => [n, wrap(() => false)])),
  });
  return m;
}

function withExtensions(lib: any, inFiber: boolean, counts = { pauses: 0 }): string[] {
  const m = instance(lib, inFiber ? drive.pausing : (fn) => fn);
  return corpus.map((f: { text: string }) =>
    observe(() => {
      if (!inFiber) return m.parse(f.text);
      const r = drive.inFiber(m, m.parse, [f.text]);
      expect(r.kind).toBe("stackless");
      counts.pauses += r.pauses;
      return r.value;
    }),
  );
}

let expectedRender: string[] | undefined;
let expectedExtended: string[] | undefined;

describe("marked", () => {
  check(compileCheckId("marked"), () => marked.compileCheck(), CHECK_TIMEOUT);

  check("marked/main: HTML and tokens of the corpus", () => {
    expectedRender ??= render(marked.plain());
    expect(expectedRender.filter((o) => o.includes('"threw"'))).toEqual([]);
    expectNoDifferences("Renderings", differences(names, expectedRender, render(marked.compiled())));
  }, CHECK_TIMEOUT);

  check("marked/main: instance with extensions", () => {
    expectedExtended ??= withExtensions(marked.plain(), false);
    expectNoDifferences("Renderings", differences(names, expectedExtended, withExtensions(marked.compiled(), false)));
  }, CHECK_TIMEOUT);

  check("marked/fiber: instance with pausing extensions", () => {
    expectedExtended ??= withExtensions(marked.plain(), false);
    const counts = { pauses: 0 };
    expectNoDifferences("Renderings in a fiber", differences(names, expectedExtended, withExtensions(marked.compiled(), true, counts)));
    expect(counts.pauses).toBeGreaterThan(FILES * 20);
  }, CHECK_TIMEOUT);

  checkListedRan("marked");
});
