"""media: accounts, posts, collections, account evaluations; sites get kind, status, enabled

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:12:28.469541
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    # A database made by create_all from newer models (see storage/migrate.py) may hold some of these already.
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "accounts" not in tables:
        op.create_table(
            "accounts",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("platform", sa.String(length=20), nullable=False),
            sa.Column("type", sa.String(length=20), nullable=True),
            sa.Column("account_id", sa.String(length=200), nullable=True),
            sa.Column("url", sa.String(length=1000), nullable=True),
            sa.Column("unit", sa.String(length=200), nullable=True),
            sa.Column("group_name", sa.String(length=100), nullable=True),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("enabled", sa.Boolean(), nullable=False),
            sa.Column("meta", sa.JSON(), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("platform", "account_id", name="uq_accounts_platform_account_id"),
        )

    if "account_evaluations" not in tables:
        op.create_table(
            "account_evaluations",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("account_id", sa.Integer(), nullable=False),
            sa.Column("as_of", sa.Date(), nullable=False),
            sa.Column("period_from", sa.Date(), nullable=False),
            sa.Column("period_to", sa.Date(), nullable=False),
            sa.Column("profile", sa.String(length=60), nullable=False),
            sa.Column("verdict", sa.String(length=10), nullable=False),
            sa.Column("result", sa.JSON(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(
                ["account_id"],
                ["accounts.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )

    if "account_evaluations" not in tables:
        with op.batch_alter_table("account_evaluations", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_account_evaluations_account_id"), ["account_id"], unique=False)

    if "collections" not in tables:
        op.create_table(
            "collections",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("account_id", sa.Integer(), nullable=False),
            sa.Column("source", sa.String(length=40), nullable=False),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("started_at", sa.DateTime(), nullable=False),
            sa.Column("finished_at", sa.DateTime(), nullable=True),
            sa.Column("covered_from", sa.DateTime(), nullable=True),
            sa.Column("covered_to", sa.DateTime(), nullable=True),
            sa.Column("posts_seen", sa.Integer(), nullable=False),
            sa.Column("reason", sa.Text(), nullable=True),
            sa.Column("url", sa.String(length=1000), nullable=True),
            sa.Column("entered_by", sa.String(length=100), nullable=True),
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("detail", sa.JSON(), nullable=True),
            sa.Column("evidence", sa.JSON(), nullable=True),
            sa.ForeignKeyConstraint(
                ["account_id"],
                ["accounts.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )

    if "collections" not in tables:
        with op.batch_alter_table("collections", schema=None) as batch_op:
            batch_op.create_index("ix_collections_account_started", ["account_id", "started_at"], unique=False)

    if "posts" not in tables:
        op.create_table(
            "posts",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("account_id", sa.Integer(), nullable=False),
            sa.Column("post_key", sa.String(length=500), nullable=False),
            sa.Column("published_at", sa.DateTime(), nullable=False),
            sa.Column("title", sa.String(length=500), nullable=True),
            sa.Column("url", sa.String(length=1000), nullable=True),
            sa.Column("post_id", sa.String(length=100), nullable=True),
            sa.Column("pinned", sa.Boolean(), nullable=False),
            sa.Column("source", sa.String(length=40), nullable=False),
            sa.Column("first_seen_at", sa.DateTime(), nullable=False),
            sa.Column("collection_id", sa.Integer(), nullable=True),
            sa.Column("meta", sa.JSON(), nullable=True),
            sa.ForeignKeyConstraint(
                ["account_id"],
                ["accounts.id"],
            ),
            sa.ForeignKeyConstraint(
                ["collection_id"],
                ["collections.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("account_id", "post_key", name="uq_posts_account_key"),
        )

    if "posts" not in tables:
        with op.batch_alter_table("posts", schema=None) as batch_op:
            batch_op.create_index("ix_posts_account_published", ["account_id", "published_at"], unique=False)

    if "account_id" not in _columns("manual_findings"):
        with op.batch_alter_table("manual_findings", schema=None) as batch_op:
            batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
            batch_op.alter_column("site_id", existing_type=sa.INTEGER(), nullable=True)
            batch_op.create_index(batch_op.f("ix_manual_findings_account_id"), ["account_id"], unique=False)
            batch_op.create_foreign_key("fk_manual_findings_account_id", "accounts", ["account_id"], ["id"])

    if "kind" not in _columns("sites"):
        with op.batch_alter_table("sites", schema=None) as batch_op:
            batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=True))
            batch_op.add_column(sa.Column("status", sa.String(length=20), server_default="normal", nullable=False))
            batch_op.add_column(sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("enabled")
        batch_op.drop_column("status")
        batch_op.drop_column("kind")

    with op.batch_alter_table("manual_findings", schema=None) as batch_op:
        batch_op.drop_constraint("fk_manual_findings_account_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_manual_findings_account_id"))
        batch_op.alter_column("site_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("account_id")

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_account_published")

    op.drop_table("posts")
    with op.batch_alter_table("collections", schema=None) as batch_op:
        batch_op.drop_index("ix_collections_account_started")

    op.drop_table("collections")
    with op.batch_alter_table("account_evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_evaluations_account_id"))

    op.drop_table("account_evaluations")
    op.drop_table("accounts")
