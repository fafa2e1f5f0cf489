"""Building the process's services from Settings: database, workspace, pipeline, ports."""

from __future__ import annotations

import logging
import os
import socket

from config.settings import Settings
from config.workspace import load_workspace
from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.pipeline import Analyzer, Pipeline
from core.seed import seed_watchlist
from handlers import register_all
from handlers.context import Services
from integrations.wiring import build_ports

log = logging.getLogger(__name__)


def instance_name(settings: Settings) -> str:
    """A name for this replica in claims: configured, else host and process id."""
    return settings.instance_id or f"{socket.gethostname()}:{os.getpid()}"


async def build_services(
    settings: Settings, *, analyzer: Analyzer | None = None, sqlite_mmap: bool = True
) -> Services:
    """Everything handlers and background tasks share. Raises WorkspaceError on a bad file.

    `sqlite_mmap=False` for a write-mostly process (see core.db.make_engine)."""
    workspace = load_workspace(settings.workspace_path)
    engine = make_engine(settings.database_url, sqlite_mmap=sqlite_mmap)
    sessions = make_sessionmaker(engine)
    pipeline = Pipeline(
        sessions,
        clock=utcnow,
        analyzer=analyzer,
        languages=workspace.languages,
        exclusions=workspace.exclusions,
    )
    services = Services(
        settings=settings,
        workspace=workspace,
        sessions=sessions,
        pipeline=pipeline,
        registry=register_all(),
        instance=instance_name(settings),
        engine=engine,
    )
    # One clock for the process: the pipeline reads the services' (which tests move).
    pipeline.clock = lambda: services.clock()
    services.llm, services.publishers = build_ports(settings, workspace)
    await seed_watchlist(sessions, workspace)
    from bot.demo import attach

    attach(services)
    return services


async def close_services(services: Services) -> None:
    if services.engine is not None:
        await services.engine.dispose()
