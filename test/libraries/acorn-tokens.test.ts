/**
 * Push to pull: acorn.parse reports tokens by calling options.onToken; with
 * acorn compiled, fixtures/token-pull.js turns that into an iterator whose
 * next() switches into a fiber running acorn.parse, and whose onToken
 * switches each token back out (see that file; examples/acorn-tokens.mjs
 * shows it as an example).
 *
 * - The pulled sequence is exactly what the uncompiled acorn.parse reports
 *   to onToken, eof token included, or the same SyntaxError at the same
 *   point; and it covers the same source spans with the same values as the
 *   uncompiled acorn.tokenizer (whose token types differ from the parser's
 *   for keywords used as names, `x.default`: acorn's own behaviour).
 * - Parsing is interleaved with consuming, token by token; the consumer can
 *   stop early (a syntax error further on is never reached), and the
 *   abandoned parsing fiber is garbage-collected.
 * - The consumer can itself be a stackless fiber.
 */
import { describe, expect } from "vitest";
import { check, checkListedRan } from "./ratchet";
import { CHECK_TIMEOUT, libraryUnderTest } from "./setup";
import { libraries, loadFixture, loadPackage } from "./library.mjs";
import { pick } from "./corpus.mjs";
import { differences, json, thrown } from "./compare.mjs";

const FILES = 80;

const acorn = libraryUnderTest("acorn", (compiled) => loadPackage(libraries.acorn, { compiled }));
const corpus = pick(/\.(js|mjs|cjs)$/, { count: FILES, minBytes: 200, maxBytes: 100_000 });
const names = corpus.map((f: { name: string }) => f.name);
const options = { ecmaVersion: "latest", sourceType: "module", allowHashBang: true, locations: true };

let pull: any;
const fixture = () => (pull ??= loadFixture("token-pull.js"));
/** tokens() over the compiled acorn (throws "blocked" if it did not compile). */
const tokens = (text: string, hooks?: object) => fixture().tokens(acorn.compiled(), text, options, hooks);

/** What each pulled token is compared with, from the uncompiled acorn. */
const span = (t: any) => [t.start, t.end, t.value !== null && typeof t.value === "object" ? String(t.value.value ?? t.value.pattern) : t.value];

describe("acorn tokens: push to pull", () => {
  check("acorn-tokens: pulled tokens equal onToken's", () => {
    acorn.compiled(); // blocked if acorn did not compile
    const expected = corpus.map((f: { text: string }) => {
      const list: unknown[] = [];
      try {
        acorn.plain().parse(f.text, { ...options, onToken: list });
        return json(list);
      } catch (e) {
        return json({ tokens: list, ...thrown(e) });
      }
    });
    const actual = corpus.map((f: { text: string }) => {
      const list: unknown[] = [];
      try {
        for (const t of tokens(f.text)) list.push(t);
        return json(list);
      } catch (e) {
        return json({ tokens: list, ...thrown(e) });
      }
    });
    const d = differences(names, expected, actual);
    if (d.length) throw new Error(`pulled tokens differ from onToken's:\n${d.join("\n")}`);
    expect(expected.filter((e: string) => e.includes('"threw"')).length).toBeLessThan(FILES / 4);
  }, CHECK_TIMEOUT);

  check("acorn-tokens: pulled tokens cover acorn.tokenizer's spans", () => {
    acorn.compiled(); // blocked if acorn did not compile
    const parsed = corpus.filter((f: { text: string }) => {
      try {
        acorn.plain().parse(f.text, options);
        return true;
      } catch {
        return false;
      }
    });
    const expected = parsed.map((f: { text: string }) => json([...acorn.plain().tokenizer(f.text, options)].map(span)));
    const actual = parsed.map((f: { text: string }) => json([...tokens(f.text)].filter((t: any) => t.type.label !== "eof").map(span)));
    const d = differences(parsed.map((f: { name: string }) => f.name), expected, actual);
    if (d.length) throw new Error(`pulled token spans differ from acorn.tokenizer's:\n${d.join("\n")}`);
  }, CHECK_TIMEOUT);

  check("acorn-tokens: parsing is interleaved with consuming", () => {
    acorn.compiled(); // blocked if acorn did not compile
    const log: string[] = [];
    const it = tokens("let a = f(1);\nlet b = [a, 2];\n", { produced: (t: any) => log.push(`parsed ${t.type.label}`) });
    for (const t of it) log.push(`pulled ${t.type.label}`);
    const labels = ["name", "name", "=", "name", "(", "num", ")", ";", "name", "name", "=", "[", "name", ",", "num", "]", ";", "eof"];
    expect(log).toEqual(labels.flatMap((l) => [`parsed ${l}`, `pulled ${l}`]));
    // next() after the end, and on a finished iterator, says done.
    expect(it.next()).toEqual({ value: undefined, done: true });
  });

  check("acorn-tokens: the consumer stops early; the error further on is never reached", () => {
    acorn.compiled(); // blocked if acorn did not compile
    let parsed = 0;
    const text = "a; b; c; d; e; )))) syntax error";
    const got: string[] = [];
    for (const t of tokens(text, { produced: () => parsed++ })) {
      got.push(t.value ?? t.type.label);
      if (got.length === 4) break;
    }
    expect(got).toEqual(["a", ";", "b", ";"]);
    expect(parsed).toBe(4);
    // Pulled to the end, the same text raises acorn's SyntaxError from next().
    const all: string[] = [];
    let error: unknown;
    try {
      for (const t of tokens(text)) all.push(t.value ?? t.type.label);
    } catch (e) {
      error = e;
    }
    expect(all).toEqual(["a", ";", "b", ";", "c", ";", "d", ";", "e", ";"]);
    expect(String(error)).toBe("SyntaxError: Unexpected token (1:15)");
  });

  check("acorn-tokens: an abandoned parse is garbage-collected", async () => {
    acorn.compiled(); // blocked if acorn did not compile
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, "tests run with --expose-gc").toBeTypeOf("function");
    const refs: WeakRef<object>[] = [];
    for (const f of corpus.slice(0, 10)) {
      const it = tokens(f.text);
      it.next();
      it.next();
      expect(it.fiber.kind).toBe("stackless");
      expect(it.fiber.isAlive()).toBe(true);
      refs.push(new WeakRef(it.fiber));
      it.return();
    }
    for (let i = 0; i < 5 && refs.some((r) => r.deref()); i++) {
      await new Promise((r) => setTimeout(r, 10));
      gc!();
    }
    expect(refs.filter((r) => r.deref() !== undefined).length).toBe(0);
  });

  check("acorn-tokens: the consumer is a stackless fiber too", () => {
    acorn.compiled(); // blocked if acorn did not compile
    const f = corpus[1];
    const expected: unknown[] = [];
    try {
      acorn.plain().parse(f.text, { ...options, onToken: expected });
    } catch {
      // the first tokens are compared either way
    }
    const { tokens: got, kind } = fixture().pullInFiber(tokens(f.text), 50);
    expect(kind).toBe("stackless");
    expect(json(got)).toBe(json(expected.slice(0, 50)));
  });

  checkListedRan("acorn-tokens");
});
