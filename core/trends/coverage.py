"""The coverage line: which sources were measured in a window, which failed, what no source
reaches (LinkedIn, Xing, Facebook, Instagram, and X without a token), and which sources
cover only part of the window (their record begins later: listening began, or a backfill
reached no further back; see core.backfill)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from config.settings import Settings
from config.workspace import Workspace
from core.models import SourceState
from core.source_catalog import uncovered_platforms


@dataclass(frozen=True)
class Coverage:
    measured: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, last error)
    uncovered: list[str] = field(default_factory=list)
    # (source, since when its record is complete) for sources that begin inside the window
    partial: list[tuple[str, dt.datetime]] = field(default_factory=list)


def _failing(state: SourceState | None, since: dt.datetime) -> bool:
    """Failing now, or failed in the window without a success after the failure."""
    if state is None or not state.last_error:
        return False
    if state.error_count:
        return True
    at = state.last_error_at
    return (
        at is not None and at >= since and (state.last_success is None or state.last_success < at)
    )


def coverage(
    *,
    workspace: Workspace,
    settings: Settings,
    states: Mapping[str, SourceState],
    delivered: Iterable[str],
    since: dt.datetime,
) -> Coverage:
    """Measured: sources that delivered mentions in the window or polled successfully in it
    (imports and webhooks count by the mentions they brought); failed: configured sources
    failing now or left failed in the window; partial: enabled sources whose record is
    complete only from a time after the window's start (`SourceState.covered_from`)."""
    delivered = set(delivered)
    measured: set[str] = set(delivered)
    failed: list[tuple[str, str]] = []
    partial: list[tuple[str, dt.datetime]] = []
    for cfg in workspace.sources:
        if not cfg.enabled:
            continue
        state = states.get(cfg.name)
        if state is not None and state.covered_from is not None and state.covered_from > since:
            partial.append((cfg.name, state.covered_from))
        if _failing(state, since):
            failed.append((cfg.name, (state.last_error or "") if state else ""))
        elif state is not None and state.last_success is not None and state.last_success >= since:
            measured.add(cfg.name)
    return Coverage(
        measured=sorted(measured),
        failed=sorted(failed),
        uncovered=uncovered_platforms(workspace, settings),
        partial=sorted(partial),
    )
