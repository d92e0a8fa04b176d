#!/usr/bin/env node
import { runCli } from "./run.js";

// Ctrl-C (or SIGTERM) asks the command to stop after the work in flight; the signal's name is
// the abort reason, so the command can exit 130 or 143. A second signal does not force an exit:
// `stack` is then still stopping the broker and services it started.
const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stop.abort(signal));

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
  nowMs: Date.now,
  signal: stop.signal,
});
process.exitCode = code;
