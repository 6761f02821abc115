/**
 * js-yaml (dist/js-yaml.cjs.js: js-yaml 5 ships no dist/js-yaml.js; this is
 * its `require` entry) compiled with every function marked must load and
 * dump exactly like the original.
 *
 * Corpus: the YAML files of node_modules (few: CI configs, funding files),
 * YAML documents made by the uncompiled js-yaml from real package.json files
 * with several dump option sets, one multi-document stream, and broken
 * inputs (error messages with their code snippets). Dumping: the same
 * package.json objects with the same option sets. Inside a stackless fiber,
 * loadAll's per-document callback, dump's AST transform hook and visit()'s
 * visitor pause.
 */
import { describe, expect } from "vitest";
import { check, checkListedRan } from "./ratchet";
import { CHECK_TIMEOUT, compileCheckId, expectNoDifferences, libraryUnderTest } from "./setup";
import { libraries, loadFixture, loadPackage } from "./library.mjs";
import { pick } from "./corpus.mjs";
import { differences, json, thrown } from "./compare.mjs";

const PACKAGES = 60;

const yaml = libraryUnderTest("js-yaml", (compiled) => loadPackage(libraries["js-yaml"], { compiled }));
const drive = loadFixture("drive.js");

const packages = pick(/\/package\.json$/, { count: PACKAGES, minBytes: 300 }).map((f: { name: string; text: string }) => ({ name: f.name, value: JSON.parse(f.text) }));
const dumpOptions = [{}, { sortKeys: true }, { flowLevel: 1 }, { lineWidth: 30, indent: 4 }, { quoteStyle: "double", forceQuotes: true }, { noRefs: true, seqNoIndent: true }];
const broken = ["a: b: c", "- a\nb: c", "key: [1, 2", "? a\n? a", "a: &x 1\nb: *y", '"unterminated', "a:\n  - b\n c: d", "%YAML 1.2\n%YAML 1.2\n---\na", "{a: 1, a: 2}", "\t- tab", "a: !!int x", "[a, b]: c\n[a, b]: d"];

let texts: { name: string; text: string }[] | undefined;
/** YAML inputs: files found in node_modules, and documents the uncompiled
 * js-yaml dumps from package.json data. */
function yamlTexts(): { name: string; text: string }[] {
  if (!texts) {
    const plain = yaml.plain();
    texts = pick(/\.ya?ml$/, { count: 50 }).map((f: { name: string; text: string }) => ({ name: f.name, text: f.text }));
    for (const p of packages) dumpOptions.forEach((o) => texts!.push({ name: `${p.name} dumped with ${JSON.stringify(o)}`, text: plain.dump(p.value, o) }));
    texts.push({ name: "a stream of five documents", text: texts.slice(0, 5).map((t) => t.text).join("\n---\n") });
    expect(texts.filter((t) => !t.name.includes("dumped")).length).toBeGreaterThan(1);
  }
  return texts;
}

type Wrap = (fn: (...args: any[]) => unknown) => (...args: any[]) => unknown;

function runner(lib: any, inFiber: boolean, counts: { pauses: number }) {
  const wrap: Wrap = inFiber ? drive.pausing : (fn) => fn;
  const call = (fn: Function, args: unknown[]) => {
    if (!inFiber) return fn.apply(lib, args);
    const r = drive.inFiber(lib, fn, args);
    expect(r.kind).toBe("stackless");
    counts.pauses += r.pauses;
    return r.value;
  };
  const observe = (fn: () => unknown) => {
    try {
      return json(fn());
    } catch (e) {
      return json(thrown(e));
    }
  };
  return { wrap, call, observe };
}

function loads(lib: any, inFiber: boolean, counts = { pauses: 0 }): string[] {
  const { wrap, call, observe } = runner(lib, inFiber, counts);
  return yamlTexts().map((t) =>
    observe(() => {
      const docs: unknown[] = [];
      call(lib.loadAll, [t.text, wrap((d: unknown) => docs.push(d))]);
      return docs;
    }),
  );
}

function dumps(lib: any, inFiber: boolean, counts = { pauses: 0 }): string[] {
  const { wrap, call, observe } = runner(lib, inFiber, counts);
  return packages.flatMap((p: { value: unknown }) => dumpOptions.map((o) => observe(() => call(lib.dump, [p.value, { ...o, transform: wrap(() => {}) }]))));
}

function errors(lib: any, inFiber: boolean, counts = { pauses: 0 }): string[] {
  const { call, observe } = runner(lib, inFiber, counts);
  return broken.map((text) => observe(() => call(lib.load, [text])));
}

function visits(lib: any, inFiber: boolean, counts = { pauses: 0 }): string[] {
  const { wrap, call, observe } = runner(lib, inFiber, counts);
  return packages.map((p: { value: unknown }) =>
    observe(() => {
      const seen: string[] = [];
      const ast = lib.jsToAst(p.value, lib.DUMP_SCHEMA);
      call(lib.visit, [ast, wrap((node: { kind: string }, ctx: { depth: number }) => void seen.push(`${ctx.depth}:${node.kind}`))]);
      return seen;
    }),
  );
}

const loadNames = () => yamlTexts().map((t) => `load ${t.name}`);
const dumpNames = packages.flatMap((p: { name: string }) => dumpOptions.map((o) => `dump ${p.name} with ${JSON.stringify(o)}`));
const errorNames = broken.map((b) => `load ${JSON.stringify(b)}`);
const visitNames = packages.map((p: { name: string }) => `visit ${p.name}`);

const expected: Record<string, string[]> = {};
const oracle = (what: string, run: (lib: any, inFiber: boolean) => string[]) => (expected[what] ??= run(yaml.plain(), false));

describe("js-yaml", () => {
  check(compileCheckId("js-yaml"), () => yaml.compileCheck(), CHECK_TIMEOUT);

  for (const mode of ["main", "fiber"] as const) {
    const inFiber = mode === "fiber";
    check(`js-yaml/${mode}: load the corpus`, () => {
      const exp = oracle("loads", loads);
      const counts = { pauses: 0 };
      expectNoDifferences("Loaded documents", differences(loadNames(), exp, loads(yaml.compiled(), inFiber, counts)));
      if (inFiber) expect(counts.pauses).toBeGreaterThan(yamlTexts().length);
    }, CHECK_TIMEOUT);

    check(`js-yaml/${mode}: dump package.json data`, () => {
      const exp = oracle("dumps", dumps);
      expectNoDifferences("Dumped YAML", differences(dumpNames, exp, dumps(yaml.compiled(), inFiber)));
    }, CHECK_TIMEOUT);

    check(`js-yaml/${mode}: errors`, () => {
      const exp = oracle("errors", errors);
      expect(exp.filter((e) => e.includes('"threw":"YAMLException"')).length).toBe(broken.length);
      expectNoDifferences("Errors", differences(errorNames, exp, errors(yaml.compiled(), inFiber)));
    }, CHECK_TIMEOUT);

    check(`js-yaml/${mode}: visit an AST`, () => {
      const exp = oracle("visits", visits);
      expectNoDifferences("Visits", differences(visitNames, exp, visits(yaml.compiled(), inFiber)));
    }, CHECK_TIMEOUT);
  }

  checkListedRan("js-yaml");
});
