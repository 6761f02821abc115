/**
 * Loading one library twice for a test file: uncompiled (the oracle) and
 * compiled with the plugin. Compilation happens once, in beforeAll (it can
 * take a minute without the cache); a compile or load failure is kept and
 * reported by the file's "compile and load" check, and every other check of
 * the file then fails as blocked (listed in known-failing.json like any
 * failure, never skipped).
 */
import { beforeAll } from "vitest";
import { blocked } from "./ratchet";
import { describeStats, fiberApi, totalStats } from "./library.mjs";

/** Compile time: generous, a cold compile of a large library on a loaded
 * two-core machine has taken over a minute. */
export const COMPILE_TIMEOUT = 900_000;
/** Per check: the corpora are sized to run in well under this. */
export const CHECK_TIMEOUT = 300_000;

export interface Loaded {
  exports: any;
  stats: any[];
}

export interface LibraryUnderTest {
  readonly name: string;
  /** The uncompiled library. */
  plain(): any;
  /** The compiled library, or throws the "blocked" error. */
  compiled(): any;
  /** Throws the compile or load error, if any; otherwise checks that both
   * copies export the same names. */
  compileCheck(): void;
  /** Compile time and sizes, for the log. */
  stats(): string;
}

export function libraryUnderTest(name: string, load: (compiled: boolean) => Loaded): LibraryUnderTest {
  let plain: Loaded | undefined;
  let compiled: Loaded | undefined;
  let error: unknown = null;
  beforeAll(() => {
    fiberApi(); // fails early, with the fix, when dist/ is missing
    plain = load(false);
    try {
      compiled = load(true);
    } catch (e) {
      error = e;
    }
    if (compiled) console.log(describeStats(name, totalStats(compiled.stats)));
  }, COMPILE_TIMEOUT);
  const errorText = () => (error instanceof Error ? error.message : String(error));
  return {
    name,
    plain: () => plain!.exports,
    compiled() {
      if (error !== null) throw blocked(name, errorText());
      return compiled!.exports;
    },
    compileCheck() {
      if (error !== null) throw error;
      const keys = (o: object) => Object.keys(o).sort();
      if (JSON.stringify(keys(plain!.exports)) !== JSON.stringify(keys(compiled!.exports))) {
        throw new Error(`exports differ: ${keys(plain!.exports)} vs ${keys(compiled!.exports)}`);
      }
    },
    stats: () => (compiled ? describeStats(name, totalStats(compiled.stats)) : `${name}: ${errorText()}`),
  };
}

/** Fails with a readable list of differences (from compare.mjs). */
export function expectNoDifferences(what: string, diffs: string[]): void {
  if (diffs.length) throw new Error(`${what} differ from the uncompiled library:\n${diffs.join("\n")}`);
}
