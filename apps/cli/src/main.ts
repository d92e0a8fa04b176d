#!/usr/bin/env node
import { EXIT } from "./errors.js";
import { pipeOutput } from "./output/pipe-output.js";
import { runCli } from "./run.js";

// Ctrl-C (or SIGTERM) asks the command to stop after the work in flight; the signal's name is
// the abort reason, so the command can exit 130 or 143. A second signal does not force an exit:
// `stack` is then still stopping the broker and services it started.
const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stop.abort(signal));

// A reader that went away (`callbridge suppress export | head -2`) wants no more output: every
// command then stops as on Ctrl-C, after the work in flight, says nothing more (its "stopped"
// line would be about the pipe, not a failure) and exits 0, as Unix tools do.
const stdout = pipeOutput(process.stdout, () => stop.abort("EPIPE"));
const stderr = pipeOutput(process.stderr, () => {});

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => {
    if (!stdout.closed()) stderr.write(text);
  },
  interactive: process.stderr.isTTY === true,
  nowMs: Date.now,
  signal: stop.signal,
});
process.exitCode = stdout.closed() ? EXIT.ok : code;
