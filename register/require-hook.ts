/**
 * CommonJS on Node before 22.15 (no module.registerHooks): require() is
 * served by Node's CommonJS loader, which module.register's hooks do not
 * reach, so its compile step is hooked instead (pirates, the hook
 * @babel/register uses). Gets the same cached compile as hooks.ts.
 */
import { addHook } from "pirates";
import { compileCached } from "./compile.js";
import { setupError } from "./diagnostic.js";
import { typescriptGoal } from "./hooks.js";
import { mayBeMarked, sourceKind, typesStrippedByNode } from "./source-kind.js";

export function hookRequire(): void {
  addHook(
    (code, filename) => {
      if (sourceKind(filename) === "js") {
        return mayBeMarked(code) ? compileCached(code, filename, "script").code : code;
      }
      if (!mayBeMarked(code) && typesStrippedByNode()) return code;
      const compiled = compileCached(code, filename, typescriptGoal(filename));
      if (compiled.goal === "module") {
        throw setupError(
          `${filename}: an ES module (it has import/export) cannot be loaded with require() on Node ${process.versions.node}; import it instead, or write CommonJS (.cts)`,
        );
      }
      return compiled.code;
    },
    { exts: [".js", ".cjs", ".ts", ".cts"], ignoreNodeModules: false },
  );
}
