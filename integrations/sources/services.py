"""What the sources need of the process's services (handlers.context.Services fits).

A Protocol rather than an import, because integrations may not import handlers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Protocol

from config.settings import Settings
from config.workspace import Workspace
from core.background import Background
from core.db import SessionFactory
from core.pipeline import Pipeline
from core.ports import Notifier


class IngestServices(Protocol):
    """Settings, the workspace, the database, the pipeline, the clock, the notifiers (where
    a chat-started backfill reports), this replica's name, the background services."""

    @property
    def settings(self) -> Settings: ...

    @property
    def workspace(self) -> Workspace: ...

    @property
    def sessions(self) -> SessionFactory: ...

    @property
    def pipeline(self) -> Pipeline: ...

    @property
    def clock(self) -> Callable[[], dt.datetime]: ...

    @property
    def notifiers(self) -> Mapping[str, Notifier]: ...

    @property
    def instance(self) -> str: ...

    @property
    def background(self) -> Background: ...
