"""the web service: users, sessions, audit log, unit recipients, notification log, background jobs; indexes
for the newest verdict of every site and account

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tables() -> dict[str, list[sa.Column]]:
    return {
        "web_users": [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("name", sa.String(length=100), nullable=False, unique=True),
            sa.Column("role", sa.String(length=20), nullable=False),
            sa.Column("unit", sa.String(length=200), nullable=True),
            sa.Column("password_hash", sa.String(length=200), nullable=False),
            sa.Column("enabled", sa.Boolean(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("password_changed_at", sa.DateTime(), nullable=True),
        ],
        "web_sessions": [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
            sa.Column("user_id", sa.Integer(), sa.ForeignKey("web_users.id", ondelete="CASCADE"), nullable=False),
            sa.Column("csrf", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("expires_at", sa.DateTime(), nullable=False),
            sa.Column("address", sa.String(length=100), nullable=True),
        ],
        "audit_log": [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("user", sa.String(length=100), nullable=True),
            sa.Column("action", sa.String(length=60), nullable=False),
            sa.Column("target", sa.String(length=300), nullable=True),
            sa.Column("detail", sa.JSON(), nullable=True),
            sa.Column("address", sa.String(length=100), nullable=True),
        ],
        "unit_recipients": [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("unit", sa.String(length=200), nullable=False),
            sa.Column("address", sa.String(length=1000), nullable=False),
            sa.Column("source", sa.String(length=300), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
        ],
        "notification_log": [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("key", sa.String(length=200), nullable=False),
            sa.Column("unit", sa.String(length=200), nullable=False),
            sa.Column("address", sa.String(length=1000), nullable=False),
            sa.Column("subject", sa.String(length=300), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("error", sa.Text(), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("sent_at", sa.DateTime(), nullable=True),
        ],
        "web_jobs": [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("options", sa.JSON(), nullable=False),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("output", sa.Text(), nullable=True),
            sa.Column("started_by", sa.String(length=100), nullable=True),
            sa.Column("started_at", sa.DateTime(), nullable=False),
            sa.Column("finished_at", sa.DateTime(), nullable=True),
        ],
    }


# Indexes the pages need on tables of earlier revisions (storage/web.py declares them).
VERDICT_INDEXES = {
    "ix_evaluations_profile_site_as_of": ("evaluations", ["profile", "site_id", "as_of"]),
    "ix_account_evaluations_profile_account_as_of": ("account_evaluations", ["profile", "account_id", "as_of"]),
}

INDEXES = {
    "ix_web_sessions_user_id": ("web_sessions", ["user_id"]),
    "ix_audit_log_at": ("audit_log", ["at"]),
    "ix_unit_recipients_unit": ("unit_recipients", ["unit"]),
    "ix_notification_log_unit_key": ("notification_log", ["unit", "key"]),
}


def upgrade() -> None:
    # A database made by create_all from newer models (see storage/migrate.py) may have the tables already.
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    made = set()
    for name, columns in _tables().items():
        if name not in existing:
            op.create_table(name, *columns)
            made.add(name)
    for index, (table, columns) in INDEXES.items():
        if table in made:
            op.create_index(index, table, columns)
    inspector = sa.inspect(op.get_bind())
    for index, (table, columns) in VERDICT_INDEXES.items():
        if index not in {i["name"] for i in inspector.get_indexes(table)}:
            op.create_index(index, table, columns)


def downgrade() -> None:
    for index, (table, _columns) in VERDICT_INDEXES.items():
        op.drop_index(index, table_name=table)
    for index, (table, _columns) in INDEXES.items():
        op.drop_index(index, table_name=table)
    for name in reversed(list(_tables())):
        op.drop_table(name)
