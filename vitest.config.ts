import { transformAsync } from "@babel/core";
import { defineConfig, type Plugin } from "vitest/config";
import fiberlet from "./babel-plugin/index.js";

// Test files that contain a "use fiber" directive are compiled with the
// fiberlet Babel plugin (after Vite strips TypeScript), so the same source
// runs on the stackless backend. FIBERLET_COMPILE=0 runs them unmodified,
// which is how the conformance suite exercises the native backend.
function compileMarked(): Plugin {
  return {
    name: "fiberlet-babel",
    enforce: "post",
    async transform(code, id) {
      if (process.env.FIBERLET_COMPILE === "0") return null;
      if (id.includes("node_modules") || !/\.[cm]?[jt]sx?$/.test(id.split("?")[0])) return null;
      if (!code.includes("use fiber")) return null;
      const out = await transformAsync(code, {
        filename: id,
        babelrc: false,
        configFile: false,
        sourceMaps: true,
        plugins: [fiberlet],
      });
      return out && { code: out.code!, map: out.map };
    },
  };
}

export default defineConfig({
  plugins: [compileMarked()],
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 30_000,
  },
});
