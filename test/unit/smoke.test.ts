"use fiber";
import { describe, expect, it } from "vitest";
import { Fiber, current } from "../../runtime/index.js";

function fib(n: number): number {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}

function deep(n: number, main: Fiber): number {
  if (n === 0) return main.switch(n) as number;
  return 1 + deep(n - 1, main);
}

describe("smoke", () => {
  it("runs marked code without switching", () => {
    expect(fib(10)).toBe(55);
  });
  it("switches back and forth", () => {
    const main = current();
    const f = new Fiber(() => {
      let total = 0;
      for (let i = 0; i < 3; i++) total += main.switch(i) as number;
      return total;
    });
    expect(f.switch()).toBe(0);
    expect(f.switch(10)).toBe(1);
    expect(f.switch(20)).toBe(2);
    expect(f.switch(30)).toBe(60);
    expect(f.isAlive()).toBe(false);
  });
  it("suspends deep stacks", () => {
    const main = current();
    const f = new Fiber(deep, [5, main]);
    expect(f.switch()).toBe(0);
    expect(f.switch(100)).toBe(105);
  });
});
