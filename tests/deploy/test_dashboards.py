"""Every metric the Grafana dashboards and the PrometheusRule alerts name is one a running
server exports: a renamed metric must not leave a panel blank or an alert silent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((ROOT / "deploy" / "grafana").glob("*.json"))
CHART = ROOT / "deploy" / "helm" / "tonearm"
RULES = CHART / "templates" / "prometheusrule.yaml"

METRIC = re.compile(r"\btonearm_[a-z0-9_]+\b")
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)")
NOT_METRICS = {"up"}  # Prometheus' own, set by the scrape


def _queries(node: Any) -> Iterator[str]:
    """Every PromQL string in a dashboard: panel targets and template variable queries."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("expr", "definition") and isinstance(value, str):
                yield value
            elif key == "query" and isinstance(value, str | dict):
                yield from (
                    [value] if isinstance(value, str) else _queries({"expr": value.get("query")})
                )
            else:
                yield from _queries(value)
    elif isinstance(node, list):
        for item in node:
            yield from _queries(item)


def dashboard_metrics() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        for query in _queries(board):
            for name in METRIC.findall(query):
                used.setdefault(name, set()).add(path.name)
    return used


def rule_metrics() -> set[str]:
    exprs = re.findall(r"expr: \|?\n?((?:.*\n)(?:            .*\n)*)", RULES.read_text())
    return {name for expr in exprs for name in METRIC.findall(expr)}


def exported(exposition: str) -> set[str]:
    names = set()
    for line in exposition.splitlines():
        if line.startswith("# TYPE "):
            names.add(line.split()[2])
        elif line and not line.startswith("#"):
            match = SAMPLE.match(line)
            if match:
                names.add(match.group(1))
    return names


def test_the_dashboards_and_alerts_name_metrics() -> None:
    assert {"tonearm-library.json", "tonearm-overview.json"} <= {p.name for p in DASHBOARDS}
    # The chart ships the same files (deploy/grafana is a link to the chart's dashboards/).
    shipped = {p.name for p in (CHART / "dashboards").glob("*.json")}
    assert shipped == {p.name for p in DASHBOARDS}
    assert len(dashboard_metrics()) >= 15
    assert {
        "tonearm_cluster_is_primary",
        "tonearm_scan_errors_total",
        "tonearm_enrich_queue",
        "tonearm_enrich_requests_total",
    } <= rule_metrics()
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        panels = [p for p in board["panels"] if p["type"] != "row"]
        assert panels, path
        for panel in panels:
            exprs = [t["expr"] for t in panel["targets"]]
            assert exprs and all(METRIC.search(e) or "up{" in e for e in exprs), panel["title"]


@pytest.mark.usefixtures("scanned")
async def test_every_metric_used_is_exported(client: TestClient, admin: dict[str, str]) -> None:  # type: ignore[type-arg]
    # Traffic, so the labelled series have samples too (names are exported either way).
    assert (await client.get("/api/v1/albums", headers=admin)).status == 200
    resp = await client.get("/metrics")
    assert resp.status == 200
    names = exported(await resp.text())

    def missing(used: set[str]) -> set[str]:
        return {
            name
            for name in used - NOT_METRICS
            if name not in names and re.sub(r"_(bucket|sum|count)$", "", name) not in names
        }

    from_dashboards = dashboard_metrics()
    gone = missing(set(from_dashboards))
    assert not gone, {name: sorted(from_dashboards[name]) for name in gone}
    assert not missing(rule_metrics()), "PrometheusRule alerts name unexported metrics"
