/**
 * The runtime side of the contract with code emitted by the Babel plugin.
 * docs/protocol.md is the specification; keep the two in step.
 *
 * Everything emitted code touches lives on the single object `R`, so a marked
 * call site costs one store (`R.m = callee[FM]`) and one comparison against
 * the sentinel.
 */
import { cannotSuspend } from "./errors.js";
import { shared } from "./registry.js";

/** A saved marked frame: its resume function, the call site it stopped at
 * (`k`), and one slot per local (fixed shape per function). */
export interface FrameRecord {
  /** Continues the frame: `r(record, value, mode)`, mode 1 = throw `value`
   * (own, or on the prototype of the function's record constructor). */
  r: (rec: FrameRecord, value: unknown, mode: number) => unknown;
  /** The next outer frame in the chain (towards the fiber's entry). */
  n: FrameRecord | null;
  [slot: string]: unknown;
}

/** Property that marks a function as compiled by the plugin. Shared across
 * copies of fiberlet so separately bundled code still recognises it. */
export const FM: unique symbol = Symbol.for("fiberlet.marked") as never;

/** This copy's sentinel (see S below). */
const sentinel: object = Object.freeze({
  toString: () => "[fiberlet suspension sentinel]",
});

export interface RuntimeState {
  /** Brand of the callee a marked call site is entering; a marked prologue
   * reads it (was I entered from marked code?) and resets it to 0. */
  m: unknown;
  /** The entry flag of a marked base-class constructor with instance
   * fields: its first field initializer moves R.m here (docs/protocol.md). */
  e: unknown;
  /** Frames captured by the suspension in progress, innermost first. */
  capTop: FrameRecord | null;
  capBot: FrameRecord | null;
  /** The transfer a suspending stackless fiber asked for (target task,
   * value, mode); read by the scheduler once the fiber's frames are saved. */
  pt: unknown;
  pv: unknown;
  pm: number;
  S: object;
  FM: typeof FM;
  cap(rec: FrameRecord): object;
  record<C extends Function>(ctor: C, resume: FrameRecord["r"]): C;
  refuse(name: string): unknown;
  brand<F>(fn: F, name?: string, value?: true | 0): F;
  quiet<F>(fn: F): F;
  brandClass(cls: Function, value?: true | 0): void;
  brandObject<O extends object>(obj: O, keys: PropertyKey[], quietKeys?: PropertyKey[]): O;
  forInKeys(obj: unknown): string[];
  hasKey(obj: unknown, key: string): boolean;
  notIterResult(result: unknown): never;
  notCallable(value: unknown, text: string): never;
  constructed(value: unknown, self: unknown, newTarget: unknown, derived?: number): unknown;
  key(value: unknown): PropertyKey;
  box(): { v: unknown };
  get(box: { v: unknown }, name: string): unknown;
  ref(box: { v: unknown }, name: string): { v: unknown };
  mappedParams(args: IArguments, count: number, get: (i: number) => unknown, set: (i: number, v: unknown) => void): number;
  constant(box: { v: unknown }, name: string): { v: unknown };
  strings(strings: TemplateStringsArray): TemplateStringsArray;
  coercible(value: unknown): void;
  objectRest(source: object, excluded: PropertyKey[]): object;
  plainArray(value: unknown): boolean;
  iteratorMethod(value: unknown): (this: unknown) => unknown;
  checkObject(value: unknown): void;
  superAgain(): never;
  thisOr(read: () => unknown): unknown;
  superUpdate(sup: (key: PropertyKey, write: number, value?: unknown) => unknown, key: PropertyKey, delta: number, prefix: boolean): unknown;
  superDelete(key: PropertyKey): never;
}

/** Makes `ctor` a function's record constructor (babel-plugin/capture.ts):
 * its records share their resume function through the prototype instead of
 * holding it in a field each. */
function record<C extends Function>(ctor: C, resume: FrameRecord["r"]): C {
  (ctor.prototype as { r: FrameRecord["r"] }).r = resume;
  return ctor;
}

/** Appends a saved frame to the capture chain and hands the sentinel on. */
function cap(rec: FrameRecord): object {
  if (R.capTop === null) R.capTop = rec;
  else R.capBot!.n = rec;
  R.capBot = rec;
  return S;
}

/**
 * Runs saved frames innermost first, feeding each one's outcome (value or
 * exception) to the frame below. Returns the last frame's value, throws its
 * exception, or returns S when a frame suspended again; then R.capTop holds
 * the new chain, already linked to the frames not yet resumed.
 */
export function resumeFrames(rec: FrameRecord | null, value: unknown, mode: number): unknown {
  while (rec !== null) {
    const below: FrameRecord | null = rec.n;
    let out: unknown;
    // Called as a plain function: a stack trace shows the frame under its
    // function's own name (not as a method of the record).
    const resume = rec.r;
    try {
      out = resume(rec, value, mode);
    } catch (e) {
      if (below !== null) traceSuspended(e, below);
      value = e;
      mode = 1;
      rec = below;
      continue;
    }
    if (out === S) {
      R.capBot!.n = below;
      return S;
    }
    value = out;
    mode = 0;
    rec = below;
  }
  if (mode) throw value;
  return value;
}

/** Errors whose stack already lists the suspended frames below them. */
const traced = new WeakSet<object>();

/**
 * An error leaving a resumed frame: the frames suspended below it are not on
 * the engine's stack (they run one at a time), so their names are added to
 * its stack trace where they would have been, like V8's async frames. Only
 * on this error path, once per error.
 */
function traceSuspended(e: unknown, below: FrameRecord): void {
  if (typeof e !== "object" || e === null || traced.has(e)) return;
  traced.add(e);
  const stack = (e as { stack?: unknown }).stack;
  if (typeof stack !== "string") return;
  const lines: string[] = [];
  for (let rec: FrameRecord | null = below; rec !== null; rec = rec.n) {
    lines.push(`    at ${rec.r.name || "<anonymous>"} (suspended fiber frame)`);
  }
  const all = stack.split("\n");
  // Only an error made while this resume ran (thrown into the fiber from
  // elsewhere, or past the trace limit, it keeps the trace it has).
  const at = all.findIndex((line) => /^\s+at resumeFrames\b/.test(line));
  if (at === -1) return;
  all.splice(at, 0, ...lines);
  try {
    (e as { stack: string }).stack = all.join("\n");
  } catch {
    /* a frozen error keeps its trace */
  }
}

/**
 * A marked frame that was entered from unmarked code received the sentinel:
 * the frames above it are saved, but it cannot return the sentinel to its
 * unmarked caller. Cancel the transfer and resume the saved frames with a
 * FiberError raised at the switch; whatever they then do (catch it, return,
 * throw) becomes the result of this call, so nothing is left half-suspended.
 */
function refuse(name: string): unknown {
  const culprit = `${name ? `the marked function ${name}()` : "a marked function"} was called from unmarked code (a native callback such as Array.prototype.forEach or sort, a getter or setter, a generator, or a function not compiled with "use fiber")`;
  let out: unknown = S;
  while (out === S) {
    const chain = R.capTop;
    R.capTop = null;
    R.pt = null;
    R.pv = undefined;
    // The switch was called right here: nothing above to resume.
    if (chain === null) throw cannotSuspend(culprit);
    R.capBot!.n = null;
    R.capBot = null;
    out = resumeFrames(chain, cannotSuspend(culprit), 1);
  }
  return out;
}

/** Brands a class whose constructor is marked. Subclasses inherit static
 * properties, and a subclass's own (implicit or unmarked) constructor must
 * not look marked, so the brand answers only for the class itself. */
function brandClass(cls: Function, value: true | 0 = true): void {
  Object.defineProperty(cls, FM, {
    get(this: unknown) {
      return this === cls ? value : undefined;
    },
    configurable: true,
  });
}

/** Brands a marked function that can never suspend: 0, a falsy brand, so a
 * call site entering it leaves the entry flag falsy (it has no prologue),
 * and a fiber with it as target is still stackless. */
function quiet<F>(fn: F): F {
  (fn as { [FM]?: 0 })[FM] = 0;
  return fn;
}

/** Brands a marked function; `name` restores the name of an anonymous
 * `export default function () {}`, which the plugin had to give a binding. */
function brand<F>(fn: F, name?: string, value: true | 0 = true): F {
  (fn as { [FM]?: boolean | 0 })[FM] = value;
  if (name !== undefined) Object.defineProperty(fn, "name", { value: name, configurable: true });
  return fn;
}

/** Brands the marked methods of an object literal after it is created (the
 * methods are only reachable through the object). */
function brandObject<O extends object>(obj: O, keys: PropertyKey[], quietKeys?: PropertyKey[]): O {
  // Indexed, not for-of: code under test may replace Array iteration.
  for (let i = 0; i < keys.length; i++) {
    const desc = Object.getOwnPropertyDescriptor(obj, keys[i]);
    if (desc && typeof desc.value === "function") desc.value[FM] = true;
  }
  if (quietKeys) {
    for (let i = 0; i < quietKeys.length; i++) {
      const desc = Object.getOwnPropertyDescriptor(obj, quietKeys[i]);
      if (desc && typeof desc.value === "function") desc.value[FM] = 0;
    }
  }
  return obj;
}

/** Enumerable string keys a for-in loop visits, collected up front so the
 * loop can suspend between iterations (the body re-checks `key in obj`). */
function forInKeys(obj: unknown): string[] {
  const keys: string[] = [];
  for (const k in obj as object) keys[keys.length] = k;
  return keys;
}

function hasKey(obj: unknown, key: string): boolean {
  return key in Object(obj);
}

function notIterResult(result: unknown): never {
  throw new TypeError(`Iterator result ${String(result)} is not an object`);
}

function notCallable(_value: unknown, text: string): never {
  throw new TypeError(`${text} is not a function`);
}

/** ToPropertyKey: a computed key converted where the language converts it
 * (before a later operand runs), so converting it again is a no-op. */
function key(value: unknown): PropertyKey {
  if (typeof value === "symbol" || typeof value === "string") return value;
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return String(value);
  // ToPrimitive with hint "string", then ToString unless it is a symbol: an
  // object literal does exactly that with its computed key.
  return Reflect.ownKeys({ [value as unknown as PropertyKey]: 0 })[0];
}

/** The value of a boxed `let`/`const`/`class` before its declaration ran. */
const HOLE: unknown = Object.freeze({ toString: () => "[fiberlet uninitialized binding]" });

/** A box for a captured lexical binding, made where its scope begins. */
function box(): { v: unknown } {
  return { v: HOLE };
}

/** A read of a boxed lexical binding that may come before its declaration. */
function get(b: { v: unknown }, name: string): unknown {
  const v = b.v;
  if (v === HOLE) throw uninitialized(name);
  return v;
}

function uninitialized(name: string): ReferenceError {
  return new ReferenceError(`Cannot access '${name}' before initialization`);
}

/**
 * The write target of a boxed lexical binding: `R.ref(box, name).v` where a
 * write may come before the declaration, `R.constant(box, name).v` for a
 * `const`. Reading and writing it check the TDZ when the language would
 * (the right-hand side of `x = f()` runs first); writing a constant throws
 * as assigning one does (a read, for `c++` or `c += 1`, works).
 */
class BindingRef {
  constructor(
    readonly box: { v: unknown },
    readonly name: string,
    readonly constant: boolean,
  ) {}
  get v(): unknown {
    return get(this.box, this.name);
  }
  set v(value: unknown) {
    if (this.box.v === HOLE) throw uninitialized(this.name);
    if (this.constant) throw new TypeError("Assignment to constant variable.");
    this.box.v = value;
  }
}

function ref(box: { v: unknown }, name: string): BindingRef {
  return new BindingRef(box, name, false);
}

function constant(box: { v: unknown }, name: string): BindingRef {
  return new BindingRef(box, name, true);
}

const PROBE: unknown = Object.freeze({ toString: () => "[fiberlet mapping probe]" });
const ownDescriptor = Object.getOwnPropertyDescriptor;

/**
 * Which parameters a sloppy function's `arguments` object still maps (bit i
 * for parameter i, the 31st and later sharing bit 30), probed when its frame
 * is captured: parameter i is set to a probe and `arguments[i]` read back
 * (a descriptor read runs no code), then restored. The resume copy keeps
 * the mapped ones aliased to the saved arguments object.
 */
function mappedParams(args: IArguments, count: number, get: (i: number) => unknown, set: (i: number, v: unknown) => void): number {
  const n = Math.min(count, args.length);
  let mask = 0;
  for (let i = 0; i < n; i++) {
    const old = get(i);
    set(i, PROBE);
    const desc = ownDescriptor(args, i);
    if (desc !== undefined && desc.value === PROBE) mask |= 2 ** Math.min(i, 30);
    set(i, old);
  }
  return mask;
}

/** A tagged template's strings object, made once per site at module level. */
function strings(s: TemplateStringsArray): TemplateStringsArray {
  return s;
}

/** RequireObjectCoercible before an object pattern reads properties. */
function coercible(value: unknown): void {
  if (value === null || value === undefined) throw new TypeError(`Cannot destructure '${value}' as it is ${value}.`);
}

/** `{ a, ...rest } = source`: CopyDataProperties without the keys taken. */
function objectRest(source: object, excluded: PropertyKey[]): object {
  const from = Object(source);
  const out: Record<PropertyKey, unknown> = {};
  // Indexed loops, not for-of or includes: code under test may replace them.
  const keys = Reflect.ownKeys(from);
  next: for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    for (let j = 0; j < excluded.length; j++) if (excluded[j] === k) continue next;
    const desc = Reflect.getOwnPropertyDescriptor(from, k);
    if (!desc?.enumerable) continue;
    // CreateDataProperty: a "__proto__" key is an own property, not the prototype.
    if (k === "__proto__") Object.defineProperty(out, k, { value: from[k], writable: true, enumerable: true, configurable: true });
    else out[k as string] = from[k];
  }
  return out;
}

const arrayValues = Array.prototype[Symbol.iterator];
const arrayIteratorPrototype = Object.getPrototypeOf([][Symbol.iterator]()) as { next: unknown };
const arrayIteratorNext = arrayIteratorPrototype.next;

/** Iterating it runs no user code: an array with the built-in iterator
 * (a spread or array pattern takes the native path). */
function plainArray(value: unknown): boolean {
  return Array.isArray(value) && value[Symbol.iterator] === arrayValues && arrayIteratorPrototype.next === arrayIteratorNext;
}

/** GetMethod(value, @@iterator) for a lowered spread or array pattern. */
function iteratorMethod(value: unknown): (this: unknown) => unknown {
  const method = value == null ? undefined : (value as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (typeof method !== "function") throw new TypeError(`${value === null || typeof value !== "object" ? String(value) : "object"} is not iterable`);
  return method as (this: unknown) => unknown;
}

function checkObject(value: unknown): void {
  if (Object(value) !== value) throw new TypeError(`Iterator result ${String(value)} is not an object`);
}

/** How a resumed constructor frame finishes (see docs/protocol.md). */
function constructed(value: unknown, self: unknown, newTarget: unknown, derived?: number): unknown {
  if (newTarget === undefined) return value;
  if ((typeof value === "object" && value !== null) || typeof value === "function") return value;
  if (derived) {
    if (value !== undefined) throw new TypeError("Derived constructors may only return object or undefined");
    if (self === undefined) throw new ReferenceError("Must call super constructor in derived class before accessing 'this' or returning from derived constructor");
  }
  return self;
}

function superAgain(): never {
  throw new ReferenceError("Super constructor may only be called once");
}

/** `this` of a derived constructor, or undefined before super() ran. */
function thisOr(read: () => unknown): unknown {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** `super.x++` (and `--`, prefix or not) in a resumed frame. */
function superUpdate(sup: (key: PropertyKey, write: number, value?: unknown) => unknown, key: PropertyKey, delta: number, prefix: boolean): unknown {
  let old = sup(key, 0) as number | bigint;
  old = typeof old === "bigint" ? old : +old;
  const next = typeof old === "bigint" ? old + BigInt(delta) : old + delta;
  sup(key, 1, next);
  return prefix ? next : old;
}

function superDelete(_key: PropertyKey): never {
  throw new ReferenceError("Unsupported reference to 'super'");
}


/** The thread's one `R`: this copy's, or that of the copy of fiberlet that
 * loaded first (registry.ts), so code compiled against any copy suspends
 * into the same scheduler. */
export const R: RuntimeState = shared<RuntimeState>("R", {
  m: 0,
  e: 0,
  capTop: null,
  capBot: null,
  pt: null,
  pv: undefined,
  pm: 0,
  S: sentinel,
  FM,
  cap,
  record,
  refuse,
  brand,
  quiet,
  brandClass,
  brandObject,
  forInKeys,
  hasKey,
  notIterResult,
  notCallable,
  constructed,
  key,
  box,
  get,
  ref,
  constant,
  mappedParams,
  strings,
  coercible,
  objectRest,
  plainArray,
  iteratorMethod,
  checkObject,
  superAgain,
  thisOr,
  superUpdate,
  superDelete,
});

/** Returned instead of a value when the frame below must save itself. Never
 * visible to user code. The thread's one sentinel, like R. */
export const S: object = R.S;
