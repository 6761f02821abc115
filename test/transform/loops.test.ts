"use fiber";
// Loops: for, while, do-while, break/continue (labeled too), nested loops,
// per-iteration bindings, with switches in the init, test, update and body.
// Every case runs in every mode of fixtures/harness.ts.
import { describe, expect, it } from "vitest";
import { Fiber } from "../../runtime/index.js";
import { type Case, main, suite, thrown } from "./fixtures/harness.js";

const MANY = 10_000;

const cases: Case[] = [
  {
    name: "for: a switch in the body keeps the counter and the accumulator",
    body(sw) {
      let s = 0;
      for (let i = 0; i < 3; i++) s += sw(i) * i;
      return s;
    },
    send: [10, 20, 30],
    yields: [0, 1, 2],
    log: ["@0", "@1", "@2"],
    result: 80,
  },
  {
    name: "for: switches in the init, the test and the update",
    body(sw, log) {
      let n = 0;
      for (let i = sw("init"); i < sw("limit?" + i); i += sw("step")) {
        log.push("body " + i);
        n++;
      }
      return n;
    },
    send: [0, 2, 1, 2, 1, 2],
    yields: ["init", "limit?0", "step", "limit?1", "step", "limit?2"],
    log: ["@init", "@limit?0", "body 0", "@step", "@limit?1", "body 1", "@step", "@limit?2"],
    result: 2,
  },
  {
    name: "for: continue still runs an update that switches",
    body(sw) {
      const out: number[] = [];
      for (let i = 0; i < 3; i = i + sw("step " + i)) {
        if (i === 1) continue;
        out.push(i);
      }
      return out;
    },
    send: [1, 1, 1],
    yields: ["step 0", "step 1", "step 2"],
    log: ["@step 0", "@step 1", "@step 2"],
    result: [0, 2],
  },
  {
    name: "for-let: closures capture the per-iteration binding across switches",
    body(sw) {
      const fns: (() => number)[] = [];
      for (let i = 0; i < 3; i++) {
        fns.push(() => i);
        sw(i);
      }
      return fns.map((f) => f());
    },
    send: [0, 0, 0],
    yields: [0, 1, 2],
    log: ["@0", "@1", "@2"],
    result: [0, 1, 2],
  },
  {
    name: "for-let: a closure changing the loop variable after a switch affects that iteration and the next",
    body(sw) {
      const seen: number[] = [];
      for (let i = 0; i < 6; i++) {
        const bump = () => {
          i += 2;
        };
        if (sw(i)) bump();
        seen.push(i);
      }
      return seen;
    },
    send: [1, 0, 1],
    yields: [0, 3, 4],
    log: ["@0", "@3", "@4"],
    result: [2, 3, 6],
  },
  {
    name: "for-var: closures share the one binding",
    body(sw) {
      const fns: (() => number)[] = [];
      for (var i = 0; i < 2; i++) {
        fns.push(() => i);
        sw(i);
      }
      return fns.map((f) => f());
    },
    send: [0, 0],
    yields: [0, 1],
    log: ["@0", "@1"],
    result: [2, 2],
  },
  {
    name: "while: a switch in the condition",
    body(sw) {
      let n = 0;
      while (sw("more?")) n++;
      return n;
    },
    send: [true, true, false],
    yields: ["more?", "more?", "more?"],
    log: ["@more?", "@more?", "@more?"],
    result: 2,
  },
  {
    name: "do-while: switches in the body and in the condition",
    body(sw, log) {
      let i = 0;
      do {
        log.push("body " + i);
        i += sw("step");
      } while (sw("again?" + i));
      return i;
    },
    send: [1, true, 2, false],
    yields: ["step", "again?1", "step", "again?3"],
    log: ["body 0", "@step", "@again?1", "body 1", "@step", "@again?3"],
    result: 3,
  },
  {
    name: "do-while: continue still evaluates a condition that switches",
    body(sw) {
      let i = 0;
      const out: number[] = [];
      do {
        i++;
        if (i === 2) continue;
        out.push(i);
      } while (sw("again " + i));
      return out;
    },
    send: [true, true, false],
    yields: ["again 1", "again 2", "again 3"],
    log: ["@again 1", "@again 2", "@again 3"],
    result: [1, 3],
  },
  {
    name: "break after a switch leaves the loop",
    body(sw, log) {
      for (let i = 0; ; i++) {
        if (sw(i) === "stop") break;
        log.push("i " + i);
      }
      log.push("after");
      return "ok";
    },
    send: ["go", "go", "stop"],
    yields: [0, 1, 2],
    log: ["@0", "i 0", "@1", "i 1", "@2", "after"],
    result: "ok",
  },
  {
    name: "continue after a switch skips the rest of the body",
    body(sw) {
      const out: number[] = [];
      for (let i = 0; i < 4; i++) {
        if (sw(i)) continue;
        out.push(i);
      }
      return out;
    },
    send: [false, true, false, true],
    yields: [0, 1, 2, 3],
    log: ["@0", "@1", "@2", "@3"],
    result: [0, 2],
  },
  {
    name: "labeled continue to the outer loop from a switch in the inner loop",
    body(sw) {
      const out: string[] = [];
      outer: for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          const v = sw(`${i}${j}`);
          if (v === "next") continue outer;
          out.push(`${i}${j}`);
        }
        out.push("inner done " + i);
      }
      return out;
    },
    send: ["ok", "next", "ok", "ok", "ok", "next"],
    yields: ["00", "01", "10", "11", "12", "20"],
    log: ["@00", "@01", "@10", "@11", "@12", "@20"],
    result: ["00", "10", "11", "12", "inner done 1"],
  },
  {
    name: "labeled continue to an outer loop whose update switches",
    body(sw) {
      const out: string[] = [];
      outer: for (let i = 0; i < 2; i = sw("update " + i)) {
        for (let j = 0; j < 3; j++) {
          if (j === 1) continue outer;
          out.push(`${i}${j}`);
        }
      }
      return out;
    },
    send: [1, 2],
    yields: ["update 0", "update 1"],
    log: ["@update 0", "@update 1"],
    result: ["00", "10"],
  },
  {
    name: "labeled break out of nested loops after a switch",
    body(sw) {
      let count = 0;
      outer: while (true) {
        for (;;) {
          count++;
          if (sw(count) === "out") break outer;
        }
      }
      return count;
    },
    send: ["x", "x", "out"],
    yields: [1, 2, 3],
    log: ["@1", "@2", "@3"],
    result: 3,
  },
  {
    name: "three nested loops switching at every level",
    body(sw) {
      const out: string[] = [];
      for (let a = 0; a < 2; a++) {
        const pa = sw("a" + a);
        for (let b = 0; b < 2; b++) {
          const pb = sw("b" + b);
          let c = 0;
          while (c < 2) {
            out.push(pa + pb + sw("c" + c));
            c++;
          }
        }
      }
      return out;
    },
    send: ["A0", "B0", "C0", "C1", "B1", "C0", "C1", "A1", "B0", "C0", "C1", "B1", "C0", "C1"],
    yields: ["a0", "b0", "c0", "c1", "b1", "c0", "c1", "a1", "b0", "c0", "c1", "b1", "c0", "c1"],
    log: ["@a0", "@b0", "@c0", "@c1", "@b1", "@c0", "@c1", "@a1", "@b0", "@c0", "@c1", "@b1", "@c0", "@c1"],
    result: ["A0B0C0", "A0B0C1", "A0B1C0", "A0B1C1", "A1B0C0", "A1B0C1", "A1B1C0", "A1B1C1"],
  },
  {
    name: "a switch statement inside a loop: continue and return from case bodies",
    body(sw) {
      const out: unknown[] = [];
      for (let i = 0; i < 4; i++) {
        switch (sw(i)) {
          case "skip":
            continue;
          case "stop":
            return out;
          default:
            out.push(i);
        }
        out.push("end " + i);
      }
      return "not reached";
    },
    send: ["x", "skip", "x", "stop"],
    yields: [0, 1, 2, 3],
    log: ["@0", "@1", "@2", "@3"],
    result: [0, "end 0", 2, "end 2"],
  },
  {
    name: `${MANY} switches from one loop (no stack growth, no lost iterations)`,
    body(sw) {
      let s = 0;
      for (let i = 0; i < MANY; i++) s += sw(i);
      return s;
    },
    send: Array.from({ length: MANY }, (_, i) => i % 7),
    yields: Array.from({ length: MANY }, (_, i) => i),
    log: Array.from({ length: MANY }, (_, i) => "@" + i),
    result: Array.from({ length: MANY }, (_, i) => i % 7).reduce((a, b) => a + b, 0),
  },
  {
    name: "an error thrown into a loop body is caught inside the loop, which goes on",
    body(sw) {
      const out: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        try {
          out.push(sw(i));
        } catch (e) {
          out.push(`caught ${(e as Error).message} at ${i}`);
        }
      }
      return out;
    },
    send: ["a", thrown("x"), "c"],
    yields: [0, 1, 2],
    log: ["@0", "@1", "@2"],
    result: ["a", "caught x at 1", "c"],
  },
  {
    name: "an error thrown into a loop without a catch in it: finally once, loop abandoned",
    body(sw, log) {
      try {
        for (let i = 0; ; i++) {
          try {
            sw(i);
          } finally {
            log.push("finally " + i);
          }
        }
      } catch (e) {
        log.push("outer " + (e as Error).message);
      }
      return "done";
    },
    send: [0, thrown("x")],
    yields: [0, 1],
    log: ["@0", "finally 0", "@1", "finally 1", "outer x"],
    result: "done",
  },
];

suite(cases);

describe("loops with the fiber API used directly", () => {
  it("loop state (counter, accumulator, closures) across explicit switches", () => {
    const f = new Fiber(() => {
      let total = 0;
      const seen: (() => number[])[] = [];
      for (let i = 0; i < 3; i++) {
        const v = main.switch(i) as number;
        total += v;
        seen.push(() => [i, v]);
      }
      return [total, seen.map((g) => g())];
    });
    expect(f.switch()).toBe(0);
    expect(f.switch(10)).toBe(1);
    expect(f.switch(20)).toBe(2);
    expect(f.switch(30)).toEqual([60, [[0, 10], [1, 20], [2, 30]]]);
    expect(f.isAlive()).toBe(false);
  });

  it("f.throw() into a loop: the catch in the loop runs, the finally of every iteration once", () => {
    const log: string[] = [];
    const f = new Fiber(() => {
      for (let i = 0; i < 3; i++) {
        try {
          log.push("got " + main.switch(i));
        } catch (e) {
          log.push(`catch ${(e as Error).message} ${i}`);
        } finally {
          log.push("finally " + i);
        }
      }
      return "loop done";
    });
    expect(f.switch()).toBe(0);
    expect(f.switch("a")).toBe(1);
    expect(f.throw(new Error("x"))).toBe(2);
    expect(f.switch("c")).toBe("loop done");
    expect(log).toEqual(["got a", "finally 0", "catch x 1", "finally 1", "got c", "finally 2"]);
  });

  it("two fibers ping-pong from inside their loops", () => {
    const trace: string[] = [];
    const ping: Fiber = new Fiber(() => {
      let n = 0;
      for (let i = 0; i < 100; i++) n = pong.switch(n + 1) as number;
      return n;
    });
    const pong: Fiber = new Fiber(() => {
      let n = main.switch("pong ready") as number;
      for (;;) {
        if (n % 50 === 1) trace.push("pong at " + n);
        n = ping.switch(n + 1) as number;
      }
    });
    expect(pong.switch()).toBe("pong ready");
    expect(ping.switch()).toBe(200);
    expect(trace).toEqual(["pong at 1", "pong at 51", "pong at 101", "pong at 151"]);
    expect(ping.isAlive()).toBe(false);
    expect(pong.isAlive()).toBe(true);
  });
});
