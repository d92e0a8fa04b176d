# shellcheck shell=bash
# Sourced after scripts/lib/toolchain.sh: the tools scripts/check-helm.sh needs, each pinned and
# kept in $CALLBRIDGE_CACHE/tools (nothing is written inside the repository).
#
#   ensure_helm                sets HELM to Helm $CALLBRIDGE_HELM_VERSION: the one on PATH if it
#                              is exactly that version, else the one built earlier into the
#                              cache, else built now from the Go module proxy (about 2-5 minutes,
#                              once; Go's caches for it live in a scratch folder removed after).
#   ensure_kubernetes_validate sets K8S_PYTHON to a venv's python with kubernetes-validate (and
#                              its dependencies) at pinned versions; the wheel ships the
#                              Kubernetes JSON schemas, so validating needs no network.
#   ensure_crd_schemas         sets CRD_DIR to a folder holding the upstream CRDs of the custom
#                              resources the chart renders (ServiceMonitor, PrometheusRule from
#                              prometheus-operator; ScaledObject from KEDA), read from those
#                              projects' Go modules at pinned versions.

CALLBRIDGE_HELM_VERSION="${CALLBRIDGE_HELM_VERSION:-v3.22.0}"
# Helm v3.22.0 is built against client-go v0.37, so its default Kubernetes version is 1.37 (the
# Makefile derives these ldflags the same way; we pass --kube-version anyway).
CALLBRIDGE_HELM_KUBE_MAJOR=1
CALLBRIDGE_HELM_KUBE_MINOR=37
# kubernetes-validate and the versions pip resolved for its dependencies when it was pinned.
CALLBRIDGE_KUBERNETES_VALIDATE_PINS=(
  kubernetes-validate==1.37.0
  PyYAML==6.0.4
  jsonschema==4.26.0
  jsonschema-specifications==2025.9.1
  referencing==0.37.0
  rpds-py==2026.9.1
  attrs==26.1.0
  typing-extensions==4.16.0
  importlib-resources==7.1.0
  packaging==26.4
)
# The CRDs' sources: Go modules whose trees hold the CRD manifests. KEDA v2.21.1 needs Go 1.27.4
# to download, v2.21.0 does not (same CRD schema for ScaledObject within a minor release).
CALLBRIDGE_PROMETHEUS_OPERATOR_VERSION="${CALLBRIDGE_PROMETHEUS_OPERATOR_VERSION:-v0.85.0}"
CALLBRIDGE_KEDA_VERSION="${CALLBRIDGE_KEDA_VERSION:-v2.21.0}"

helm_is_pinned() { [ "$("$@" version --template '{{.Version}}' 2>/dev/null)" = "$CALLBRIDGE_HELM_VERSION" ]; }

# Runs "$@" with Go's module cache, build cache and GOPATH in the scratch folder $1.
with_scratch_go() {
  local scratch="$1"
  shift
  GOPATH="$scratch/gopath" GOMODCACHE="$scratch/gopath/pkg/mod" GOCACHE="$scratch/gocache" GOFLAGS=-modcacherw "$@"
}

# Prints the folder `go mod download` put module $1 (module@version) in; run under with_scratch_go.
go_module_dir() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  go mod download -json "$1" | node -e 'let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>{const m=JSON.parse(s);if(m.Error){console.error(m.Error);process.exit(1)}console.log(m.Dir)})'
}

# Builds helm.sh/helm/v3/cmd/helm at $CALLBRIDGE_HELM_VERSION into the folder $1: `go install`
# first; if it refuses (a go.mod with replace or exclude directives would), the module's source
# is downloaded and built in place.
build_helm() {
  local target_dir="$1" scratch ldflags
  scratch="$(mktemp -d "$CALLBRIDGE_CACHE/tools/.helm-build.XXXXXX")"
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$CALLBRIDGE_HELM_VERSION"
  ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$CALLBRIDGE_HELM_KUBE_MAJOR"
  ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$CALLBRIDGE_HELM_KUBE_MINOR"
  ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$CALLBRIDGE_HELM_KUBE_MAJOR"
  ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$CALLBRIDGE_HELM_KUBE_MINOR"
  log "building Helm $CALLBRIDGE_HELM_VERSION from the Go module proxy (once; about 2-5 minutes)"
  (
    set -e
    export CGO_ENABLED=0
    if ! GOBIN="$scratch/bin" with_scratch_go "$scratch" \
      go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$CALLBRIDGE_HELM_VERSION"; then
      echo "go install refused; building the downloaded module instead"
      local dir
      dir="$(with_scratch_go "$scratch" go_module_dir "helm.sh/helm/v3@$CALLBRIDGE_HELM_VERSION")"
      cp -R "$dir" "$scratch/src" && chmod -R u+w "$scratch/src"
      cd "$scratch/src"
      with_scratch_go "$scratch" go build -trimpath -ldflags "$ldflags" -o "$scratch/bin/helm" ./cmd/helm
    fi
  ) >"$scratch/build.log" 2>&1 || {
    tail -n 20 "$scratch/build.log" >&2
    rm -rf "$scratch"
    return 1
  }
  mkdir -p "$target_dir"
  mv "$scratch/bin/helm" "$target_dir/helm"
  rm -rf "$scratch"
}

# shellcheck disable=SC2034 # HELM is read by the scripts that source this file
ensure_helm() {
  HELM=""
  if command -v helm >/dev/null && helm_is_pinned helm; then HELM="$(command -v helm)"; return; fi
  local dir="$CALLBRIDGE_CACHE/tools/helm-$CALLBRIDGE_HELM_VERSION"
  if [ -x "$dir/helm" ] && helm_is_pinned "$dir/helm"; then HELM="$dir/helm"; return; fi
  command -v go >/dev/null || die "Helm $CALLBRIDGE_HELM_VERSION is needed and Go is not installed to build it (or put that helm on PATH)"
  command -v node >/dev/null || die "node is needed to build Helm"
  mkdir -p "$CALLBRIDGE_CACHE/tools"
  build_helm "$dir" || die "could not build Helm $CALLBRIDGE_HELM_VERSION (see above)"
  helm_is_pinned "$dir/helm" || die "$dir/helm does not report $CALLBRIDGE_HELM_VERSION"
  HELM="$dir/helm"
}

# shellcheck disable=SC2034 # K8S_PYTHON is read by the scripts that source this file
ensure_kubernetes_validate() {
  local pins_id venv
  pins_id="$(printf '%s\n' "${CALLBRIDGE_KUBERNETES_VALIDATE_PINS[@]}" | cksum | cut -d' ' -f1)"
  venv="$CALLBRIDGE_CACHE/tools/kubernetes-validate-${CALLBRIDGE_KUBERNETES_VALIDATE_PINS[0]#*==}-$pins_id"
  K8S_PYTHON="$venv/bin/python"
  if [ -x "$K8S_PYTHON" ] && "$K8S_PYTHON" -c 'import kubernetes_validate' 2>/dev/null; then return; fi
  command -v python3 >/dev/null || ensure_debian_packages python3:python3
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    # Debian splits venv's pip bootstrap into python3-venv (python3.X-venv on some releases).
    ensure_debian_packages "python3-venv-probe:python3-venv"
  fi
  rm -rf "$venv"
  mkdir -p "$CALLBRIDGE_CACHE/tools"
  log "installing ${CALLBRIDGE_KUBERNETES_VALIDATE_PINS[0]} into $venv"
  python3 -m venv "$venv" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input "${CALLBRIDGE_KUBERNETES_VALIDATE_PINS[@]}" ||
    { rm -rf "$venv"; die "could not install ${CALLBRIDGE_KUBERNETES_VALIDATE_PINS[*]} from PyPI"; }
}

# Copies the CRD manifests out of the two projects' Go modules into the cache; the module
# sources (and Go's caches) are removed afterwards.
# shellcheck disable=SC2034 # CRD_DIR is read by the scripts that source this file
ensure_crd_schemas() {
  CRD_DIR="$CALLBRIDGE_CACHE/tools/crds-prometheus-operator-$CALLBRIDGE_PROMETHEUS_OPERATOR_VERSION-keda-$CALLBRIDGE_KEDA_VERSION"
  local files=(monitoring.coreos.com_servicemonitors.yaml monitoring.coreos.com_prometheusrules.yaml keda.sh_scaledobjects.yaml)
  local missing=0 file
  for file in "${files[@]}"; do [ -s "$CRD_DIR/$file" ] || missing=1; done
  [ "$missing" -eq 0 ] && return
  command -v go >/dev/null || die "Go is needed to fetch the CRDs (prometheus-operator, KEDA) from the Go module proxy"
  mkdir -p "$CALLBRIDGE_CACHE/tools"
  local scratch
  scratch="$(mktemp -d "$CALLBRIDGE_CACHE/tools/.crds.XXXXXX")"
  log "fetching the CRDs of prometheus-operator $CALLBRIDGE_PROMETHEUS_OPERATOR_VERSION and KEDA $CALLBRIDGE_KEDA_VERSION (Go module proxy, once)"
  (
    set -e
    local promop keda
    promop="$(with_scratch_go "$scratch" go_module_dir "github.com/prometheus-operator/prometheus-operator@$CALLBRIDGE_PROMETHEUS_OPERATOR_VERSION")"
    keda="$(with_scratch_go "$scratch" go_module_dir "github.com/kedacore/keda/v2@$CALLBRIDGE_KEDA_VERSION")"
    mkdir -p "$scratch/out"
    cp "$promop/example/prometheus-operator-crd-full/monitoring.coreos.com_servicemonitors.yaml" \
      "$promop/example/prometheus-operator-crd-full/monitoring.coreos.com_prometheusrules.yaml" \
      "$keda/config/crd/bases/keda.sh_scaledobjects.yaml" "$scratch/out/"
  ) >"$scratch/fetch.log" 2>&1 || {
    tail -n 20 "$scratch/fetch.log" >&2
    rm -rf "$scratch"
    die "could not fetch the CRDs (see above)"
  }
  rm -rf "$CRD_DIR"
  mv "$scratch/out" "$CRD_DIR"
  chmod -R u+w "$scratch" 2>/dev/null || true
  rm -rf "$scratch"
}
