"""The observations a verdict rests on, read from one stored crawl run.

The engine works on these plain records, so it can be tested without a database and never fetches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import CrawlRun, Site
from storage.records import Evidence, Observation


@dataclass(frozen=True, slots=True)
class ColumnObs:
    name: str
    url: str
    category: str
    level: int
    latest_date: date | None
    items: int
    undated: int
    blank: bool
    blank_reason: str | None = None
    page_kind: str | None = None
    status: int | None = None
    error: str | None = None

    @property
    def fetched(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class LinkObs:
    url: str
    found_on: str
    status: int | None
    outcome: str
    error: str | None


@dataclass(frozen=True, slots=True)
class SiteObs:
    site_url: str
    site_name: str
    site_code: str | None
    run_id: int | None
    run_status: str  # ok | partial | failed | none
    run_error: str | None
    reference_date: date | None
    home_url: str | None
    home_latest_date: date | None
    columns: tuple[ColumnObs, ...] = ()
    links: tuple[LinkObs, ...] = ()
    crawl: dict = field(default_factory=dict)
    # Observer records by kind (crawler/observers): each a dict with "url", "found_on" and its data.
    records: dict[str, list[dict]] = field(default_factory=dict)
    # Evidence files by page URL: {"screenshot": path, "html": path}, paths absolute.
    evidence: dict[str, dict[str, str]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[dict]:
        return self.records.get(kind, [])


def load_records(session: Session, run_id: int) -> dict[str, list[dict]]:
    records: dict[str, list[dict]] = {}
    rows = session.scalars(select(Observation).where(Observation.run_id == run_id).order_by(Observation.id))
    for row in rows:
        records.setdefault(row.kind, []).append({"url": row.url, "found_on": row.found_on, **row.data})
    return records


def load_evidence(session: Session, run_id: int, root: Path | None) -> dict[str, dict[str, str]]:
    """The newest file of each kind per page URL (screenshots, HTML as fetched)."""
    files: dict[str, dict[str, str]] = {}
    rows = session.scalars(select(Evidence).where(Evidence.run_id == run_id).order_by(Evidence.id))
    for row in rows:
        path = str((root / row.path).resolve()) if root is not None else row.path
        files.setdefault(row.url, {})[row.kind] = path
    return files


def observations(site: Site, run: CrawlRun | None, session: Session | None = None,
                 evidence_root: Path | None = None) -> SiteObs:
    if run is None:
        return SiteObs(site.url, site.name, site.code, None, "none", "no crawl of this site on or before the "
                       "monitoring time point", None, None, None)
    columns = tuple(
        ColumnObs(c.name, c.url, c.category, c.level, c.latest_date, c.item_count, c.undated_count, c.blank,
                  c.blank_reason, c.page_kind, c.status, c.error)
        for c in run.columns
    )
    links = tuple(LinkObs(x.url, x.found_on, x.status, x.outcome, x.error) for x in run.link_checks)
    crawl = {
        "run_id": run.id,
        "status": run.status,
        "error": run.error,
        "reference_date": run.reference_date.isoformat(),
        "started_at": run.started_at.isoformat(timespec="seconds") + "Z",
        "finished_at": run.finished_at.isoformat(timespec="seconds") + "Z" if run.finished_at else None,
        "pages": len(run.pages),
        "links_checked": len({x.url for x in run.link_checks}),
    }
    records = load_records(session, run.id) if session is not None else {}
    evidence = load_evidence(session, run.id, evidence_root) if session is not None else {}
    return SiteObs(site.url, site.name, site.code, run.id, run.status, run.error, run.reference_date, run.home_url,
                   run.home_latest_date, columns, links, crawl, records, evidence)
