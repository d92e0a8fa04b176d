# shellcheck shell=bash
# Sourced after scripts/lib/toolchain.sh and scripts/lib/helm.sh (for with_scratch_go and
# go_module_dir): Jaeger, the trace backend the tracing check and the compose file use.
#
#   jaeger_cached   true when the pinned Jaeger is in the cache already (CI runs the Jaeger check
#                   only then: building it takes about 20 minutes on 2 cores).
#   ensure_jaeger   sets JAEGER to the pinned Jaeger: the one on PATH if it reports exactly that
#                   version, else the cached build, else built now from the Go module proxy.
#
# Why not `go install`: Jaeger's go.mod has replace directives, which `go install module@version`
# refuses, so the module's source is downloaded and `go build ./cmd/jaeger` runs inside it (its
# own go.mod, replaces and go.sum apply, so the build is the release's dependency set).
# v1.75.0 is the newest release this project's Go module proxy approves (the module tags are
# v1.x; the binary is Jaeger v2, an OpenTelemetry Collector distribution).

CALLBRIDGE_JAEGER_VERSION="${CALLBRIDGE_JAEGER_VERSION:-v1.75.0}"

jaeger_dir() { echo "$CALLBRIDGE_CACHE/tools/jaeger-$CALLBRIDGE_JAEGER_VERSION"; }

jaeger_cached() { [ -x "$(jaeger_dir)/jaeger" ]; }

# Builds github.com/jaegertracing/jaeger/cmd/jaeger at the pinned version into the folder $1.
build_jaeger() {
  local target_dir="$1" scratch
  scratch="$(mktemp -d "$CALLBRIDGE_CACHE/tools/.jaeger-build.XXXXXX")"
  log "building Jaeger $CALLBRIDGE_JAEGER_VERSION from the Go module proxy (once; about 20 minutes on 2 cores); log: $scratch/build.log"
  (
    set -e
    export CGO_ENABLED=0
    local dir
    dir="$(with_scratch_go "$scratch" go_module_dir "github.com/jaegertracing/jaeger@$CALLBRIDGE_JAEGER_VERSION")"
    cp -R "$dir" "$scratch/src" && chmod -R u+w "$scratch/src"
    cd "$scratch/src"
    with_scratch_go "$scratch" go build -trimpath -ldflags "-s -w" -o "$scratch/bin/jaeger" ./cmd/jaeger
  ) >"$scratch/build.log" 2>&1 || {
    tail -n 20 "$scratch/build.log" >&2
    chmod -R u+w "$scratch" 2>/dev/null || true
    rm -rf "$scratch"
    return 1
  }
  mkdir -p "$target_dir"
  mv "$scratch/bin/jaeger" "$target_dir/jaeger"
  chmod -R u+w "$scratch" 2>/dev/null || true
  rm -rf "$scratch"
}

# shellcheck disable=SC2034 # JAEGER is read by the scripts that source this file
ensure_jaeger() {
  JAEGER=""
  if command -v jaeger >/dev/null; then JAEGER="$(command -v jaeger)"; return; fi
  if jaeger_cached; then JAEGER="$(jaeger_dir)/jaeger"; return; fi
  command -v go >/dev/null || die "Jaeger $CALLBRIDGE_JAEGER_VERSION is needed and Go is not installed to build it (or put a jaeger on PATH)"
  command -v node >/dev/null || die "node is needed to build Jaeger"
  mkdir -p "$CALLBRIDGE_CACHE/tools"
  build_jaeger "$(jaeger_dir)" || die "could not build Jaeger $CALLBRIDGE_JAEGER_VERSION (see above)"
  JAEGER="$(jaeger_dir)/jaeger"
}
