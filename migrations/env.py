"""Alembic environment: runs migrations over the async engine of the configured URL.

The URL is the one the caller set (core.db.alembic_config, for the bot and the tests),
else `-x url=...` on the command line, else the bot's own DATABASE_URL from Settings (so
`alembic upgrade head` from the repository root migrates the same database as the bot).
"""

from __future__ import annotations

import asyncio
import importlib
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import core.models  # registers the core tables on SQLModel.metadata

# Every feature keeps its tables in core/models_<feature>.py; import them all, so that a new
# feature needs no edit here.
for _path in sorted(Path(core.models.__file__).parent.glob("models_*.py")):
    importlib.import_module(f"core.{_path.stem}")

config = context.config
target_metadata = SQLModel.metadata
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or context.get_x_argument(
        as_dictionary=True
    ).get("url")
    if url:
        from config.settings import normalize_database_url

        return normalize_database_url(url)
    from config.settings import load_settings

    return load_settings().database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    from core.db import ensure_sqlite_dir

    url = _url()
    ensure_sqlite_dir(url)  # a fresh clone has no var/ yet
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
