"""Repositories: the few questions the rest of govwatch asks of the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Connection, func, or_, select
from sqlalchemy.orm import Session, selectinload

from storage.models import Column, CrawlRun, Evaluation, LinkCheck, ListItem, Page, Site


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def normalize_site_url(url: str) -> str:
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    scheme, rest = url.split("://", 1)
    if "/" not in rest:
        rest += "/"
    return f"{scheme.lower()}://{rest}"


def find_site(session: Session, key: str) -> Site | None:
    """A site by 网站标识码, exact name, or URL."""
    candidates = {key.strip()}
    if "." in key or "://" in key:
        candidates.add(normalize_site_url(key))
    return session.scalars(
        select(Site).where(or_(Site.code == key.strip(), Site.name == key.strip(), Site.url.in_(candidates)))
    ).first()


def upsert_site(
    session: Session,
    *,
    url: str,
    name: str | None = None,
    code: str | None = None,
    unit: str | None = None,
    group: str | None = None,
    registered: bool = True,
    kind: str | None = None,
    status: str | None = None,
    enabled: bool | None = None,
) -> tuple[Site, bool]:
    """Register or update a site; returns (site, created). Matched by code first, then URL.
    kind/status/enabled: None leaves them as they are (a new site: none, normal, enabled)."""
    url = normalize_site_url(url)
    site = None
    if code:
        site = session.scalars(select(Site).where(Site.code == code)).first()
    if site is None:
        site = session.scalars(select(Site).where(Site.url == url)).first()
    created = site is None
    if site is None:
        site = Site(url=url, name=name or url, code=code or None, unit=unit, group=group,
                    registered=registered, created_at=utcnow(), kind=kind, status=status or "normal",
                    enabled=True if enabled is None else enabled)
        session.add(site)
    else:
        site.url = url
        site.name = name or site.name
        site.code = code or site.code
        site.unit = unit or site.unit
        site.group = group or site.group
        site.registered = site.registered or registered
        site.kind = kind or site.kind
        site.status = status or site.status
        site.enabled = site.enabled if enabled is None else enabled
    session.flush()
    return site, created


def registered_sites(session: Session) -> Sequence[Site]:
    return session.scalars(select(Site).where(Site.registered.is_(True)).order_by(Site.id)).all()


def sites_to_inspect(session: Session) -> Sequence[Site]:
    """The registered sites a nightly crawl visits: enabled, and not 关停/注销 (those keep their history)."""
    return session.scalars(select(Site).where(Site.registered.is_(True), Site.enabled.is_(True),
                                              Site.status == "normal").order_by(Site.id)).all()


def remove_site(session: Session, site: Site) -> None:
    """Delete a site and everything observed of it (runs, pages, columns, items, links, probes,
    evaluations, findings entered by hand). `sites disable` keeps the history instead."""
    from sqlalchemy import delete

    import storage.records  # noqa: F401 - every table that points at a site or a run is in the metadata

    site_id = site.id
    run_ids = select(CrawlRun.id).where(CrawlRun.site_id == site_id)
    tables = [t for t in reversed(Site.metadata.sorted_tables) if t.name not in ("sites", "crawl_runs")]
    for table in tables:
        if "run_id" in table.c:
            session.execute(delete(table).where(table.c.run_id.in_(run_ids)))
    for table in tables:
        if "site_id" in table.c:
            session.execute(delete(table).where(table.c.site_id == site_id))
    session.expunge(site)
    session.execute(delete(CrawlRun.__table__).where(CrawlRun.__table__.c.site_id == site_id))
    session.execute(delete(Site.__table__).where(Site.__table__.c.id == site_id))
    session.flush()


def start_run(session: Session, site: Site, reference_date: date) -> CrawlRun:
    from storage.interrupted import this_process

    run = CrawlRun(site_id=site.id, started_at=utcnow(), reference_date=reference_date, status="running",
                   process=this_process())
    session.add(run)
    session.flush()
    return run


def first_seen(session: Session | Connection, site_id: int, urls: Sequence[str]) -> dict[str, datetime]:
    """When each URL was first seen in any earlier run of the site."""
    if not urls:
        return {}
    rows = session.execute(
        select(ListItem.url, func.min(ListItem.first_seen_at))
        .where(ListItem.site_id == site_id, ListItem.url.in_(list(set(urls))))
        .group_by(ListItem.url)
    ).all()
    return {url: seen for url, seen in rows}


def run_for_evaluation(session: Session, site: Site, as_of: date, run_id: int | None = None) -> CrawlRun | None:
    """The newest finished run observed on or before the monitoring time point; an interrupted run is
    never one (see `interrupted_runs_after`)."""
    query = (
        select(CrawlRun)
        .where(CrawlRun.site_id == site.id, CrawlRun.status.not_in(("running", "interrupted")))
        .options(
            selectinload(CrawlRun.columns),
            selectinload(CrawlRun.link_checks),
            selectinload(CrawlRun.pages),
        )
    )
    if run_id is not None:
        return session.scalars(query.where(CrawlRun.id == run_id)).first()
    return session.scalars(
        query.where(CrawlRun.reference_date <= as_of).order_by(CrawlRun.reference_date.desc(), CrawlRun.id.desc())
    ).first()


def interrupted_runs_after(session: Session, site: Site, as_of: date, run: CrawlRun | None) -> Sequence[CrawlRun]:
    """The site's interrupted runs newer than the run a verdict uses (newest first): the verdict says
    that it rests on an older crawl, or on none."""
    query = select(CrawlRun).where(CrawlRun.site_id == site.id, CrawlRun.status == "interrupted",
                                   CrawlRun.reference_date <= as_of)
    if run is not None:
        query = query.where(CrawlRun.id > run.id)
    return session.scalars(query.order_by(CrawlRun.id.desc())).all()


def home_items(session: Session, run: CrawlRun) -> Sequence[ListItem]:
    return session.scalars(
        select(ListItem).where(ListItem.run_id == run.id, ListItem.column_id.is_(None)).order_by(ListItem.position)
    ).all()


def save_evaluation(session: Session, site: Site, run: CrawlRun | None, result: dict) -> Evaluation:
    evaluation = Evaluation(
        site_id=site.id,
        run_id=run.id if run else None,
        as_of=date.fromisoformat(result["as_of"]),
        profile=result["profile"],
        verdict=result["verdict"],
        score=result.get("score"),
        result=result,
        created_at=utcnow(),
    )
    session.add(evaluation)
    session.flush()
    return evaluation


__all__ = [
    "Column", "CrawlRun", "LinkCheck", "ListItem", "Page", "Site",
    "find_site", "first_seen", "home_items", "interrupted_runs_after", "registered_sites", "run_for_evaluation",
    "save_evaluation", "start_run", "upsert_site", "utcnow",
]
