"use fiber";
// The GC promise of the stackless backend: a suspended fiber that becomes
// unreachable is collected with everything its saved frames hold. The
// runtime must keep no reference to a fiber's frames once the fiber has
// taken them (the capture cursor R.capBot once pointed at the last record).
import { describe, expect, it } from "vitest";
import { Fiber, current } from "../../runtime/index.js";
import { collected } from "../conformance/support.js";

class Payload {}

function hold(main: Fiber, payload: Payload): unknown {
  const kept = payload;
  main.switch("suspended");
  return kept;
}

describe("an unreachable suspended stackless fiber", () => {
  it("is collected with the values its frames hold (outermost frame included)", async () => {
    const refs = (() => {
      const main = current();
      const payload = new Payload();
      const f = new Fiber(() => hold(main, payload));
      expect(f.switch()).toBe("suspended");
      expect(f.kind).toBe("stackless");
      return { fiber: new WeakRef(f), payload: new WeakRef(payload) };
    })();
    expect(await collected(refs.payload)).toBe(true);
    expect(await collected(refs.fiber)).toBe(true);
  });

  it("is collected after a refused suspension too", async () => {
    const refs = (() => {
      const main = current();
      const payload = new Payload();
      const f = new Fiber(() => {
        try {
          [1].forEach(() => hold(main, payload));
        } catch {
          // the boundary: cannot suspend through forEach
        }
        return hold(main, payload);
      });
      expect(f.switch()).toBe("suspended");
      return { payload: new WeakRef(payload) };
    })();
    expect(await collected(refs.payload)).toBe(true);
  });
});
