// A temporary application with fiberlet installed the way npm installs it:
// node_modules/fiberlet holds a copy of the package's files (dist/,
// package.json, the native addon's build), with its own dependencies beside
// it, and the project's own Babel packages (peer dependencies) at the top.
// The copy lives outside this repository, so nothing in it can be found by
// walking up from the working directory or from the repository.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const repo = resolve(__dirname, "../../..");

/** Links node_modules/<name> of `dir` to this repository's install of it. */
function linkDependency(dir: string, name: string): void {
  const to = join(dir, "node_modules", name);
  mkdirSync(dirname(to), { recursive: true });
  symlinkSync(join(repo, "node_modules", name), to, "dir");
}

export function installedProject(prefix: string, peers = ["@babel/core", "@babel/preset-typescript"]): string {
  const project = mkdtempSync(join(tmpdir(), `fiberlet-${prefix}-`));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  const pkg = join(project, "node_modules", "fiberlet");
  mkdirSync(join(pkg, "native", "build", "Release"), { recursive: true });
  cpSync(join(repo, "dist"), join(pkg, "dist"), { recursive: true });
  cpSync(join(repo, "package.json"), join(pkg, "package.json"));
  cpSync(join(repo, "native", "binding.gyp"), join(pkg, "native", "binding.gyp"));
  cpSync(join(repo, "native", "build", "Release", "fiberlet.node"), join(pkg, "native", "build", "Release", "fiberlet.node"));
  const { dependencies } = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  for (const name of Object.keys(dependencies)) linkDependency(pkg, name);
  for (const name of peers) linkDependency(project, name);
  return project;
}

/** Copies examples/*.js (the browser examples: plain ES modules) into `dir`. */
export function copyExamples(dir: string): string[] {
  const names = readdirSync(join(repo, "examples")).filter((f) => f.endsWith(".js"));
  for (const name of names) cpSync(join(repo, "examples", name), join(dir, name));
  return names;
}
