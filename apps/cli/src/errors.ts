/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed: Kafka unreachable, a topic missing, an invalid file. */
  failed: 1,
  /** The command line was wrong: unknown flag, bad filter. */
  usage: 2,
} as const;

/** An expected failure, printed as one line without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}
