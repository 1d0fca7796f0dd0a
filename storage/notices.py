"""Notices as they were issued: each `govwatch report` stores a snapshot of the notice it wrote (the JSON
it exports, with its profile, period, monitoring time point and tables), so a 复查 compares with the notice
the units actually received, and repeated non-compliance is counted over notices, not guessed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base


class StoredNotice(Base):
    """One notice written: what it said (its JSON export) and under which profile, period and as_of."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_profile_period", "profile", "period_from", "period_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile: Mapped[str] = mapped_column(String(80))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    quarter: Mapped[int | None] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(500))
    doc_number: Mapped[str | None] = mapped_column(String(200))  # 文号, e.g. 黔东南府办通〔2023〕12号
    compare_with: Mapped[int | None] = mapped_column(Integer)  # the earlier notice a 复查 compared with
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the notice as exported to JSON
    files: Mapped[list[str] | None] = mapped_column(JSON)  # the files written, as paths
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC


def save_notice(session: Session, **fields: Any) -> StoredNotice:
    row = StoredNotice(**fields)
    session.add(row)
    session.flush()
    return row


def stored_notices(session: Session, *, profile: str | None = None) -> list[StoredNotice]:
    """Every stored notice, newest first (optionally of one profile)."""
    query = select(StoredNotice).order_by(StoredNotice.as_of.desc(), StoredNotice.id.desc())
    if profile is not None:
        query = query.where(StoredNotice.profile == profile)
    return list(session.scalars(query))


def notice_for(session: Session, *, profile: str, period_from: date, period_to: date,
               on_or_before: date | None = None) -> StoredNotice | None:
    """The newest notice of the same profile and period (issued on or before a date, when given)."""
    query = select(StoredNotice).where(StoredNotice.profile == profile, StoredNotice.period_from == period_from,
                                       StoredNotice.period_to == period_to)
    if on_or_before is not None:
        query = query.where(StoredNotice.as_of <= on_or_before)
    return session.scalars(query.order_by(StoredNotice.as_of.desc(), StoredNotice.id.desc())).first()
