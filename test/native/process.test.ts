// Whole-process behaviour, in child processes: exit with suspended hosts,
// process.exit() inside a host, uncaught exceptions, fetch() (wasm).
import { expect, it } from "vitest";
import { describeNative, report, runFixture } from "./helpers";

describeNative("native hosts and the process", () => {
  it("exits cleanly with the right code when the loop empties with 50 hosts suspended", () => {
    const r = runFixture("exit.cjs", [], ["natural"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(3);
    expect(r.stdout).toContain("exit event 3, suspended 50");
    expect(r.stdout).not.toContain("finally ran");
  });

  it("honours process.exit(code) on the main stack with hosts suspended", () => {
    const r = runFixture("exit.cjs", [], ["exit"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(4);
    expect(r.stdout).not.toContain("finally ran");
  });

  it("honours process.exit(code) called inside a host", () => {
    const r = runFixture("exit.cjs", [], ["inside"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(5);
    expect(r.stdout).toContain("exit event 5");
  });

  it("exits with code 1 on an uncaught exception on the main stack with hosts suspended", () => {
    const r = runFixture("exit.cjs", [], ["throw"]);
    expect(r.status).toBe(1);
    expect(r.signal).toBe(null);
    expect(r.stderr).toContain("boom on main");
  });

  it("delivers an exception escaping a timer-resumed host to process.on('uncaughtException')", () => {
    const r = runFixture("uncaught.cjs");
    expect(r.status, r.stderr).toBe(0);
    expect(report(r)).toEqual({
      caught: true,
      message: "thrown in a host",
      origin: "uncaughtException",
      running: true,
    });
  });

  it("runs fetch() (undici, WebAssembly) with 100 hosts suspended and inside a host", () => {
    const r = runFixture("fetch.cjs", ["--expose-gc"]);
    expect(r.status, r.stderr).toBe(0);
    expect(report(r)).toEqual({ ok: 20, result: "hello /inside", suspended: 100 });
  });
});
