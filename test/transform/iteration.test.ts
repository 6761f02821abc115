"use fiber";
// Iteration: for-of over arrays, Maps, Sets, strings and marked iterators
// (including one whose next() switches: python-fibers' generator pattern),
// destructuring in for-of heads, iterator.return() called exactly once when
// the loop is left early, and for-in with a switch in the body (keys deleted
// while the loop is suspended are skipped). Cases run in every mode of
// fixtures/harness.ts.
import { describe, expect, it } from "vitest";
import { Fiber, FiberError, current } from "../../runtime/index.js";
import { type Case, type Log, expectBoundaryError, main, suite, thrown } from "./fixtures/harness.js";

/** A marked iterable that logs "next <label>" and "return <label>". */
function counting(log: Log, label: string, values: unknown[]): Iterable<unknown> {
  return {
    [Symbol.iterator]() {
      let i = 0;
      return {
        next(): IteratorResult<unknown> {
          log.push("next " + label);
          return i < values.length ? { value: values[i++], done: false } : { value: undefined, done: true };
        },
        return(): IteratorResult<unknown> {
          log.push("return " + label);
          return { value: undefined, done: true };
        },
      };
    },
  };
}

const cases: Case[] = [
  {
    name: "for-of over an array with a switch in the body",
    body(sw) {
      const out: number[] = [];
      for (const x of [1, 2, 3]) out.push(x * sw(x));
      return out;
    },
    send: [10, 20, 30],
    yields: [1, 2, 3],
    log: ["@1", "@2", "@3"],
    result: [10, 40, 90],
  },
  {
    name: "for-of over an array sees elements pushed while it was suspended",
    body(sw) {
      const arr = [1, 2];
      const out: number[] = [];
      for (const x of arr) {
        if (sw(x) === "push") arr.push(x * 10);
        out.push(x);
      }
      return out;
    },
    send: ["push", "no", "no"],
    yields: [1, 2, 10],
    log: ["@1", "@2", "@10"],
    result: [1, 2, 10],
  },
  {
    name: "for-of over a sparse array visits holes as undefined",
    body(sw) {
      const out: unknown[] = [];
      for (const x of [, "b"]) out.push(sw(x));
      return out;
    },
    send: [1, 2],
    yields: [undefined, "b"],
    log: ["@undefined", "@b"],
    result: [1, 2],
  },
  {
    name: "for-of over a Map with [key, value] destructuring",
    body(sw) {
      const m = new Map([["a", 1], ["b", 2]]);
      const out: string[] = [];
      for (const [k, v] of m) out.push(k + (v + sw(k)));
      return out;
    },
    send: [10, 20],
    yields: ["a", "b"],
    log: ["@a", "@b"],
    result: ["a11", "b22"],
  },
  {
    name: "a Map changed while the loop is suspended: deleted entries skipped, added ones visited",
    body(sw) {
      const m = new Map([["a", 1], ["b", 2], ["c", 3]]);
      const seen: string[] = [];
      for (const [k] of m) {
        seen.push(k);
        if (sw(k) === "mutate") {
          m.delete("b");
          m.set("d", 4);
        }
      }
      return seen;
    },
    send: ["mutate", 0, 0],
    yields: ["a", "c", "d"],
    log: ["@a", "@c", "@d"],
    result: ["a", "c", "d"],
  },
  {
    name: "for-of over a Set in insertion order",
    body(sw) {
      let acc = "";
      for (const x of new Set([3, 1, 2])) acc += x + ":" + sw(x) + " ";
      return acc;
    },
    send: ["a", "b", "c"],
    yields: [3, 1, 2],
    log: ["@3", "@1", "@2"],
    result: "3:a 1:b 2:c ",
  },
  {
    name: "for-of over a string iterates code points (a surrogate pair stays whole)",
    body(sw) {
      const out: string[] = [];
      for (const ch of "a😀b") out.push(ch + sw(ch));
      return out;
    },
    send: [1, 2, 3],
    yields: ["a", "😀", "b"],
    log: ["@a", "@😀", "@b"],
    result: ["a1", "😀2", "b3"],
  },
  {
    name: "destructuring with defaults in the for-of head",
    body(sw) {
      const out: string[] = [];
      for (const { id, tag = "default" } of [{ id: 1, tag: "t1" }, { id: 2 }] as { id: number; tag?: string }[]) {
        out.push(id + tag + sw(id));
      }
      return out;
    },
    send: ["!", "?"],
    yields: [1, 2],
    log: ["@1", "@2"],
    result: ["1t1!", "2default?"],
  },
  {
    name: "for-of head assigning to existing variables and members",
    body(sw) {
      let a: any;
      const o: any = {};
      const out: number[] = [];
      for ([a, o.b] of [[1, 2], [3, 4]]) out.push(a + o.b + sw(a));
      return [out, a, o.b];
    },
    send: [0, 0],
    yields: [1, 3],
    log: ["@1", "@3"],
    result: [[3, 7], 3, 4],
  },
  {
    name: "rest element in the for-of head",
    body(sw) {
      const out: unknown[] = [];
      for (const [first, ...rest] of [[1, 2, 3], [4]]) out.push([first, rest, sw(first)]);
      return out;
    },
    send: ["x", "y"],
    yields: [1, 4],
    log: ["@1", "@4"],
    result: [[1, [2, 3], "x"], [4, [], "y"]],
  },
  {
    name: "break after a switch calls iterator.return() exactly once",
    body(sw, log) {
      for (const x of counting(log, "it", [1, 2, 3])) {
        if (sw(x) === "stop") break;
      }
      log.push("after");
      return "ok";
    },
    send: [0, "stop"],
    yields: [1, 2],
    log: ["next it", "@1", "next it", "@2", "return it", "after"],
    result: "ok",
  },
  {
    name: "return from a for-of body after a switch calls iterator.return() once",
    body(sw, log) {
      for (const x of counting(log, "it", [1, 2])) {
        return "ret " + sw(x);
      }
      return "not reached";
    },
    send: ["A"],
    yields: [1],
    log: ["next it", "@1", "return it"],
    result: "ret A",
  },
  {
    name: "running to the end or continue does not call iterator.return()",
    body(sw, log) {
      for (const x of counting(log, "it", [1, 2])) {
        if (sw(x) === "skip") continue;
        log.push("body " + x);
      }
      return "done";
    },
    send: ["skip", 0],
    yields: [1, 2],
    log: ["next it", "@1", "next it", "@2", "body 2", "next it"],
    result: "done",
  },
  {
    name: "labeled continue out of an inner for-of closes only the inner iterator",
    body(sw, log) {
      outer: for (const i of counting(log, "o", ["o1", "o2"])) {
        for (const j of counting(log, "i", ["i1", "i2"])) {
          sw(`${i}${j}`);
          continue outer;
        }
      }
      return "done";
    },
    send: [0, 0],
    yields: ["o1i1", "o2i1"],
    log: ["next o", "next i", "@o1i1", "return i", "next o", "next i", "@o2i1", "return i", "next o"],
    result: "done",
  },
  {
    name: "an error thrown into a for-of body calls iterator.return() once, then the catch runs",
    body(sw, log) {
      try {
        for (const x of counting(log, "it", [1, 2])) sw(x);
      } catch (e) {
        log.push("caught " + (e as Error).message);
      }
      return "done";
    },
    send: [thrown("x")],
    yields: [1],
    log: ["next it", "@1", "return it", "caught x"],
    result: "done",
  },
  {
    name: "a marked iterator whose next() switches, consumed by for-of",
    body(sw) {
      const it = {
        i: 0,
        [Symbol.iterator]() {
          return this;
        },
        next(): IteratorResult<string> {
          const v = sw("next " + this.i);
          return v === "end" ? { done: true, value: undefined } : { done: false, value: `${this.i++}:${v}` };
        },
      };
      const out: string[] = [];
      for (const x of it) out.push(x);
      return out;
    },
    send: ["a", "b", "end"],
    yields: ["next 0", "next 1", "next 2"],
    log: ["@next 0", "@next 1", "@next 2"],
    result: ["0:a", "1:b"],
  },
  {
    name: "a marked iterator whose return() switches, called when the loop breaks",
    body(sw, log) {
      const it = {
        n: 0,
        [Symbol.iterator]() {
          return this;
        },
        next(): IteratorResult<number> {
          return { value: this.n++, done: false };
        },
        return(): IteratorResult<number> {
          log.push("closing " + sw("closing"));
          return { done: true, value: undefined };
        },
      };
      for (const x of it) {
        if (x === 1) break;
      }
      log.push("after");
      return it.n;
    },
    send: ["ok"],
    yields: ["closing"],
    log: ["@closing", "closing ok", "after"],
    result: 2,
  },
  {
    name: "breaking out of an (unmarked) generator runs its finally",
    body(sw, log) {
      function* g() {
        try {
          yield 1;
          yield 2;
        } finally {
          log.push("generator finally");
        }
      }
      for (const x of g()) {
        sw(x);
        break;
      }
      log.push("after");
      return "ok";
    },
    send: [0],
    yields: [1],
    log: ["@1", "generator finally", "after"],
    result: "ok",
  },
  {
    name: "for-in visits own then inherited enumerable keys, switching in the body",
    body(sw) {
      const proto = { inherited: 1 };
      const o = Object.assign(Object.create(proto), { b: 1, a: 2, 1: "x" });
      const out: string[] = [];
      for (const k in o) out.push(k + sw(k));
      return out;
    },
    send: [1, 2, 3, 4],
    yields: ["1", "b", "a", "inherited"],
    log: ["@1", "@b", "@a", "@inherited"],
    result: ["11", "b2", "a3", "inherited4"],
  },
  {
    name: "for-in: keys deleted while the loop is suspended are not visited",
    body(sw) {
      const o: any = { a: 1, b: 2, c: 3, d: 4 };
      const seen: string[] = [];
      for (const k in o) {
        seen.push(k);
        if (sw(k) === "delete") {
          delete o.c;
          delete o[k];
        }
      }
      return seen;
    },
    send: ["delete", 0, 0],
    yields: ["a", "b", "d"],
    log: ["@a", "@b", "@d"],
    result: ["a", "b", "d"],
  },
  {
    name: "for-in assigning each key to a member target",
    body(sw) {
      const target: any = {};
      const out: string[] = [];
      for (target.k in { x: 1, y: 2 }) out.push(target.k + sw(target.k));
      return [out, target.k];
    },
    send: [1, 2],
    yields: ["x", "y"],
    log: ["@x", "@y"],
    result: [["x1", "y2"], "y"],
  },
  {
    name: "for-in over an array gives string indices; break after a switch",
    body(sw) {
      const out: unknown[] = [];
      for (const k in ["p", "q", "r"]) {
        out.push(typeof k, k);
        if (sw(k) === "stop") break;
      }
      return out;
    },
    send: [0, "stop"],
    yields: ["0", "1"],
    log: ["@0", "@1"],
    result: ["string", "0", "string", "1"],
  },
  {
    name: "an error thrown into a for-in body is caught around the loop",
    body(sw, log) {
      try {
        for (const k in { a: 1, b: 2 }) {
          log.push("key " + k);
          sw(k);
        }
      } catch (e) {
        log.push("caught " + (e as Error).message);
      }
      return "done";
    },
    send: [0, thrown("x")],
    yields: ["a", "b"],
    log: ["key a", "@a", "key b", "@b", "caught x"],
    result: "done",
  },
];

suite(cases);

// ---------------------------------------------------------------------------
// python-fibers' generator pattern: an iterator whose next() switches into a
// producer fiber, which switches back with each value.

class GeneratorExit extends Error {}

/** Emits `value` through `depth` marked frames. */
function deepEmit<T>(depth: number, emit: (value: T) => void, value: T): void {
  if (depth <= 1) emit(value);
  else deepEmit(depth - 1, emit, value);
}

class FiberGenerator<T> {
  readonly producer: Fiber;
  consumer: Fiber | null = null;
  finished = false;
  started = false;
  returns = 0;

  constructor(body: (emit: (value: T) => void) => void) {
    this.producer = new Fiber(() => {
      try {
        body((value) => {
          this.consumer!.switch({ value, done: false });
        });
      } catch (e) {
        if (!(e instanceof GeneratorExit)) throw e;
      }
      this.finished = true;
      for (;;) this.consumer!.switch({ value: undefined, done: true });
    });
  }

  next(): IteratorResult<T> {
    if (this.finished) return { value: undefined, done: true };
    this.consumer = current();
    this.started = true;
    return this.producer.switch() as IteratorResult<T>;
  }

  return(): IteratorResult<T> {
    this.returns++;
    if (this.finished || !this.started) {
      this.finished = true;
      return { value: undefined, done: true };
    }
    this.consumer = current();
    return this.producer.throw(new GeneratorExit("closed")) as IteratorResult<T>;
  }

  [Symbol.iterator](): this {
    return this;
  }
}

describe("python-fibers generator pattern (an iterator whose next() switches)", () => {
  it("for-of in the main fiber over a fiber-backed generator", () => {
    const log: string[] = [];
    const gen = new FiberGenerator<number>((emit) => {
      try {
        for (let i = 0; i < 3; i++) deepEmit(5, emit, i * 10);
      } finally {
        log.push("producer finally");
      }
    });
    const got: number[] = [];
    for (const v of gen) got.push(v);
    expect(got).toEqual([0, 10, 20]);
    expect(log).toEqual(["producer finally"]);
    expect(gen.returns).toBe(0);
  });

  it("for-of inside a fiber whose body also switches to main", () => {
    const log: string[] = [];
    const gen = new FiberGenerator<string>((emit) => {
      try {
        emit("a");
        deepEmit(5, emit, "b");
        emit("c");
      } finally {
        log.push("producer finally");
      }
    });
    const consumer = new Fiber(() => {
      const out: string[] = [];
      for (const v of gen) {
        out.push(v);
        log.push(`consumer got ${v}, main says ${main.switch(v)}`);
      }
      return out;
    });
    expect(consumer.switch()).toBe("a");
    expect(consumer.switch(1)).toBe("b");
    expect(consumer.switch(2)).toBe("c");
    expect(consumer.switch(3)).toEqual(["a", "b", "c"]);
    expect(log).toEqual([
      "consumer got a, main says 1",
      "consumer got b, main says 2",
      "consumer got c, main says 3",
      "producer finally",
    ]);
    expect(gen.returns).toBe(0);
  });

  it("break inside a fiber calls return() once, which closes the producer (its finally runs once)", () => {
    const log: string[] = [];
    const gen = new FiberGenerator<number>((emit) => {
      try {
        for (let i = 0; ; i++) emit(i);
      } finally {
        log.push("producer finally");
      }
    });
    const consumer = new Fiber(() => {
      const out: number[] = [];
      for (const v of gen) {
        if (v === 2) break;
        out.push(v);
      }
      log.push("after loop");
      return out;
    });
    expect(consumer.switch()).toEqual([0, 1]);
    expect(log).toEqual(["producer finally", "after loop"]);
    expect(gen.returns).toBe(1);
    expect(gen.finished).toBe(true);
  });

  it("an error thrown into the consumer's loop body closes the generator, then reaches the catch", () => {
    const log: string[] = [];
    const gen = new FiberGenerator<number>((emit) => {
      try {
        emit(1);
        emit(2);
      } finally {
        log.push("producer finally");
      }
    });
    const consumer = new Fiber(() => {
      try {
        for (const v of gen) main.switch(v);
      } catch (e) {
        log.push("consumer caught " + (e as Error).message);
      }
      return gen.returns;
    });
    expect(consumer.switch()).toBe(1);
    expect(consumer.throw(new Error("x"))).toBe(1);
    expect(log).toEqual(["producer finally", "consumer caught x"]);
  });

  it("two generators zipped inside a fiber (one by for-of, one by explicit next())", () => {
    const make = (tag: string) =>
      new FiberGenerator<string>((emit) => {
        for (let i = 0; i < 2; i++) emit(tag + i);
      });
    const zipper = new Fiber(() => {
      const a = make("a");
      const b = make("b");
      const out: string[] = [];
      for (const x of a) {
        const y = b.next();
        out.push(x + (y.done ? "-" : y.value));
        main.switch(out.length);
      }
      return out;
    });
    expect(zipper.switch()).toBe(1);
    expect(zipper.switch()).toBe(2);
    expect(zipper.switch()).toEqual(["a0b0", "a1b1"]);
  });
});

describe("other implicit iteration", () => {
  it("array spread and array destructuring of an iterator whose next() switches: exact values, or the boundary FiberError", () => {
    const make = (tag: string) => ({
      i: 0,
      [Symbol.iterator]() {
        return this;
      },
      next(): IteratorResult<unknown> {
        const v = main.switch(tag + this.i++);
        return v === "end" ? { done: true, value: undefined } : { done: false, value: v };
      },
    });
    const f = new Fiber(() => {
      let spread: unknown;
      let destructured: unknown;
      try {
        spread = [...make("s")];
      } catch (e) {
        spread = e;
      }
      try {
        const [d1, d2] = make("d");
        destructured = [d1, d2];
      } catch (e) {
        destructured = e;
      }
      return [spread, destructured];
    });
    const replies: Record<string, string> = { s0: "A", s1: "B", s2: "end", d0: "X", d1: "Y" };
    const seen: unknown[] = [];
    let v = f.switch();
    while (f.isAlive()) {
      seen.push(v);
      v = f.switch(replies[v as string]);
    }
    const [spread, destructured] = v as [unknown, unknown];
    // Either the plugin rewrote the implicit protocol (values exact, every
    // next() switched once), or it is a boundary (FiberError, nothing was
    // switched out). Anything else corrupted the fiber.
    if (spread instanceof FiberError) expectBoundaryError(spread);
    else expect(spread).toEqual(["A", "B"]);
    if (destructured instanceof FiberError) expectBoundaryError(destructured);
    else expect(destructured).toEqual(["X", "Y"]);
    expect(seen).toEqual([
      ...(spread instanceof FiberError ? [] : ["s0", "s1", "s2"]),
      ...(destructured instanceof FiberError ? [] : ["d0", "d1"]),
    ]);
  });

  it("for-in: a key deleted by main while the fiber is suspended is skipped", () => {
    const shared: Record<string, number> = { a: 1, b: 2, c: 3 };
    const f = new Fiber(() => {
      const seen: string[] = [];
      for (const k in shared) {
        seen.push(k);
        main.switch(k);
      }
      return seen;
    });
    expect(f.switch()).toBe("a");
    delete shared.b;
    expect(f.switch()).toBe("c");
    expect(f.switch()).toEqual(["a", "c"]);
  });
});
