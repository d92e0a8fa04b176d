#!/usr/bin/env bash
# Builds the pinned Jaeger (scripts/lib/jaeger.sh) from the Go module proxy into
# $CALLBRIDGE_CACHE/tools, once: 5-20 minutes on 2 cores, so CI never does it on its own. After
# it, scripts/test.sh runs scripts/check-jaeger.sh. Prints the binary's path; nothing is written
# inside the repository. A jaeger on PATH that reports the pinned version is used instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
source scripts/lib/helm.sh
source scripts/lib/jaeger.sh

started=$SECONDS
ensure_jaeger
log "Jaeger $CALLBRIDGE_JAEGER_V2_VERSION: $JAEGER ($((SECONDS - started)) s)"
echo "JAEGER=$JAEGER"
