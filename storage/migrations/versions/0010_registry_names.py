"""the registries keep 简称 and 所属地区: the short name notices print and the county a unit counts under

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 00:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("sites", "accounts")
COLUMNS = ("short_name", "region")


def upgrade() -> None:
    # A database made by create_all from newer models (see storage/migrate.py) may have the columns already.
    inspector = sa.inspect(op.get_bind())
    for table in TABLES:
        have = {c["name"] for c in inspector.get_columns(table)}
        missing = [c for c in COLUMNS if c not in have]
        if missing:
            with op.batch_alter_table(table, schema=None) as batch_op:
                for column in missing:
                    batch_op.add_column(sa.Column(column, sa.String(length=100), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.drop_column(column)
