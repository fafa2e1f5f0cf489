"""Prometheus metrics of the process (served at GET /metrics by bot.app)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

MENTIONS_INGESTED = Counter(
    "horch_mentions_ingested_total", "Mentions newly stored", ["source"], registry=REGISTRY
)
MENTIONS_DUPLICATE = Counter(
    "horch_mentions_duplicate_total",
    "Items skipped as already stored",
    ["source"],
    registry=REGISTRY,
)
SOURCE_ERRORS = Counter(
    "horch_source_errors_total", "Failed polls per source", ["source"], registry=REGISTRY
)
SOURCE_UP = Gauge(
    "horch_source_up", "1 if the last poll of a source succeeded", ["source"], registry=REGISTRY
)
COMMANDS = Counter(
    "horch_commands_total",
    "Commands and button clicks handled",
    ["platform", "command", "outcome"],
    registry=REGISTRY,
)
COMMAND_SECONDS = Histogram(
    "horch_command_seconds",
    "Time to answer a command",
    ["platform"],
    registry=REGISTRY,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
POSTS = Counter(
    "horch_posts_total",
    "Messages posted to chat platforms",
    ["platform", "kind", "outcome"],
    registry=REGISTRY,
)
ALERTS = Counter("horch_alerts_total", "Trend alerts raised", ["kind"], registry=REGISTRY)
