"use fiber";
// Property-based tests (fast-check): random sequences of values sent into
// fibers that receive them at the bottom of recursive marked descents of
// random depth, compared with a plain JavaScript model of the same
// computation. Locals computed before a switch are used after it, every frame
// records its unwinding, and errors are thrown into random depths.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Fiber } from "../../runtime/index.js";
import { main } from "./fixtures/harness.js";

interface Ask {
  depth: number;
  level: number;
  total: number;
}

/** Descends to `depth`, switches to main there, and on the way back up each
 * level adds its own constant (computed before the switch). */
function descend(depth: number, level: number, total: number, unwound: number[]): number {
  const k = level * 3 + 1;
  const got = level === depth ? (main.switch({ depth, level, total } satisfies Ask) as number) : descend(depth, level + 1, total, unwound);
  unwound.push(level);
  return got + k;
}

/** Like descend, with a try/catch/finally at every level: the level equal to
 * `catchAt` handles an error thrown in at the bottom. */
function guarded(depth: number, level: number, catchAt: number, log: string[]): number {
  try {
    const r = level === depth ? (main.switch(level) as number) : guarded(depth, level + 1, catchAt, log);
    return r + 1;
  } catch (e) {
    if (level !== catchAt) throw e;
    log.push(`caught ${(e as Error).message} at ${level}`);
    return -100;
  } finally {
    log.push(`finally ${level}`);
  }
}

function straight(depth: number, total: number): number {
  return depth === 0 ? (main.switch(total) as number) : straight(depth - 1, total);
}

const step = fc.record({ value: fc.integer({ min: -1000, max: 1000 }), depth: fc.nat({ max: 12 }) });

describe("property: values sent through recursive descents", () => {
  it("totals, switch order and unwinding match a plain model", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const unwound: number[] = [];
        const worker = new Fiber(() => {
          let total = 0;
          for (let i = 0; i < steps.length; i++) total += descend(steps[i].depth, 0, total, unwound);
          return total;
        });
        const asks: unknown[] = [];
        let out = worker.switch();
        let i = 0;
        while (worker.isAlive()) {
          asks.push(out);
          if (i >= steps.length) throw new Error("worker switched more often than there are steps");
          out = worker.switch(steps[i++].value);
        }

        // The model: the same computation without fibers.
        let total = 0;
        const expectedAsks: Ask[] = [];
        const expectedUnwound: number[] = [];
        for (const { value, depth } of steps) {
          expectedAsks.push({ depth, level: depth, total });
          let add = value;
          for (let level = depth; level >= 0; level--) {
            expectedUnwound.push(level);
            add += level * 3 + 1;
          }
          total += add;
        }
        expect(asks).toEqual(expectedAsks);
        expect(out).toBe(total);
        expect(unwound).toEqual(expectedUnwound);
      }),
      { numRuns: 200 },
    );
  });

  it("errors thrown in at random depths are caught at the chosen level; every finally runs once", () => {
    const action = fc
      .record({ depth: fc.nat({ max: 8 }), value: fc.integer({ min: 0, max: 100 }), throwIt: fc.boolean(), catchPick: fc.nat({ max: 9 }) })
      // catchAt: a level of the descent, or -1 (nobody in the descent catches)
      .map(({ depth, value, throwIt, catchPick }) => ({ depth, value, throwIt, catchAt: catchPick > depth ? -1 : catchPick }));
    fc.assert(
      fc.property(fc.array(action, { maxLength: 25 }), (actions) => {
        const log: string[] = [];
        const worker = new Fiber(() => {
          const results: unknown[] = [];
          for (const a of actions) {
            try {
              results.push(guarded(a.depth, 0, a.catchAt, log));
            } catch (e) {
              results.push("escaped " + (e as Error).message);
            }
          }
          return results;
        });
        const asked: unknown[] = [];
        let out = worker.switch();
        let i = 0;
        while (worker.isAlive()) {
          asked.push(out);
          if (i >= actions.length) throw new Error("worker switched more often than there are actions");
          const a = actions[i++];
          out = a.throwIt ? worker.throw(new Error("x" + i)) : worker.switch(a.value);
        }

        // The model.
        const expectedLog: string[] = [];
        const expectedResults: unknown[] = [];
        actions.forEach((a, index) => {
          if (!a.throwIt) {
            for (let level = a.depth; level >= 0; level--) expectedLog.push(`finally ${level}`);
            expectedResults.push(a.value + a.depth + 1);
            return;
          }
          const message = "x" + (index + 1);
          for (let level = a.depth; level >= 0; level--) {
            if (level === a.catchAt) expectedLog.push(`caught ${message} at ${level}`);
            expectedLog.push(`finally ${level}`);
          }
          expectedResults.push(a.catchAt === -1 ? "escaped " + message : -100 + a.catchAt);
        });
        expect(asked).toEqual(actions.map((a) => a.depth));
        expect(out).toEqual(expectedResults);
        expect(log).toEqual(expectedLog);
      }),
      { numRuns: 200 },
    );
  });

  it("several fibers fed in a random interleaving keep separate totals", () => {
    const schedule = fc.array(fc.record({ worker: fc.nat({ max: 3 }), value: fc.integer({ min: -50, max: 50 }) }), { maxLength: 60 });
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 10 }), { minLength: 4, maxLength: 4 }), schedule, (depths, sends) => {
        const workers = depths.map(
          (depth) =>
            new Fiber(() => {
              let total = 0;
              for (;;) total += straight(depth, total);
            }),
        );
        for (const w of workers) expect(w.switch()).toBe(0);
        const totals = [0, 0, 0, 0];
        for (const { worker, value } of sends) {
          totals[worker] += value;
          expect(workers[worker].switch(value)).toBe(totals[worker]);
        }
        for (const w of workers) expect(w.isAlive()).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
