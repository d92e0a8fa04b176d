# Sourced by the scripts in scripts/: makes sure this machine has what the repo needs.
# Downloads go to a cache outside the repository ($CALLBRIDGE_CACHE, default ~/.cache/callbridge).

CALLBRIDGE_CACHE="${CALLBRIDGE_CACHE:-$HOME/.cache/callbridge}"

export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

log() { printf '\033[1m[callbridge]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[callbridge]\033[0m %s\n' "$*" >&2; exit 1; }

# Node 20.19+ (vite/vitest need it) or 22.12+.
require_node() {
  command -v node >/dev/null || die "Node.js is not installed; install Node 20 (20.19 or later) and run again."
  local version major minor
  version="$(node -p 'process.versions.node')"
  major="${version%%.*}"; minor="$(echo "$version" | cut -d. -f2)"
  if { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; } || [ "$major" -lt 20 ] || { [ "$major" -eq 21 ]; } || { [ "$major" -eq 22 ] && [ "$minor" -lt 12 ]; }; then
    die "Node $version is too old or unsupported; callbridge needs Node 20.19+ or 22.12+."
  fi
}

# The pnpm version pinned in package.json's packageManager, installed into the cache when the
# one on PATH differs (no global install, no corepack download-signature surprises).
ensure_pnpm() {
  local wanted
  wanted="$(node -p 'require("./package.json").packageManager.split("@")[1]')"
  if command -v pnpm >/dev/null && [ "$(pnpm --version 2>/dev/null)" = "$wanted" ]; then return; fi
  local prefix="$CALLBRIDGE_CACHE/tools/pnpm-$wanted"
  if [ ! -x "$prefix/node_modules/.bin/pnpm" ]; then
    log "installing pnpm $wanted into $prefix"
    npm install --silent --no-audit --no-fund --prefix "$prefix" "pnpm@$wanted" >/dev/null
  fi
  export PATH="$prefix/node_modules/.bin:$PATH"
  [ "$(pnpm --version)" = "$wanted" ] || die "could not get pnpm $wanted"
}

# Commands the tests need from Debian packages: "command:package" pairs. Installed with apt when
# missing; without apt (macOS, say) we only warn, since Docker can stand in (Testcontainers).
ensure_debian_packages() {
  local missing=() pair
  for pair in "$@"; do command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}"); done
  [ "${#missing[@]}" -eq 0 ] && return
  if ! command -v apt-get >/dev/null; then
    log "missing ${missing[*]} and no apt-get: install them, or run a Docker engine for Testcontainers"
    return
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    $sudo apt-get update -q >/dev/null 2>&1 || true
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || die "could not install ${missing[*]} with apt-get"
  fi
}

# Dependencies exactly as locked, then every package built.
install_and_build() {
  pnpm install --frozen-lockfile
  pnpm build
}
