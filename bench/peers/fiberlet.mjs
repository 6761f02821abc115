// The fiberlet peers. "fiberlet" is the stackless backend: the fiber-style
// workload source (module-level "use fiber" directive) compiled at bench time
// by @babel/core with the plugin from dist/. "stackful" runs the same source
// uncompiled on the native backend, once the runtime says it has one.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export function distPaths(packageDir) {
  return {
    runtime: join(packageDir, "dist/cjs/runtime/index.js"),
    plugin: join(packageDir, "dist/cjs/babel-plugin/index.js"),
  };
}

function requireBuilt(packageDir, file) {
  if (!existsSync(file)) throw new Error(`${file.slice(packageDir.length + 1)} missing: run npm run build`);
  return createRequire(join(packageDir, "package.json"))(file);
}

// The stackful column runs when the addon loads: in auto mode a fiber with
// an unmarked target is then stackful (creating one spawns no thread yet).
export function nativeAvailable(runtime) {
  try {
    return new runtime.Fiber(function plain() {}).kind === "stackful";
  } catch {
    return false;
  }
}

export function fiberletPeer(packageDir) {
  const paths = distPaths(packageDir);
  let plugin;
  const compile = (file) => {
    plugin ??= requireBuilt(packageDir, paths.plugin);
    const babel = createRequire(join(packageDir, "package.json"))("@babel/core");
    const out = babel.transformSync(readFileSync(file, "utf8"), {
      filename: file,
      sourceType: "module",
      babelrc: false,
      configFile: false,
      plugins: [plugin.default ?? plugin],
    });
    return out.code;
  };
  return {
    name: "fiberlet",
    style: "fiber",
    lenient: true,
    describe: "stackless fibers: source compiled by the fiberlet Babel plugin (dist/)",
    unavailable: () => null,
    prepare: (workspace, relative) => workspace.variant(relative, "fiberlet", compile),
    plugin: paths.plugin,
  };
}

export function stackfulPeer(packageDir) {
  const paths = distPaths(packageDir);
  return {
    name: "stackful",
    style: "fiber",
    lenient: true,
    describe: "stackful fibers: the same source uncompiled, native backend",
    unavailable() {
      let runtime;
      try {
        runtime = requireBuilt(packageDir, paths.runtime);
      } catch (error) {
        return `native backend unavailable (${error.message})`;
      }
      return nativeAvailable(runtime) ? null : "native backend unavailable (the addon did not load: see `npm rebuild fiberlet`)";
    },
    prepare: (workspace, relative) => workspace.source(relative),
    // Every fiber stackful; a FiberError (a failed cell) if the addon is missing.
    env: { FIBERLET_BACKEND: "native" },
  };
}
