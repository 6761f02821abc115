"use fiber";
// try / catch / finally: switches in the try block, the catch block and the
// finally block (with a pending return, exception, break or continue), and
// errors thrown into the suspended stack with fiber.throw(). Every finally
// block must run exactly once. Every case runs in every mode of
// fixtures/harness.ts.
import { describe, expect, it } from "vitest";
import { Fiber } from "../../runtime/index.js";
import { type Case, hop, main, suite, t, thrown } from "./fixtures/harness.js";

const cases: Case[] = [
  {
    name: "switch in the try block, normal completion: finally once, after resuming",
    body(sw, log) {
      try {
        log.push("try");
        log.push("got " + sw("in try"));
      } catch (e) {
        log.push("catch (never)");
      } finally {
        log.push("finally");
      }
      return "end";
    },
    send: [1],
    yields: ["in try"],
    log: ["try", "@in try", "got 1", "finally"],
    result: "end",
  },
  {
    name: "switch in the catch block keeps the caught error",
    body(sw, log) {
      try {
        throw new Error("e1");
      } catch (e) {
        log.push("catch " + (e as Error).message);
        const v = sw("in catch");
        log.push(`catch got ${v}, still ${(e as Error).message}`);
      } finally {
        log.push("finally");
      }
      return "end";
    },
    send: ["v"],
    yields: ["in catch"],
    log: ["catch e1", "@in catch", "catch got v, still e1", "finally"],
    result: "end",
  },
  {
    name: "switch in the finally block after a normal try",
    body(sw, log) {
      try {
        log.push("try");
      } finally {
        log.push("finally got " + sw("in finally"));
      }
      log.push("after");
      return "end";
    },
    send: ["f"],
    yields: ["in finally"],
    log: ["try", "@in finally", "finally got f", "after"],
    result: "end",
  },
  {
    name: "switch in finally while a return is pending: the return value survives",
    body(sw, log) {
      try {
        return t(log, "return", "R");
      } finally {
        log.push("finally got " + sw("in finally"));
      }
    },
    send: ["x"],
    yields: ["in finally"],
    log: ["return", "@in finally", "finally got x"],
    result: "R",
  },
  {
    name: "switch in finally while an exception is pending: the exception survives",
    body(sw, log) {
      try {
        try {
          throw new Error("pending");
        } finally {
          log.push("finally got " + sw("in finally"));
        }
      } catch (e) {
        return "caught " + (e as Error).message;
      }
    },
    send: [1],
    yields: ["in finally"],
    log: ["@in finally", "finally got 1"],
    result: "caught pending",
  },
  {
    name: "return from finally after a switch overrides the pending return",
    body(sw) {
      try {
        return "from try";
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        return sw("override");
      }
    },
    send: ["F"],
    yields: ["override"],
    log: ["@override"],
    result: "F",
  },
  {
    name: "break in finally after a switch discards the pending exception",
    body(sw, log) {
      for (;;) {
        try {
          throw new Error("dropped");
        } finally {
          log.push("finally " + sw("in finally"));
          // eslint-disable-next-line no-unsafe-finally
          break;
        }
      }
      return "after loop";
    },
    send: [1],
    yields: ["in finally"],
    log: ["@in finally", "finally 1"],
    result: "after loop",
  },
  {
    name: "continue in finally after a switch: every iteration's finally runs once",
    body(sw, log) {
      let i = 0;
      while (i < 3) {
        i++;
        try {
          if (i === 2) throw new Error("dropped");
          if (i === 3) return "never: continue in finally wins";
        } finally {
          log.push(`finally ${i} ${sw(i)}`);
          // eslint-disable-next-line no-unsafe-finally
          continue;
        }
      }
      return "loop ended";
    },
    send: ["a", "b", "c"],
    yields: [1, 2, 3],
    log: ["@1", "finally 1 a", "@2", "finally 2 b", "@3", "finally 3 c"],
    result: "loop ended",
  },
  {
    name: "nested finally blocks with switches run once each, inner first",
    body(sw, log) {
      try {
        try {
          sw("inner try");
        } finally {
          log.push("inner finally");
          sw("inner finally");
        }
      } finally {
        log.push("outer finally");
        sw("outer finally");
      }
      return "done";
    },
    send: [0, 0, 0],
    yields: ["inner try", "inner finally", "outer finally"],
    log: ["@inner try", "inner finally", "@inner finally", "outer finally", "@outer finally"],
    result: "done",
  },
  {
    name: "rethrow from a catch after a switch reaches the outer catch, after the finally",
    body(sw, log) {
      try {
        try {
          throw new Error("a");
        } catch (e) {
          sw("in catch");
          throw new Error((e as Error).message + "b");
        } finally {
          log.push("finally 1");
        }
      } catch (e) {
        log.push("outer " + (e as Error).message);
      }
      return "done";
    },
    send: [0],
    yields: ["in catch"],
    log: ["@in catch", "finally 1", "outer ab"],
    result: "done",
  },
  {
    name: "an error thrown by a callee after resuming is caught by the resumed frame",
    body(sw) {
      const boom = () => {
        throw new Error("callee");
      };
      try {
        sw("s");
        boom();
        return "not reached";
      } catch (e) {
        return "caught " + (e as Error).message;
      }
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: "caught callee",
  },
  {
    name: "catch parameter destructuring and optional catch binding across switches",
    body(sw) {
      const r: unknown[] = [];
      try {
        throw { code: 7, detail: "d" };
      } catch ({ code, detail }: any) {
        r.push(sw(code), detail);
      }
      try {
        throw 1;
      } catch {
        r.push(sw("no binding"));
      }
      return r;
    },
    send: ["seven", "nb"],
    yields: [7, "no binding"],
    log: ["@7", "@no binding"],
    result: ["seven", "d", "nb"],
  },
  {
    name: "a finally with a switch runs once when the try returns from inside a loop",
    body(sw, log) {
      for (let i = 0; i < 3; i++) {
        try {
          if (i === 1) return "return at " + i;
        } finally {
          log.push(`finally ${i} ${sw(i)}`);
        }
      }
      return "not reached";
    },
    send: ["a", "b"],
    yields: [0, 1],
    log: ["@0", "finally 0 a", "@1", "finally 1 b"],
    result: "return at 1",
  },
  // ---- errors thrown into the suspended stack (fiber.throw) ----
  {
    name: "thrown into a try block: the catch runs, then the finally once",
    body(sw, log) {
      try {
        log.push("try");
        sw("s");
        log.push("not reached");
      } catch (e) {
        log.push("catch " + (e as Error).message);
        return "handled";
      } finally {
        log.push("finally");
      }
      return "not reached";
    },
    send: [thrown("x")],
    yields: ["s"],
    log: ["try", "@s", "catch x", "finally"],
    result: "handled",
  },
  {
    name: "thrown into a try/finally without catch: finally once, the error leaves the fiber",
    body(sw, log) {
      try {
        sw("s");
        log.push("not reached");
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
  {
    name: "thrown into a catch block: replaces the caught error, finally once",
    body(sw, log) {
      try {
        try {
          throw new Error("first");
        } catch (e) {
          sw("in catch");
          log.push("not reached");
        } finally {
          log.push("finally");
        }
      } catch (e) {
        return "outer " + (e as Error).message;
      }
      return "not reached";
    },
    send: [thrown("x")],
    yields: ["in catch"],
    log: ["@in catch", "finally"],
    result: "outer x",
  },
  {
    name: "thrown into a finally block with a pending return: the error wins",
    body(sw, log) {
      try {
        try {
          return "pending";
        } finally {
          log.push("finally start");
          sw("in finally");
          log.push("not reached");
        }
      } catch (e) {
        return "caught " + (e as Error).message;
      }
    },
    send: [thrown("x")],
    yields: ["in finally"],
    log: ["finally start", "@in finally"],
    result: "caught x",
  },
  {
    name: "thrown into a stack three frames deep: the nearest catch handles it, every finally once",
    body(sw, log) {
      const level3 = () => {
        try {
          return sw("deep");
        } finally {
          log.push("finally 3");
        }
      };
      const level2 = () => {
        try {
          return level3();
        } catch (e) {
          log.push("catch 2 " + (e as Error).message);
          return "recovered";
        } finally {
          log.push("finally 2");
        }
      };
      const level1 = () => {
        try {
          return level2() + "!";
        } catch (e) {
          log.push("catch 1 (wrong)");
          return "wrong";
        } finally {
          log.push("finally 1");
        }
      };
      return level1();
    },
    send: [thrown("x")],
    yields: ["deep"],
    log: ["@deep", "finally 3", "catch 2 x", "finally 2", "finally 1"],
    result: "recovered!",
  },
  {
    name: "after catching a thrown error the fiber switches again and finishes",
    body(sw, log) {
      let n = 0;
      for (;;) {
        try {
          n += sw(n);
          if (n > 5) return n;
        } catch (e) {
          log.push("caught " + (e as Error).message);
        }
      }
    },
    send: [1, thrown("x"), 10],
    yields: [0, 1, 1],
    log: ["@0", "@1", "caught x", "@1"],
    result: 11,
  },
  {
    name: "two errors thrown in, one after the other, at different depths of try",
    body(sw, log) {
      try {
        try {
          sw("first");
        } catch (e) {
          log.push("inner caught " + (e as Error).message);
          sw("second");
          log.push("not reached");
        } finally {
          log.push("inner finally");
        }
      } catch (e) {
        log.push("outer caught " + (e as Error).message);
      } finally {
        log.push("outer finally");
      }
      return "done";
    },
    send: [thrown("x"), thrown("y")],
    yields: ["first", "second"],
    log: ["@first", "inner caught x", "@second", "inner finally", "outer caught y", "outer finally"],
    result: "done",
  },
];

suite(cases);

describe("try with the fiber API used directly", () => {
  it("the error passed to f.throw() is the very object the catch receives", () => {
    let received: unknown;
    const f = new Fiber(() => {
      try {
        main.switch("waiting");
      } catch (e) {
        received = e;
        return "caught";
      }
      return "not caught";
    });
    expect(f.switch()).toBe("waiting");
    const err = new RangeError("identity");
    expect(f.throw(err)).toBe("caught");
    expect(received).toBe(err);
    expect(f.isAlive()).toBe(false);
  });

  it("a non-Error value thrown in is caught as is", () => {
    const f = new Fiber(() => {
      try {
        main.switch("waiting");
      } catch (e) {
        return e;
      }
    });
    f.switch();
    const payload = { not: "an error" };
    expect(f.throw(payload)).toBe(payload);
  });

  it("an uncaught error thrown in propagates to the parent after every finally ran once", () => {
    const log: string[] = [];
    const inner = () => {
      try {
        return hop(5, main, "deep");
      } finally {
        log.push("inner finally");
      }
    };
    const f = new Fiber(() => {
      try {
        return inner();
      } finally {
        log.push("outer finally");
      }
    });
    expect(f.switch()).toBe("deep");
    const err = new Error("unhandled");
    let escaped: unknown;
    try {
      f.throw(err);
    } catch (e) {
      escaped = e;
    }
    expect(escaped).toBe(err);
    expect(log).toEqual(["inner finally", "outer finally"]);
    expect(f.isAlive()).toBe(false);
  });

  it("a finally block that switches several times runs each part once", () => {
    const log: string[] = [];
    const f = new Fiber(() => {
      try {
        return "result";
      } finally {
        log.push("fin 1 " + main.switch("a"));
        log.push("fin 2 " + main.switch("b"));
      }
    });
    expect(f.switch()).toBe("a");
    expect(f.switch(1)).toBe("b");
    expect(f.switch(2)).toBe("result");
    expect(log).toEqual(["fin 1 1", "fin 2 2"]);
  });

  it("f.throw() while suspended in a finally that runs for a thrown error: the new error replaces it", () => {
    const log: string[] = [];
    const f = new Fiber(() => {
      try {
        try {
          throw new Error("original");
        } finally {
          log.push("finally start");
          main.switch("in finally");
          log.push("not reached");
        }
      } catch (e) {
        return "caught " + (e as Error).message;
      }
    });
    expect(f.switch()).toBe("in finally");
    expect(f.throw(new Error("replacement"))).toBe("caught replacement");
    expect(log).toEqual(["finally start"]);
  });
});

describe("a labeled try/finally resumed and suspended again", () => {
  it("runs its finally exactly once, after the last switch", () => {
    const got: unknown[] = [];
    let finals = 0;
    const f = new Fiber(() => {
      block: try {
        got.push(main.switch(1));
        got.push(main.switch(2)); // captured again, from the resumed frame
        if (got.length > 5) break block;
      } finally {
        finals += 1; // no call inside: a real finally, guarded against captures
      }
      return finals;
    });
    expect(f.switch()).toBe(1);
    expect(f.switch("x")).toBe(2);
    expect(finals).toBe(0);
    expect(f.switch("y")).toBe(1);
    expect(got).toEqual(["x", "y"]);
  });
});
