"""content reviews: inspectors confirm or dismiss the content checks' hits (暗链, 称呼错误 ...)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A database made by create_all from newer models (see storage/migrate.py) may hold the table already.
    if "content_reviews" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "content_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("content_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_content_reviews_site_key", ["site_id", "key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("content_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_content_reviews_site_key")
    op.drop_table("content_reviews")
