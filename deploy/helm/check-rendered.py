"""Checks the manifests `helm template` rendered from deploy/helm/callbridge (scripts/check-helm.sh).

Usage: check-rendered.py --repo ROOT --crd-dir DIR --kube-versions 1.25,1.37 PROFILE=FILE...
where PROFILE is `default` or `production` (what each must contain differs).

1. Schemas. Built-in kinds against the Kubernetes JSON schemas kubernetes-validate ships (strict:
   unknown fields are errors), once per Kubernetes version. Custom resources (ServiceMonitor,
   PrometheusRule, ScaledObject) against the openAPIV3Schema of their upstream CRDs, with unknown
   fields made errors too (an API server would prune them silently). A kind with neither schema
   is an error, not the warning kubernetes-validate gives.
2. What the schemas cannot say: selectors that match, named ports that exist, probes on the
   ports the apps serve them on, secrets only from Secrets, grace periods longer than the apps'
   own shutdown deadlines (read from their main.ts), the mounted routes file and recipient
   policy equal to the files they come from, KEDA's trigger naming the worker's own brokers,
   group and topic, at most as many worker replicas as partitions, ServiceMonitor jobs named as
   the alert rules select them, and the PrometheusRule holding exactly the groups of
   infra/prometheus/rules/callbridge.yml.
Prints every problem, then exits 1 if there was any.
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import re
import sys
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|CREDENTIAL|PRIVATE_KEY", re.IGNORECASE)
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
CRD_FILES = {
    ("monitoring.coreos.com", "ServiceMonitor"): "monitoring.coreos.com_servicemonitors.yaml",
    ("monitoring.coreos.com", "PrometheusRule"): "monitoring.coreos.com_prometheusrules.yaml",
    ("keda.sh", "ScaledObject"): "keda.sh_scaledobjects.yaml",
}
EXPECTED_KINDS = {
    "default": {"ConfigMap": 2, "Deployment": 2, "Service": 2, "PodDisruptionBudget": 2, "ServiceAccount": 1},
    "production": {
        "ConfigMap": 2, "Deployment": 2, "Service": 2, "PodDisruptionBudget": 2, "ServiceAccount": 1,
        "HorizontalPodAutoscaler": 1, "ScaledObject": 1, "ServiceMonitor": 2, "PrometheusRule": 1,
    },
}


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def name_of(doc: dict) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


# ---- 1. schemas ------------------------------------------------------------------------------


def strict_crd_schema(schema: Any) -> Any:
    """openAPIV3Schema as JSON Schema: unknown fields rejected, `nullable` honoured."""
    if isinstance(schema, list):
        return [strict_crd_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict_crd_schema(value) for key, value in schema.items()}
    if out.get("nullable") is True and "type" in out:
        out["type"] = [out["type"], "null"]
    if (
        out.get("type") == "object"
        and "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def load_crd_validators(crd_dir: str) -> dict[tuple[str, str], jsonschema.Validator]:
    validators = {}
    for (group, kind), file in CRD_FILES.items():
        with open(os.path.join(crd_dir, file)) as f:
            crd = next(doc for doc in yaml.safe_load_all(f) if doc)
        for version in crd["spec"]["versions"]:
            schema = strict_crd_schema(version["schema"]["openAPIV3Schema"])
            # metadata is `type: object` in every CRD; the API server checks it as ObjectMeta.
            schema["properties"]["metadata"] = {"type": "object"}
            validators[(f"{group}/{version['name']}", kind)] = jsonschema.Draft4Validator(schema)
    return validators


def check_schemas(docs: list[dict], where: str, versions: list[str], crds: dict, problems: Problems) -> None:
    for doc in docs:
        label = f"{where} {name_of(doc)}"
        check_metadata(doc, label, problems)
        custom = crds.get((doc.get("apiVersion"), doc.get("kind")))
        if custom is not None:
            for error in sorted(custom.iter_errors(doc), key=lambda e: list(e.path)):
                problems.add(label, f"CRD schema: {'.'.join(map(str, error.path)) or '(root)'}: {error.message}")
            continue
        for version in versions:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except ValidationError as error:
                path = ".".join(str(p) for p in error.path)
                problems.add(label, f"Kubernetes {version} schema: {path}: {error.message}")
            except SchemaNotFoundError:
                problems.add(label, f"no schema: {doc.get('apiVersion')} {doc.get('kind')} is neither a Kubernetes {version} kind nor a CRD this check knows")
                break


def check_metadata(doc: dict, label: str, problems: Problems) -> None:
    metadata = doc.get("metadata", {})
    name = metadata.get("name", "")
    pattern, rule = (DNS1035_LABEL, "a DNS-1035 label") if doc.get("kind") == "Service" else (DNS1123_SUBDOMAIN, "a DNS-1123 subdomain")
    limit = 63 if doc.get("kind") == "Service" else 253
    if not pattern.match(name) or len(name) > limit:
        problems.add(label, f"metadata.name {name!r} is not {rule} of at most {limit} characters")
    for key, value in (metadata.get("labels") or {}).items():
        if not isinstance(value, str) or len(value) > 63 or not LABEL_VALUE.match(value):
            problems.add(label, f"label {key}={value!r} is not a valid label value")


# ---- 2. what the schemas cannot say ----------------------------------------------------------


def matches(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def env_of(container: dict) -> dict[str, dict]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def source_number(path: str, pattern: str, what: str) -> int:
    """A number read from the repository's source, so the check follows the code."""
    with open(path) as f:
        found = re.search(pattern, f.read())
    if not found:
        raise SystemExit(f"check-rendered.py: cannot find {what} in {path} (pattern {pattern!r}); update this check")
    return int((found.group(1) or "0").replace("_", ""))


class Rendered:
    def __init__(self, docs: list[dict]) -> None:
        self.docs = docs

    def of(self, kind: str) -> list[dict]:
        return [doc for doc in self.docs if doc.get("kind") == kind]

    def deployment(self, component: str) -> dict | None:
        found = [d for d in self.of("Deployment") if d["metadata"]["labels"].get("app.kubernetes.io/component") == component]
        return found[0] if len(found) == 1 else None

    def configmap(self, name: str) -> dict | None:
        return next((c for c in self.of("ConfigMap") if c["metadata"]["name"] == name), None)


def check_pod(rendered: Rendered, component: str, args: argparse.Namespace, where: str, problems: Problems) -> None:
    deployment = rendered.deployment(component)
    label = f"{where} {component} Deployment"
    if deployment is None:
        problems.add(label, "missing (or more than one)")
        return
    spec = deployment["spec"]["template"]["spec"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    if not matches(deployment["spec"]["selector"]["matchLabels"], pod_labels):
        problems.add(label, "spec.selector does not match the pod template's labels")
    containers = spec["containers"]
    if len(containers) != 1:
        problems.add(label, f"expected one container, found {len(containers)}")
        return
    container = containers[0]
    env = env_of(container)
    ports = {port["name"]: port["containerPort"] for port in container.get("ports", [])}

    # Probes on the port the app serves them on (PORT).
    app_port = int(env.get("PORT", {}).get("value", "0"))
    if ports.get("http") != app_port:
        problems.add(label, f"container port http ({ports.get('http')}) is not the app's PORT ({app_port})")
    if component == "ingest" and ports.get("metrics") != int(env.get("METRICS_PORT", {}).get("value", "0")):
        problems.add(label, "container port metrics is not the ingest's METRICS_PORT")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")):
        get = container.get(probe, {}).get("httpGet", {})
        if get.get("path") != path or get.get("port") != "http":
            problems.add(label, f"{probe} is not GET {path} on port http: {get}")
    if env.get("HOST", {}).get("value") != "0.0.0.0":
        problems.add(label, "HOST is not 0.0.0.0: the probes and the Service could not reach the app")

    # Non-root, read-only, resources.
    pod_security = spec.get("securityContext", {})
    if pod_security.get("runAsNonRoot") is not True or pod_security.get("runAsUser") != 1000:
        problems.add(label, f"pod does not run as non-root uid 1000: {pod_security}")
    security = container.get("securityContext", {})
    if security.get("readOnlyRootFilesystem") is not True or security.get("allowPrivilegeEscalation") is not False:
        problems.add(label, f"container is not read-only without privilege escalation: {security}")
    resources = container.get("resources", {})
    for path in (("requests", "cpu"), ("requests", "memory"), ("limits", "memory")):
        if not resources.get(path[0], {}).get(path[1]):
            problems.add(label, f"resources.{'.'.join(path)} is not set")

    # Secrets only from Secrets.
    for name, entry in env.items():
        value = entry.get("value")
        if value is not None and (SECRET_NAME.search(name) or (name == "REDIS_URL" and "@" in value)):
            problems.add(label, f"env {name} holds a value in the manifest; it must come from a Secret")
    if component == "worker" and "secretKeyRef" not in env.get("TALKOVER_API_TOKEN", {}).get("valueFrom", {}):
        problems.add(label, "TALKOVER_API_TOKEN does not come from a secretKeyRef")

    # Grace period longer than the app's own deadline after SIGTERM (plus the preStop sleep).
    if "SHUTDOWN_TIMEOUT_MS" not in env:
        problems.add(label, "SHUTDOWN_TIMEOUT_MS is not set explicitly")
        return
    shutdown_ms = int(env["SHUTDOWN_TIMEOUT_MS"]["value"])
    extra_ms = source_number(
        os.path.join(args.repo, f"apps/{component}/src/main.ts"),
        r"shutdownDeadlineMs: \(config\) => config\.shutdownTimeoutMs(?: \+ ([\d_]+))?",
        "shutdownDeadlineMs",
    )
    pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    sleep_s = int(pre_stop[1]) if len(pre_stop) == 2 and pre_stop[0] == "sleep" else 0
    grace = spec.get("terminationGracePeriodSeconds", 30)
    needed = sleep_s + math.ceil((shutdown_ms + extra_ms) / 1000)
    if grace <= needed or grace <= shutdown_ms / 1000:
        problems.add(
            label,
            f"terminationGracePeriodSeconds {grace} is not above the {needed} s the app may take to stop "
            f"(preStop {sleep_s} s + SHUTDOWN_TIMEOUT_MS {shutdown_ms} ms + {extra_ms} ms of its own): Kubernetes would SIGKILL it mid-drain",
        )

    # Mounted files: the env names a file the volumes provide, with the expected content.
    mounted = {"ingest": ("ROUTES_FILE", args.routes_file), "worker": ("RECIPIENT_POLICY_FILE", args.policy_file)}[component]
    check_mounted_file(rendered, spec, container, mounted[0], mounted[1], label, problems)


def check_mounted_file(rendered: Rendered, spec: dict, container: dict, variable: str, expected_file: str, label: str, problems: Problems) -> None:
    path = env_of(container).get(variable, {}).get("value")
    if not path:
        problems.add(label, f"{variable} is not set")
        return
    directory, file = os.path.split(path)
    mount = next((m for m in container.get("volumeMounts", []) if m["mountPath"] == directory), None)
    volume = next((v for v in spec.get("volumes", []) if mount and v["name"] == mount["name"]), None)
    if not volume or "configMap" not in volume:
        problems.add(label, f"{variable}={path}: no ConfigMap volume is mounted at {directory}")
        return
    items = {item["path"]: item["key"] for item in volume["configMap"].get("items", [])}
    key = items.get(file, file)
    configmap = rendered.configmap(volume["configMap"]["name"])
    if configmap is None or key not in configmap.get("data", {}):
        problems.add(label, f"{variable}={path}: ConfigMap {volume['configMap']['name']} with key {key} is not in the render")
        return
    with open(expected_file) as f:
        expected = f.read()
    if configmap["data"][key].rstrip("\n") != expected.rstrip("\n"):
        problems.add(label, f"{variable}: the ConfigMap's {key} differs from {expected_file}")


def check_services_and_budgets(rendered: Rendered, where: str, problems: Problems) -> None:
    deployments = rendered.of("Deployment")
    for service in rendered.of("Service"):
        label = f"{where} {name_of(service)}"
        targets = [d for d in deployments if matches(service["spec"]["selector"], d["spec"]["template"]["metadata"]["labels"])]
        if len(targets) != 1:
            problems.add(label, f"selector matches {len(targets)} Deployments, not 1")
            continue
        names = {p["name"] for c in targets[0]["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            if isinstance(port["targetPort"], str) and port["targetPort"] not in names:
                problems.add(label, f"targetPort {port['targetPort']} is not a named port of {name_of(targets[0])}")
    for deployment in deployments:
        budgets = [b for b in rendered.of("PodDisruptionBudget") if matches(b["spec"]["selector"]["matchLabels"], deployment["spec"]["template"]["metadata"]["labels"])]
        if len(budgets) != 1:
            problems.add(f"{where} {name_of(deployment)}", f"{len(budgets)} PodDisruptionBudgets select it, not 1")


def check_autoscaling(rendered: Rendered, args: argparse.Namespace, where: str, problems: Problems) -> None:
    for hpa in rendered.of("HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        deployment = rendered.deployment("ingest")
        if deployment is None or target != {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment["metadata"]["name"]}:
            problems.add(f"{where} {name_of(hpa)}", f"scaleTargetRef {target} is not the ingest Deployment")
        elif "replicas" in deployment["spec"]:
            problems.add(f"{where} {name_of(deployment)}", "sets replicas while an HPA scales it (every upgrade would reset the count)")
    partitions = source_number(os.path.join(args.repo, "packages/kafka/src/topics.ts"), r"options\.partitions \?\? (\d+)", "the default partition count")
    with open(os.path.join(args.chart, "values.yaml")) as f:
        chart_partitions = yaml.safe_load(f)["kafka"]["callRequestsPartitions"]
    if chart_partitions != partitions:
        problems.add("values.yaml", f"kafka.callRequestsPartitions is {chart_partitions}, but the apps create the topic with {partitions} (packages/kafka/src/topics.ts)")
    for scaled in rendered.of("ScaledObject"):
        label = f"{where} {name_of(scaled)}"
        spec = scaled["spec"]
        worker = rendered.deployment("worker")
        if worker is None or spec["scaleTargetRef"].get("name") != worker["metadata"]["name"]:
            problems.add(label, "scaleTargetRef is not the worker Deployment")
            continue
        if "replicas" in worker["spec"]:
            problems.add(f"{where} {name_of(worker)}", "sets replicas while KEDA scales it")
        # KEDA's defaults: maxReplicaCount 100, minReplicaCount 0 (type errors are the schema's).
        max_replicas, min_replicas = spec.get("maxReplicaCount", 100), spec.get("minReplicaCount", 0)
        if isinstance(max_replicas, int) and max_replicas > chart_partitions:
            problems.add(label, f"maxReplicaCount {max_replicas} is above the topic's {chart_partitions} partitions")
        if isinstance(min_replicas, int) and min_replicas < 1:
            problems.add(label, "minReplicaCount is below 1: no worker would run while the topic is empty")
        env = env_of(worker["spec"]["template"]["spec"]["containers"][0])
        kafka = [t for t in spec["triggers"] if t["type"] == "kafka"]
        if len(kafka) != 1:
            problems.add(label, f"expected one kafka trigger, found {len(kafka)}")
            continue
        metadata = kafka[0]["metadata"]
        for key, variable in (("bootstrapServers", "KAFKA_BROKERS"), ("consumerGroup", "KAFKA_GROUP_ID"), ("topic", "CALL_REQUESTS_TOPIC")):
            if metadata.get(key) != env.get(variable, {}).get("value"):
                problems.add(label, f"trigger {key} {metadata.get(key)!r} is not the worker's {variable} {env.get(variable, {}).get('value')!r}")
        if not re.fullmatch(r"[1-9]\d*", str(metadata.get("lagThreshold", ""))):
            problems.add(label, f"trigger lagThreshold {metadata.get('lagThreshold')!r} is not a positive integer")


def check_monitoring(rendered: Rendered, rules_file: str, where: str, problems: Problems) -> None:
    with open(rules_file) as f:
        source = yaml.safe_load(f)
    rule_jobs = set()
    for group in source["groups"]:
        for rule in group["rules"]:
            for found in re.finditer(r'job=~?"([^"]+)"', rule["expr"]):
                rule_jobs.update(found.group(1).split("|"))
    monitors = rendered.of("ServiceMonitor")
    monitor_jobs = set()
    for monitor in monitors:
        label = f"{where} {name_of(monitor)}"
        services = [s for s in rendered.of("Service") if matches(monitor["spec"]["selector"]["matchLabels"], s["metadata"]["labels"])]
        if len(services) != 1:
            problems.add(label, f"selector matches {len(services)} Services, not 1")
            continue
        port_names = {p["name"] for p in services[0]["spec"]["ports"]}
        for endpoint in monitor["spec"]["endpoints"]:
            if endpoint.get("port") not in port_names:
                problems.add(label, f"endpoint port {endpoint.get('port')} is not a port of {name_of(services[0])}")
            jobs = [r["replacement"] for r in endpoint.get("relabelings", []) if r.get("targetLabel") == "job"]
            monitor_jobs.update(jobs)
    if monitors and monitor_jobs != rule_jobs:
        problems.add(f"{where} ServiceMonitors", f"set the jobs {sorted(monitor_jobs)}, the alert rules select {sorted(rule_jobs)}")
    for rule in rendered.of("PrometheusRule"):
        if rule["spec"].get("groups") != source["groups"]:
            problems.add(f"{where} {name_of(rule)}", f"spec.groups differ from the groups of {rules_file}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True)
    parser.add_argument("--crd-dir", required=True)
    parser.add_argument("--kube-versions", required=True)
    parser.add_argument("renders", nargs="+", help="PROFILE=FILE")
    args = parser.parse_args()
    args.chart = os.path.join(args.repo, "deploy/helm/callbridge")
    args.routes_file = os.path.join(args.repo, "config/routes.example.yaml")
    args.policy_file = os.path.join(args.repo, "config/recipient-policy.example.yaml")
    rules_file = os.path.join(args.repo, "infra/prometheus/rules/callbridge.yml")
    versions = args.kube_versions.split(",")
    crds = load_crd_validators(args.crd_dir)
    problems = Problems()
    for render in args.renders:
        profile, file = render.split("=", 1)
        with open(file) as f:
            docs = [doc for doc in yaml.safe_load_all(f) if doc]
        where = f"[{profile}]"
        counts: dict[str, int] = {}
        for doc in docs:
            counts[doc["kind"]] = counts.get(doc["kind"], 0) + 1
        if counts != EXPECTED_KINDS[profile]:
            problems.add(where, f"rendered kinds {dict(sorted(counts.items()))}, expected {dict(sorted(EXPECTED_KINDS[profile].items()))}")
        check_schemas(copy.deepcopy(docs), where, versions, crds, problems)
        rendered = Rendered(docs)
        for component in ("ingest", "worker"):
            check_pod(rendered, component, args, where, problems)
        check_services_and_budgets(rendered, where, problems)
        check_autoscaling(rendered, args, where, problems)
        check_monitoring(rendered, rules_file, where, problems)
        print(f"{where} {len(docs)} manifests: {', '.join(f'{n} {k}' for k, n in sorted(counts.items()))}")
    for problem in problems.items:
        print(f"  FAIL {problem}", file=sys.stderr)
    return 1 if problems.items else 0


if __name__ == "__main__":
    sys.exit(main())
