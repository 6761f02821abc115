/**
 * The known-failures ratchet of the library tests.
 *
 * test/libraries/known-failing.json lists every library check that fails
 * today, with the substring its failure message contains and the id of a
 * minimal repro (plain JavaScript that behaves differently compiled, also
 * in that file and checked by known-failing.test.ts). A listed check must
 * fail, with that message; a check that is not listed must pass. So a check
 * that starts passing fails the suite until its entry is removed (the list
 * only shrinks), and a new failure, or a known one that changed, is never
 * hidden. Nothing is skipped: a check that needs a library (or lodash
 * module) that does not compile runs and fails as "blocked", which is
 * accepted only while that library's compile check is listed.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

export interface KnownCheck {
  /** A substring of the failure message (stable: no timings, no paths). */
  failure: string;
  /** Id of the repro in `repros`. */
  repro: string;
}
export interface Repro {
  /** What goes wrong, in one sentence. */
  summary: string;
  /** A CommonJS module (without the directive: the test adds the module-level
   * directive); its observable result is `module.exports`. */
  code: string;
  /** Result without the plugin (JSON of { value } or of the thrown error). */
  expected: string;
  /** Result with the plugin, or "compile error: <message>". */
  actual: string;
  /** Runs in a fiber through `require("harness")` (known-failing.test.ts). */
  fiber?: boolean;
  /** A failure no check shows yet: found by working around the failure of
   * repro `hiddenBehind` (which blocks the checks concerned), as `where` says. */
  hiddenBehind?: string;
  where?: string;
}
export interface KnownFailing {
  _readme?: string;
  checks: Record<string, KnownCheck>;
  repros: Record<string, Repro>;
}

export const known: KnownFailing = JSON.parse(readFileSync(new URL("./known-failing.json", import.meta.url), "utf8"));

const ran = new Set<string>();

function message(e: unknown): string {
  return e instanceof Error ? `${e.message}` : String(e);
}

/**
 * Runs check `id`: passes when it passes and is not listed, or when it
 * fails as listed in known-failing.json; fails otherwise, saying what to do.
 */
export async function ratchet(id: string, check: () => void | Promise<void>): Promise<void> {
  ran.add(id);
  const entry = known.checks[id];
  let error: unknown = null;
  try {
    await check();
  } catch (e) {
    error = e;
  }
  if (!entry) {
    // Blocked by a listed failure (its library, or the module it needs, does
    // not compile): expected to fail that way until the blocker is fixed;
    // then it runs for real and must pass or be listed.
    const blocker = (error as { blockedBy?: string } | null)?.blockedBy;
    if (blocker && known.checks[blocker]) return;
    if (error) throw error;
    return;
  }
  if (!error) {
    throw new Error(
      `"${id}" passes now: remove it from test/libraries/known-failing.json` +
        ` (and its repro "${entry.repro}" once no check refers to it).`,
    );
  }
  if (!message(error).includes(entry.failure)) {
    throw new Error(
      `"${id}" is listed in test/libraries/known-failing.json as failing with ${JSON.stringify(entry.failure)}, ` +
        `but fails differently now:\n${message(error)}`,
    );
  }
}

/** A Vitest test for check `id` (its name is the id). */
export function check(id: string, body: () => void | Promise<void>, timeout?: number): void {
  it(id, () => ratchet(id, body), timeout);
}

/** The last test of a file: every listed check of `library` exists and ran
 * (an entry for a renamed or deleted check would otherwise linger). */
export function checkListedRan(library: string): void {
  it(`${library}: every known-failing entry of ${library} names a check that ran`, () => {
    const listed = Object.keys(known.checks).filter((id) => id === library || id.startsWith(`${library}:`) || id.startsWith(`${library}/`));
    expect(listed.filter((id) => !ran.has(id))).toEqual([]);
  });
}

/** Thrown by checks that cannot run because `compileCheck` (the id of the
 * check that compiles and loads what they need) failed. They still run and
 * fail; the ratchet accepts that only while `compileCheck` is listed in
 * known-failing.json, so nothing is silently skipped. */
export function blocked(library: string, why: string, compileCheck: string): Error {
  return Object.assign(new Error(`blocked: ${library} did not compile or load (${why.split("\n")[0]})`), { blockedBy: compileCheck });
}
