"""Inspectors' decisions on the content checks' hits (暗链, 称呼错误, 错别字 ...): an automatic hit under
W-V1 is never a veto by itself; it waits "需人工确认" until someone confirms or dismisses it, kept here
with who and when. The rules read the decisions (rules/checks/content_words.py); the key of a hit is
stable across crawls (same page, same words), so a decision holds for the next crawls too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base

DECISIONS = ("confirm", "dismiss")


class ContentReview(Base):
    """One inspector's decision on one content hit of a site (or account)."""

    __tablename__ = "content_reviews"
    __table_args__ = (Index("ix_content_reviews_site_key", "site_id", "key"),
                      Index("ix_content_reviews_account_key", "account_id", "key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    account_id: Mapped[int | None] = mapped_column(Integer)  # a hit in an account's post (title or text)
    key: Mapped[str] = mapped_column(String(40))  # rules.checks.content_words.hit_key
    decision: Mapped[str] = mapped_column(String(20))  # confirm | dismiss
    reason: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(DateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)


def _owner(site_id: int | None, account_id: int | None) -> Any:
    if (site_id is None) == (account_id is None):
        raise ValueError("a content review belongs to one site or one account")
    return ContentReview.site_id == site_id if site_id is not None else ContentReview.account_id == account_id


def review(session: Session, site_id: int | None, key: str, decision: str, entered_by: str,
           reason: str | None = None, *, account_id: int | None = None) -> ContentReview:
    """Record a decision on a site's hit (or, with `account_id` and no site, an account's); an earlier one
    on the same hit is withdrawn (the newest decision holds)."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    owner = _owner(site_id, account_id)
    now = datetime.now(UTC).replace(tzinfo=None)
    for old in session.scalars(select(ContentReview).where(owner, ContentReview.key == key,
                                                           ContentReview.withdrawn_at.is_(None))):
        old.withdrawn_at = now
    row = ContentReview(site_id=site_id, account_id=account_id, key=key, decision=decision, reason=reason,
                        entered_by=entered_by, entered_at=now)
    session.add(row)
    session.flush()
    return row


def load_reviews(session: Session, site_id: int | None, *, account_id: int | None = None) -> dict[str, dict]:
    """The standing decision per hit key of a site (or an account): {key: {decision, reason, entered_by,
    entered_at, id}}."""
    rows = session.scalars(select(ContentReview).where(_owner(site_id, account_id),
                                                       ContentReview.withdrawn_at.is_(None))
                           .order_by(ContentReview.id))
    return {r.key: {"id": r.id, "decision": r.decision, "reason": r.reason, "entered_by": r.entered_by,
                    "entered_at": r.entered_at.isoformat(timespec="seconds") + "Z"} for r in rows}


def previous_records(session: Session, site_id: int, run_id: int, kind: str) -> list[dict]:
    """The records of one kind from the site's newest finished run before `run_id` (the home page's
    last snapshot, for defacement)."""
    from storage.models import CrawlRun
    from storage.records import Observation

    prev = session.scalars(select(CrawlRun.id).where(CrawlRun.site_id == site_id, CrawlRun.id < run_id,
                                                     CrawlRun.status.in_(("ok", "partial")))
                           .order_by(CrawlRun.id.desc()).limit(1)).first()
    if prev is None:
        return []
    rows = session.scalars(select(Observation).where(Observation.run_id == prev, Observation.kind == kind)
                           .order_by(Observation.id))
    return [{"url": r.url, "run_id": prev, **r.data} for r in rows]
