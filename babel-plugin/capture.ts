/**
 * How a frame is saved (docs/protocol.md, "Saving a frame"): two helpers per
 * function, placed beside its resume function, so that a call site names
 * only the values it saves, in a fixed order, instead of spelling out the
 * record:
 *
 * - the saver `_fb$sN(k, ...values)` makes the record of a suspension in the
 *   fast copy; called with no arguments it refuses the suspension instead
 *   (the function was entered from unmarked code);
 * - the writer `_fb$wN(rec, k, ...values)` updates the record the resume
 *   copy runs from when it suspends again (the record is reused: a fiber
 *   that keeps switching allocates nothing).
 *
 * The record has a field for each slot some site saves (a slot no site
 * saves is never read by a resumed frame). Values are positional. Slots come in the order that lets the most sites
 * stop early: frame values first (`this`, `arguments`..., live at nearly
 * every site), then bindings by the number of sites that save them; a site
 * passes `void 0` for a slot it does not save and stops after its last one.
 *
 * The writer leaves out *settled* slots: bindings that hold one value for
 * the whole call from its entry (a function declared at the top of the
 * body, a parameter, never assigned: annexb.ts made Annex B's assignments
 * explicit, and mapped parameters are excluded; a `let` or `const` of the body's block
 * declared before the first site). One the resumed frame reads after
 * this site it also read after the site it was resumed from (that site came
 * first), so that capture saved it, and nothing can have changed it since.
 */
import { types as t } from "@babel/core";
import type { NodePath } from "@babel/core";
import { isInitializedAt, type Frame, type SitePlan, type Slot } from "./frame.js";

export interface CaptureHelpers {
  /** Name of the saver (fast copy). */
  saver: string;
  /** Name of the writer (resume copy). */
  writer: string;
  /** Name of the record constructor. */
  record: string;
  /** The saver's slots, in parameter order. */
  order: Slot[];
  /** The writer's slots (those a resumed frame can change), in order. */
  written: Slot[];
  /** The saver takes the mapped-parameter mask first (emit.ts). */
  mapped: boolean;
  /** Slots some site saves: the record's fields. */
  recorded: Set<Slot>;
  /** The saver is made at module level and each site passes it the resume
   * function (captureHelpers); else the saver knows it. */
  resumeParam: boolean;
}

/** Record key of a slot. */
export const slotKey = (slot: Slot): string => "$" + slot.key;

export function planCapture(
  fn: NodePath<t.Function>,
  frame: Frame,
  names: { saver: string; writer: string; record: string },
  derived: boolean,
  /** Sloppy simple parameters that `arguments` may write (emit.ts). */
  mappedArguments: boolean,
  /** Its resume function is made again with every entry of its scope. */
  resumeParam: boolean,
): CaptureHelpers {
  const uses = new Map<Slot, number>(frame.slots.map((s) => [s, 0]));
  for (const plan of frame.sites) for (const slot of plan.live) uses.set(slot, uses.get(slot)! + 1);
  // A slot no site saves gets no field (a resumed frame never reads it).
  const order = frame.slots.filter((s) => uses.get(s)! > 0)
    .sort((a, b) => Number(!!a.binding) - Number(!!b.binding) || uses.get(b)! - uses.get(a)!);
  // `this`, `arguments` and `new.target` never change in a resumed frame; a
  // derived constructor's `this` does, when super() runs after a resume.
  const written = order.filter((slot) =>
    slot.binding ? !(settled(slot, fn, mappedArguments, frame.sites[0]?.path)) : derived && slot.key === "this");
  const mapped = mappedArguments && frame.usesArguments && fn.node.params.length > 0;
  return { ...names, order, written, mapped, recorded: new Set(order), resumeParam };
}

/** Does the binding hold one value from its first capture to the end? */
function settled(slot: Slot, fn: NodePath<t.Function>, mappedArguments: boolean, firstSite: NodePath): boolean {
  const b = slot.binding!;
  if (!b.constant) return false;
  if (b.kind === "hoisted") return slot.functionScoped && b.path.parentPath === fn.get("body");
  if (b.kind === "param") return !mappedArguments;
  // A `let`/`const` of the body's own block (run once per call) declared
  // before the first site: initialized before any capture.
  if ((b.kind === "let" || b.kind === "const") && b.path.isVariableDeclarator()) {
    return b.path.parentPath!.parentPath === fn.get("body") && isInitializedAt(b, firstSite);
  }
  // (A `var` is not: its initializer may run between two captures.)
  return false;
}

const id = (name: string) => t.identifier(name);
const R = (runtime: string, key: string) => t.memberExpression(id(runtime), id(key));
const recordKey = (slot: Slot) => (t.isValidIdentifier(slotKey(slot)) ? id(slotKey(slot)) : t.stringLiteral(slotKey(slot)));
const param = (i: number) => id(`$${i}`);

/**
 * The helper declarations. Where the resume function is made once (at
 * module level), the writer, then (after the resume function) the record
 * constructor and the saver, which names both. Where it is made again with
 * every entry of its scope (a nested function's), making helpers there would
 * cost every call of the function around it: the writer and the saver are
 * made once at module level instead, the saver takes the resume function from
 * the site (`resumeParam`) and records are object literals holding `r`.
 */
export function captureHelpers(h: CaptureHelpers, runtime: string, resume: t.Expression, fnName: string, mappedKey: string): {
  writer: t.VariableDeclaration;
  saver: t.VariableDeclaration[];
} {
  const k = id("k");
  const fields: [t.Expression | t.Identifier, t.Expression][] = [
    [id("n"), t.nullLiteral()],
    [id("k"), t.cloneNode(k)],
    ...h.order.map((slot, i) => [recordKey(slot), param(i)] as [t.Expression, t.Expression]),
  ];
  const params = [t.cloneNode(k), ...h.order.map((_, i) => param(i))];
  if (h.mapped) {
    fields.push([id(mappedKey), id("m")]);
    params.splice(1, 0, id("m"));
  }
  const literal = h.resumeParam;
  const saverDecls: t.VariableDeclaration[] = [];
  let made: t.Expression;
  if (literal) {
    made = t.objectExpression([t.objectProperty(id("r"), id("r")), ...fields.map(([key, v]) => t.objectProperty(key, v))]);
  } else {
    // One constructor per function: every record has the same fields in the
    // same order (one hidden class), and `r` lives on the prototype.
    const ctor = t.functionExpression(null, params.map((p) => t.cloneNode(p)), t.blockStatement(
      fields.map(([key, v]) => t.expressionStatement(t.assignmentExpression("=", t.memberExpression(t.thisExpression(), key, !t.isIdentifier(key)), v))),
    ));
    saverDecls.push(t.variableDeclaration("let", [t.variableDeclarator(id(h.record), t.callExpression(R(runtime, "record"), [ctor, resume]))]));
    made = t.newExpression(id(h.record), params.map((p) => t.cloneNode(p)));
  }
  const saver = t.arrowFunctionExpression(literal ? [params[0], id("r"), ...params.slice(1)] : params, t.conditionalExpression(
    t.binaryExpression("===", t.cloneNode(k), id("undefined")),
    t.callExpression(R(runtime, "refuse"), [t.stringLiteral(fnName)]),
    t.callExpression(R(runtime, "cap"), [made]),
  ));
  saverDecls.push(t.variableDeclaration("let", [t.variableDeclarator(id(h.saver), saver)]));
  const rec = id("rec");
  const writer = t.arrowFunctionExpression([rec, t.cloneNode(k), ...h.written.map((_, i) => param(i))], t.sequenceExpression([
    t.assignmentExpression("=", t.memberExpression(t.cloneNode(rec), id("k")), t.cloneNode(k)),
    ...h.written.map((slot, i) => t.assignmentExpression("=", t.memberExpression(t.cloneNode(rec), recordKey(slot), !t.isIdentifier(recordKey(slot))), param(i))),
    t.callExpression(R(runtime, "cap"), [t.cloneNode(rec)]),
  ]));
  return { writer: t.variableDeclaration("let", [t.variableDeclarator(id(h.writer), writer)]), saver: saverDecls };
}

/** The arguments a site passes for `slots`: its live ones, `void 0` for the
 * others, none after its last live one. */
export function siteArguments(slots: Slot[], plan: SitePlan, value: (slot: Slot) => t.Expression): t.Expression[] {
  let last = -1;
  slots.forEach((slot, i) => {
    if (plan.live.has(slot)) last = i;
  });
  return slots.slice(0, last + 1).map((slot) => (plan.live.has(slot) ? value(slot) : t.unaryExpression("void", t.numericLiteral(0))));
}
