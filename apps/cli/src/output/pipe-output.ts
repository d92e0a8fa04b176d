/** A stream the CLI writes its output to: process.stdout or process.stderr, or a pipe in tests. */
interface OutputStream {
  write(text: string): unknown;
  readonly destroyed: boolean;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** Output whose reader may go away before the command is done, as `callbridge suppress export | head -2` does. */
export interface PipeOutput {
  /** Writes `text` as it is; nothing once the reader has gone. */
  readonly write: (text: string) => void;
  /** Whether the reader has gone. */
  readonly closed: () => boolean;
}

/**
 * Writes to `stream` until its reader goes away (EPIPE), then calls `onClosed` once and drops
 * everything written after: the output is no longer wanted, and a write to the closed pipe
 * would otherwise end the process with an unhandled 'error' event and a stack trace. Other
 * write errors are left to fail as before.
 */
export function pipeOutput(stream: OutputStream, onClosed: () => void): PipeOutput {
  let closed = false;
  stream.on("error", (error) => {
    if (closed) return;
    if (!isClosedPipe(error)) throw error;
    closed = true;
    onClosed();
  });
  return {
    write: (text) => {
      if (!closed && !stream.destroyed) stream.write(text);
    },
    closed: () => closed,
  };
}

/** Whether a write failed because the pipe's reader has gone (`| head` after its lines). */
export function isClosedPipe(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === "EPIPE";
}
