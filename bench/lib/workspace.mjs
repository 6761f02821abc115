// The temp directory every measured module runs from. Workload sources are
// copied there unchanged (the plain, generator and async peers run those
// copies) and compiled variants are written beside them, so every peer's
// module is loaded the same way from the same place.
//
// node_modules/fiberlet is a snapshot of this package as built when the run
// started (package.json and dist/), so the plugin and runtime measured are
// one consistent build even if dist/ is rebuilt while the bench runs; its
// own node_modules links to the repository's for the plugin's dependencies.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";

// Paths of the files under `dir`, relative to it.
function filesUnder(dir, prefix = "") {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

export class Workspace {
  constructor({ root, workloads }) {
    this.root = root;
    this.dir = mkdtempSync(join(tmpdir(), "fiberlet-bench-"));
    cpSync(workloads, join(this.dir, "workloads"), { recursive: true });
    writeFileSync(join(this.dir, "package.json"), '{ "type": "module", "private": true }\n');
    const modules = join(this.dir, "node_modules");
    this.packageDir = join(modules, "fiberlet");
    mkdirSync(this.packageDir, { recursive: true });
    cpSync(join(root, "package.json"), join(this.packageDir, "package.json"));
    if (existsSync(join(root, "dist"))) cpSync(join(root, "dist"), join(this.packageDir, "dist"), { recursive: true });
    symlinkSync(join(root, "node_modules"), join(this.packageDir, "node_modules"), "dir");
    // The runtime finds its native addon in its own package (native/, with
    // the build or the prebuilds), never from the working directory.
    symlinkSync(join(root, "native"), join(this.packageDir, "native"), "dir");
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

  // Whether the repository's dist/ still holds the build snapshotted when the
  // run started (workloads that load dist/ from the repository need it).
  sameBuildAsRepository() {
    const ours = join(this.packageDir, "dist");
    const theirs = join(this.root, "dist");
    const names = filesUnder(ours).sort();
    if (names.join("\n") !== filesUnder(theirs).sort().join("\n")) return false;
    return names.every((name) => readFileSync(join(ours, name)).equals(readFileSync(join(theirs, name))));
  }

  remove() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
