"use fiber";
// Port of python-fibers tests/test_generator_nested.py (NestedGeneratorTests).
// Its genlet class, Yield(value, level) and Genlet() are in support.ts. Code
// that runs inside genlets iterates other genlets with explicit next() calls
// (Python's for loops and list comprehensions), not for-of: see support.ts.
import { describe, expect, it } from "vitest";
import { RuntimeError, nestedGenerator as Genlet, nestedYield as Yield } from "./support.js";

// A real (native) generator, the reference the genlets are compared with.
function* g1(n: number, seen: number[]) {
  for (let i = 0; i < n; i++) {
    seen.push(i + 1);
    yield i;
  }
}

const g2 = Genlet((n: number, seen: number[]) => {
  for (let i = 0; i < n; i++) {
    seen.push(i + 1);
    Yield(i);
  }
});

function nested(i: number) {
  Yield(i);
}

const g3 = Genlet((n: number, seen: number[]) => {
  for (let i = 0; i < n; i++) {
    seen.push(i + 1);
    nested(i);
  }
});

function a(n: number) {
  if (n === 0) return;
  const it = ax(n - 1);
  for (let r = it.next(); !r.done; r = it.next()) {
    Yield(r.value);
  }
  Yield(n);
}
const ax = Genlet(a);

const perms = Genlet((l: number[]) => {
  if (l.length > 1) {
    for (let i = 0; i < l.length; i++) {
      const e = l[i];
      // No syntactical sugar for generator expressions
      const sub = perms(l.filter((x) => x !== e));
      for (let r = sub.next(); !r.done; r = sub.next()) {
        Yield([e, ...(r.value as number[])]);
      }
    }
  } else {
    Yield(l);
  }
});

const gr1 = Genlet((n: number) => {
  for (let ii = 1; ii < n; ii++) {
    Yield(ii);
    Yield(ii * ii, 2);
  }
});

const gr2 = Genlet((n: number, seen: unknown[]) => {
  const it = gr1(n);
  for (let r = it.next(); !r.done; r = it.next()) {
    seen.push(r.value);
  }
});

describe("NestedGeneratorTests (python-fibers tests/test_generator_nested.py)", () => {
  it("test_layered_genlets", () => {
    const seen: unknown[] = [];
    for (const ii of gr2(5, seen)) {
      seen.push(ii);
    }
    expect(seen).toEqual([1, 1, 2, 4, 3, 9, 4, 16]);
  });

  it("test_permutations", () => {
    const genPerms = perms([0, 1, 2, 3]);
    const permutations = Array.from(genPerms);
    expect(permutations.length).toBe(4 * 3 * 2 * 1);
    expect(permutations).toContainEqual([0, 1, 2, 3]);
    expect(permutations).toContainEqual([3, 2, 1, 0]);
    // zip(perms(range(4)), perms(range(3))): stops at the shorter one
    const res: unknown[] = [];
    const left = perms([0, 1, 2, 3]);
    const right = perms([0, 1, 2]);
    for (;;) {
      const x = left.next();
      if (x.done) break;
      const y = right.next();
      if (y.done) break;
      res.push([x.value, y.value]);
    }
    expect(res).toEqual([
      [[0, 1, 2, 3], [0, 1, 2]],
      [[0, 1, 3, 2], [0, 2, 1]],
      [[0, 2, 1, 3], [1, 0, 2]],
      [[0, 2, 3, 1], [1, 2, 0]],
      [[0, 3, 1, 2], [2, 0, 1]],
      [[0, 3, 2, 1], [2, 1, 0]],
    ]);
    // XXX Test to make sure we are working as a generator expression
  });

  it("test_genlet_simple", () => {
    for (const g of [g1, g2, g3]) {
      const seen: number[] = [];
      for (let k = 0; k < 3; k++) {
        for (const j of g(5, seen)) {
          seen.push(j as number);
        }
      }
      expect(seen).toEqual([
        ...[1, 0, 2, 1, 3, 2, 4, 3, 5, 4],
        ...[1, 0, 2, 1, 3, 2, 4, 3, 5, 4],
        ...[1, 0, 2, 1, 3, 2, 4, 3, 5, 4],
      ]);
    }
  });

  it("test_genlet_bad", () => {
    // Python passes whether or not RuntimeError is raised; outside any genlet
    // Yield does raise it (and must not switch anywhere).
    expect(() => Yield(10)).toThrow(RuntimeError);
  });

  it("test_nested_genlets", () => {
    // The original only collects the values; they are checked here too.
    const seen: unknown[] = [];
    for (const ii of ax(5)) {
      seen.push(ii);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });
});
