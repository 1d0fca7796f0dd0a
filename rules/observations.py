"""The observations a verdict rests on, read from one stored crawl run, the site's availability
probes and what inspectors entered by hand.

The engine works on these plain records, so it can be tested without a database and never fetches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import BEIJING
from storage.models import CrawlRun, Probe, Site
from storage.records import Evidence, ManualFinding, Observation


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
    # what had to be mended to read the page (crawler "reading" records): "1 个字节无法按 GBK 解码，已替换"
    reading: str | None = None

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
    kind: str = "link"  # link | image | attachment (crawler/linkcheck.py)


@dataclass(frozen=True, slots=True)
class ProbeObs:
    """One availability probe of the home page (W-V2); `probed_at` is UTC."""

    probed_at: datetime
    ok: bool
    status: int | None = None
    elapsed_ms: float | None = None
    error_class: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ManualObs:
    """A finding an inspector entered (veto, deduction, bonus) or an override of an automatic one."""

    id: int
    indicator: str
    kind: str  # veto | deduction | bonus | override
    points: float | None
    detail: str
    reason: str | None
    entered_by: str
    entered_at: datetime
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    def applies(self, as_of: date) -> bool:
        if self.valid_from is not None and as_of < self.valid_from.date():
            return False
        return self.valid_until is None or as_of <= self.valid_until.date()


ProbeLoader = Callable[[datetime, datetime], tuple[ProbeObs, ...]]


@dataclass(frozen=True, slots=True)
class SiteObs:
    site_url: str
    site_name: str
    site_code: str | None
    run_id: int | None
    run_status: str  # ok | partial | failed | none | interrupted (no finished run; a newer one interrupted)
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
    site_group: str | None = None  # 县区 / 市直部门 ... (whether the site is a portal, when 网站类型 is not given)
    site_kind: str | None = None  # 网站类型 from the registry: portal | department; decides over 分组 and name
    # Availability probes: given directly (tests), or read on demand for a window (`probes_between`).
    probes: tuple[ProbeObs, ...] | None = None
    probe_loader: ProbeLoader | None = field(default=None, repr=False, compare=False)
    manual: tuple[ManualObs, ...] = ()
    # Content checks (rules/checks/content_words.py): inspectors' decisions by hit key, and records of
    # the site's previous finished run by kind (the home page's last fingerprint, for defacement).
    reviews: dict[str, dict] = field(default_factory=dict)
    previous: dict[str, list[dict]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[dict]:
        return self.records.get(kind, [])

    def probes_between(self, start: datetime, end: datetime) -> tuple[ProbeObs, ...]:
        """Probes with start <= probed_at < end (UTC)."""
        if self.probes is not None:
            return tuple(p for p in self.probes if start <= p.probed_at < end)
        if self.probe_loader is not None:
            return self.probe_loader(start, end)
        return ()


def load_records(session: Session, run_id: int) -> dict[str, list[dict]]:
    records: dict[str, list[dict]] = {}
    rows = session.scalars(select(Observation).where(Observation.run_id == run_id).order_by(Observation.id))
    for row in rows:
        records.setdefault(row.kind, []).append({"url": row.url, "found_on": row.found_on, **row.data})
    return records


def reading_notes(records: dict[str, list[dict]]) -> dict[str, str]:
    """Per page URL, what the crawler mended or cut to read it, as one sentence."""
    notes: dict[str, list[str]] = {}
    for record in records.get("reading", []):
        have = notes.setdefault(record["url"], [])
        have.extend(n for n in record.get("notes", []) if n not in have)
    return {url: "；".join(found) for url, found in notes.items() if found}


def load_evidence(session: Session, run_id: int, root: Path | None) -> dict[str, dict[str, str]]:
    """The newest file of each kind per page URL (screenshots, HTML as fetched)."""
    files: dict[str, dict[str, str]] = {}
    rows = session.scalars(select(Evidence).where(Evidence.run_id == run_id).order_by(Evidence.id))
    for row in rows:
        path = str((root / row.path).resolve()) if root is not None else row.path
        # a crop around a content hit is kept by the word it shows ("crop:攻府"), the others by kind
        files.setdefault(row.url, {})[f"crop:{row.reason}" if row.kind == "crop" else row.kind] = path
    return files


def load_manual(session: Session, site_id: int) -> tuple[ManualObs, ...]:
    rows = session.scalars(select(ManualFinding).where(ManualFinding.site_id == site_id,
                                                       ManualFinding.withdrawn_at.is_(None))
                           .order_by(ManualFinding.id))
    return tuple(ManualObs(r.id, r.indicator, r.kind, r.points, r.detail, r.reason, r.entered_by, r.entered_at,
                           r.valid_from, r.valid_until) for r in rows)


def probe_loader(session: Session, site_id: int) -> ProbeLoader:
    """Reads a site's probes for a window when the rules ask, in a session of its own (so it still
    works after the caller's session has closed), remembering what it read."""
    engine = session.get_bind()
    memo: dict[tuple[datetime, datetime], tuple[ProbeObs, ...]] = {}

    def load(start: datetime, end: datetime) -> tuple[ProbeObs, ...]:
        if (start, end) not in memo:
            with Session(engine) as own:
                rows = own.scalars(select(Probe).where(Probe.site_id == site_id, Probe.probed_at >= start,
                                                       Probe.probed_at < end).order_by(Probe.probed_at))
                memo[(start, end)] = tuple(ProbeObs(r.probed_at, r.ok, r.status, r.elapsed_ms, r.error_class,
                                                    r.error) for r in rows)
        return memo[(start, end)]

    return load


def _local_time(when: datetime) -> str:
    """A stored (UTC) time as the office reads it."""
    return when.replace(tzinfo=UTC).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def crawl_basis(run: CrawlRun | None, interrupted: Sequence[CrawlRun] = ()) -> str:
    """Which crawl a verdict rests on, in the users' words; says when a newer crawl was interrupted."""
    used = f"第 {run.id} 号抓取（{_local_time(run.started_at)} 开始）" if run is not None else ""
    if not interrupted:
        return f"依据{used}" if used else "监测时间点前没有这个网站的抓取记录"
    newest = interrupted[0]
    cut = f"最新的第 {newest.id} 号抓取（{_local_time(newest.started_at)} 开始）被中断"
    return f"{cut}，依据较早的{used}" if used else f"{cut}，没有完成的抓取，无法核验"


def _interrupted_json(runs: Sequence[CrawlRun]) -> list[dict]:
    return [{"run_id": r.id, "started_at": r.started_at.isoformat(timespec="seconds") + "Z", "error": r.error}
            for r in runs]


def observations(site: Site, run: CrawlRun | None, session: Session | None = None,
                 evidence_root: Path | None = None, *, interrupted: Sequence[CrawlRun] = ()) -> SiteObs:
    """`interrupted`: the site's interrupted runs newer than `run` (storage.repo.interrupted_runs_after)."""
    loader = probe_loader(session, site.id) if session is not None else None
    manual = load_manual(session, site.id) if session is not None else ()
    if run is None and interrupted:
        crawl = {"run_id": None, "status": "interrupted", "error": interrupted[0].error,
                 "basis": crawl_basis(None, interrupted), "interrupted_runs": _interrupted_json(interrupted)}
        return SiteObs(site.url, site.name, site.code, None, "interrupted", interrupted[0].error, None, None, None,
                       crawl=crawl, site_group=site.group, site_kind=site.kind, probe_loader=loader, manual=manual)
    if run is None:
        return SiteObs(site.url, site.name, site.code, None, "none", "no crawl of this site on or before the "
                       "monitoring time point", None, None, None, site_group=site.group, site_kind=site.kind,
                       probe_loader=loader, manual=manual)
    records = load_records(session, run.id) if session is not None else {}
    mended = reading_notes(records)
    columns = tuple(
        ColumnObs(c.name, c.url, c.category, c.level, c.latest_date, c.item_count, c.undated_count, c.blank,
                  c.blank_reason, c.page_kind, c.status, c.error, mended.get(c.url))
        for c in run.columns
    )
    links = tuple(LinkObs(x.url, x.found_on, x.status, x.outcome, x.error, x.kind or "link") for x in run.link_checks)
    crawl = {
        "run_id": run.id,
        "status": run.status,
        "error": run.error,
        "reference_date": run.reference_date.isoformat(),
        "started_at": run.started_at.isoformat(timespec="seconds") + "Z",
        "finished_at": run.finished_at.isoformat(timespec="seconds") + "Z" if run.finished_at else None,
        "pages": len(run.pages),
        "links_checked": len({x.url for x in run.link_checks}),
        "basis": crawl_basis(run, interrupted),
        "interrupted_runs": _interrupted_json(interrupted),
    }
    if mended:
        crawl["reading"] = [{"url": url, "notes": note} for url, note in mended.items()]
    evidence = load_evidence(session, run.id, evidence_root) if session is not None else {}
    reviews, previous = {}, {}
    if session is not None:
        from storage.content import load_reviews, previous_records

        reviews = load_reviews(session, site.id)
        previous = {"home_fingerprint": previous_records(session, site.id, run.id, "home_fingerprint")}
    return SiteObs(site.url, site.name, site.code, run.id, run.status, run.error, run.reference_date, run.home_url,
                   run.home_latest_date, columns, links, crawl, records, evidence, site_group=site.group,
                   site_kind=site.kind, probe_loader=loader, manual=manual, reviews=reviews, previous=previous)
