// Lifetime: unreachable hosts are reclaimed (threads back to the pool, none
// of their JavaScript runs), the self-reference rule, churn and GC stress.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, it } from "vitest";
import { addon, coroutine, describeNative, KiB, report, runFixture } from "./helpers";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    // Reclamation runs at a safe point: a libuv async callback (or the next
    // spawn/handoff), never inside the GC.
    await new Promise((r) => setImmediate(r));
  }
}

describeNative("native host lifetime", () => {
  it("reclaims an unreachable suspended host without running its catch or finally", async () => {
    const ran: string[] = [];
    const before = addon.stats();
    (() => {
      const co = coroutine((suspend) => {
        try {
          suspend("parked");
          ran.push("after suspend");
        } catch {
          ran.push("catch");
        } finally {
          ran.push("finally");
        }
      });
      expect(co.resume()).toBe("parked");
    })();
    expect(addon.stats().suspended).toBe(before.suspended + 1);
    await collect();
    const after = addon.stats();
    expect(after.suspended).toBe(before.suspended);
    expect(after.reclaimed).toBe(before.reclaimed + 1);
    expect(ran).toEqual([]);
    // The thread went back to the pool.
    expect(after.idleThreads).toBeGreaterThanOrEqual(1);
  });

  it("frees never-started hosts, even when entry references its own Host", async () => {
    const before = addon.stats();
    (() => {
      for (let i = 0; i < 100; i++) {
        const box: { host?: unknown } = {};
        box.host = addon.spawn(() => box.host as never, 256 * KiB);
      }
    })();
    expect(addon.stats().hosts).toBe(before.hosts + 100);
    await collect();
    expect(addon.stats().hosts).toBe(before.hosts);
  });

  it("cannot reclaim a suspended host whose stack references its own Host (the rule)", async () => {
    const before = addon.stats();
    const escape: { co?: ReturnType<typeof coroutine> } = {};
    const weak = (() => {
      const co = coroutine((suspend) => {
        const me = co; // a strong self-reference on the host's own stack
        suspend(1);
        return me.done;
      });
      co.resume();
      escape.co = co;
      return new WeakRef(co.host);
    })();
    const keepAlive = escape.co!;
    delete escape.co;
    expect(keepAlive.done).toBe(false);
    await collect();
    // Still alive: only the program can end it now (or process exit).
    expect(weak.deref()).toBeDefined();
    expect(addon.stats().suspended).toBe(before.suspended + 1);
    keepAlive.resume();
    expect(addon.stats().suspended).toBe(before.suspended);
  });

  it("reclaims hosts suspended inside native callbacks, and chains of hosts", async () => {
    const before = addon.stats();
    (() => {
      for (let i = 0; i < 20; i++) {
        const co = coroutine((suspend) => {
          // The inner host is parked in handoff(outer): its stack references
          // the outer host. The outer one drops the inner before it suspends.
          coroutine((suspendInner) => [1, 2].map((x) => suspendInner(x))).resume();
          return [3, 4].sort((a, b) => (suspend(a), a - b));
        });
        co.resume();
      }
    })();
    expect(addon.stats().suspended).toBe(before.suspended + 40);
    // Inner hosts go first; that frees the outer ones for the next collection.
    await collect();
    await collect();
    expect(addon.stats().suspended).toBe(before.suspended);
  });

  it("never reclaims a cycle through two suspended stacks (documented limit)", async () => {
    const before = addon.stats();
    const probe = (() => {
      const outer = coroutine((suspend) => {
        // inner's stack references outer (it is parked in handoff(outer));
        // outer's stack keeps `inner` across its own switch: a cycle of roots.
        const inner = coroutine((suspendInner) => suspendInner("inner parked"));
        inner.resume();
        suspend("outer parked");
        return inner.done;
      });
      outer.resume();
      return new WeakRef(outer.host);
    })();
    await collect();
    await collect();
    expect(probe.deref()).toBeDefined();
    expect(addon.stats().suspended).toBe(before.suspended + 2);
  });

  it("keeps threads and RSS flat over 20,000 create-suspend-drop cycles", () => {
    const r = runFixture("churn.cjs", ["--expose-gc"], ["20000"], 90_000);
    expect(r.status, r.stderr).toBe(0);
    const { samples, unwoundBodies } = report<{
      samples: { cycles: number; threads: number; rss: number; reclaimed: number }[];
      unwoundBodies: number;
    }>(r);
    expect(unwoundBodies).toBe(0);
    const first = samples[0];
    const last = samples[samples.length - 1];
    expect(last.cycles).toBe(20_000);
    expect(last.reclaimed).toBeGreaterThanOrEqual(20_000 - 400);
    // Bounded by the idle pool, not by the number of cycles.
    expect(last.threads).toBeLessThanOrEqual(first.threads + 8);
    expect(last.threads).toBeLessThan(200);
    expect(last.rss - first.rss).toBeLessThan(24 * 1024 * 1024);
  }, 120_000);

  it("keeps objects reachable only from 600 suspended stacks intact under compaction stress", () => {
    const r = runFixture(
      "gc-stress.cjs",
      ["--stress-compaction", "--gc-interval=2000"],
      ["600", "3"],
      90_000,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(report(r)).toMatchObject({ checks: 1800, suspended: 600 });
  }, 120_000);
});
