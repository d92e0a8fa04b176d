#!/usr/bin/env bash
# CI: the README's quick start as a user runs it. `scripts/start.sh` in the background (the
# first terminal), then the demo and `dlq list` (the second), then Ctrl-C: it must stop
# everything it started. Uses the default ports (8080, 9464, 9465, 4010, and 19092 for the
# broker it starts unless KAFKA_BROKERS is set).
#
# Passes at any hour: at night where the demo's numbers are, the recipient guard defers their
# calls, and the demo must then say so and how to see them placed. With RECIPIENT_GUARD=off (which
# the stack hands to the worker) every call must be placed.
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

demo=$(node apps/cli/dist/main.js demo) || { echo "$demo"; die "the demo failed"; }
echo "$demo"
grep -q "^every request has a result: " <<<"$demo" || die "the demo did not report a result for every request"
if grep -q "calling_window" <<<"$demo"; then
  grep -q "it is outside the calling window where these numbers are" <<<"$demo" || die "calls were deferred for the calling window, but the demo does not say why"
  grep -q "RECIPIENT_GUARD=off bash scripts/start.sh" <<<"$demo" || die "calls were deferred, but the demo does not say how to see them placed"
else
  grep -qE "^every request has a result: [0-9]+ placed" <<<"$demo" || die "the demo placed no calls and explained no deferral"
fi
if [ "${RECIPIENT_GUARD:-on}" = off ]; then
  grep -qE "^every request has a result: [0-9]+ placed$" <<<"$demo" || die "RECIPIENT_GUARD=off, yet not every demo call was placed"
fi
letters=$(node apps/cli/dist/main.js dlq list)
echo "$letters"
grep -q "invalid_phone" <<<"$letters" || die "dlq list shows no invalid_phone letter after the demo"

kill -INT "$stack_pid"
wait "$stack_pid" || die "scripts/start.sh exited $? on Ctrl-C"
grep -q "stopped; nothing left running" "$stack_log" || { cat "$stack_log"; die "Ctrl-C did not stop everything"; }
trap - EXIT
log "quick start: start.sh, the demo and dlq list work, and Ctrl-C stops it all"
