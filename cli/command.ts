/**
 * What a subcommand of the fiberlet CLI is: one module in cli/ exporting a
 * Command, listed in main.ts's table. It returns the process's exit code and
 * reports problems by throwing a UsageError (exit 2) or a compile error from
 * register/diagnostic.ts (exit 1); main.ts prints either as one line.
 */
export interface Command {
  /** One line for `fiberlet --help`. */
  summary: string;
  /** The command's own help text (`fiberlet <name> --help`). */
  usage: string;
  main(args: string[]): number | Promise<number>;
}

/** A command line the command cannot run: printed with a hint to --help. */
export class UsageError extends Error {}

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
