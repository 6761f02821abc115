"use fiber";
// Port of python-fibers tests/test_weakref.py (WeakRefTests): weakref.ref +
// gc.collect() map to WeakRef + global.gc() (see support.ts collected()).
import { describe, expect, it } from "vitest";
import { Fiber } from "../../runtime/index.js";
import { collected } from "./support.js";

describe("WeakRefTests (python-fibers tests/test_weakref.py)", () => {
  it("test_dead_weakref", async () => {
    function deadFiber() {
      const g = new Fiber(() => undefined);
      g.switch();
      return g;
    }
    const o = (() => new WeakRef(deadFiber()))();
    expect(await collected(o)).toBe(true);
  });

  it("test_inactive_weakref", async () => {
    const o = (() => new WeakRef(new Fiber()))();
    expect(await collected(o)).toBe(true);
  });
});
