/** The module module.register loads (off-thread) on Node before 22.15: the
 * asynchronous variant of the load hook (hooks.ts). */
export { load } from "./hooks.js";
