import type { Command } from "commander";
import { CommanderError } from "commander";
import type { CliContext } from "./context.js";
import { CliError, EXIT } from "./errors.js";
import { createProgram, type ProgramIo } from "./program.js";

/** Runs one command line; returns the exit code. Every failure is one line on stderr, never a stack. */
export async function runCli(
  argv: readonly string[],
  io: ProgramIo,
  extend?: (program: Command, context: () => CliContext) => void,
): Promise<number> {
  const program = createProgram(io, extend);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; commander already printed its message.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      io.err(`callbridge: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`callbridge: unexpected error: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}\n`);
    return EXIT.failed;
  }
}
