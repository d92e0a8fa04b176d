#!/usr/bin/env bash
# One person's request followed end to end in a real trace backend (docs/tracing.md): starts the
# pinned Jaeger (scripts/lib/jaeger.sh; built into $CALLBRIDGE_CACHE/tools first if missing, which
# takes minutes), a Kafka instance of its own, Redis, the simulator, the ingest and the worker with
# tracing on, and Prometheus with exemplar storage; sends one signed webhook and reads its trace
# back through Jaeger's query API (test/jaeger/main.ts says what it requires). Stops everything it
# started; exits non-zero naming what failed. CI runs it only when Jaeger is cached already
# (scripts/test.sh); `bash scripts/build-jaeger.sh` puts it there.
#
# Env: CHECK_JAEGER_TIMEOUT_SECONDS (default 180), PROMETHEUS_BIN (default /usr/bin/prometheus).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
source scripts/lib/helm.sh
source scripts/lib/jaeger.sh

require_node
ensure_pnpm
ensure_jaeger
ensure_debian_packages java:openjdk-17-jre-headless mvn:maven redis-server:redis-server prometheus:prometheus
[ -d node_modules ] || pnpm install --frozen-lockfile
# The apps and the packages the check imports, built (turbo skips what is up to date).
pnpm exec turbo run build --filter=@callbridge/test^... --output-logs=errors-only >/dev/null
log "Jaeger $CALLBRIDGE_JAEGER_V2_VERSION: $JAEGER"
JAEGER_BIN="$JAEGER" pnpm --silent --filter @callbridge/test check:jaeger
