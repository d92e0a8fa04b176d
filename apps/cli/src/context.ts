/** What every command gets from main: settings from flags and env, and where to write. */
export interface CliContext {
  readonly brokers: string[];
  readonly topics: { readonly callRequests: string; readonly deadLetters: string; readonly callResults: string; readonly replays: string };
  readonly json: boolean;
  readonly out: (text: string) => void;
  /** Progress lines (stderr), only on a terminal. */
  readonly progress: ((text: string) => void) | undefined;
  readonly nowMs: () => number;
  /** Aborted on SIGINT/SIGTERM (the reason is the signal's name): stop after the work in flight. */
  readonly signal: AbortSignal;
}
