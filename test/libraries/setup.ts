/**
 * Loading one library twice for a test file: uncompiled (the oracle) and
 * compiled with the plugin. Compilation happens once, in beforeAll (it can
 * take a minute without the cache); a compile or load failure is kept and
 * reported by the library's "compile and load" check, and every other check
 * that uses the library then fails as blocked (see ratchet.ts).
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
  /** Files that did not compile or load, when the library is usable
   * without them (lodash: one module per function). */
  failures?: string[];
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
  /** Throws "blocked" if any file of the library did not compile. */
  requireComplete(): void;
}

/** The id of a library's compile check (each library test file has one). */
export const compileCheckId = (name: string) => `${name}: compile and load`;

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
      if (error !== null) throw blocked(name, errorText(), compileCheckId(name));
      return compiled!.exports;
    },
    compileCheck() {
      if (error !== null) throw error;
      const failures = compiled!.failures ?? [];
      if (failures.length) throw new Error(`${failures.length} file(s) did not compile or load:\n${failures.join("\n")}`);
      const keys = (o: object) => Object.keys(o).sort();
      if (JSON.stringify(keys(plain!.exports)) !== JSON.stringify(keys(compiled!.exports))) {
        throw new Error(`exports differ: ${keys(plain!.exports)} vs ${keys(compiled!.exports)}`);
      }
    },
    requireComplete() {
      if (error !== null) throw blocked(name, errorText(), compileCheckId(name));
      const failures = compiled!.failures ?? [];
      if (failures.length) throw blocked(name, `${failures.length} file(s), ${failures[0]}`, compileCheckId(name));
    },
    stats: () => (compiled ? describeStats(name, totalStats(compiled.stats)) : `${name}: ${errorText()}`),
  };
}

/** Fails with a readable list of differences (from compare.mjs). */
export function expectNoDifferences(what: string, diffs: string[]): void {
  if (diffs.length) throw new Error(`${what} differ from the uncompiled library:\n${diffs.join("\n")}`);
}
