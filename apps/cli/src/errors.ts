/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed: Kafka unreachable, a topic missing, an invalid file. */
  failed: 1,
  /** The command line was wrong: unknown flag, bad filter, bad broker list. */
  usage: 2,
  /** Stopped by Ctrl-C (128 + SIGINT), the shell's convention. */
  sigint: 130,
  /** Stopped by SIGTERM (128 + 15). */
  sigterm: 143,
} as const;

export type CliErrorKind = "failed" | "usage" | "interrupted";

/** An expected failure, printed as one line without a stack trace. `kind` says which sort. */
export class CliError extends Error {
  readonly kind: CliErrorKind;

  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    kind?: CliErrorKind,
  ) {
    super(message);
    this.name = "CliError";
    this.kind = kind ?? (exitCode === EXIT.usage ? "usage" : "failed");
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage, "usage");
}

/** The signal that stopped a command, as `main.ts` passes it in the abort reason. */
type StopSignal = "SIGINT" | "SIGTERM";

function stopSignalOf(signal: AbortSignal): StopSignal {
  return signal.reason === "SIGTERM" ? "SIGTERM" : "SIGINT";
}

/** A command that stopped early on a signal: `what` says how far it got and how to go on. */
export function interruptedError(signal: AbortSignal, what: string): CliError {
  const name = stopSignalOf(signal);
  return new CliError(`stopped by ${name}: ${what}`, name === "SIGTERM" ? EXIT.sigterm : EXIT.sigint, "interrupted");
}
