# shellcheck shell=bash
# Sourced after scripts/lib/toolchain.sh and scripts/lib/helm.sh (for with_scratch_go and
# go_module_dir): Jaeger, the trace backend scripts/check-jaeger.sh runs and the compose file's
# image (docs/tracing.md).
#
#   jaeger_cached   true when the pinned Jaeger is in the cache already (CI runs the Jaeger check
#                   only then: building it takes minutes, see build_jaeger).
#   ensure_jaeger   sets JAEGER to the pinned Jaeger: the one on PATH if it reports exactly that
#                   version, else the cached build, else built now from the Go module proxy.
#
# Versions: Jaeger's Go module is tagged v1.x while the program it builds is Jaeger v2, an
# OpenTelemetry Collector distribution, released under both numbers at once. Module tag v1.75.0
# is Jaeger v2.12.0 (the module's RELEASE.md at that tag names 2.12.0 as the release after
# v1.74.0 / v2.11.0, the newest section of its CHANGELOG.md), the image
# jaegertracing/jaeger:2.12.0. It is the newest tag this project's Go module proxy approves.
# Release binaries report the v2 number (`jaeger version` prints
# {"gitCommit":…,"gitVersion":"v2.12.0",…} on stdout); our build stamps the same.
#
# Why not `go install`: Jaeger's go.mod has a replace directive (github.com/Shopify/sarama), which
# `go install module@version` refuses, so the module's source is downloaded and `go build
# ./cmd/jaeger` runs inside it (its own go.mod, replaces and go.sum apply, so the build is the
# release's dependency set). The module's source has no built UI (the jaeger-ui submodule is not
# in it): the build serves the query API and a placeholder page; the image has the UI.

CALLBRIDGE_JAEGER_VERSION="${CALLBRIDGE_JAEGER_VERSION:-v1.75.0}"
CALLBRIDGE_JAEGER_V2_VERSION="${CALLBRIDGE_JAEGER_V2_VERSION:-v2.12.0}"

jaeger_dir() { echo "$CALLBRIDGE_CACHE/tools/jaeger-$CALLBRIDGE_JAEGER_VERSION"; }

# The version a jaeger binary ($1) reports, from the JSON `jaeger version` prints.
jaeger_reported_version() {
  "$1" version 2>/dev/null | sed -n 's/.*"gitVersion":"\([^"]*\)".*/\1/p'
}

jaeger_is_pinned() { [ "$(jaeger_reported_version "$1")" = "$CALLBRIDGE_JAEGER_V2_VERSION" ]; }

jaeger_cached() { [ -x "$(jaeger_dir)/jaeger" ] && jaeger_is_pinned "$(jaeger_dir)/jaeger"; }

# Builds github.com/jaegertracing/jaeger/cmd/jaeger at the pinned version into the folder $1, with
# the build information the release's Makefile stamps (scripts/makefiles/BuildInfo.mk: the v2
# version and the commit's date; the commit hash is not in the module's source, so it stays empty).
build_jaeger() {
  local target_dir="$1" scratch
  scratch="$(mktemp -d "$CALLBRIDGE_CACHE/tools/.jaeger-build.XXXXXX")"
  log "building Jaeger $CALLBRIDGE_JAEGER_V2_VERSION (module $CALLBRIDGE_JAEGER_VERSION) from the Go module proxy (once; 5-20 minutes on 2 cores); log: $scratch/build.log"
  (
    set -e
    export CGO_ENABLED=0
    local dir date ldflags version_pkg=github.com/jaegertracing/jaeger/internal/version
    dir="$(with_scratch_go "$scratch" go_module_dir "github.com/jaegertracing/jaeger@$CALLBRIDGE_JAEGER_VERSION")"
    date="$(with_scratch_go "$scratch" go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' "github.com/jaegertracing/jaeger@$CALLBRIDGE_JAEGER_VERSION")"
    ldflags="-s -w -X $version_pkg.latestVersion=$CALLBRIDGE_JAEGER_V2_VERSION -X $version_pkg.date=$date"
    cp -R "$dir" "$scratch/src" && chmod -R u+w "$scratch/src"
    cd "$scratch/src"
    with_scratch_go "$scratch" go build -trimpath -ldflags "$ldflags" -o "$scratch/bin/jaeger" ./cmd/jaeger
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
  if command -v jaeger >/dev/null && jaeger_is_pinned jaeger; then JAEGER="$(command -v jaeger)"; return; fi
  if jaeger_cached; then JAEGER="$(jaeger_dir)/jaeger"; return; fi
  command -v go >/dev/null || die "Jaeger $CALLBRIDGE_JAEGER_V2_VERSION is needed and Go is not installed to build it (or put that jaeger on PATH)"
  command -v node >/dev/null || die "node is needed to build Jaeger"
  mkdir -p "$CALLBRIDGE_CACHE/tools"
  build_jaeger "$(jaeger_dir)" || die "could not build Jaeger $CALLBRIDGE_JAEGER_V2_VERSION (see above)"
  jaeger_is_pinned "$(jaeger_dir)/jaeger" || die "$(jaeger_dir)/jaeger does not report $CALLBRIDGE_JAEGER_V2_VERSION"
  JAEGER="$(jaeger_dir)/jaeger"
}
