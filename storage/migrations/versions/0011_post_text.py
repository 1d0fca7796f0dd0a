"""posts keep their text (capped) and the content scan's records; content reviews find an account's hits

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_content_reviews_account_key"


def upgrade() -> None:
    # A database made by create_all from newer models (see storage/migrate.py) may have them already.
    inspector = sa.inspect(op.get_bind())
    have = {c["name"] for c in inspector.get_columns("posts")}
    if "text" not in have or "content" not in have:
        with op.batch_alter_table("posts", schema=None) as batch_op:
            if "text" not in have:
                batch_op.add_column(sa.Column("text", sa.Text(), nullable=True))
            if "content" not in have:
                batch_op.add_column(sa.Column("content", sa.JSON(), nullable=True))
    if INDEX not in {i["name"] for i in inspector.get_indexes("content_reviews")}:
        with op.batch_alter_table("content_reviews", schema=None) as batch_op:
            batch_op.create_index(INDEX, ["account_id", "key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("content_reviews", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("content")
        batch_op.drop_column("text")
