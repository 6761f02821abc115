/**
 * fiberlet/register: `node --import fiberlet/register app.ts` (or
 * `--require fiberlet/register`) compiles marked files and strips TypeScript
 * as Node loads them, for import and require alike (hooks.ts).
 *
 *   Node 22.15+        module.registerHooks: synchronous, in-thread hooks
 *   Node 20.6 - 22.14  module.register (import) + a CommonJS require hook
 *
 * Source maps are switched on so stack traces show the original lines.
 */
import * as nodeModule from "node:module";
import { pathToFileURL } from "node:url";
import { loadSync } from "./hooks.js";
import { hookRequire } from "./require-hook.js";

const installed = Symbol.for("fiberlet.register");
const global = globalThis as { [installed]?: boolean };

if (!global[installed]) {
  global[installed] = true;
  process.setSourceMapsEnabled(true);
  const { registerHooks, register } = nodeModule as typeof nodeModule & {
    registerHooks?: (hooks: { load: typeof loadSync }) => unknown;
  };
  if (typeof registerHooks === "function") {
    registerHooks({ load: loadSync });
  } else if (typeof register === "function") {
    register(pathToFileURL(require.resolve("./async-hooks.js")).href);
    hookRequire();
  } else {
    throw new Error(`fiberlet/register needs Node 20.6 or later (module.register); this is Node ${process.versions.node}`);
  }
}
