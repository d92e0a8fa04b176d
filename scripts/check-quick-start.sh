#!/usr/bin/env bash
# CI: the README's quick start as a user runs it. `scripts/start.sh` in the background (the
# first terminal), then the demo and `dlq list` (the second), then Ctrl-C: it must stop
# everything it started. Uses the default ports (8080, 9464, 9465, 4010, and 19092 for the
# broker it starts unless KAFKA_BROKERS is set).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh

stack_log=$(mktemp)
bash scripts/start.sh >"$stack_log" 2>&1 &
stack_pid=$!
stop_stack() {
  if kill -0 "$stack_pid" 2>/dev/null; then kill -INT "$stack_pid" && wait "$stack_pid" || true; fi
}
trap stop_stack EXIT

for _ in $(seq 1 240); do
  grep -q "callbridge is running" "$stack_log" && break
  kill -0 "$stack_pid" 2>/dev/null || { cat "$stack_log"; die "scripts/start.sh exited before the stack was running"; }
  sleep 1
done
grep -q "callbridge is running" "$stack_log" || { cat "$stack_log"; die "the stack was not running after 240 s"; }
log "quick start: the stack is running"

node apps/cli/dist/main.js demo
letters=$(node apps/cli/dist/main.js dlq list)
echo "$letters"
grep -q "invalid_phone" <<<"$letters" || die "dlq list shows no invalid_phone letter after the demo"

kill -INT "$stack_pid"
wait "$stack_pid" || die "scripts/start.sh exited $? on Ctrl-C"
grep -q "stopped; nothing left running" "$stack_log" || { cat "$stack_log"; die "Ctrl-C did not stop everything"; }
trap - EXIT
log "quick start: start.sh, the demo and dlq list work, and Ctrl-C stops it all"
