"""Hourly counts per intent: `intent:<intent>` and `intent:<intent>|<term>`, backfilled from
the stored mentions, so that events in complaints (about one product) can be found in the
history that already exists, not only in what arrives after the upgrade.

Revision ID: 0010_events
Revises: 0008_one_history
Create Date: 2026-12-07

No schema change: new rows in `hourly_count`, computed as the pipeline's `count_keys` does
(intent "other" and unknown intents are not counted; hashtags in matched terms are not
terms). Downgrade removes them.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

revision: str = "0010_events"
down_revision: str | Sequence[str] | None = "0008_one_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
SEP = "|"
_SLOT = {"negative": "neg", "neutral": "neu", "positive": "pos"}

mention = sa.table(
    "mention",
    sa.column("id", sa.Integer),
    sa.column("published_at", sa.DateTime),
    sa.column("matched_terms", sa.String),
    sa.column("intent", sa.String),
    sa.column("sentiment", sa.String),
    sa.column("reach", sa.Integer),
)
hourly = sa.table(
    "hourly_count",
    sa.column("bucket", sa.DateTime),
    sa.column("key", sa.String),
    sa.column("n", sa.Integer),
    sa.column("neg", sa.Integer),
    sa.column("neu", sa.Integer),
    sa.column("pos", sa.Integer),
    sa.column("reach", sa.Integer),
)
COLS = ("n", "neg", "neu", "pos", "reach")


def _keys(intent: str | None, terms: str | None) -> list[str]:
    if not intent or intent == "other":
        return []
    named = [t for t in (terms or "").split(SEP) if t and not t.startswith("#")]
    return [f"intent:{intent}", *(f"intent:{intent}{SEP}{t}" for t in named)]


def _upsert(bind: sa.engine.Connection, cells: dict[tuple[datetime, str], dict[str, int]]) -> None:
    if not cells:
        return
    rows = [{"bucket": b, "key": k, **cells[(b, k)]} for b, k in sorted(cells)]
    insert = (postgresql if bind.dialect.name == "postgresql" else sqlite).insert(hourly)
    stmt = insert.on_conflict_do_update(
        index_elements=["bucket", "key"],
        set_={c: hourly.c[c] + getattr(insert.excluded, c) for c in COLS},
    )
    bind.execute(stmt, rows)


def upgrade() -> None:
    bind = op.get_bind()
    last = 0
    while True:
        batch = bind.execute(
            sa.select(
                mention.c.id,
                mention.c.published_at,
                mention.c.matched_terms,
                mention.c.intent,
                mention.c.sentiment,
                mention.c.reach,
            )
            .where(mention.c.id > last)
            .order_by(mention.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        cells: dict[tuple[datetime, str], dict[str, int]] = {}
        for mid, published, terms, intent, sentiment, reach in batch:
            last = mid
            bucket = published.replace(minute=0, second=0, microsecond=0)
            for key in _keys(intent, terms):
                cell = cells.setdefault((bucket, key), dict.fromkeys(COLS, 0))
                cell["n"] += 1
                cell["reach"] += int(reach or 0)
                if slot := _SLOT.get(sentiment or ""):
                    cell[slot] += 1
        _upsert(bind, cells)


def downgrade() -> None:
    op.execute(hourly.delete().where(hourly.c.key.like("intent:%")))
