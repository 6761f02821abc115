#!/usr/bin/env node
/**
 * The fiberlet command line: `fiberlet <command> [args]`. Each command is a
 * module of its own in cli/ (command.ts says what one is); adding one is a
 * file and a line in `commands` below. Every failure is one line on stderr
 * (a source location first when there is one) and an exit code: 1 when the
 * work failed, 2 for a command line that cannot run. NODE_DEBUG=fiberlet
 * adds the stack of an unexpected error.
 */
import { EXIT, UsageError, type Command } from "./command.js";
import { isCompileError, isSetupError } from "../register/diagnostic.js";

/** Loaded on use, so `fiberlet run` does not load the build's code. */
const commands: Record<string, () => Command> = {
  run: () => require("./run.js").run,
  build: () => require("./build.js").build,
  check: () => require("./check.js").check,
};

function version(): string {
  return (require("../../../package.json") as { version: string }).version;
}

function help(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, load]) => `  ${name.padEnd(width)}  ${load().summary}`);
  return [
    "Usage: fiberlet <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Options:",
    "  -h, --help     this help; `fiberlet <command> --help` for a command's",
    "  -v, --version  the version of fiberlet",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    console.log(help());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "-v" || name === "--version") {
    console.log(version());
    return EXIT.ok;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) throw new UsageError(`unknown command "${name}"`);
  const command = load();
  if (args[0] === "-h" || args[0] === "--help") {
    console.log(command.usage);
    return EXIT.ok;
  }
  return command.main(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`fiberlet: ${err.message} (see fiberlet --help)`);
      process.exitCode = EXIT.usage;
    } else if (isCompileError(err) || isSetupError(err)) {
      console.error(`fiberlet: ${(err as Error).message}`);
      process.exitCode = EXIT.failed;
    } else {
      const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
      console.error(`fiberlet: ${message}`);
      if (/\bfiberlet\b/.test(process.env.NODE_DEBUG ?? "") && err instanceof Error) console.error(err.stack);
      process.exitCode = EXIT.failed;
    }
  },
);
