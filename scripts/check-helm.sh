#!/usr/bin/env bash
# Checks the Helm chart deploy/helm/callbridge without a cluster:
#   1. the chart's files/ are symlinks to their single sources (the alert rules, the example
#      routes file and recipient policy), not copies that could go stale;
#   2. `helm lint --strict` with the default values and with values-production.yaml;
#   3. `helm template` of both, and of the packaged chart (same output: packaging follows the
#      symlinks);
#   4. the renders that must fail do, with their message (more worker replicas than partitions,
#      several workers without Redis, credentials in values, a value the schema refuses);
#   5. deploy/helm/check-rendered.py on both renders: every manifest against the Kubernetes
#      schemas (kubernetes-validate, strict) or its CRD's schema (ServiceMonitor, PrometheusRule,
#      ScaledObject), then what schemas cannot say (see that file), including grace periods
#      longer than the apps' shutdown deadlines and the PrometheusRule equal to
#      infra/prometheus/rules/callbridge.yml; and once on a render whose grace period is too
#      short, which must fail.
# Tools (pinned in scripts/lib/helm.sh) are built or installed into $CALLBRIDGE_CACHE/tools on
# first use (Helm from the Go module proxy: 2-5 minutes, once). Exits non-zero on any failure.
# Nothing is written inside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
source scripts/lib/helm.sh

CHART=deploy/helm/callbridge
# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion; the oldest schemas
# kubernetes-validate ships) and the newest kubernetes-validate knows.
KUBE_VERSIONS=1.25,1.37
# What values-production.yaml asks for on the command line: a routes file of one's own.
PRODUCTION=(-f "$CHART/values-production.yaml" --set-file ingest.routes.content=config/routes.example.yaml)

ensure_helm
ensure_kubernetes_validate
ensure_crd_schemas
log "helm $("$HELM" version --template '{{.Version}}'), $("$K8S_PYTHON" -m kubernetes_validate --version), CRDs from $(basename "$CRD_DIR")"

work="$(mktemp -d "${TMPDIR:-/tmp}/callbridge-helm.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Helm logs one line per symlink it follows (files/): expected, so not shown.
helm_quiet() {
  local status=0
  "$HELM" "$@" 2>"$work/stderr" || status=$?
  grep -v 'found symbolic link in path' "$work/stderr" >&2 || true
  return "$status"
}

# 1. The chart's files/ are links to their sources.
for pair in \
  callbridge-rules.yml:infra/prometheus/rules/callbridge.yml \
  routes.example.yaml:config/routes.example.yaml \
  recipient-policy.example.yaml:config/recipient-policy.example.yaml; do
  link="$CHART/files/${pair%%:*}" source="${pair#*:}"
  if [ ! -L "$link" ] || [ "$(realpath "$link")" != "$(realpath "$source")" ]; then
    die "$link must be a symlink to $source (its single source): ln -sfn ../../../../$source $link"
  fi
done
log "$CHART/files: symlinks to their sources"

# 2. Lint.
helm_quiet lint --strict --quiet --kube-version "${KUBE_VERSIONS##*,}" "$CHART" >/dev/null ||
  die "helm lint --strict failed with the default values (see above)"
helm_quiet lint --strict --quiet --kube-version "${KUBE_VERSIONS##*,}" "$CHART" "${PRODUCTION[@]}" >/dev/null ||
  die "helm lint --strict failed with values-production.yaml (see above)"
log "helm lint --strict: default and production values OK"

# 3. Render, from the folder and from the package.
helm_quiet template callbridge "$CHART" >"$work/default.yaml" || die "helm template failed with the default values (see above)"
helm_quiet template callbridge "$CHART" "${PRODUCTION[@]}" >"$work/production.yaml" ||
  die "helm template failed with values-production.yaml (see above)"
helm_quiet package "$CHART" --destination "$work" >/dev/null || die "helm package failed (see above)"
helm_quiet template callbridge "$work"/callbridge-*.tgz "${PRODUCTION[@]}" >"$work/packaged.yaml" || die "helm template of the packaged chart failed"
cmp -s "$work/production.yaml" "$work/packaged.yaml" ||
  die "the packaged chart renders differently from $CHART (did packaging drop a symlinked file?): diff <(helm template ...)"
log "helm template: default, production and the packaged chart render (package = folder)"

# 4. Renders that must fail, each with its message.
must_fail() {
  local expected="$1" output
  shift
  if output="$("$HELM" template callbridge "$CHART" "$@" 2>&1)"; then
    die "helm template $* rendered, but should have failed with: $expected"
  fi
  grep -qF -- "$expected" <<<"$output" || die "helm template $* failed without saying '$expected':"$'\n'"$output"
}
must_fail "is above kafka.callRequestsPartitions" "${PRODUCTION[@]}" --set worker.autoscaling.maxReplicas=13
must_fail "is above kafka.callRequestsPartitions" --set worker.replicaCount=13 --set redis.url=redis://redis:6379
must_fail "Redis is not configured" --set worker.replicaCount=2
must_fail "carries credentials" --set redis.url=redis://:hunter2@redis:6379
must_fail "looks like a secret" --set worker.env.HUBSPOT_CLIENT_SECRET=x
must_fail "is set by the chart" --set worker.env.SHUTDOWN_TIMEOUT_MS=1000
must_fail "ingest.routes.requireOwn is true" -f "$CHART/values-production.yaml"
must_fail "additional properties 'replicas' not allowed" --set ingest.replicas=3
must_fail "the ingest may run 2 replicas but Redis is not configured" --set ingest.replicaCount=2
must_fail "worker.env.DLQ_TOPIC differ" --set worker.env.DLQ_TOPIC=other.dlq
# A routes file with a secret written in it (it would land in a ConfigMap), and one with
# opt-outs (they need Redis) where none is configured.
printf 'sources:\n  standard:\n    kind: standard-webhooks\n    secret: whsec_c2VjcmV0\nroutes: []\n' >"$work/inline-secret.yaml"
must_fail "sources.standard.secret is written in the file" --set-file ingest.routes.content="$work/inline-secret.yaml"
printf 'sources:\n  h:\n    kind: hubspot\n    client_secret: ${HUBSPOT_CLIENT_SECRET}\nroutes: []\nopt_outs:\n  - name: o\n    source: h\n    to: properties.phone\n' >"$work/opt-outs.yaml"
must_fail "has opt_outs, which write the do-not-call list in Redis" --set-file ingest.routes.content="$work/opt-outs.yaml"
log "helm template: the 12 renders that must fail do"

# 5. The renders themselves.
"$K8S_PYTHON" deploy/helm/check-rendered.py --repo . --crd-dir "$CRD_DIR" --kube-versions "$KUBE_VERSIONS" \
  "default=$work/default.yaml" "production=$work/production.yaml" ||
  die "the rendered manifests have problems (listed above)"
# The grace-period check must catch a worker grace period at its SHUTDOWN_TIMEOUT_MS.
sed 's/^\(      terminationGracePeriodSeconds:\) 55$/\1 30/' "$work/production.yaml" >"$work/short-grace.yaml"
cmp -s "$work/production.yaml" "$work/short-grace.yaml" && die "could not shorten the worker's grace period for the negative test (is it still 55 s?)"
if "$K8S_PYTHON" deploy/helm/check-rendered.py --repo . --crd-dir "$CRD_DIR" --kube-versions "${KUBE_VERSIONS##*,}" \
  "production=$work/short-grace.yaml" >/dev/null 2>"$work/short-grace.err"; then
  die "check-rendered.py accepted a worker terminationGracePeriodSeconds of 30 s (SHUTDOWN_TIMEOUT_MS is 30000)"
fi
grep -q "worker Deployment: terminationGracePeriodSeconds 30" "$work/short-grace.err" ||
  die "check-rendered.py failed the short grace period for another reason:"$'\n'"$(cat "$work/short-grace.err")"
log "rendered manifests: Kubernetes $KUBE_VERSIONS and CRD schemas, cross-checks and the rules OK"
