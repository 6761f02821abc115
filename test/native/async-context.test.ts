// Async context (AsyncLocalStorage, async hooks) is per JS thread, not per
// host. These tests pin down what the scheduler has to deal with; the
// findings and recommendations are in docs/native.md.
import { AsyncLocalStorage, AsyncResource, executionAsyncId } from "node:async_hooks";
import { expect, it } from "vitest";
import { addon, coroutine, describeNative, report, runFixture, usesAsyncContextFrame, type Coroutine } from "./helpers";

const als = new AsyncLocalStorage<string>();

/** The recommended driver: each host keeps its own frame, captured at
 * creation and saved/restored around every switch. */
function framedCoroutine(body: Parameters<typeof coroutine>[0]): Coroutine {
  let frame = addon.getAsyncContextFrame();
  const co = coroutine(body);
  return {
    host: co.host,
    resume(value?: unknown) {
      const outer = addon.getAsyncContextFrame();
      addon.setAsyncContextFrame(frame);
      try {
        return co.resume(value);
      } finally {
        frame = addon.getAsyncContextFrame();
        addon.setAsyncContextFrame(outer);
      }
    },
    get done() {
      return co.done;
    },
  };
}

describeNative("native hosts and async context", () => {
  it("shows a plain host the ALS context of whoever resumed it", () => {
    const co = coroutine((suspend) => {
      const seen = [als.getStore()];
      suspend();
      seen.push(als.getStore());
      return seen;
    });
    als.run("A", () => co.resume());
    expect(als.run("B", () => co.resume())).toEqual(["A", "B"]);
  });

  it("leaks a host's als.run() scope to its resumer when it switches out inside it", () => {
    const co = coroutine((suspend) =>
      als.run("fiber", () => {
        suspend();
        return als.getStore();
      }),
    );
    expect(als.run("main", () => (co.resume(), als.getStore()))).toBe("fiber");
    // ... and the host's own scope was overwritten by the resumer's.
    expect(als.run("main again", () => co.resume())).toBe("main again");
  });

  it("gives each host its own ALS context when the driver saves and restores the frame", () => {
    if (!usesAsyncContextFrame()) {
      // async_hooks-based ALS (Node 20, 22 without the flag): the store lives
      // on the current async resource, which hosts share; the frame accessors
      // do not affect it.
      const co = framedCoroutine((suspend) => {
        const seen = [als.getStore()];
        suspend();
        return [...seen, als.getStore()];
      });
      als.run("X", () => co.resume());
      expect(als.run("Y", () => co.resume())).toEqual(["X", "Y"]);
      return;
    }
    const co = als.run("created", () =>
      framedCoroutine((suspend) => {
        const seen = [als.getStore()];
        suspend();
        seen.push(als.getStore());
        return als.run("inner", () => {
          suspend();
          return [...seen, als.getStore()];
        });
      }),
    );
    als.run("X", () => co.resume());
    const resumerSees = als.run("Y", () => (co.resume(), als.getStore()));
    expect(resumerSees).toBe("Y");
    expect(als.run("Z", () => co.resume())).toEqual(["created", "created", "inner"]);
    // Promise continuations started in the host keep the host's context.
    const co2 = als.run("promise", () =>
      framedCoroutine(() => Promise.resolve().then(() => als.getStore())),
    );
    return expect(als.run("other", () => co2.resume())).resolves.toBe("promise");
  });

  it("lets a driver detect a switch inside runInAsyncScope through executionAsyncId()", () => {
    const co = coroutine((suspend) => {
      const switchedIn = executionAsyncId();
      const inside = new AsyncResource("Work").runInAsyncScope(() => executionAsyncId());
      suspend();
      return [switchedIn, inside, executionAsyncId()];
    });
    const outside = executionAsyncId();
    co.resume();
    const [switchedIn, inside, after] = co.resume() as number[];
    expect(switchedIn).toBe(outside);
    expect(inside).not.toBe(switchedIn);
    expect(after).toBe(outside);
  });

  it("corrupts Node's async hook stack if a host switches out inside runInAsyncScope (fatal)", () => {
    const r = runFixture("async-scope.cjs", [], ["unguarded"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("async hook stack has become corrupted");
  });

  it("avoids that crash when the driver refuses such a switch", () => {
    const r = runFixture("async-scope.cjs", [], ["guarded"]);
    expect(r.status, r.stderr).toBe(0);
    expect(report(r)).toEqual({
      refused: "refused: switching out inside an async scope entered in this host",
      last: "done",
    });
  });
});
