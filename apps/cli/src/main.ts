#!/usr/bin/env node
import { runCli } from "./run.js";

const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stop.abort());

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
  nowMs: Date.now,
  signal: stop.signal,
});
process.exitCode = code;
