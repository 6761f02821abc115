/**
 * A worker process of the pool (pool.mjs starts it with
 * --experimental-vm-modules and FIBERLET_BACKEND=continuation). It runs
 * one scenario per message, reporting each run as it ends, so a crash or a
 * hang costs the pool only the run in flight.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Executor } from "./execute.mjs";
import { readMetadata } from "./metadata.mjs";

const root = process.argv[2];
const executor = new Executor(root);
// Tests reject promises nobody handles; Node would end the process.
process.on("unhandledRejection", () => {});
// The pool is gone (killed, or done with this process): do not linger in a
// test that never ends.
process.on("disconnect", () => process.exit(0));

process.on("message", async ({ path, scenario, from }) => {
  const source = readFileSync(join(root, "test", path), "utf8");
  const meta = readMetadata(source);
  await executor.scenario(path, source, meta, scenario, (mode, result) => process.send({ mode, result }), from);
  process.send({ done: true });
});
