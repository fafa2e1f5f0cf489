"""One history: the merge of the four feature branches (0002, 0005, 0006, 0007).

Revision ID: 0008_one_history
Revises: 0002, 0005, 0006, 0007
Create Date: 2026-12-07

Until now each feature branched off 0001, and the bot upgraded to "heads". This merge
point joins them, so `alembic upgrade head` (the command every operator knows) works and
later revisions follow one line. A merge, not a rewritten linear history: databases in
use already record the four branch ids in alembic_version (every `make run` demo and any
deployment since the features landed), and Alembic moves them onto this revision without
touching their tables. It changes no schema.
"""

from collections.abc import Sequence

revision: str = "0008_one_history"
down_revision: str | Sequence[str] | None = ("0002", "0005", "0006", "0007")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
