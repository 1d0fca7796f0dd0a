"""Observations beyond pages, columns and links: records of a kind (message boards, service guides,
footers ...), evidence files, and what inspectors enter by hand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class Observation(Base):
    """One thing seen in a run, of a named kind, with its data as JSON.

    Kinds are written by the crawler's page observers (crawler/observers) and read by the rules:
    e.g. "message" (one public letter: asked, replied, status), "service_guide", "footer", "layout".
    """

    __tablename__ = "observations"
    __table_args__ = (Index("ix_observations_run_kind", "run_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    kind: Mapped[str] = mapped_column(String(40))
    url: Mapped[str | None] = mapped_column(String(1000))
    found_on: Mapped[str | None] = mapped_column(String(1000))
    data: Mapped[dict] = mapped_column(JSON)
    observed_at: Mapped[datetime] = mapped_column(DateTime)


class Evidence(Base):
    """A file that proves what a page looked like: a screenshot or the HTML as fetched."""

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_run_url", "run_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    url: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(20))  # screenshot | html
    reason: Mapped[str | None] = mapped_column(String(100))  # home | blank | stale | broken-link | rendered
    path: Mapped[str] = mapped_column(String(300))  # relative to the evidence folder
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[int | None] = mapped_column(Integer)
    elapsed_ms: Mapped[float | None] = mapped_column(Float)
    rendered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ManualFinding(Base):
    """A finding an inspector enters or overrides by hand, kept with who and when.

    kind: veto (items a crawler cannot see: 严重表述错误, 泄密, 舆情 ...), deduction, bonus, or
    override (marks an automatic finding wrong, with `reason`).
    """

    __tablename__ = "manual_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)  # a site's finding, or
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)  # an account's
    indicator: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    points: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[datetime | None] = mapped_column(DateTime)  # applies to evaluations at or after
    valid_until: Mapped[datetime | None] = mapped_column(DateTime)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(DateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
