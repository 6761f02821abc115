/**
 * One runtime per JS thread, however many copies of fiberlet it loads.
 *
 * A process can load fiberlet several times: the ESM and the CommonJS build
 * of one installed copy (`import` here, `require` there), two versions in
 * node_modules, or the pre-bundled chunks of a bundler that each inlined the
 * runtime. Fibers only work if all of them drive one scheduler: code compiled
 * against one copy's `R` must suspend into the scheduler that started its
 * fiber, and `current()` must be the one main fiber of the thread.
 *
 * So the copies meet in one record on `globalThis` (each Worker and each realm
 * has its own, so the record is per thread) and the first copy to provide a
 * piece serves every copy: the emitted-code object `R` (protocol.ts), the
 * FiberError class (errors.ts) and the public API with the scheduler behind
 * it (index.ts). A later copy re-exports those pieces; its own modules load
 * but never run. Copies with different protocol versions cannot share (code
 * compiled for one does not run on the other), so the second one fails to
 * load with a FiberError naming both.
 */

/**
 * The version of everything the copies share: the members of `R` and what
 * they mean (docs/protocol.md), and the shape and meaning of the shared API.
 * Bump it with any change to either; copies with different values refuse to
 * load together.
 */
export const PROTOCOL = 1;

/** This copy's package version; scripts/build.mjs writes package.json's
 * version into each build ("source" when running the TypeScript sources). */
export const VERSION: string = "source";

declare const __filename: string | undefined;
/** The file this copy was loaded from (a path, or a URL in the ESM build,
 * where scripts/build.mjs replaces this with `import.meta.url`). Names the
 * copy in errors, and is where the native addon is looked for. */
export const LOCATION: string | undefined = typeof __filename === "string" ? __filename : undefined;

/** What the copies of one thread share; each piece is set by the first copy
 * that loads the module owning it. */
export interface ThreadRuntime {
  readonly protocol: number;
  readonly version: string;
  readonly location: string | undefined;
  /** Each shared piece, and which copy provided it. */
  readonly pieces: { [name: string]: { value: unknown; from: string } };
}

const KEY = Symbol.for("fiberlet.runtime");

let joined: ThreadRuntime | undefined;
/** This copy's own FiberError class, for the errors raised here. */
let Refusal: new (message: string) => Error = Error;

/**
 * Joins this copy to the thread's runtime record (creating it if this is the
 * first copy). errors.ts calls it first of all, with its own FiberError class
 * to report a protocol mismatch with.
 */
export function joinThread(ErrorClass: new (message: string) => Error): ThreadRuntime {
  if (joined !== undefined) return joined;
  Refusal = ErrorClass;
  const global = globalThis as unknown as { [KEY]?: ThreadRuntime };
  const found = global[KEY];
  if (found === undefined) {
    joined = { protocol: PROTOCOL, version: VERSION, location: LOCATION, pieces: {} };
    Object.defineProperty(global, KEY, { value: joined, configurable: true, enumerable: false, writable: false });
    return joined;
  }
  if (found.protocol !== PROTOCOL) {
    throw new Refusal(
      `two incompatible copies of fiberlet are loaded in one thread: ${describeCopy(VERSION, PROTOCOL, LOCATION)} ` +
        `and ${describeCopy(found.version, found.protocol, found.location)}, loaded first. Code compiled for one ` +
        `cannot run on the other: install one version (npm ls fiberlet; npm dedupe, or "overrides" in package.json), ` +
        `or make your bundler resolve a single copy (Vite: resolve.dedupe: ["fiberlet"])`,
    );
  }
  joined = found;
  return found;
}

/**
 * The thread's piece `name`: the one already there, or `own` if this copy
 * is the first to provide it. An object piece (the API) must have every
 * member this copy would export, or the copies are not compatible.
 */
export function shared<T>(name: string, own: T): T {
  const pieces = joined!.pieces;
  const piece = pieces[name];
  if (piece === undefined) {
    pieces[name] = { value: own, from: describeCopy(VERSION, PROTOCOL, LOCATION) };
    return own;
  }
  const found = piece.value as T;
  if (typeof own === "object" && own !== null) {
    const missing = Object.keys(own).filter((key) => !(key in (found as object)));
    if (missing.length > 0) {
      throw new Refusal(
        `${describeCopy(VERSION, PROTOCOL, LOCATION)} exports ${missing.join(", ")}, which ${piece.from}, ` +
          `loaded first in this thread, lacks: install one version of fiberlet (npm ls fiberlet; npm dedupe)`,
      );
    }
  }
  return found;
}

function describeCopy(version: string, protocol: number, location: string | undefined): string {
  return `fiberlet ${version} (protocol ${protocol}) at ${location ?? "an unknown location"}`;
}
