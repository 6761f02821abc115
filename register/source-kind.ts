/**
 * Which files fiberlet's loader and `fiberlet build` handle, and the cheap
 * check that decides whether a file is parsed at all.
 */

/** JavaScript Node loads itself: compiled only when marked. */
export const JS_EXTENSIONS = [".js", ".mjs", ".cjs"] as const;
/** TypeScript: always needs its types stripped (see typesStrippedByNode). */
export const TS_EXTENSIONS = [".ts", ".mts", ".cts"] as const;

export type SourceKind = "js" | "ts";

export function extensionOf(filename: string): string {
  return /\.[^./\\]*$/.exec(filename)?.[0].toLowerCase() ?? "";
}

/** "js", "ts", or null for a file the loader leaves to Node (JSON, .d.ts, ...). */
export function sourceKind(filename: string): SourceKind | null {
  if (/\.d\.[cm]?ts$/i.test(filename)) return null; // declarations: no code
  const ext = extensionOf(filename);
  if ((JS_EXTENSIONS as readonly string[]).includes(ext)) return "js";
  if ((TS_EXTENSIONS as readonly string[]).includes(ext)) return "ts";
  return null;
}

/** "use fiber" as a statement of its own: at the start of a line or after
 * `{`, `;` or a comment's closing slash, ending the statement. */
const DIRECTIVE_LIKE = /(?:^|[{;/])\s*(["'])use fiber\1\s*(?:;|\}|$)/m;

/**
 * Could the file contain a "use fiber" directive? A regular expression, so
 * files without one are never parsed (fiberlet's own runtime, which quotes
 * the words in its messages, included); a false positive (the statement in a
 * comment) only costs a compile that changes nothing.
 */
export function mayBeMarked(source: string): boolean {
  return DIRECTIVE_LIKE.test(source);
}

/**
 * Does this Node strip TypeScript types itself (Node 22.18+ and 23.6+ by
 * default, 22.6+ with --experimental-strip-types)? Then unmarked .ts files
 * are left to Node; otherwise fiberlet strips them with Babel.
 */
export function typesStrippedByNode(): boolean {
  return !!(process.features as { typescript?: unknown }).typescript;
}
