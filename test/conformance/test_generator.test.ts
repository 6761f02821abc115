"use fiber";
// Port of python-fibers tests/test_generator.py (GeneratorTests). The genlet
// class, Yield and generator() are in support.ts.
import { describe, expect, it } from "vitest";
import { genletYield as Yield, generator } from "./support.js";

describe("GeneratorTests (python-fibers tests/test_generator.py)", () => {
  it("test_generator", () => {
    const seen: number[] = [];

    function g(n: number) {
      for (let i = 0; i < n; i++) {
        seen.push(i);
        Yield(i);
      }
    }
    const gen = generator(g);
    for (let k = 0; k < 3; k++) {
      for (const j of gen(5)) {
        seen.push(j as number);
      }
    }
    expect(seen).toEqual([
      ...[0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
      ...[0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
      ...[0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
    ]);
  });
});
