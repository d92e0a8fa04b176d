import { runCli } from "../run.js";

/** What a command line did: its exit code, stdout (each piece followed by a line break) and stderr. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface CliRunOptions {
  /** The environment the command sees; none by default. */
  readonly env?: Record<string, string | undefined>;
  /** Whether stderr is a terminal (the progress line is redrawn in place). */
  readonly interactive?: boolean;
  /** The clock, ms. */
  readonly nowMs: () => number;
}

/** Runs `callbridge ...args` in-process, as main.ts runs it, collecting what it prints. */
export async function runCallbridge(args: readonly string[], options: CliRunOptions): Promise<CliRun> {
  let out = "";
  let err = "";
  const code = await runCli(args, {
    env: options.env ?? {},
    out: (text) => {
      out += `${text}\n`;
    },
    err: (text) => {
      err += text;
    },
    interactive: options.interactive ?? false,
    nowMs: options.nowMs,
    signal: new AbortController().signal,
  });
  return { code, out, err };
}
