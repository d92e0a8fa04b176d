#!/usr/bin/env bash
# Checks the Prometheus files with promtool (Debian package `prometheus`, installed with apt-get
# when missing):
#   1. every rule file in infra/prometheus/rules/ is valid (`promtool check rules`);
#   2. the alert unit tests in infra/prometheus/tests/ pass (`promtool test rules`);
#   3. infra/prometheus/prometheus.yml is valid, with the rule files it loads (`promtool check config`).
# Runs every check, then exits non-zero if any failed. Nothing is written inside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh

PROMETHEUS_DIR=infra/prometheus

ensure_debian_packages promtool:prometheus
command -v promtool >/dev/null || die "promtool is missing (Debian package prometheus)"
log "promtool $(promtool --version 2>&1 | head -n 1 | awk '{print $3}')"

shopt -s nullglob
rule_files=("$PROMETHEUS_DIR"/rules/*.yml)
test_files=("$PROMETHEUS_DIR"/tests/*.yml)
[ "${#rule_files[@]}" -gt 0 ] || die "no rule files in $PROMETHEUS_DIR/rules/"
[ "${#test_files[@]}" -gt 0 ] || die "no rule tests in $PROMETHEUS_DIR/tests/"

failed=()
promtool check rules "${rule_files[@]}" || failed+=("promtool check rules")
promtool test rules "${test_files[@]}" || failed+=("promtool test rules")
promtool check config "$PROMETHEUS_DIR/prometheus.yml" || failed+=("promtool check config")

[ "${#failed[@]}" -eq 0 ] || die "failed: ${failed[*]} (see above)"
log "prometheus: ${#rule_files[@]} rule file(s), ${#test_files[@]} test file(s) and prometheus.yml OK"
