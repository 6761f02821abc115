/**
 * `fiberlet run [node options] <file> [args]`: runs a program the way
 * `node --import fiberlet/register <file> [args]` does, in a child Node (the
 * same Node binary), so the file is the main module as it would be under
 * node. The exit code (or the signal) is the program's.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError, type Command } from "./command.js";

export const run: Command = {
  summary: "run a .js/.ts program, compiling marked files and stripping types as they load",
  usage: [
    "Usage: fiberlet run [node options] <file> [args...]",
    "",
    "Runs <file> with Node and fiberlet/register: files with a \"use fiber\" directive are",
    "compiled as they load (cached), TypeScript types are stripped, stack traces show",
    "original lines. Options before <file> go to Node (e.g. --inspect, --max-old-space-size=4096:",
    "write a value with =); arguments after it go to the program.",
    "Same as: node --import fiberlet/register <file> [args...]",
  ].join("\n"),
  main(args) {
    const at = args.findIndex((a) => !a.startsWith("-"));
    if (at < 0) throw new UsageError("run: no file to run");
    const file = args[at];
    if (!existsSync(resolve(file))) throw new UsageError(`run: ${file} does not exist`);
    const register = pathToFileURL(require.resolve("../register/index.js")).href;
    const child = spawn(process.execPath, [...args.slice(0, at), "--import", register, file, ...args.slice(at + 1)], {
      stdio: "inherit",
    });
    // Ctrl-C reaches the child from the terminal; the CLI only waits for it.
    const ignore = () => {};
    process.on("SIGINT", ignore);
    process.on("SIGTERM", () => child.kill("SIGTERM"));
    return new Promise<number>((done, fail) => {
      child.on("error", fail);
      child.on("exit", (code, signal) => {
        process.off("SIGINT", ignore);
        if (signal) {
          process.removeAllListeners(signal);
          process.kill(process.pid, signal); // end the way the program ended
        }
        done(code ?? 1);
      });
    });
  },
};
