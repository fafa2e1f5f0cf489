"""The progress bar of a file import (rich, on stderr so that stdout keeps the summary)."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class Bar:
    """A rich progress bar on stderr (stdout keeps the summary) that is silent if disabled."""

    def __init__(
        self,
        label: str,
        columns: tuple[ProgressColumn, ...],
        *,
        total: float,
        fields: dict[str, Any],
        enabled: bool,
    ) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if enabled:
            self._progress = Progress(*columns, console=Console(stderr=True), transient=False)
            self._task = self._progress.add_task(label, total=total, **fields)

    def __enter__(self) -> Self:
        if self._progress is not None:
            self._progress.start()
        return self

    def show(self, **values: Any) -> None:
        """Move the bar (`completed=`) and set its fields."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, **values)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()


class ImportProgress(Bar):
    """Bytes read of the file, rows so far, elapsed and remaining time; silent if disabled."""

    def __init__(self, label: str, size: int, *, enabled: bool) -> None:
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[rows]} rows"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        super().__init__(label, columns, total=max(size, 1), fields={"rows": 0}, enabled=enabled)

    def update(self, done: int, rows: int) -> None:
        self.show(completed=done, rows=f"{rows:,}")
