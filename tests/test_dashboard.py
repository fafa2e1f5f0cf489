"""docs/grafana-dashboard.json uses every metric of core/metrics.py, and only those."""

from __future__ import annotations

import json
import re
from pathlib import Path

from core.metrics import REGISTRY

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "docs" / "grafana-dashboard.json"


def _exposed() -> set[str]:
    """Every sample name the registry exposes (counters' _total, histograms' _bucket…)."""
    names = set()
    for family in REGISTRY.collect():
        names.add(family.name)
        for suffix in ("_total", "_bucket", "_count", "_sum"):
            names.add(family.name + suffix)
    return names


def test_the_dashboard_shows_every_metric_and_names_no_other() -> None:
    data = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [t["expr"] for panel in data["panels"] for t in panel["targets"]]
    used = {name for expr in exprs for name in re.findall(r"\bhorch_[a-z_]+", expr)}
    assert used <= _exposed(), used - _exposed()
    families = {f.name for f in REGISTRY.collect()}
    shown = {f for f in families if any(u == f or u.startswith(f + "_") for u in used)}
    assert shown == families, families - shown


def test_the_dashboard_imports_with_any_prometheus_data_source() -> None:
    data = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert [i["name"] for i in data["__inputs"]] == ["DS_PROMETHEUS"]
    for panel in data["panels"]:
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}"
    ids = [p["id"] for p in data["panels"]]
    assert len(ids) == len(set(ids))
