#!/usr/bin/env bash
# The README's test command. On a fresh machine it installs what is missing (pnpm, Debian
# packages, the Kafka jars on first use), then builds, type-checks, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh

require_node
ensure_pnpm
# Real Kafka from Maven Central jars needs Java 17 and Maven; Redis and kcat come from Debian.
ensure_debian_packages java:openjdk-17-jre-headless mvn:maven redis-server:redis-server kcat:kcat
install_and_build
pnpm typecheck
pnpm lint
# Deployment files, without a Docker engine: compose config, mounted paths, promtool.
bash scripts/check-compose.sh
# Alert rules: promtool check rules, promtool test rules (every alert firing and not firing).
bash scripts/check-prometheus.sh
bash scripts/check-helm.sh
pnpm test
# Dashboards and alerts against real data: a real Prometheus scraping the stack under load (about 80 s).
node infra/grafana/dist/prove/main.js
# The README's quick start as a user runs it: start.sh, the demo, dlq list, Ctrl-C (about 15 s).
bash scripts/check-quick-start.sh
# One request's trace read back from a real Jaeger (about 20 s), when Jaeger is built already:
# building it takes minutes, so CI never does (docs/tracing.md).
if (source scripts/lib/helm.sh && source scripts/lib/jaeger.sh && jaeger_cached); then
  bash scripts/check-jaeger.sh
else
  log "skipped scripts/check-jaeger.sh: Jaeger is not in the cache (build it once: bash scripts/build-jaeger.sh)"
fi
