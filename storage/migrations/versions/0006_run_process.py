"""crawl runs record the process crawling them (a run whose process is gone is marked interrupted)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A database made by create_all from newer models (see storage/migrate.py) may have the column already.
    if "process" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("crawl_runs")}:
        with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
            batch_op.add_column(sa.Column("process", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("process")
