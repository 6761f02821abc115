import { transformAsync } from "@babel/core";
import { defineConfig, type Plugin } from "vitest/config";
import { fileURLToPath } from "node:url";
import fiberlet from "./babel-plugin/index.js";

const runtime = fileURLToPath(new URL("./runtime/protocol.ts", import.meta.url));

// Test files that contain a "use fiber" directive are compiled with the
// fiberlet Babel plugin (after Vite strips TypeScript), so the same source
// runs on the stackless backend. FIBERLET_COMPILE=0 runs them unmodified,
// which is how the conformance suite exercises the native backend.
function compileMarked(): Plugin {
  return {
    name: "fiberlet-babel",
    enforce: "post",
    async transform(code, id) {
      if (process.env.FIBERLET_COMPILE === "0") return null; // worker threads of the native project
      if (id.includes("node_modules") || !/\.[cm]?[jt]sx?$/.test(id.split("?")[0])) return null;
      if (!code.includes("use fiber")) return null;
      const out = await transformAsync(code, {
        filename: id,
        babelrc: false,
        configFile: false,
        sourceMaps: true,
        plugins: [[fiberlet, { runtime }]],
      });
      return out && { code: out.code!, map: out.map };
    },
  };
}

const shared = {
  pool: "forks" as const,
  // The GC conformance tests (WeakRef + global.gc()) need gc exposed in
  // the test processes (and in the worker threads they start).
  execArgv: ["--expose-gc"],
  testTimeout: 30_000,
};

export default defineConfig({
  test: {
    projects: [
      {
        // Everything, with marked files compiled: the stackless backend
        // (and, in FIBERLET_BACKEND=auto, stackful fibers for unmarked targets).
        plugins: [compileMarked()],
        test: {
          ...shared,
          name: "stackless",
          include: ["test/**/*.test.ts"],
          // The real-library suite (minutes of cold compiles) and the random
          // fuzz campaign run with `npm run test:slow`; their ratchets are
          // recalibrated against the current plugin there (see README).
          // The installed-package test (test/package) needs the prebuilt
          // addons and Node 22/24/26: `npm run test:pack` (and .ci/run).
          exclude: [
            ...(process.env.FIBERLET_SLOW ? [] : ["test/libraries/**", "test/fuzz/fuzz.test.ts"]),
            ...(process.env.FIBERLET_PACK ? [] : ["test/package/**"]),
          ],
        },
      },
      {
        // The same conformance suite, not compiled, every fiber stackful.
        test: {
          ...shared,
          name: "native",
          include: ["test/conformance/**/*.test.ts"],
          env: { FIBERLET_COMPILE: "0", FIBERLET_BACKEND: "native" },
        },
      },
    ],
  },
});
