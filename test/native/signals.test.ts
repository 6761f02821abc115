// Signals on fiber threads (native/src/signals.h): faults V8 turns into
// exceptions reach its handler in a fiber and in a Worker created from one;
// fiber threads and such Workers run with the JS thread's signal mask.
import { expect, it } from "vitest";
import { describeNative, report, runFixture } from "./helpers";

type WorkerReport = { blocked: string; wasm: string };
type Report = {
  mainBlocked: string;
  main?: string;
  fiber?: string;
  pooled?: string;
  fiberBlocked?: string;
  workerFromMain?: WorkerReport;
  workerFromFiber?: WorkerReport;
};

const oob = "RuntimeError: memory access out of bounds";

describeNative("signals on fiber threads", () => {
  it("a WebAssembly out-of-bounds load in a fiber is a RuntimeError, not a SIGSEGV", () => {
    const r = runFixture("signals.cjs", [], ["wasm"]);
    expect(r.signal, r.stderr).toBe(null);
    expect(r.status, r.stderr).toBe(0);
    const out = report<Report>(r);
    expect(out.main).toBe(oob);
    expect(out.fiber).toBe(oob);
    expect(out.pooled).toBe(oob);
  });

  it("a fiber thread blocks exactly the signals its JS thread blocks", () => {
    const r = runFixture("signals.cjs", [], ["mask"]);
    expect(r.status, r.stderr).toBe(0);
    const out = report<Report>(r);
    expect(out.fiberBlocked).toBe(out.mainBlocked);
    expect(out.workerFromMain!.wasm).toBe(oob);
  });

  it("a Worker created inside a fiber gets the main thread's mask and its wasm traps work", () => {
    const fromMain = report<Report>(runFixture("signals.cjs", [], ["mask"])).workerFromMain!;
    const r = runFixture("signals.cjs", [], ["worker"]);
    expect(r.signal, r.stderr).toBe(null);
    expect(r.status, r.stderr).toBe(0);
    const out = report<Report>(r);
    expect(out.workerFromFiber).toEqual({ blocked: fromMain.blocked, wasm: oob });
  });
});
