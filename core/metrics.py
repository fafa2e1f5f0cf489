"""Prometheus metrics of the process (served at GET /metrics by bot.app).

Each metric is fed in the one place its event happens, whatever the platform or the way
in, so that a new front end or source cannot forget it:

| metric | fed by |
|---|---|
| commands, command seconds | `bot.responder.Responder.answer` (every front end dispatches through it) |
| mentions ingested, duplicates, near-duplicates | `core.pipeline.Pipeline.ingest` |
| polls, source errors, source up | `integrations.sources.poller.poll_source` |
| alerts raised | `core.alerts.engine.AlertEngine._fire` (once across replicas) |
| alert deliveries | `core.alerts.delivery.Poster.post` |
| posts: answers | `bot.patience` (`deliver_or_notify`, `count_answer`) |
| posts: notifications | `core.notify.notify` (standups, alerts, drafts) |
| platform throttling | `bot.slack.client` (its 429 retry handler), `bot.teams.connector` |
| drafts by state | `core.storage.drafts` (creation and every state change, on commit) |
| job runs, claim conflicts | `bot.scheduler.Scheduler`, `bot.standup_jobs.StandupJobs` |
| HTTP responses | the middleware of `bot.app` |

Labels are bounded: a command's canonical name (never what was typed), a source's
configured name, a job's name without its channel.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

# --- commands ------------------------------------------------------------------------
COMMANDS = Counter(
    "horch_commands_total",
    "Commands and button clicks answered, by outcome: ok, refused (the handler said no), "
    "usage (mistyped), unknown (no such command) or error (failed on our side)",
    ["platform", "command", "outcome"],
    registry=REGISTRY,
)
COMMAND_SECONDS = Histogram(
    "horch_command_seconds",
    "Time from dispatch to the answer being ready (not its delivery)",
    ["platform", "command"],
    registry=REGISTRY,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

# --- listening -----------------------------------------------------------------------
MENTIONS_INGESTED = Counter(
    "horch_mentions_ingested_total",
    "Mentions newly stored, by source and way in (poll, webhook, import, demo, direct)",
    ["source", "via"],
    registry=REGISTRY,
)
MENTIONS_DUPLICATE = Counter(
    "horch_mentions_duplicate_total",
    "Items skipped as already stored (the same source and id)",
    ["source", "via"],
    registry=REGISTRY,
)
MENTIONS_NEAR_DUPLICATE = Counter(
    "horch_mentions_near_duplicate_total",
    "Stored mentions recognised as reposts of an earlier one (same fingerprint, within 7 days)",
    ["source", "via"],
    registry=REGISTRY,
)
POLLS = Counter(
    "horch_source_polls_total",
    "Polls of a source, by outcome (ok or error)",
    ["source", "outcome"],
    registry=REGISTRY,
)
SOURCE_ERRORS = Counter(
    "horch_source_errors_total",
    "Failed polls, by source and kind (rate_limited, http_4xx, http_5xx, payload, timeout, "
    "network, auth, unexpected)",
    ["source", "kind"],
    registry=REGISTRY,
)
SOURCE_UP = Gauge(
    "horch_source_up", "1 if the last poll of a source succeeded", ["source"], registry=REGISTRY
)

# --- alerts --------------------------------------------------------------------------
ALERTS = Counter(
    "horch_alerts_total",
    "Trend alerts raised (once across replicas), by kind (burst, climb, drop) and level",
    ["kind", "level"],
    registry=REGISTRY,
)
ALERT_DELIVERIES = Counter(
    "horch_alert_deliveries_total",
    "Alert deliveries to a channel, by platform and outcome (posted or failed)",
    ["platform", "outcome"],
    registry=REGISTRY,
)

# --- chat platforms ------------------------------------------------------------------
POSTS = Counter(
    "horch_posts_total",
    "Messages posted to chat platforms, by kind (answer, standup, alert, draft) and outcome "
    "(ok; notice: the answer could not go out, a try-again notice did; lost; error)",
    ["platform", "kind", "outcome"],
    registry=REGISTRY,
)
THROTTLED = Counter(
    "horch_platform_throttled_total",
    "Responses of a chat platform's API that said slow down (HTTP 429)",
    ["platform"],
    registry=REGISTRY,
)

# --- drafts --------------------------------------------------------------------------
DRAFTS = Counter(
    "horch_drafts_total",
    "Reply drafts entering a state (proposed, edited, approved, rejected, posted, published, "
    "failed, …)",
    ["state"],
    registry=REGISTRY,
)

# --- scheduler -----------------------------------------------------------------------
JOB_RUNS = Counter(
    "horch_job_runs_total",
    "Scheduled job runs on this replica, by job and outcome (done or failed)",
    ["job", "outcome"],
    registry=REGISTRY,
)
CLAIM_CONFLICTS = Counter(
    "horch_job_claim_conflicts_total",
    "Scheduled runs another replica had claimed (or whose previous run still held the "
    "job's lease), so this one skipped them",
    ["job"],
    registry=REGISTRY,
)

# --- HTTP ----------------------------------------------------------------------------
HTTP_RESPONSES = Counter(
    "horch_http_responses_total",
    "Responses of the bot's HTTP server, by route and status code",
    ["route", "status"],
    registry=REGISTRY,
)
