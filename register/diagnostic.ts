/**
 * A compile error as tools print it: one line, `file:line:column: message`
 * (column 1-based, as editors and terminals jump to it), with no stack of
 * the tool. Babel reports a syntax error with `loc`, and an error a plugin
 * raises at a node (fiberlet refusing `with` or a direct eval) only as a
 * code frame in the message; both become a CompileError.
 */
import { relative } from "node:path";

export interface CompileError extends SyntaxError {
  readonly code: "FIBERLET_COMPILE_ERROR";
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly reason: string;
}

/**
 * A plain SyntaxError (Node prints an uncaught one as
 * `[SyntaxError: file:line:col: reason]`, where a subclass would add its
 * class name) whose stack is its message alone: what the loader or the CLI
 * did to get here is no help to the reader. The location is also kept in
 * properties that are not enumerable, since Node prints an uncaught error's
 * enumerable properties.
 */
export function makeCompileError(file: string, line: number | undefined, column: number | undefined, reason: string): CompileError {
  const at = line === undefined ? file : `${file}:${line}:${column ?? 1}`;
  const error = new SyntaxError(`${at}: ${reason}`);
  for (const [key, value] of Object.entries({ code: "FIBERLET_COMPILE_ERROR", file, line, column, reason })) {
    Object.defineProperty(error, key, { value, enumerable: false });
  }
  error.stack = `SyntaxError: ${error.message}`;
  return error as CompileError;
}

export function isCompileError(err: unknown): err is CompileError {
  return err instanceof Error && (err as { code?: unknown }).code === "FIBERLET_COMPILE_ERROR";
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** The CompileError for an error Babel threw while compiling `filename`. */
export function compileError(err: unknown, filename: string): CompileError {
  const shown = displayPath(filename);
  if (!(err instanceof Error)) return makeCompileError(shown, undefined, undefined, String(err));
  const text = err.message.replace(ANSI, "");
  const lines = text.split("\n");
  // Babel prefixes "<filename>: " and parse errors end in " (line:col)".
  let reason = lines[0].replace(/^\[BABEL\]\s*/, "");
  if (reason.startsWith(`${filename}: `)) reason = reason.slice(filename.length + 2);
  reason = reason.replace(/\s*\(\d+:\d+\)$/, "");
  const loc = (err as { loc?: { line: number; column: number } }).loc;
  if (loc && typeof loc.line === "number") return makeCompileError(shown, loc.line, loc.column + 1, reason);
  const framed = locationFromCodeFrame(lines);
  return makeCompileError(shown, framed?.line, framed?.column, reason);
}

/** Line and column from Babel's code frame: the `> 12 | ...` line and the
 * `^` under it. */
function locationFromCodeFrame(lines: string[]): { line: number; column: number } | undefined {
  const at = lines.findIndex((l) => /^>\s*\d+\s*\|/.test(l));
  if (at < 0) return undefined;
  const line = Number(/^>\s*(\d+)/.exec(lines[at])![1]);
  const marker = lines[at + 1] ?? "";
  const bar = marker.indexOf("|");
  const caret = marker.indexOf("^");
  const column = bar >= 0 && caret > bar ? caret - (bar + 2) + 1 : 1;
  return { line, column };
}

/** The file as the user named it: relative to the working directory when inside it. */
export function displayPath(filename: string): string {
  const rel = relative(process.cwd(), filename);
  return rel && !rel.startsWith("..") && !rel.startsWith("/") ? rel : filename;
}

/** A missing tool or a file that cannot be loaded this way: one line, no
 * stack (a plain Error, printed by Node as `[Error: message]`). */
export function setupError(message: string): Error {
  const error = new Error(message);
  Object.defineProperty(error, "code", { value: "FIBERLET_SETUP_ERROR", enumerable: false });
  error.stack = `Error: ${message}`;
  return error;
}

export function isSetupError(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === "FIBERLET_SETUP_ERROR";
}
