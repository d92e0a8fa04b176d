#!/usr/bin/env bash
# The README's run command. Today it builds the repo and starts the Talkover simulator in the
# foreground (Ctrl-C stops it); the ingest and worker join it as they are built.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh

require_node
ensure_pnpm
install_and_build
log "Talkover simulator on http://127.0.0.1:${PORT:-4010} (token talq_test_token); Ctrl-C stops it"
exec node apps/talkover-sim/dist/main.js
