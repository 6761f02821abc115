"use fiber";
// Port of python-fibers tests/test_throw.py (ThrowTests). Python's
// throw(typ[, val[, tb]]) becomes throw(errorObject): throwing a class means
// throwing a new instance of it.
import { describe, expect, it } from "vitest";
import { Fiber, current } from "../../runtime/index.js";
import { IndexError, RuntimeError, ValueError } from "./support.js";

function switchUp(val: unknown): unknown {
  return current().parent!.switch(val);
}

describe("ThrowTests (python-fibers tests/test_throw.py)", () => {
  it("test_class", () => {
    function f() {
      try {
        switchUp("ok");
      } catch (e) {
        if (!(e instanceof RuntimeError)) throw e;
        switchUp("ok");
        return;
      }
      switchUp("fail");
    }
    const g = new Fiber(f);
    let res = g.switch();
    expect(res).toBe("ok");
    res = g.throw(new RuntimeError());
    expect(res).toBe("ok");
  });

  it("test_val", () => {
    function f() {
      try {
        switchUp("ok");
      } catch (e) {
        if (!(e instanceof RuntimeError)) throw e;
        const val = e;
        if (val.message === "ciao") {
          switchUp("ok");
          return;
        }
      }
      switchUp("fail");
    }

    let g = new Fiber(f);
    let res = g.switch();
    expect(res).toBe("ok");
    res = g.throw(new RuntimeError("ciao"));
    expect(res).toBe("ok");

    // g.throw(RuntimeError, "ciao"): the (type, value) form has no JS
    // counterpart; it builds the same exception as the instance form.
    g = new Fiber(f);
    res = g.switch();
    expect(res).toBe("ok");
    res = g.throw(new RuntimeError("ciao"));
    expect(res).toBe("ok");
  });

  it("test_kill", () => {
    function f() {
      try {
        switchUp("ok");
        switchUp("fail");
      } catch (e) {
        return e;
      }
    }
    const g = new Fiber(f);
    let res = g.switch();
    expect(res).toBe("ok");
    res = g.throw(new ValueError());
    expect(res).toBeInstanceOf(ValueError);
    expect(g.isAlive()).toBe(false);
  });

  it("test_throw_goes_to_original_parent", () => {
    const main = current();

    function f1() {
      try {
        main.switch("f1 ready to catch");
      } catch (e) {
        if (!(e instanceof IndexError)) throw e;
        return "caught";
      }
      return "normal exit";
    }

    function f2() {
      main.switch("from f2");
    }

    const g1 = new Fiber(f1);
    const g2 = new Fiber({ target: f2, parent: g1 });
    expect(() => g2.throw(new IndexError())).toThrow(IndexError);
    expect(g2.isAlive()).toBe(false);
    expect(g1.isAlive()).toBe(true); // g1 is skipped because it was not started
  });

  it("test_throw_goes_to_original_parent2", () => {
    const main = current();

    function f1() {
      try {
        main.switch("f1 ready to catch");
      } catch (e) {
        if (!(e instanceof IndexError)) throw e;
        return "caught";
      }
      return "normal exit";
    }

    function f2() {
      main.switch("from f2");
    }

    const g1 = new Fiber(f1);
    const g2 = new Fiber({ target: f2, parent: g1 });
    let res = g1.switch();
    expect(res).toBe("f1 ready to catch");
    res = g2.throw(new IndexError());
    expect(res).toBe("caught");
    expect(g2.isAlive()).toBe(false);
    expect(g1.isAlive()).toBe(false);
  });

  it("test_throw_goes_to_original_parent3", () => {
    const main = current();

    function f1() {
      try {
        main.switch("f1 ready to catch");
      } catch (e) {
        if (!(e instanceof IndexError)) throw e;
        return "caught";
      }
      return "normal exit";
    }

    function f2() {
      main.switch("from f2");
    }

    const g1 = new Fiber(f1);
    const g2 = new Fiber({ target: f2, parent: g1 });
    let res = g1.switch();
    expect(res).toBe("f1 ready to catch");
    res = g2.switch();
    expect(res).toBe("from f2");
    res = g2.throw(new IndexError());
    expect(res).toBe("caught");
    expect(g2.isAlive()).toBe(false);
    expect(g1.isAlive()).toBe(false);
  });
});
