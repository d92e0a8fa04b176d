# shellcheck shell=bash
# Sourced after scripts/lib/toolchain.sh: finds a Docker Compose v2 or makes one.
#
# ensure_compose sets COMPOSE (an array: the command to run) to the first of
#   1. `docker compose` (the CLI plugin),
#   2. a `docker-compose` on PATH that is v2,
#   3. the pinned v2 built earlier into $CALLBRIDGE_CACHE/tools,
#   4. the pinned v2 built now from the Go module proxy (needs `go`; about 2 minutes, once),
#   5. Debian's docker-compose 1.29 (Python, v1), with a warning: it predates parts of the
#      Compose spec this repo uses, so treat its verdict as weaker.
# Nothing is written inside the repository.

CALLBRIDGE_COMPOSE_VERSION="${CALLBRIDGE_COMPOSE_VERSION:-v2.40.3}"

compose_is_v2() { "$@" version --short 2>/dev/null | grep -Eq '^v?2\.'; }

# Builds github.com/docker/compose/v2/cmd at $CALLBRIDGE_COMPOSE_VERSION into $1. `go install
# module@version` refuses it (its go.mod has exclude directives), so the module's source is
# downloaded from the proxy and built in place. Go's caches for this build live in a scratch
# folder that is removed afterwards: only the binary (about 65 MB) stays.
build_compose_v2() {
  local target="$1" scratch
  scratch="$(mktemp -d "$CALLBRIDGE_CACHE/tools/.compose-build.XXXXXX")"
  log "building Docker Compose $CALLBRIDGE_COMPOSE_VERSION from the Go module proxy (once; about 2 minutes)"
  (
    export GOPATH="$scratch/gopath" GOMODCACHE="$scratch/gopath/pkg/mod" GOCACHE="$scratch/gocache" GOFLAGS=-modcacherw
    set -e
    local dir
    dir="$(go mod download -json "github.com/docker/compose/v2@$CALLBRIDGE_COMPOSE_VERSION" | node -e 'let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>{const m=JSON.parse(s);if(m.Error){console.error(m.Error);process.exit(1)}console.log(m.Dir)})')"
    cp -R "$dir" "$scratch/src" && chmod -R u+w "$scratch/src"
    cd "$scratch/src"
    go build -trimpath \
      -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$CALLBRIDGE_COMPOSE_VERSION" \
      -o "$scratch/docker-compose" ./cmd
  ) >"$scratch/build.log" 2>&1 || {
    tail -n 20 "$scratch/build.log" >&2
    rm -rf "$scratch"
    return 1
  }
  mkdir -p "$(dirname "$target")"
  mv "$scratch/docker-compose" "$target"
  rm -rf "$scratch"
}

# shellcheck disable=SC2034 # COMPOSE is read by the scripts that source this file
ensure_compose() {
  COMPOSE=()
  if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); return; fi
  if command -v docker-compose >/dev/null && compose_is_v2 docker-compose; then COMPOSE=(docker-compose); return; fi

  local cached="$CALLBRIDGE_CACHE/tools/docker-compose-$CALLBRIDGE_COMPOSE_VERSION/docker-compose"
  if [ -x "$cached" ] && compose_is_v2 "$cached"; then COMPOSE=("$cached"); return; fi
  mkdir -p "$CALLBRIDGE_CACHE/tools"
  if command -v go >/dev/null && command -v node >/dev/null && build_compose_v2 "$cached" && compose_is_v2 "$cached"; then
    COMPOSE=("$cached")
    return
  fi

  log "could not get Docker Compose v2 (no Go, or the build failed); falling back to Debian's docker-compose v1"
  command -v docker-compose >/dev/null || ensure_debian_packages docker-compose:docker-compose
  command -v docker-compose >/dev/null || die "no Docker Compose available: install the Compose v2 plugin"
  COMPOSE=(docker-compose)
}
