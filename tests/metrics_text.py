"""Reading `GET /metrics` in tests: a sample's value by name and (some of its) labels."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def sample(body: str, name: str, **labels: str) -> float:
    """The sum of the samples called `name` whose labels include `labels` (0 when none)."""
    total = 0.0
    for family in text_string_to_metric_families(body):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                total += found.value
    return total


def has(body: str, name: str, **labels: str) -> bool:
    """Whether any sample called `name` with those labels is exposed."""
    for family in text_string_to_metric_families(body):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return True
    return False
