"use fiber";
// Port of python-fibers tests/test_gc.py (GCTests). weakref.ref + gc.collect()
// map to WeakRef + global.gc() (after a couple of macrotasks, see
// support.ts collected()). `assert not gc.garbage` has no JS counterpart: V8
// has no list of uncollectable cycles, so it is dropped. Fibers are created
// in nested functions so no variable of the test itself keeps them alive.
import { describe, expect, it } from "vitest";
import { Fiber, current } from "../../runtime/index.js";
import { collected } from "./support.js";

describe("GCTests (python-fibers tests/test_gc.py)", () => {
  it("test_circular_fiber", async () => {
    class CircularFiber extends Fiber {
      self: CircularFiber | null = null;
    }
    const o = (() => {
      const o = new CircularFiber();
      o.self = o;
      return new WeakRef(o);
    })();
    expect(await collected(o)).toBe(true);
  });

  it("test_dead_circular_ref", async () => {
    const o = (() => {
      const dead = new Fiber(current).switch() as Fiber;
      expect(dead).toBeInstanceOf(Fiber);
      expect(dead.isAlive()).toBe(false);
      return new WeakRef(dead);
    })();
    expect(await collected(o)).toBe(true);
  });

  it("test_inactive_ref", async () => {
    const o = (() => {
      const o = new Fiber(() => undefined);
      return new WeakRef(o);
    })();
    expect(await collected(o)).toBe(true);
  });

  it("test_finalizer_crash", async () => {
    // The original checks that collecting a suspended fiber that sits in a
    // garbage cycle (fiber <-> array) and owns an object with a finalizer
    // does not crash. Ported with the rest of what python-fibers does there:
    // the fiber is collected, and (no GC magic) nothing runs in it, so its
    // finally block never runs.
    class ObjectWithFinalizer {}
    let finallyRan = false;
    const refs = (() => {
      const array: unknown[] = [];
      const parent = current();
      // Set from a helper's frame: on the stackful backend a suspended stack
      // is a GC root, so a fiber whose own suspended frames still hold it
      // (even in a dead interpreter register) is never collected (README).
      function remember() {
        (current() as Fiber & { object?: unknown }).object = new ObjectWithFinalizer();
      }
      function greenletBody() {
        remember();
        try {
          parent.switch();
        } finally {
          finallyRan = true;
          delete (current() as Fiber & { object?: unknown }).object;
        }
      }
      const g = new Fiber(greenletBody) as Fiber & { array?: unknown[]; object?: unknown };
      g.array = array;
      array.push(g);
      g.switch();
      expect(g.object).toBeInstanceOf(ObjectWithFinalizer);
      return { g: new WeakRef(g), array: new WeakRef(array), object: new WeakRef(g.object as object) };
    })();
    current();
    expect(await collected(refs.g)).toBe(true);
    expect(await collected(refs.array)).toBe(true);
    expect(await collected(refs.object)).toBe(true);
    expect(finallyRan).toBe(false);
  });
});
