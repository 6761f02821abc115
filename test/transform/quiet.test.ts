"use fiber";
// Quiet functions (babel-plugin/quiet.ts): marked functions that can never
// suspend are emitted as written and branded 0. Each case checks what the
// analysis decided (the brand) and that behaviour is the same either way:
// loud functions still switch through every frame, quiet ones never break
// the entry-flag protocol.
import { describe, expect, it } from "vitest";
import { Fiber, current } from "../../runtime/index.js";
import { R } from "../../runtime/protocol.js";

const FM = Symbol.for("fiberlet.marked");
const brandOf = (fn: unknown) => (fn as Record<symbol, unknown>)[FM];

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
function isEven(n: number): boolean {
  return n === 0 ? true : isOdd(n - 1);
}
function isOdd(n: number): boolean {
  return n === 0 ? false : isEven(n - 1);
}
const square = (x: number) => x * x;
function usesSquare(x: number): number {
  return square(x) + Math.max(x, 0);
}
function switchesOut(x: unknown): unknown {
  return current().parent!.switch(x);
}
const viaConst = (x: unknown) => switchesOut(x);
function callsViaConst(x: unknown): unknown {
  return viaConst(x);
}
function throwsInside(): never {
  throw new Error("quiet throw");
}
class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}
const handlers = {
  quietOne(x: number) {
    return x + 1;
  },
  loudOne(x: unknown) {
    return switchesOut(x);
  },
};

describe("quiet functions", () => {
  it("functions that only call builtins and quiet functions are branded 0, recursion included", () => {
    expect([fib, isEven, isOdd, square, usesSquare, throwsInside, Point, handlers.quietOne].map(brandOf)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Reflect.get(Point.prototype.norm, FM)).toBe(0);
  });

  it("a function that can reach a switch, directly or through a const-bound arrow, stays loud", () => {
    expect([switchesOut, viaConst, callsViaConst, handlers.loudOne].map(brandOf)).toEqual([true, true, true, true]);
  });

  it("quiet functions compute what they did unmarked", () => {
    expect([fib(20), isEven(10), isOdd(7), usesSquare(3), new Point(3, 4).norm()]).toEqual([6765, true, true, 12, 5]);
  });

  it("a fiber whose target is quiet is stackless", () => {
    const f = new Fiber(fib, [10]);
    expect(f.kind).toBe("stackless");
    expect(f.switch()).toBe(55);
  });

  it("loud functions switch through each other and through const-bound arrows", () => {
    const f = new Fiber(() => [callsViaConst("a"), handlers.loudOne("b"), fib(5)]);
    expect(f.switch()).toBe("a");
    expect(f.switch(1)).toBe("b");
    expect(f.switch(2)).toEqual([1, 2, 5]);
  });

  it("entering a quiet function from a call site leaves the entry flag falsy, even when it throws", () => {
    // Called through an array: unknown callees, so real call sites that
    // store the callee's brand before the call.
    const calls: Array<(n: number) => unknown> = [throwsInside, fib];
    const f = new Fiber(() => {
      const seen: unknown[] = [];
      try {
        calls[0](0);
      } catch (e) {
        seen.push((e as Error).message, R.m);
      }
      seen.push(calls[1](3), R.m);
      return seen;
    });
    const out = f.switch() as unknown[];
    expect(out[0]).toBe("quiet throw");
    expect(out[1]).toBeFalsy();
    expect(out[2]).toBe(2);
    expect(out[3]).toBeFalsy();
  });
});
