#!/usr/bin/env bash
# The README's run command. On a fresh machine it installs what is missing (pnpm, Java and
# Maven for the Kafka broker), builds, then runs the whole pipeline in the foreground:
# Kafka, the topics, the Talkover simulator, the ingest and the worker. Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh

require_node
ensure_pnpm
if [ -z "${KAFKA_BROKERS:-}" ]; then ensure_debian_packages java:openjdk-17-jre-headless mvn:maven; fi
install_and_build
exec node apps/cli/dist/main.js stack "$@"
