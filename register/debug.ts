/**
 * NODE_DEBUG=fiberlet prints what the loader does with each file (compiled,
 * read from the cache, left to Node), Node's own switch for a module's
 * debug output.
 */
import { debuglog } from "node:util";

export const debug = debuglog("fiberlet");
