"use fiber";
// Statements: if/else, switch/case, labeled blocks, declarations, hoisting,
// block scopes, throw and return, with a switch at the interesting point of
// each. Every case runs in every mode of fixtures/harness.ts.
import { describe, expect, it } from "vitest";
import { Fiber } from "../../runtime/index.js";
import { type Case, main, suite, t, thrown } from "./fixtures/harness.js";

const cases: Case[] = [
  {
    name: "if: a switch in the test picks the branch",
    body(sw, log) {
      if (sw("cond")) log.push("then");
      else log.push("else");
      if (sw("cond 2")) {
        log.push("then 2");
      } else {
        log.push("else 2");
      }
      return "done";
    },
    send: [0, "yes"],
    yields: ["cond", "cond 2"],
    log: ["@cond", "else", "@cond 2", "then 2"],
    result: "done",
  },
  {
    name: "if / else if / else with switches inside the branches",
    body(sw, log) {
      const classify = (v: number) => {
        if (v === 1) return "one:" + sw(v);
        else if (v === 2) {
          log.push("two");
          return "two:" + sw(v);
        } else return "other";
      };
      return [classify(1), classify(2), classify(3)];
    },
    send: ["a", "b"],
    yields: [1, 2],
    log: ["@1", "two", "@2"],
    result: ["one:a", "two:b", "other"],
  },
  {
    name: "switch statement: discriminant from a switch, fallthrough across a switch in a case body",
    body(sw, log) {
      switch (sw("discriminant")) {
        case 1:
          log.push("case 1");
        case 2:
          log.push("case 2");
          sw("in case 2");
        case 3:
          log.push("case 3");
          break;
        case 4:
          log.push("case 4");
      }
      log.push("end");
      return "ok";
    },
    send: [2, "x"],
    yields: ["discriminant", "in case 2"],
    log: ["@discriminant", "case 2", "@in case 2", "case 3", "end"],
    result: "ok",
  },
  {
    name: "switch statement: default in the middle falls through to the next case",
    body(sw, log) {
      switch (sw("discriminant")) {
        case "a":
          log.push("a");
          break;
        default:
          log.push("default");
          sw("in default");
        case "b":
          log.push("b");
          break;
        case "c":
          log.push("c");
      }
      return "ok";
    },
    send: ["z", 0],
    yields: ["discriminant", "in default"],
    log: ["@discriminant", "default", "@in default", "b"],
    result: "ok",
  },
  {
    name: "switch statement: case tests are compared in order, the first match wins",
    body(sw, log) {
      const one = 1, two = 2, alsoTwo = 2;
      switch (sw("discriminant")) {
        case one:
          log.push("body 1");
          break;
        case two:
          log.push("body 2 " + sw("in body 2"));
          break;
        case alsoTwo:
          log.push("body 3 (never)");
      }
      return "ok";
    },
    send: [2, "!"],
    yields: ["discriminant", "in body 2"],
    log: ["@discriminant", "@in body 2", "body 2 !"],
    result: "ok",
  },
  {
    name: "switch statement: break after a switch in a case skips the rest",
    body(sw, log) {
      const stop = true;
      switch (1 as number) {
        case 1: {
          sw("x");
          if (stop) break;
          log.push("never");
        }
        case 2:
          log.push("never 2");
      }
      log.push("after");
      return "ok";
    },
    send: [0],
    yields: ["x"],
    log: ["@x", "after"],
    result: "ok",
  },
  {
    name: "switch statement: block-scoped declarations in a case body",
    body(sw) {
      switch (sw("k")) {
        case 1: {
          const x = sw("x");
          const y = x * 2;
          return [x, y];
        }
        default:
          return "default";
      }
    },
    send: [1, 21],
    yields: ["k", "x"],
    log: ["@k", "@x"],
    result: [21, 42],
  },
  {
    name: "labeled block: break out of it after a switch",
    body(sw, log) {
      outer: {
        log.push("in");
        if (sw("cond")) break outer;
        log.push("not skipped");
      }
      log.push("after");
      return "ok";
    },
    send: [true],
    yields: ["cond"],
    log: ["in", "@cond", "after"],
    result: "ok",
  },
  {
    name: "nested labeled blocks: break to the outer label from the inner one",
    body(sw, log) {
      a: {
        b: {
          log.push("inner");
          if (sw("which") === "a") break a;
          break b;
        }
        log.push("between");
      }
      log.push("after");
      return "ok";
    },
    send: ["a"],
    yields: ["which"],
    log: ["inner", "@which", "after"],
    result: "ok",
  },
  {
    name: "var hoisting: a var assigned from a switch was undefined before",
    body(sw, log) {
      log.push(typeof hoisted);
      var hoisted = sw("v");
      log.push(typeof hoisted);
      return hoisted;
    },
    send: [7],
    yields: ["v"],
    log: ["undefined", "@v", "number"],
    result: 7,
  },
  {
    name: "function declarations are hoisted and callable across a switch",
    body(sw) {
      const r1 = helper(1);
      const got = sw("mid");
      return [r1, helper(got)];
      function helper(x: number) {
        return x * 2;
      }
    },
    send: [5],
    yields: ["mid"],
    log: ["@mid"],
    result: [2, 10],
  },
  {
    name: "block-scoped shadowing survives a switch",
    body(sw, log) {
      let x = "outer";
      {
        let x = "inner";
        sw(x);
        log.push(x);
        x = "inner changed";
        log.push(x);
      }
      log.push(x);
      return x;
    },
    send: [0],
    yields: ["inner"],
    log: ["@inner", "inner", "inner changed", "outer"],
    result: "outer",
  },
  {
    name: "declarators are initialised in order, later ones see earlier ones",
    body(sw, log) {
      let a = t(log, "a", 1), b = sw("b"), c = a + b;
      return [a, b, c];
    },
    send: [2],
    yields: ["b"],
    log: ["a", "@b"],
    result: [1, 2, 3],
  },
  {
    name: "destructuring declaration of a switched value (defaults without calls)",
    body(sw) {
      const { a, b = "default b", c: [d, e = "default e"] = [4] } = sw("value");
      return [a, b, d, e];
    },
    send: [{ a: 1, c: [5] }],
    yields: ["value"],
    log: ["@value"],
    result: [1, "default b", 5, "default e"],
  },
  {
    name: "throw with a switched operand, caught in the same function",
    body(sw) {
      try {
        throw new Error(sw("message"));
      } catch (e) {
        return "caught " + (e as Error).message;
      }
    },
    send: ["boom"],
    yields: ["message"],
    log: ["@message"],
    result: "caught boom",
  },
  {
    name: "return in the middle of a block after a switch skips the rest",
    body(sw, log) {
      if (sw("return?")) return "early";
      log.push("late");
      return "late";
    },
    send: [1],
    yields: ["return?"],
    log: ["@return?"],
    result: "early",
  },
  {
    name: "a class declared after a switch closes over the switched value",
    body(sw) {
      const base = sw("base");
      class Local {
        v = base;
        get twice() {
          return this.v * 2;
        }
      }
      return new Local().twice;
    },
    send: [21],
    yields: ["base"],
    log: ["@base"],
    result: 42,
  },
  {
    name: "a statement sequence of switches accumulates in a local",
    body(sw) {
      let acc = "";
      acc += sw(1);
      acc += sw(2);
      acc += sw(3);
      return acc;
    },
    send: ["a", "b", "c"],
    yields: [1, 2, 3],
    log: ["@1", "@2", "@3"],
    result: "abc",
  },
  {
    name: "an error thrown in at a switch inside an if branch reaches the catch around it",
    body(sw, log) {
      const c = true;
      if (c) {
        try {
          sw("in if");
          log.push("not reached");
        } catch (e) {
          log.push("caught " + (e as Error).message);
        }
      }
      return "continued";
    },
    send: [thrown("x")],
    yields: ["in if"],
    log: ["@in if", "caught x"],
    result: "continued",
  },
  {
    name: "an error thrown in at a switch in a case body: catch, then finally once",
    body(sw, log) {
      switch (1 as number) {
        case 1:
          try {
            sw("case 1");
          } catch (e) {
            log.push("catch " + (e as Error).message);
          } finally {
            log.push("finally");
          }
          break;
        case 2:
          log.push("never");
      }
      return "ok";
    },
    send: [thrown("x")],
    yields: ["case 1"],
    log: ["@case 1", "catch x", "finally"],
    result: "ok",
  },
  {
    name: "an error thrown in with no catch leaves the fiber after the finally ran once",
    body(sw, log) {
      try {
        switch (1 as number) {
          case 1:
            sw("s");
            log.push("not reached");
        }
      } finally {
        log.push("finally");
      }
      return "not reached";
    },
    send: [thrown("x")],
    yields: ["s"],
    log: ["@s", "finally"],
    error: "x",
  },
];

suite(cases);

describe("statements with the fiber API used directly", () => {
  it("a switch statement whose case body switches to main several times", () => {
    const log: string[] = [];
    const f = new Fiber((k: string) => {
      switch (k) {
        case "a":
          log.push("a:" + main.switch("first"));
        case "b":
          log.push("b:" + main.switch("second"));
          break;
        default:
          log.push("never");
      }
      return log.length;
    }, ["a"]);
    expect(f.switch()).toBe("first");
    expect(f.switch(1)).toBe("second");
    expect(log).toEqual(["a:1"]);
    expect(f.switch(2)).toBe(2);
    expect(log).toEqual(["a:1", "b:2"]);
    expect(f.isAlive()).toBe(false);
  });

  it("f.throw() into a suspended case body is caught by the enclosing function's catch, after its finally", () => {
    const log: string[] = [];
    const inner = (k: number) => {
      try {
        switch (k) {
          case 1:
            main.switch("suspended in case");
            log.push("not reached");
        }
      } finally {
        log.push("inner finally");
      }
    };
    const f = new Fiber(() => {
      try {
        inner(1);
      } catch (e) {
        log.push("outer catch " + (e as Error).message);
      }
      return "survived";
    });
    expect(f.switch()).toBe("suspended in case");
    expect(f.throw(new Error("x"))).toBe("survived");
    expect(log).toEqual(["inner finally", "outer catch x"]);
  });
});
