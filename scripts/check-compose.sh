#!/usr/bin/env bash
# Checks the deployment files without a Docker engine:
#   1. infra/docker-compose.yml passes `docker compose config` (Compose v2; built from the Go
#      module proxy into $CALLBRIDGE_CACHE/tools when no v2 is installed);
#   2. every Dockerfile and bind-mounted path that the compose file names exists;
#   3. infra/prometheus/prometheus.yml (and the rule files it loads) pass `promtool check config`
#      (Debian package `prometheus`, installed with apt-get when missing).
# Exits non-zero on the first failure. Nothing is built or started, and nothing is written
# inside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
source scripts/lib/compose.sh

COMPOSE_FILE=infra/docker-compose.yml
PROMETHEUS_CONFIG=infra/prometheus/prometheus.yml

ensure_compose
compose() { "${COMPOSE[@]}" -f "$COMPOSE_FILE" --project-directory infra --profile tools "$@"; }
log "compose: ${COMPOSE[*]} ($("${COMPOSE[@]}" version --short 2>/dev/null || echo '?'))"

if compose_is_v2 "${COMPOSE[@]}"; then
  compose config -q || die "$COMPOSE_FILE: docker compose config failed (see above)"
else
  # v1 predates the top-level `name:`; it checks a copy without it (outside the repository).
  v1_copy="$(mktemp "${TMPDIR:-/tmp}/callbridge-compose.XXXXXX.yml")"
  trap 'rm -f "$v1_copy"' EXIT
  grep -v '^name:' "$COMPOSE_FILE" >"$v1_copy"
  "${COMPOSE[@]}" -f "$v1_copy" --project-directory infra --profile tools config -q ||
    die "$COMPOSE_FILE: docker-compose (v1) config failed (see above)"
fi
log "$COMPOSE_FILE: config OK"

# `config` does not look at the files a service builds from or mounts (a missing bind source
# would even be created, empty, at `up`). Compose v1 cannot print JSON, so v2 only.
if compose_is_v2 "${COMPOSE[@]}"; then
  # shellcheck disable=SC2016 # JavaScript, not shell
  compose config --format json | node -e '
    const { existsSync } = require("node:fs");
    const { join } = require("node:path");
    let text = "";
    process.stdin.on("data", (d) => { text += d; }).on("end", () => {
      const problems = [];
      for (const [name, service] of Object.entries(JSON.parse(text).services ?? {})) {
        if (service.build) {
          const dockerfile = join(service.build.context, service.build.dockerfile ?? "Dockerfile");
          if (!existsSync(dockerfile)) problems.push(`${name}: build.dockerfile ${dockerfile} does not exist`);
        }
        for (const volume of service.volumes ?? []) {
          if (volume.type === "bind" && !existsSync(volume.source)) problems.push(`${name}: bind mount ${volume.source} does not exist`);
        }
      }
      if (problems.length > 0) { console.error(problems.join("\n")); process.exit(1); }
    });' || die "$COMPOSE_FILE: missing files (see above)"
  log "$COMPOSE_FILE: every Dockerfile and bind-mount source exists"
else
  log "compose v1: skipped the Dockerfile and bind-mount existence check"
fi

ensure_debian_packages promtool:prometheus
command -v promtool >/dev/null || die "promtool is missing (Debian package prometheus)"
promtool check config "$PROMETHEUS_CONFIG" || die "$PROMETHEUS_CONFIG: promtool check config failed"
log "$PROMETHEUS_CONFIG: promtool ($(promtool --version 2>&1 | head -n 1 | awk '{print $3}')) OK"
