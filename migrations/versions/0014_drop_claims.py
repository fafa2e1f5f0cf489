"""Drop source_state.claimed_by and claim_expires_at: nothing ever read or wrote them (a
backfill run's claim lives on source_backfill; polling is claimed by the scheduler).

Revision ID: 0014_drop_claims
Revises: 0013_people
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_drop_claims"
down_revision: str | Sequence[str] | None = "0013_people"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch: SQLite before 3.35 cannot drop a column in place.
    with op.batch_alter_table("source_state") as batch:
        batch.drop_column("claim_expires_at")
        batch.drop_column("claimed_by")


def downgrade() -> None:
    with op.batch_alter_table("source_state") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(128)))
        batch.add_column(sa.Column("claim_expires_at", sa.DateTime))
