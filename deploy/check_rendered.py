"""Checks on `helm template` output that schema validation cannot make (make chart-test).

kubernetes-validate checks the built-in kinds against the Kubernetes schemas; it has no
schemas for the Prometheus operator's CRDs, so ServiceMonitor and PrometheusRule get a
structural check here instead. The Tonearm StatefulSet is checked against what the server
needs: TONEARM_LIBRARY is exactly the read-only library mounts, every replica has its own
node id and advertise URL, and the probes hit /healthz and /readyz.

    python deploy/check_rendered.py rendered/*.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

CRD_KINDS = {"ServiceMonitor", "PrometheusRule"}


class Problems(list[str]):
    def check(self, ok: object, where: str, what: str) -> None:
        if not ok:
            self.append(f"{where}: {what}")


def _env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


def check_tonearm(doc: dict[str, Any], where: str, out: Problems) -> None:
    pod = doc["spec"]["template"]["spec"]
    (container,) = [c for c in pod["containers"] if c["name"] == "tonearm"]
    env = _env(container)
    mounts = [m for m in container.get("volumeMounts", []) if m["name"].startswith("library-")]
    library = env.get("TONEARM_LIBRARY", {}).get("value", "")
    out.check(
        library == ":".join(m["mountPath"] for m in mounts),
        where,
        f"TONEARM_LIBRARY {library!r} is not the library mounts",
    )
    out.check(all(m.get("readOnly") for m in mounts), where, "a library is mounted read-write")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for m in mounts:
        volume = volumes.get(m["name"], {})
        kinds = [k for k in ("hostPath", "persistentVolumeClaim", "nfs") if k in volume]
        out.check(len(kinds) == 1, where, f"volume {m['name']} has sources {kinds}")
    out.check(env.get("TONEARM_NODE_ID", {}).get("value") == "$(POD_NAME)", where, "node id")
    out.check(
        env.get("TONEARM_ADVERTISE_URL", {}).get("value") == "http://$(POD_IP):8080",
        where,
        "advertise URL",
    )
    names = list(env)
    out.check(
        names.index("POD_IP") < names.index("TONEARM_ADVERTISE_URL"),
        where,
        "POD_IP must come before TONEARM_ADVERTISE_URL to be expanded",
    )
    for name in ("TONEARM_DATABASE_URL", "TONEARM_CLUSTER_SECRET"):
        out.check("secretKeyRef" in env.get(name, {}).get("valueFrom", {}), where, f"{name} secret")
    replicas = doc["spec"].get("replicas", 1)
    out.check(replicas == 1 or "TONEARM_ZOOKEEPER" in env, where, "replicas > 1 without ZooKeeper")
    out.check(container["readinessProbe"]["httpGet"]["path"] == "/readyz", where, "readiness")
    out.check(container["livenessProbe"]["httpGet"]["path"] == "/healthz", where, "liveness")
    data = [m for m in container["volumeMounts"] if m["mountPath"] == "/data"]
    out.check(len(data) == 1, where, "the data directory is not on a volume")


def check_service_monitor(doc: dict[str, Any], where: str, out: Problems) -> None:
    spec = doc.get("spec", {})
    out.check(spec.get("selector", {}).get("matchLabels"), where, "selector.matchLabels")
    endpoints = spec.get("endpoints") or []
    out.check(endpoints, where, "endpoints")
    for ep in endpoints:
        out.check(ep.get("port") and ep.get("path") == "/metrics", where, f"endpoint {ep}")


def check_prometheus_rule(doc: dict[str, Any], where: str, out: Problems) -> None:
    groups = doc.get("spec", {}).get("groups") or []
    out.check(groups, where, "groups")
    for group in groups:
        out.check(group.get("name"), where, "group name")
        for rule in group.get("rules") or []:
            name = rule.get("alert") or rule.get("record")
            out.check(name, where, f"rule without alert/record: {rule}")
            out.check(
                isinstance(rule.get("expr"), str) and rule["expr"].strip(), where, f"{name}: expr"
            )
            if "alert" in rule:
                out.check(rule.get("labels", {}).get("severity"), where, f"{name}: severity")
                out.check(rule.get("annotations", {}).get("summary"), where, f"{name}: summary")
            extra = set(rule) - {
                "alert",
                "record",
                "expr",
                "for",
                "keep_firing_for",
                "labels",
                "annotations",
            }
            out.check(not extra, where, f"{name}: unknown fields {sorted(extra)}")


def main(paths: list[str]) -> int:
    out = Problems()
    crds = 0
    for path in paths:
        docs = [d for d in yaml.safe_load_all(Path(path).read_text()) if d]
        tonearm = 0
        for doc in docs:
            where = f"{Path(path).name} {doc['kind']}/{doc['metadata']['name']}"
            component = doc["metadata"].get("labels", {}).get("app.kubernetes.io/component")
            if doc["kind"] == "StatefulSet" and component == "server":
                tonearm += 1
                check_tonearm(doc, where, out)
            elif doc["kind"] == "ServiceMonitor":
                crds += 1
                check_service_monitor(doc, where, out)
            elif doc["kind"] == "PrometheusRule":
                crds += 1
                check_prometheus_rule(doc, where, out)
        out.check(tonearm == 1, path, f"{tonearm} Tonearm StatefulSets")
    for problem in out:
        print("FAIL", problem)
    print(
        f"checked {len(paths)} rendered value sets; {crds} ServiceMonitor/PrometheusRule "
        "documents checked structurally (no CRD schemas offline)"
    )
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
