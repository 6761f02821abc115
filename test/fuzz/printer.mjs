/**
 * Turns a grammar tree (grammar.mjs) into the source text of
 * `function main(p0, p1) { ... }`.
 *
 * The tree is context-free; the printer supplies the context so that every
 * printed program is valid and terminates:
 *
 * - Names. A variable reference is an index into the variables in scope at
 *   that point (innermost first); declarations get fresh names, or reuse an
 *   outer name when asked to shadow and it is legal. Assignments only target
 *   variables holding plain values, so a variable known to hold a function,
 *   object or class keeps it.
 * - Jumps. `break`/`continue` pick a target among the enclosing loops,
 *   switches and labels of the current function, or print nothing.
 * - `this`, `arguments`, `super` print only where the language allows them.
 * - Termination. Every loop test starts with `fuel()` (false after a fixed
 *   number of iterations per run), and calls never recurse: a function may
 *   only call functions that are complete when it is printed, or function
 *   declarations hoisted into its own body (a post-order on function
 *   definitions, so the call graph is acyclic).
 * - Boundaries. The printer notes constructs through which a switch must be
 *   refused (getters, valueOf, native callbacks, a parent constructor, field
 *   initializers): a refusal in a program without one is itself a failure.
 */

const lit = (v) => (v === "undefined" ? "undefined" : typeof v === "number" && v < 0 ? `(${v})` : JSON.stringify(v));
const ANY = { kind: "any" };
const SETTER_PARAM = { t: "param", pat: { t: "id" }, def: null, rest: false };

class Scope {
  constructor(parent, fn) {
    this.parent = parent;
    this.fn = fn;
    /** name -> variable record { name, kind, mutable, isConst, decl, fnRec, info } */
    this.vars = new Map();
    /** Names printed while this scope was open: shadowing one of them later
     * in this scope would change what the earlier reference meant. */
    this.used = new Set();
  }
}

/** A function being printed: what `this`, `arguments`, `super`, jumps and
 * calls mean inside it. */
class FnCtx {
  constructor(kind, parent, opts = {}) {
    this.kind = kind; // main | function | arrow | method | getter | setter | ctor | field | generator
    this.parent = parent;
    this.jumps = []; // { label, loop, switch }
    this.finallyDepth = 0;
    this.rec = { done: false };
    this.isArrow = kind === "arrow";
    const inherit = this.isArrow || kind === "field";
    this.thisOk = opts.thisOk ?? (inherit ? parent.thisOk : true);
    this.argumentsOk = kind === "field" ? false : this.isArrow ? parent.argumentsOk : true;
    /** For super.x: the class info of the home object, and whether static. */
    this.home = opts.home ?? (inherit ? parent.home : null);
    this.scope = null;
  }
}

export class Printer {
  constructor(features = new Set()) {
    this.features = features;
    this.tags = 0;
    this.names = 0;
    this.labels = 0;
    this.methods = 0;
    this.calls = 0;
    this.functions = 0;
    this.boundaries = false;
    this.fn = null;
    this.scope = null;
  }

  // ------------------------------------------------------------------ program

  program(tree) {
    const fn = new FnCtx("main", null, { thisOk: true });
    this.fn = fn;
    this.scope = fn.scope = new Scope(null, fn);
    for (const p of ["p0", "p1"]) this.declare(p, ANY, { mutable: true, decl: "param" });
    const body = this.stmts(tree.body);
    const ret = this.e(tree.ret);
    return `function main(p0, p1) {\n${body}return ${ret};\n}\n`;
  }

  // ------------------------------------------------------------------ scopes

  fresh(prefix = "x") {
    return `${prefix}${++this.names}`;
  }

  declare(name, ty, { mutable, decl, scope = this.scope }) {
    const v = { name, kind: ty.kind, fnRec: ty.fnRec, info: ty.info, constructible: ty.constructible, mutable, isConst: decl === "const", decl };
    scope.vars.set(name, v);
    return v;
  }

  /** Variables in scope, innermost first, that satisfy `pred`. */
  visible(pred = () => true) {
    const seen = new Set();
    const out = [];
    for (let s = this.scope; s; s = s.parent) {
      for (const v of s.vars.values()) {
        if (seen.has(v.name)) continue;
        seen.add(v.name);
        if (pred(v)) out.push(v);
      }
    }
    return out;
  }

  use(v) {
    for (let s = this.scope; s; s = s.parent) s.used.add(v.name);
    return v.name;
  }

  pick(list, k) {
    return list.length ? list[k % list.length] : null;
  }

  /** A call of `v` cannot recurse: it is complete, or hoisted in this function. */
  callable(v) {
    const r = v.fnRec;
    return !!r && (r.done || r.owner === this.fn);
  }

  withScope(fn) {
    const saved = this.scope;
    this.scope = new Scope(saved, this.fn);
    try {
      return fn(this.scope);
    } finally {
      this.scope = saved;
    }
  }

  /** A name for a new binding in the current scope: fresh, or (shadow) an
   * outer name that this scope has not used yet. */
  bindingName(shadow, kind) {
    if (shadow && kind !== "var") {
      const scope = this.scope;
      const candidates = this.visible((v) => !scope.vars.has(v.name) && !scope.used.has(v.name));
      if (candidates.length) return candidates[0].name;
    }
    return this.fresh();
  }

  // ------------------------------------------------------------------ statements

  /** Statements of one block (the current scope): function declarations are
   * registered first because they are hoisted. */
  stmts(list) {
    const hoisted = new Map();
    list.forEach((s, i) => {
      if (s.t !== "fdecl") return;
      const name = this.fresh("f");
      const rec = { done: false, owner: this.fn };
      hoisted.set(i, { name, rec });
      this.declare(name, { kind: "fn", fnRec: rec, constructible: true }, { mutable: false, decl: "function" });
    });
    return list.map((s, i) => this.stmt(s, hoisted.get(i))).join("");
  }

  block(list) {
    return this.withScope(() => `{\n${this.stmts(list)}}`);
  }

  stmt(n, hoisted) {
    switch (n.t) {
      case "exprStmt": {
        const c = this.e(n.e);
        return /^(\{|function|class|let\b)/.test(c) ? `(${c});\n` : `${c};\n`;
      }
      case "decl":
        return this.decl(n);
      case "if": {
        const c = this.e(n.c);
        const a = this.block(n.a);
        return n.b ? `if (${c}) ${a} else ${this.block(n.b)}\n` : `if (${c}) ${a}\n`;
      }
      case "block":
        return `${this.block(n.body)}\n`;
      case "return":
        if (this.fn.kind === "ctor" && !this.features.has("ctorReturn")) return "return;\n";
        return `return ${this.e(n.a)};\n`;
      case "throw":
        return `throw ${this.e(n.a)};\n`;
      case "fdecl": {
        const code = this.fnDef(n.f, { declName: hoisted.name, rec: hoisted.rec, kind: "function" });
        return `${code}\n`;
      }
      case "cdecl": {
        const name = this.fresh("C");
        const { code, ty } = this.cls(n.c, name);
        this.declare(name, ty, { mutable: false, decl: "class" });
        return `${code}\n`;
      }
      case "gdecl": {
        // Generator bodies are never transformed: marked code they call
        // cannot switch (a boundary).
        this.boundaries = true;
        const name = this.fresh("g");
        const rec = { done: false };
        const code = this.inFunction("generator", { rec }, () => {
          const params = this.params(n.params);
          return `function* ${name}(${params}) {\n${this.stmts(n.body)}}`;
        });
        this.declare(name, { kind: "gen", fnRec: rec }, { mutable: false, decl: "function" });
        return `${code}\n`;
      }
      case "yield":
        return this.fn.kind === "generator" ? `yield ${this.e(n.a)};\n` : `e(${this.tag()}, ${this.e(n.a)});\n`;
      case "for":
        return this.forStmt(n);
      case "while":
        return this.loop(n, (label) => {
          const test = this.e(n.test);
          return `${label()}while (fuel() && ${test}) ${this.block(n.body)}\n`;
        });
      case "doWhile":
        return this.loop(n, (label) => {
          // The test is printed first (it cannot see the body's names anyway).
          const test = this.e(n.test);
          const l = label();
          return `${l}do ${this.block(n.body)} while (fuel() && ${test});\n`;
        });
      case "labeled": {
        const label = `L${++this.labels}`;
        this.fn.jumps.push({ label, loop: false, switch: false });
        try {
          return `${label}: ${this.block(n.body)}\n`;
        } finally {
          this.fn.jumps.pop();
        }
      }
      case "break":
      case "continue":
        return this.jump(n);
      case "forIn":
      case "forOf":
        return this.forInOf(n);
      case "try":
        return this.tryStmt(n);
      case "switch":
        return this.switchStmt(n);
      default:
        throw new Error(`printer: unknown statement ${n.t}`);
    }
  }

  decl(n) {
    const kind = n.kind;
    // The initializer is evaluated before the new names exist.
    let init = n.init ? this.ex(n.init) : null;
    const simple = n.pat.t === "id";
    if (!init && (kind === "const" || !simple)) init = { c: n.pat.t === "apat" ? "[]" : simple ? "undefined" : "{}", ty: ANY };
    const bound = [];
    const pat = this.pattern(n.pat, bound, n.shadow, kind);
    const scope = kind === "var" ? this.fn.scope : this.scope;
    for (const name of bound) {
      const ty = simple && init ? init.ty : ANY;
      this.declare(name, ty, { mutable: kind !== "const", decl: kind, scope });
    }
    return `${kind} ${pat}${init ? ` = ${init.c}` : ""};\n`;
  }

  /** Prints a binding pattern; the names it binds are pushed on `bound`
   * (declared by the caller, after the initializer). */
  pattern(p, bound, shadow = false, kind = "let") {
    switch (p.t) {
      case "id": {
        const name = this.bindingName(shadow && bound.length === 0, kind);
        bound.push(name);
        return name;
      }
      case "opat": {
        const parts = p.props.map((pp) => {
          const sub = this.pattern(pp.pat, bound, false, kind);
          const def = pp.def ? ` = ${this.e(pp.def)}` : "";
          return `${pp.key}: ${sub}${def}`;
        });
        if (p.rest) {
          const name = this.fresh();
          bound.push(name);
          parts.push(`...${name}`);
        }
        return `{ ${parts.join(", ")} }`;
      }
      case "apat": {
        const parts = p.elems.map((el) => {
          if (el === null) return "";
          const sub = this.pattern(el.pat, bound, false, kind);
          return el.def ? `${sub} = ${this.e(el.def)}` : sub;
        });
        if (p.rest) {
          const name = this.fresh();
          bound.push(name);
          parts.push(`...${name}`);
        } else if (parts.length && parts[parts.length - 1] === "") parts.push("");
        return `[${parts.join(", ")}]`;
      }
      default:
        throw new Error(`printer: unknown pattern ${p.t}`);
    }
  }

  /**
   * Runs `print(label)` with the loop on the jump stack. `print` prints the
   * loop's head first, then calls `label()` for the label text (before the
   * body, which may `continue` to it). Without labeledHeadFunctions, a loop
   * whose head holds a function is not labeled (see the feature).
   */
  loop(n, print) {
    const entry = { label: n.label ? `L${++this.labels}` : null, loop: true, switch: false };
    this.fn.jumps.push(entry);
    const functionsBefore = this.functions;
    const label = () => {
      if (entry.label && this.functions !== functionsBefore && !this.features.has("labeledHeadFunctions")) entry.label = null;
      return entry.label ? `${entry.label}: ` : "";
    };
    try {
      return print(label);
    } finally {
      this.fn.jumps.pop();
    }
  }

  forStmt(n) {
    return this.withScope(() =>
      this.loop(n, (label) => {
        let head;
        if (n.decl === "none") head = this.e(n.init);
        else {
          const init = this.ex(n.init);
          const name = this.fresh("i");
          this.declare(name, ANY, { mutable: true, decl: n.decl, scope: n.decl === "var" ? this.fn.scope : this.scope });
          head = `${n.decl} ${name} = ${init.c}`;
        }
        const test = n.test ? ` && ${this.e(n.test)}` : "";
        const update = n.update ? this.e(n.update) : "";
        return `${label()}for (${head}; fuel()${test}; ${update}) ${this.block(n.body)}\n`;
      }),
    );
  }

  forInOf(n) {
    const of = n.t === "forOf";
    return this.withScope(() =>
      this.loop(n, (label) => {
        // The iterated value is evaluated outside the loop variable's scope
        // (its TDZ); printing it first keeps the new names out of it.
        const src = of ? this.iterable(n.src) : this.e(n.o);
        let head;
        if (n.decl === "none") {
          const v = this.pick(this.visible((x) => x.kind === "any" && x.mutable), 0);
          if (v) head = this.use(v);
        }
        if (!head) {
          const kind = n.decl === "none" ? "let" : n.decl;
          const bound = [];
          const pat = this.pattern(n.pat, bound, false, kind);
          for (const name of bound) {
            this.declare(name, ANY, { mutable: kind !== "const", decl: kind, scope: kind === "var" ? this.fn.scope : this.scope });
          }
          head = `${kind} ${pat}`;
        }
        return `${label()}for (${head} ${of ? "of" : "in"} ${src}) ${this.block(n.body)}\n`;
      }),
    );
  }

  iterable(src) {
    if (src.t === "iter") {
      // Without finallyIterators, a finally block iterates an array instead.
      if (this.fn.finallyDepth && !this.features.has("finallyIterators")) return `[${this.e(src.value)}]`;
      return this.iterator(src);
    }
    const { c, ty } = this.ex(src);
    return ty.kind === "arr" || ty.kind === "iterable" ? c : `[${c}]`;
  }

  /** An iterator object whose next() and return() are marked methods. */
  iterator(n) {
    // The generated code does not see `this`: yielding the iterator itself
    // would let an array pattern iterate it natively (a boundary).
    const next = this.method("next", [], { t: "body", stmts: n.next, ret: null }, {
      thisOk: false,
      tail: (self) => `return ${self}.i++ < ${n.n} ? { value: ${this.e(n.value)}, done: false } : { value: undefined, done: true };`,
    });
    const ret = n.ret ? `, ${this.method("return", [], { t: "body", stmts: n.ret, ret: null }, { thisOk: false, tail: () => "return {};" })}` : "";
    return `{ i: 0, [Symbol.iterator]() { return this; }, ${next}${ret} }`;
  }

  jump(n) {
    const jumps = this.fn.jumps;
    const ok = (j) => (n.t === "continue" ? j.loop : true);
    if (n.k === null) {
      // Unlabeled: the innermost loop (or switch, for break).
      const inner = [...jumps].reverse().find((j) => (n.t === "continue" ? j.loop : j.loop || j.switch));
      if (inner) return `${n.t};\n`;
    }
    const labeled = jumps.filter((j) => j.label && ok(j));
    const target = this.pick(labeled, n.k ?? 0);
    return target ? `${n.t} ${target.label};\n` : "";
  }

  tryStmt(n) {
    const block = this.block(n.block);
    let out = `try ${block}`;
    if (n.handler || !n.fin) {
      const h = n.handler ?? { param: null, body: [] };
      out += this.withScope(() => {
        // The catch parameter and the catch body share one scope for
        // redeclaration purposes.
        let param = "";
        if (h.param) {
          const bound = [];
          param = ` (${this.pattern(h.param, bound)})`;
          for (const name of bound) this.declare(name, ANY, { mutable: true, decl: "let" });
        }
        return ` catch${param} {\n${this.stmts(h.body)}}`;
      });
    }
    if (n.fin) {
      this.fn.finallyDepth++;
      try {
        out += ` finally ${this.block(n.fin)}`;
      } finally {
        this.fn.finallyDepth--;
      }
    }
    return `${out}\n`;
  }

  switchStmt(n) {
    const d = this.e(n.d);
    return this.withScope(() => {
      this.fn.jumps.push({ label: null, loop: false, switch: true });
      try {
        // Case bodies share the switch's block scope, hoisting included.
        // Without caseFunctions, a function declared directly in a case
        // body gets a block of its own.
        const wrap = (s) => ((s.t === "fdecl" || s.t === "gdecl") && !this.features.has("caseFunctions") ? { t: "block", body: [s] } : s);
        const cases = n.cases.map((c) => ({ test: c.test, body: c.body.map(wrap) }));
        const all = cases.flatMap((c) => c.body);
        const hoisted = new Map();
        all.forEach((s, i) => {
          if (s.t !== "fdecl") return;
          const name = this.fresh("f");
          const rec = { done: false, owner: this.fn };
          hoisted.set(s, { name, rec });
          this.declare(name, { kind: "fn", fnRec: rec, constructible: true }, { mutable: false, decl: "function" });
        });
        let sawDefault = false;
        const printed = cases.map((c) => {
          let head;
          if (c.test === null && !sawDefault) {
            sawDefault = true;
            head = "default:";
          } else head = `case ${c.test === null ? "0" : this.e(c.test)}:`;
          const body = c.body.map((s) => this.stmt(s, hoisted.get(s))).join("");
          return `${head}\n${body}`;
        });
        return `switch (${d}) {\n${printed.join("")}}\n`;
      } finally {
        this.fn.jumps.pop();
      }
    });
  }

  // ------------------------------------------------------------------ functions

  /** Parameters, in the function's scope. */
  params(list) {
    const out = [];
    list.forEach((p, i) => {
      const bound = [];
      if (p.rest && i === list.length - 1 && p.pat.t === "id") {
        out.push(`...${this.pattern(p.pat, bound)}`);
      } else {
        const pat = this.pattern(p.pat, bound);
        out.push(p.def ? `${pat} = ${this.e(p.def)}` : pat);
      }
      for (const name of bound) this.declare(name, ANY, { mutable: true, decl: "param" });
    });
    return out.join(", ");
  }

  /** Runs `print` as the body of a new function context. */
  inFunction(kind, opts, print) {
    const savedFn = this.fn;
    const savedScope = this.scope;
    const fn = new FnCtx(kind, savedFn, opts);
    if (opts.rec) fn.rec = opts.rec;
    this.functions++;
    this.fn = fn;
    this.scope = fn.scope = new Scope(savedScope, fn);
    try {
      return print(fn);
    } finally {
      fn.rec.done = true;
      this.fn = savedFn;
      this.scope = savedScope;
    }
  }

  body(b, tail = null) {
    const stmts = this.stmts(b.stmts);
    const ret = b.ret ? `return ${this.e(b.ret)};\n` : "";
    return `{\n${stmts}${tail ? `${tail()}\n` : ret}}`;
  }

  /** A function value or declaration; returns its code and leaves its type in `this.lastFn`. */
  fnDef(f, { declName = null, rec = null, kind = f.kind } = {}) {
    const ctxKind = kind === "function" ? "function" : "arrow";
    const fnRec = rec ?? { done: false };
    const code = this.inFunction(ctxKind, { rec: fnRec }, () => {
      const params = this.params(f.params);
      if (kind === "arrowExpr") return `(${params}) => (${this.e(f.body.ret ?? { t: "lit", v: 0 })})`;
      const body = this.body(f.body);
      if (kind === "arrow") return `(${params}) => ${body}`;
      return `function${declName ? ` ${declName}` : ""}(${params}) ${body}`;
    });
    this.lastFn = { kind: "fn", fnRec, constructible: kind === "function" };
    return code;
  }

  /** A method (object or class): `name(params) { body }`. */
  method(name, params, body, { kind = "method", home = null, tail = null, rec = null, thisOk = true, guard = false } = {}) {
    return this.inFunction(kind, { rec: rec ?? { done: false }, home, thisOk }, () => {
      const ps = this.params(params);
      const code = this.body(body, tail && (() => tail("this")));
      // Code that runs implicitly (accessors, coercion) could reach itself
      // through a variable that holds its object; fuel() bounds that.
      return `${name}(${ps}) ${guard ? code.replace(/^\{\n/, '{\nif (!fuel()) return "spent";\n') : code}`;
    });
  }

  // ------------------------------------------------------------------ classes

  /** A class; `name` is null for an anonymous class expression. */
  cls(c, name) {
    const info = {
      parent: null,
      methods: [],
      statics: [],
      props: ["p", "q"],
      staticProps: [],
      getters: [],
      staticGetters: [],
      setters: [],
      staticSetters: [],
      privMethods: [],
      privFields: [],
      ctorRec: { done: false },
    };
    let ext = "";
    if (c.ext === "Base") {
      info.parent = "Base";
      ext = " extends Base";
    } else if (c.ext && c.ext.t === "extRef") {
      const parent = this.pick(this.visible((v) => v.kind === "cls" && v.info.ctorRec.done), c.ext.k);
      info.parent = parent ? parent.info : "Base";
      ext = ` extends ${parent ? this.use(parent) : "Base"}`;
      // super() runs the parent's (marked) constructor from unmarked code.
      if (parent) this.boundaries = true;
    } else if (c.ext && c.ext.t === "extExpr") {
      info.parent = "Base";
      ext = ` extends (${this.e(c.ext.a)}, Base)`;
    }
    const ctor = c.ctor ? this.ctor(c.ctor, info) : "";
    const members = c.members.map((m) => this.member(m, info));
    info.ctorRec.done = true;
    const body = [ctor, ...members].filter(Boolean).join("\n");
    return { code: `class${name ? ` ${name}` : ""}${ext} {\n${body}\n}`, ty: { kind: "cls", info } };
  }

  member(m, info) {
    const home = { info, static: m.static };
    const prefix = m.static ? "static " : "";
    switch (m.t) {
      case "field": {
        const key = m.key ? `[${this.e(m.key)}]` : m.static ? "q" : "p";
        if (!m.v) return `${prefix}${key};`;
        const v = this.fieldInitializer(m.v, home);
        return `${prefix}${key} = ${v};`;
      }
      case "cmethod": {
        const rec = { done: false };
        if (m.key) {
          const key = this.e(m.key);
          return `${prefix}${this.method(`[${key}]`, m.params, m.body, { home, rec })}`;
        }
        const name = `m${++this.methods}`;
        const code = this.method(name, m.params, m.body, { home, rec });
        (m.static ? info.statics : info.methods).push({ name, rec });
        return `${prefix}${code}`;
      }
      case "cgetter": {
        this.boundaries = true;
        const name = `g${++this.methods}`;
        const code = this.method(`get ${name}`, [], m.body, { kind: "getter", home, guard: true });
        (m.static ? info.staticGetters : info.getters).push(name);
        return `${prefix}${code}`;
      }
      case "csetter": {
        this.boundaries = true;
        const name = `s${++this.methods}`;
        const code = this.method(`set ${name}`, [SETTER_PARAM], m.body, { kind: "setter", home, guard: true });
        (m.static ? info.staticSetters : info.setters).push(name);
        return `${prefix}${code}`;
      }
      case "pfield": {
        const name = `#p${++this.methods}`;
        info.privFields.push(name);
        if (!m.v) return `${name};`;
        const v = this.fieldInitializer(m.v, { info, static: false });
        return `${name} = ${v};`;
      }
      case "pmethod": {
        const name = `#m${++this.methods}`;
        const rec = { done: false };
        const code = this.method(name, m.params, m.body, { home: { info, static: false }, rec });
        info.privMethods.push({ name, rec });
        return code;
      }
      default:
        throw new Error(`printer: unknown class member ${m.t}`);
    }
  }

  /** A field initializer: `this` is the instance (or the class), no
   * `arguments`. It runs as part of creating the object, outside marked
   * frames: README lists it as a boundary. */
  fieldInitializer(v, home) {
    const before = this.calls;
    const code = this.inFunction("field", { thisOk: true, home }, () => this.e(v));
    if (this.calls !== before) this.boundaries = true;
    return code;
  }

  ctor(k, info) {
    const derived = info.parent !== null;
    return this.inFunction("ctor", { rec: info.ctorRec, home: { info, static: false }, thisOk: !derived }, (fn) => {
      const params = this.params(k.params);
      let pre = this.stmts(k.pre);
      if (derived) {
        pre += `super(${this.args(k.superArgs)});\n`;
        fn.thisOk = true;
      }
      const body = this.features.has("ctorReturn") ? k.body : { ...k.body, ret: null };
      return `constructor(${params}) ${this.body(body).replace(/^\{\n/, `{\n${pre}`)}`;
    });
  }

  // ------------------------------------------------------------------ expressions

  e(n) {
    return this.ex(n).c;
  }

  tag() {
    return `"${++this.tags}"`;
  }

  /** Prints an expression: { c: code, ty: what the printer knows of its value }. */
  ex(n) {
    switch (n.t) {
      case "lit":
        return { c: lit(n.v), ty: ANY };
      case "ref": {
        const v = this.pick(this.visible(), n.k);
        return v ? { c: this.use(v), ty: v } : { c: "0", ty: ANY };
      }
      case "sw":
        this.calls++;
        return { c: `sw(${this.e(n.a)})`, ty: ANY };
      case "log": {
        const tag = this.tag();
        const a = this.ex(n.a);
        return { c: `e(${tag}, ${a.c})`, ty: a.ty };
      }
      case "bin": {
        const a = this.e(n.a);
        return { c: `(${a} ${n.op} ${this.e(n.b)})`, ty: ANY };
      }
      case "logic": {
        const a = this.e(n.a);
        return { c: `(${a} ${n.op} ${this.e(n.b)})`, ty: ANY };
      }
      case "un":
        return { c: `(${n.op}${/^[a-z]/.test(n.op) ? " " : ""}${this.e(n.a)})`, ty: ANY };
      case "cond": {
        const c = this.e(n.c);
        const a = this.e(n.a);
        return { c: `(${c} ? ${a} : ${this.e(n.b)})`, ty: ANY };
      }
      case "comma": {
        const a = this.e(n.a);
        const b = this.ex(n.b);
        return { c: `(${a}, ${b.c})`, ty: b.ty };
      }
      case "assign": {
        const t = this.target(n.target);
        const v = ["&&=", "||=", "??="].includes(n.op) ? this.unnamed(n.v) : this.e(n.v);
        return { c: t ? `(${t} ${n.op} ${v})` : v, ty: ANY };
      }
      case "update": {
        const t = this.target(n.target);
        if (!t) return { c: "0", ty: ANY };
        return { c: n.prefix ? `(${n.op}${t})` : `(${t}${n.op})`, ty: ANY };
      }
      case "call":
        return { c: this.call(n), ty: ANY };
      case "fn": {
        const c = this.fnDef(n.f);
        return { c: `(${c})`, ty: this.lastFn };
      }
      case "iife": {
        this.calls++;
        const f = this.fnDef(n.f);
        return { c: `(${f})(${this.args(n.args)})`, ty: ANY };
      }
      case "this":
        return { c: this.fn.thisOk ? "this" : "0", ty: ANY };
      case "arguments":
        if (!this.fn.argumentsOk) return { c: "0", ty: ANY };
        return { c: n.i === "length" ? "arguments.length" : `arguments[${n.i}]`, ty: ANY };
      case "newTarget":
        return { c: "new.target", ty: ANY };
      case "get": {
        const o = this.e(n.o);
        return { c: `(${o})${n.opt ? "?." : "."}${n.p}`, ty: ANY };
      }
      case "index": {
        const o = this.e(n.o);
        return { c: `(${o})${n.opt ? "?.[" : "["}${this.e(n.k)}]`, ty: ANY };
      }
      case "delete":
        return { c: `(delete (${this.e(n.o)}).${n.p})`, ty: ANY };
      case "pread":
        return { c: this.pread(n), ty: ANY };
      case "mcall":
        return { c: this.mcall(n), ty: ANY };
      case "arr":
        return { c: `[${this.items(n.items, true)}]`, ty: { kind: "arr" } };
      case "obj":
        return this.obj(n);
      case "tpl":
        return { c: this.template(n.parts), ty: ANY };
      case "tagged": {
        let tag = "tg";
        if (n.k !== null) {
          const f = this.pick(this.visible((v) => v.kind === "fn" && this.callable(v)), n.k);
          if (f) tag = this.use(f);
        }
        this.calls++;
        return { c: `${tag}${this.template(n.parts)}`, ty: ANY };
      }
      case "new":
        return this.newExpr(n);
      case "classExpr": {
        const { code, ty } = this.cls(n.c, null);
        return { c: `(${code})`, ty };
      }
      case "super":
        return { c: this.superExpr(n), ty: ANY };
      case "native":
        return { c: this.native(n), ty: ANY };
      case "priv":
        return { c: this.priv(n), ty: ANY };
      case "genCall": {
        const g = this.pick(this.visible((v) => v.kind === "gen" && this.callable(v)), n.k);
        if (!g) return { c: `[${this.args(n.args)}]`, ty: { kind: "arr" } };
        this.calls++;
        return { c: `${this.use(g)}(${this.args(n.args)})`, ty: { kind: "iterable" } };
      }
      default:
        throw new Error(`printer: unknown expression ${n.t}`);
    }
  }

  /**
   * A value in a position that names anonymous functions and classes
   * (`x ??= () => {}`, `{ [k]: () => {} }`). Without fnNames it is
   * wrapped in `(0, ...)`, which keeps it anonymous in every run.
   */
  unnamed(n) {
    const c = this.e(n);
    return (n.t === "fn" || n.t === "classExpr") && !this.features.has("fnNames") ? `(0, ${c})` : c;
  }

  /** Call arguments or array elements (holes only in arrays). */
  items(list, holes) {
    const parts = list.map((it) => {
      if (it.t === "hole") return holes ? "" : "undefined";
      if (it.t === "spread") {
        const { c, ty } = this.ex(it.a);
        return ty.kind === "arr" ? `...${c}` : `...[${c}]`;
      }
      return this.e(it);
    });
    if (holes && parts.length && parts[parts.length - 1] === "") parts.push("");
    return parts.join(", ");
  }

  args(list) {
    return this.items(list, false);
  }

  /** When nothing callable is in scope, a call still evaluates its arguments. */
  noCallee(args) {
    return `e(${this.tag()}, [${this.args(args)}])`;
  }

  call(n) {
    const f = this.pick(this.visible((v) => v.kind === "fn" && this.callable(v)), n.k);
    if (!f) return this.noCallee(n.args);
    this.calls++;
    const name = this.use(f);
    switch (n.via) {
      case "direct":
        return `${name}(${this.args(n.args)})`;
      case "optional":
        return `${name}?.(${this.args(n.args)})`;
      case "sw":
        return `sw(${name})(${this.args(n.args)})`;
      case "call": {
        const args = this.args(n.args);
        return `${name}.call({ p: "call" }${args ? `, ${args}` : ""})`;
      }
      case "apply":
        return `${name}.apply({ p: "apply" }, [${this.args(n.args)}])`;
      default:
        throw new Error(`printer: unknown call kind ${n.via}`);
    }
  }

  /** Objects, instances and classes in scope, with what can be called or read on them. */
  receivers(what) {
    const out = [];
    for (const v of this.visible()) {
      let names = [];
      if (v.kind === "obj") names = v.info[what];
      else if (v.kind === "inst") names = classMembers(v.info, what, false);
      else if (v.kind === "cls" && v.info.ctorRec.done) names = classMembers(v.info, what, true);
      if (what === "methods") names = names.filter((m) => m.rec.done);
      if (names.length) out.push({ v, names });
    }
    return out;
  }

  mcall(n) {
    const r = this.pick(this.receivers("methods"), n.k);
    if (!r) return this.noCallee(n.args);
    this.calls++;
    const m = r.names[n.j % r.names.length].name;
    const recv = n.swRecv ? `sw(${this.use(r.v)})` : this.use(r.v);
    const args = this.args(n.args);
    if (n.opt === 1) return `${recv}?.${m}(${args})`;
    if (n.opt === 2) return `${recv}.${m}?.(${args})`;
    return `${recv}.${m}(${args})`;
  }

  pread(n) {
    const r = this.pick(this.receivers("readable"), n.k);
    if (!r) return `e(${this.tag()}, 0)`;
    this.calls++; // it may run a getter
    const p = r.names[n.j % r.names.length];
    return `${n.sw ? `sw(${this.use(r.v)})` : this.use(r.v)}.${p}`;
  }

  target(n) {
    switch (n.t) {
      case "var": {
        // Only variables holding plain values (see the file comment); with
        // constOk, constants come first, so the assignment may throw.
        const plain = (x) => x.kind === "any" || x.kind === "arr";
        const list = this.visible((x) => plain(x) && x.mutable);
        const consts = n.constOk ? this.visible((x) => plain(x) && x.isConst) : [];
        const chosen = this.pick(consts.concat(list), n.k);
        return chosen ? this.use(chosen) : null;
      }
      case "mem":
        return `(${this.e(n.o)}).${n.p}`;
      case "memIndex": {
        const o = this.e(n.o);
        return `(${o})[${this.e(n.k)}]`;
      }
      case "pwrite": {
        const r = this.pick(this.receivers("writable"), n.k);
        if (!r) return null;
        this.calls++; // it may run a setter
        const p = r.names[n.j % r.names.length];
        return `${n.sw ? `sw(${this.use(r.v)})` : this.use(r.v)}.${p}`;
      }
      case "argWrite":
        return this.fn.argumentsOk ? `arguments[${n.i}]` : null;
      case "privWrite": {
        const info = this.privateHome();
        return info && info.privFields.length ? `this.${info.privFields[n.j % info.privFields.length]}` : null;
      }
      default:
        throw new Error(`printer: unknown target ${n.t}`);
    }
  }

  obj(n) {
    const info = { methods: [], readable: [], writable: [] };
    const props = n.props.map((p) => {
      switch (p.t) {
        case "kv": {
          info.readable.push(p.p);
          info.writable.push(p.p);
          return `${p.p}: ${this.e(p.v)}`;
        }
        case "ckv": {
          const key = this.e(p.key);
          return `[${key}]: ${this.unnamed(p.v)}`;
        }
        case "spread": {
          // Without spreadFunctions, a function is spread as {} (noFn): the
          // compiled function carries an enumerable brand that spread copies.
          const c = this.e(p.a);
          return this.features.has("spreadFunctions") ? `...${c}` : `...noFn(${c})`;
        }
        case "method": {
          const rec = { done: false };
          if (p.key) {
            const key = this.e(p.key);
            return this.method(`[${key}]`, p.f.params, p.f.body, { rec });
          }
          const name = `m${++this.methods}`;
          info.methods.push({ name, rec });
          return this.method(name, p.f.params, p.f.body, { rec });
        }
        case "fnProp": {
          const name = `m${++this.methods}`;
          const code = this.fnDef(p.f);
          info.methods.push({ name, rec: this.lastFn.fnRec });
          return `${name}: ${code}`;
        }
        case "getter": {
          this.boundaries = true;
          const name = `g${++this.methods}`;
          info.readable.push(name);
          return this.method(`get ${name}`, [], p.body, { kind: "getter", guard: true });
        }
        case "setter": {
          this.boundaries = true;
          const name = `s${++this.methods}`;
          info.writable.push(name);
          return this.method(`set ${name}`, [SETTER_PARAM], p.body, { kind: "setter", guard: true });
        }
        case "valueOf":
          // `this` inside valueOf would coerce itself again.
          this.boundaries = true;
          return this.method(p.name, [], p.body, { thisOk: false, guard: true });
        default:
          throw new Error(`printer: unknown property ${p.t}`);
      }
    });
    return { c: `{ ${props.join(", ")} }`, ty: { kind: "obj", info } };
  }

  template(parts) {
    let out = "`a";
    parts.forEach((p, i) => {
      out += `\${${this.e(p)}}${String.fromCharCode(98 + i)}`;
    });
    return `${out}\``;
  }

  newExpr(n) {
    const fnOk = n.of !== "cls";
    const list = this.visible((v) => (fnOk && v.kind === "fn" && v.constructible && this.callable(v)) || (v.kind === "cls" && v.info.ctorRec.done));
    const c = this.pick(list, n.k);
    if (!c) return { c: this.noCallee(n.args), ty: ANY };
    this.calls++;
    const name = this.use(c);
    return { c: `new ${name}(${this.args(n.args)})`, ty: c.kind === "cls" ? { kind: "inst", info: c.info } : ANY };
  }

  superExpr(n) {
    const home = this.fn.home;
    if (!home || !home.info.parent || !this.fn.thisOk) return `e(${this.tag()}, 0)`;
    if (this.inField() && !this.features.has("superInFields")) return `e(${this.tag()}, 0)`;
    if (!n.call) return `super.${home.static ? "q" : "p"}`;
    const parent = home.info.parent;
    const names = parent === "Base" ? [home.static ? "sbm" : "bm"] : classMembers(parent, "methods", home.static).filter((m) => m.rec.done).map((m) => m.name);
    if (!names.length) return `super.${home.static ? "q" : "p"}`;
    this.calls++;
    return `super.${names[n.j % names.length]}(${this.args(n.args)})`;
  }

  /** Inside a field initializer (arrows included)? */
  inField() {
    for (let f = this.fn; f; f = f.isArrow ? f.parent : null) if (f.kind === "field") return true;
    return false;
  }

  /** The class whose instance `this` is here, if it has private members. */
  privateHome() {
    const home = this.fn.home;
    return home && !home.static && this.fn.thisOk ? home.info : null;
  }

  priv(n) {
    const info = this.privateHome();
    if (n.call) {
      const methods = info ? info.privMethods.filter((m) => m.rec.done) : [];
      if (!methods.length) return this.noCallee(n.args);
      this.calls++;
      return `this.${methods[n.j % methods.length].name}(${this.args(n.args)})`;
    }
    if (!info || !info.privFields.length) return `e(${this.tag()}, 0)`;
    return `this.${info.privFields[n.j % info.privFields.length]}`;
  }

  native(n) {
    this.boundaries = true;
    this.calls++;
    const a = this.e(n.a);
    const f = this.fnDef(n.f);
    switch (n.op) {
      case "map":
        return `[${a}, 2].map(${f})`;
      case "forEach":
        return `[${a}, 2].forEach(${f})`;
      case "sort":
        return `[${a}, 3, 1].sort(${f})`;
      case "reduce":
        return `[${a}, 4].reduce(${f}, 0)`;
      case "replace":
        return `"ab".replace(/./g, ${f})`;
      case "from":
        return `Array.from([${a}, 5], ${f})`;
      case "filter":
        return `[${a}, 6].filter(${f})`;
      default:
        throw new Error(`printer: unknown native ${n.op}`);
    }
  }
}

/** Members of a class and its generated ancestors (Base's are bm/sbm). */
function classMembers(info, what, isStatic) {
  const out = [];
  for (let c = info; c && c !== "Base"; c = c.parent) {
    if (what === "methods") out.push(...(isStatic ? c.statics : c.methods));
    else if (what === "readable") out.push(...(isStatic ? [...c.staticProps, "q", ...c.staticGetters] : [...c.props, ...c.getters]));
    else if (what === "writable") out.push(...(isStatic ? ["q", ...c.staticSetters] : [...c.props, ...c.setters]));
  }
  if (what === "methods" && info && hasBase(info)) out.push({ name: isStatic ? "sbm" : "bm", rec: { done: true } });
  return [...new Set(out)];
}

function hasBase(info) {
  let c = info;
  while (c && c !== "Base") c = c.parent;
  return c === "Base";
}

/** { source, boundaries } for a program tree from grammar.mjs; `features`
 * (a Set) decides the few context-dependent choices of the printer. */
export function printProgram(tree, features) {
  const p = new Printer(features);
  const source = p.program(tree.main);
  return { source, boundaries: p.boundaries };
}
