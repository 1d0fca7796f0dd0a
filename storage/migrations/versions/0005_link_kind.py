"""link checks say what was checked: a page link, an image or an attachment

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A database made by create_all from newer models (see storage/migrate.py) may hold it already.
    if "kind" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("link_checks")}:
        with op.batch_alter_table("link_checks", schema=None) as batch_op:
            batch_op.add_column(sa.Column("kind", sa.String(length=12), server_default="link", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("link_checks", schema=None) as batch_op:
        batch_op.drop_column("kind")
