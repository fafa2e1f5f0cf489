"""The progress bar of a file import (rich, on stderr so that stdout keeps the summary)."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class ImportProgress:
    """Bytes read of the file, rows so far, elapsed and remaining time; silent if disabled."""

    def __init__(self, label: str, size: int, *, enabled: bool) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if enabled:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TextColumn("{task.fields[rows]} rows"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._task = self._progress.add_task(label, total=max(size, 1), rows=0)

    def __enter__(self) -> ImportProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def update(self, done: int, rows: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done, rows=f"{rows:,}")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
