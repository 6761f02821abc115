// A throwaway project that uses fiberlet the way an installed project does:
// node_modules/fiberlet links to this package (its build in dist/ and its
// own dependencies), node_modules/@babel to the repository's Babel.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const root = resolve(__dirname, "../..");

export interface Project {
  dir: string;
  /** Writes files (paths relative to the project), creating directories. */
  write(files: Record<string, string>): void;
  read(file: string): string;
  /** Runs a command with `node` as this Node (or another binary), in the project. */
  run(args: string[], options?: { env?: Record<string, string | undefined>; node?: string }): Ran;
}

export interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A temp project: package.json, fiberlet and Babel linked, and the files of
 * test/integration/fixtures/<fixtures> if named. */
export function makeProject(packageJson: object = { name: "app", type: "module" }, fixtures?: string): Project {
  const dir = mkdtempSync(join(tmpdir(), "fiberlet-it-"));
  if (fixtures) cpSync(join(__dirname, "fixtures", fixtures), dir, { recursive: true });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules", "fiberlet"), "dir");
  symlinkSync(join(root, "node_modules", "@babel"), join(dir, "node_modules", "@babel"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify(packageJson));
  return {
    dir,
    write(files) {
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), text);
      }
    },
    read(file) {
      return readFileSync(join(dir, file), "utf8");
    },
    run(args, options = {}) {
      const r = spawnSync(options.node ?? process.execPath, args, {
        cwd: dir,
        encoding: "utf8",
        timeout: 60_000,
        // The project's own cache directory, and no inherited debug output.
        env: { ...process.env, NODE_DEBUG: "", NODE_OPTIONS: "", FIBERLET_CACHE_DIR: join(dir, ".cache"), ...options.env },
      });
      return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
    },
  };
}
