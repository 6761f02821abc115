// The temp directory every measured module runs from. Workload sources are
// copied there unchanged (the plain, generator and async peers run those
// copies) and compiled variants are written beside them, so every peer's
// module is loaded the same way from the same place. node_modules/ links
// back to this repository so that the sources' and the compiled output's
// imports of "fiberlet" (and "regenerator-runtime") resolve to this checkout.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";

export class Workspace {
  constructor({ root, workloads }) {
    this.root = root;
    this.dir = mkdtempSync(join(tmpdir(), "fiberlet-bench-"));
    cpSync(workloads, join(this.dir, "workloads"), { recursive: true });
    writeFileSync(join(this.dir, "package.json"), '{ "type": "module", "private": true }\n');
    const modules = join(this.dir, "node_modules");
    mkdirSync(modules);
    symlinkSync(root, join(modules, "fiberlet"), "dir");
    symlinkSync(join(root, "node_modules/regenerator-runtime"), join(modules, "regenerator-runtime"), "dir");
    this.variants = new Map();
  }

  // The copied, unmodified source.
  source(relative) {
    return join(this.dir, "workloads", relative);
  }

  // Writes `variant` of a source next to it (once per run; a failed compile
  // is remembered and rethrown for every cell that needs it).
  variant(relative, variant, compile) {
    const key = `${relative}#${variant}`;
    if (!this.variants.has(key)) {
      const from = this.source(relative);
      const to = join(dirname(from), basename(from).replace(/\.mjs$/, `.${variant}.mjs`));
      try {
        writeFileSync(to, compile(from));
        this.variants.set(key, { file: to });
      } catch (error) {
        this.variants.set(key, { error });
      }
    }
    const { file, error } = this.variants.get(key);
    if (error) throw error;
    return file;
  }

  remove() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
