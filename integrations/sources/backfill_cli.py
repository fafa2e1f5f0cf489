"""`python -m bot ingest --backfill NAME --days N`: one backfill in the foreground, with a
progress bar (rich, on stderr) and a summary line; killed half-way, the same command
resumes the run where it stopped."""

from __future__ import annotations

from rich.progress import BarColumn, TextColumn, TimeElapsedColumn

from core.backfill import window
from core.db import session_scope
from core.storage import backfills as store
from integrations.sources import backfill
from integrations.sources.backfill_service import find_source, owner_of
from integrations.sources.http import HttpClient
from integrations.sources.progress import Bar
from integrations.sources.services import IngestServices as Services

REASONS = {
    "sources.backfill.unknown": "no such source in the workspace file",
    "sources.backfill.unsupported": "its API cannot fetch the past",
    "sources.backfill.not_ready": "it is not ready to poll (see `sources`)",
}


class _Bar(Bar):
    """The share of the span read, back to which day, new mentions; silent if disabled."""

    def __init__(self, label: str, *, enabled: bool) -> None:
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("back to {task.fields[day]}"),
            TextColumn("{task.fields[new]} new"),
            TimeElapsedColumn(),
        )
        super().__init__(
            label, columns, total=1.0, fields={"day": "…", "new": "0"}, enabled=enabled
        )

    async def update(self, progress: backfill.Progress) -> None:
        day = progress.reached.strftime("%Y-%m-%d") if progress.reached else "…"
        self.show(completed=progress.fraction, day=day, new=f"{progress.stored:,}")


async def backfill_once(
    services: Services, *, name: str, days: int, progress: bool
) -> tuple[str, bool]:
    """Run (or resume) the backfill of `name`; the summary line and whether it failed."""
    client = HttpClient()
    owner = owner_of(services)
    try:
        try:
            source = find_source(services, client, name)
        except LookupError as exc:
            return f"{name}: cannot backfill: {REASONS[str(exc.args[0])]}", True
        now = services.clock()
        async with session_scope(services.sessions) as session:
            run = await store.unfinished_run(session=session, source=name)
            if run is not None and run.id is not None:
                if not await store.claim_run(
                    session=session,
                    run_id=run.id,
                    owner=owner,
                    now=now,
                    is_dead=backfill.owner_is_dead,
                ):
                    return f"{name}: a backfill is already running ({run.claimed_by})", True
                run_id, what = run.id, f"resuming the backfill of {run.days} days"
            else:
                since, until, clamped = window(source.type, days, now)
                new = await store.create_run(
                    session=session,
                    source=name,
                    days=(until - since).days or 1,
                    since=since,
                    until=until,
                    owner=owner,
                    now=now,
                )
                assert new.id is not None
                run_id = new.id
                what = f"backfill of {new.days} days" + (
                    " (the most its API keeps)" if clamped else ""
                )
        with _Bar(f"{name}: {what}", enabled=progress) as bar:
            report = await backfill.run_backfill(
                services, source, run_id=run_id, owner=owner, on_progress=bar.update
            )
        return _summary(name, report), report.outcome != "done"
    finally:
        await client.close()


def _summary(name: str, report: backfill.RunReport) -> str:
    p = report.progress
    head = f"{name}: backfill {report.outcome}, {p.stored} new, {p.duplicates} duplicates"
    reached = p.since if report.outcome == "done" and not report.capped else p.reached
    span = f"covered {reached:%Y-%m-%d} to {p.until:%Y-%m-%d}" if reached else "nothing covered"
    tail = f" ({report.error}; run it again to resume)" if report.error else ""
    if report.capped:
        tail += " (its API serves nothing older)"
    return f"{head}, {span}{tail}"
