"""The async engine and sessions, and applying migrations.

SQLite runs in WAL mode with a busy timeout so that the bot, a CLI import and the tests can
share one file; PostgreSQL uses asyncpg with a pool that checks connections before use (a
restarted server or a terminated backend is reconnected instead of failing the next query).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, exc, pool, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_chain,
    wait_fixed,
    wait_none,
)

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


def make_engine(url: str, *, echo: bool = False, sqlite_mmap: bool = True) -> AsyncEngine:
    """An async engine for the URL (sqlite+aiosqlite or postgresql+asyncpg).

    `sqlite_mmap=False` for a write-mostly process (a file import): a memory map only speeds
    up reads, and the mapped pages of a growing file would count in its resident memory."""
    if url.startswith("sqlite"):
        ensure_sqlite_dir(url)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        if sqlite_mmap:
            event.listen(engine.sync_engine, "connect", _sqlite_mmap)
        return engine
    return create_async_engine(
        url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10, pool_recycle=1800
    )


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder of a SQLite database file (a fresh clone has no var/)."""
    path = url.split(":///", 1)[-1].split("?", 1)[0]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def _sqlite_mmap(dbapi_conn: Any, _record: Any) -> None:
    # Read the file through a memory map: pages come from the operating system's page cache,
    # shared by every connection, instead of a private copy in each connection's cache (which
    # grew each pooled connection's heap with the database, up to 64 MiB apiece).
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cur.close()


SQLITE_MMAP_BYTES = 2**31 - 2**16  # SQLite's own ceiling on 64-bit builds


SessionFactory = async_sessionmaker[AsyncSession]


def make_sessionmaker(engine: AsyncEngine) -> SessionFactory:
    """Sessions that keep loaded objects usable after commit (handlers read them afterwards)."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def session_scope(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """A session that commits on success and rolls back on error."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


_AFTER_COMMIT = "horch.after_commit"


def after_commit(session: AsyncSession, fn: Callable[[], None]) -> None:
    """Run `fn` once the session's transaction commits; never if it rolls back. For
    counting what happened (metrics), not what was only attempted."""
    session.sync_session.info.setdefault(_AFTER_COMMIT, []).append(fn)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for fn in session.info.pop(_AFTER_COMMIT, []):
        try:
            fn()
        except Exception:  # bookkeeping must never undo a committed transaction's success
            log.exception("an after-commit hook failed")


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def alembic_config(url: str) -> Any:
    """Alembic's config pointed at our migrations and the given database."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def _run_alembic(url: str, action: str, target: str) -> None:
    from alembic import command

    cfg = alembic_config(url)
    if action == "upgrade":
        command.upgrade(cfg, target)
    else:
        command.downgrade(cfg, target)


async def upgrade(url: str, target: str = "head") -> None:
    """Apply the migrations up to `head` (one history: see 0008_one_history).

    On PostgreSQL, replicas that start together migrate one after the other (an advisory
    lock): Alembic itself would let two of them create the same table at once."""
    async with _migration_lock(url):
        # env.py runs its own event loop for the async engine, so run it off this loop.
        await asyncio.to_thread(_run_alembic, url, "upgrade", target)


# Any fixed number will do; it only has to be the same in every replica.
_MIGRATION_LOCK = 0x486F726368  # "Horch"


@asynccontextmanager
async def _migration_lock(url: str) -> AsyncIterator[None]:
    if not url.startswith("postgresql"):
        yield
        return
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
            try:
                yield
            finally:
                await conn.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK}
                )
    finally:
        await engine.dispose()


async def downgrade(url: str, target: str = "base") -> None:
    await asyncio.to_thread(_run_alembic, url, "downgrade", target)


# SQLSTATE classes and codes after which the same transaction may simply be tried again:
# connection lost (08), server shutting down or starting up (57P01-57P03), too many
# connections (53300), serialization failure and deadlock (40001, 40P01).
_TRANSIENT_STATES = ("08", "57P01", "57P02", "57P03", "53300", "40001", "40P01")
RETRY_DELAYS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0)  # about 23 s in all
T = TypeVar("T")


def is_transient(error: BaseException) -> bool:
    """Whether a database error is worth a retry: a lost or refused connection, a server
    restart, a deadlock or a locked SQLite file — not a bug or a constraint violation."""
    if isinstance(error, exc.DBAPIError):
        orig = error.orig
        if error.connection_invalidated:
            return True
        if type(orig).__module__.startswith("sqlite3"):  # "no such table" is no reason to wait
            message = str(orig).lower()
            return "locked" in message or "busy" in message
        state = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
        if state:
            return state.startswith(_TRANSIENT_STATES)
        return isinstance(error, exc.InterfaceError | exc.OperationalError)
    # A refused or reset connection while the pool reconnects (the server is restarting).
    return isinstance(error, OSError | TimeoutError)


async def retry_transient(
    work: Callable[[], Awaitable[T]],
    *,
    what: str,
    delays: tuple[float, ...] = RETRY_DELAYS,
) -> T:
    """Run `work` (one whole transaction), again after a transient error (see is_transient).

    The failed transaction was rolled back and the pool drops the broken connection, so a
    repeat starts clean; `work` must be safe to repeat (idempotent writes, or all-or-nothing)."""

    def warn(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "database: %s failed (%s: %s); retry %d in %.1f s",
            what,
            type(error).__name__,
            str(error).splitlines()[0][:200] if str(error) else "",
            state.attempt_number,
            state.upcoming_sleep,
        )

    retrying = AsyncRetrying(
        retry=retry_if_exception(is_transient),
        wait=wait_chain(*(wait_fixed(d) for d in delays)) if delays else wait_none(),
        stop=stop_after_attempt(len(delays) + 1),
        before_sleep=warn,
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            return await work()
    raise AssertionError("unreachable: tenacity returns or re-raises the last error")
