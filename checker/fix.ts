/**
 * --fix as text edits: add "use fiber" to each function the analysis proves
 * must be marked (the outermost only, since marking is lexical), remove the
 * directives that never matter, and turn `array.forEach(cb)` inside marked
 * code into a for-of loop where that provably keeps the meaning (loops.ts).
 * index.ts applies the edits in memory, checks the result again and writes
 * it only if nothing is left to mark.
 */
import { forOfEdit } from "./loops.js";
import type { TextEdit, TS } from "./project.js";
import type { Finding } from "./reports.js";
import type { Unit } from "./units.js";

export interface FixPlan {
  edits: TextEdit[];
  files: string[];
  marked: number;
  unmarked: number;
  loops: number;
}

export function planFix(ts: typeof TS, checker: TS.TypeChecker, findings: Finding[]): FixPlan {
  const toMark = new Set<Unit>();
  const edits: TextEdit[] = [];
  let unmarked = 0;
  let loops = 0;
  for (const f of findings) if (f.remedy?.kind === "mark") toMark.add(f.remedy.unit);
  const markedAbove = (u: Unit) => {
    for (let p = u.parent; p; p = p.parent) if (toMark.has(p)) return true;
    return false;
  };
  let marked = 0;
  for (const u of toMark) {
    if (markedAbove(u)) continue;
    edits.push(markEdit(ts, u));
    marked++;
  }
  for (const f of findings) {
    if (f.remedy?.kind === "unmark") {
      edits.push(removeEdit(f.remedy.directive));
      unmarked++;
    } else if (f.remedy?.kind === "for-of") {
      const edit = forOfEdit(ts, checker, f.remedy.site);
      if (edit) {
        edits.push(edit);
        loops++;
      }
    }
  }
  return { edits, files: [...new Set(edits.map((e) => e.file))].sort(), marked, unmarked, loops };
}

/** `"use fiber";` as the first statement of the unit's body (an arrow with
 * an expression body gets a block). */
function markEdit(ts: typeof TS, u: Unit): TextEdit {
  const file = u.file;
  const body = (u.node as TS.FunctionLikeDeclaration).body!;
  if (!ts.isBlock(body)) {
    return { file: file.fileName, start: body.getStart(file), end: body.end, text: `{ "use fiber"; return ${body.getText(file)}; }` };
  }
  const open = body.getStart(file) + 1;
  const first = body.statements[0];
  const text = file.text;
  if (first && lineOf(file, first.getStart(file)) !== lineOf(file, open)) {
    const indent = indentAt(text, first.getStart(file));
    return { file: file.fileName, start: open, end: open, text: `\n${indent}"use fiber";` };
  }
  return { file: file.fileName, start: open, end: open, text: ` "use fiber";` };
}

/** Deletes a directive, with its line when it is alone on it. */
function removeEdit(d: TS.ExpressionStatement): TextEdit {
  const file = d.getSourceFile();
  const text = file.text;
  const start = d.getStart(file);
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  let lineEnd = text.indexOf("\n", d.end);
  if (lineEnd < 0) lineEnd = text.length;
  if (/^\s*$/.test(text.slice(lineStart, start)) && /^\s*$/.test(text.slice(d.end, lineEnd))) {
    return { file: file.fileName, start: lineStart, end: Math.min(lineEnd + 1, text.length), text: "" };
  }
  return { file: file.fileName, start, end: d.end, text: "" };
}

function lineOf(file: TS.SourceFile, pos: number): number {
  return file.getLineAndCharacterOfPosition(pos).line;
}

function indentAt(text: string, pos: number): string {
  const lineStart = text.lastIndexOf("\n", pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, pos))![0];
}
