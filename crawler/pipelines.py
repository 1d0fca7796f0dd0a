"""The storage pipeline: every observation is written as soon as it is made."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crawler.items import (
    ColumnSeen,
    CrawlFailed,
    EvidenceSaved,
    HomeSeen,
    LinkChecked,
    Observed,
    PageFetched,
    RunFinished,
)
from storage.db import Database
from storage.interrupted import INTERRUPTED, is_interrupted
from storage.models import Column, CrawlRun, LinkCheck, ListItem, Page
from storage.records import Evidence, Observation
from storage.repo import first_seen, utcnow

_databases: dict[str, Database] = {}


def flush_storage(crawler: Crawler) -> None:
    """Commit what the crawler's storage pipeline holds, before another component writes the same runs."""
    for component in getattr(crawler.engine.scraper.itemproc, "middlewares", ()):
        if isinstance(component, StoragePipeline):
            component.flush()


def close_storage(crawler: Crawler, reason: str) -> None:
    """Commit what the storage pipeline holds and close the runs still open with `reason`: the crawl
    is being stopped (crawler/stopping.py) and the spider will not close them itself."""
    for component in getattr(crawler.engine.scraper.itemproc, "middlewares", ()):
        if isinstance(component, StoragePipeline):
            component.spider_closed(crawler.spider, reason)


def database(url: str) -> Database:
    """One engine per process and URL."""
    if url not in _databases:
        _databases[url] = Database(url)
    return _databases[url]


class StoragePipeline:
    """Writes observations in small transactions: at most `BATCH_ITEMS` items or `BATCH_SECONDS`
    old, and always at once when a site's run ends (so a worker acknowledges only stored work)."""

    BATCH_ITEMS = 200
    BATCH_SECONDS = 2.0

    def __init__(self, database_url: str) -> None:
        self.db = database(database_url)
        self._site_of_run: dict[int, int] = {}
        self._counts: dict[int, dict[str, int]] = {}
        self._session: Session | None = None
        self._pending = 0
        self._since = time.monotonic()

    def _open(self) -> Session:
        if self._session is None:
            self._session = Session(self.db.engine, expire_on_commit=False)
            self._pending, self._since = 0, time.monotonic()
        return self._session

    def flush(self) -> None:
        """Commit what is pending; on a database error nothing half-written stays behind."""
        if self._session is None:
            return
        session, self._session = self._session, None
        try:
            session.commit()
        except SQLAlchemyError:
            session.rollback()
            raise
        finally:
            session.close()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        pipeline = cls(crawler.settings.get("GOVWATCH_DATABASE"))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        now = utcnow()
        counts = self._counts.setdefault(item.run_id, {"pages": 0, "columns": 0, "items": 0, "links": 0})
        session = self._open()
        try:
            match item:
                case PageFetched():
                    session.add(Page(run_id=item.run_id, url=item.url, final_url=item.final_url, role=item.role,
                                     status=item.status, elapsed_ms=item.elapsed_ms, content_type=item.content_type,
                                     encoding=item.encoding, size=item.size, error=item.error, fetched_at=now))
                    counts["pages"] += 1
                case HomeSeen():
                    run = session.get(CrawlRun, item.run_id)
                    run.home_url, run.home_title, run.home_meta = item.url, item.title[:500], item.meta
                    run.home_latest_date = item.latest_date
                    counts["items"] += self._add_items(session, item.run_id, None, item.items, now)
                case ColumnSeen():
                    column = Column(
                        run_id=item.run_id, name=item.name[:200], url=item.url, final_url=item.final_url,
                        level=item.level, parent_url=item.parent_url, category=item.category,
                        category_source=item.category_source, page_kind=item.page_kind,
                        latest_date=item.latest_date, item_count=len(item.items), undated_count=item.undated_count,
                        page_count=item.page_count, blank=item.blank, blank_reason=item.blank_reason,
                        meta=item.meta, status=item.status, error=item.error,
                    )
                    session.add(column)
                    session.flush()
                    counts["columns"] += 1
                    counts["items"] += self._add_items(session, item.run_id, column.id, item.items, now)
                case LinkChecked():
                    session.add(LinkCheck(run_id=item.run_id, url=item.url, found_on=item.found_on,
                                          link_text=item.link_text, status=item.status, outcome=item.outcome,
                                          error=item.error, method=item.method, elapsed_ms=item.elapsed_ms,
                                          kind=item.kind, checked_at=now))
                    counts["links"] += 1
                case Observed():
                    session.add(Observation(run_id=item.run_id, kind=item.kind, url=item.url,
                                            found_on=item.found_on, data=item.data, observed_at=now))
                case EvidenceSaved():
                    session.add(Evidence(run_id=item.run_id, url=item.url, kind=item.kind, reason=item.reason,
                                         path=item.path, sha256=item.sha256, size=item.size, status=item.status,
                                         elapsed_ms=item.elapsed_ms, rendered=item.rendered, created_at=now))
                case CrawlFailed():
                    run = session.get(CrawlRun, item.run_id)
                    run.status, run.error = "failed", item.error
                case RunFinished():
                    self._close_run(session, item.run_id, item.home_read, item.cut_short and "site time limit",
                                    item.error)
        except BaseException:
            self._session = None
            session.rollback()
            session.close()
            raise
        self._pending += 1
        # A run's own row is never left locked by an open transaction: other processes update it.
        touches_run = isinstance(item, RunFinished | CrawlFailed | HomeSeen)
        if touches_run or self._pending >= self.BATCH_ITEMS or time.monotonic() - self._since >= self.BATCH_SECONDS:
            self.flush()
        return item

    def _add_items(self, session: Session, run_id: int, column_id: int | None, entries: Iterable[Any],
                   now: datetime) -> int:
        if run_id not in self._site_of_run:
            self._site_of_run[run_id] = session.get(CrawlRun, run_id).site_id
        site_id = self._site_of_run[run_id]
        seen = first_seen(session, site_id, [e.url for e in entries])
        for entry in entries:
            session.add(ListItem(
                run_id=run_id, site_id=site_id, column_id=column_id, title=entry.title[:500], url=entry.url,
                published=entry.date, date_text=(entry.date_text or "")[:100] or None, date_source=entry.date_source,
                position=entry.position, pinned=entry.pinned, first_seen_at=min(seen.get(entry.url, now), now),
            ))
        return len(entries)

    def _close_run(self, session: Session, run_id: int, home_read: bool, cut: str | None | bool,
                   error: str | None) -> None:
        """Close a run with what the crawl achieved; a crawl cut short is marked, not hidden."""
        run = session.get(CrawlRun, run_id)
        run.finished_at = utcnow()
        if run.status == "running":
            if is_interrupted(cut):  # Ctrl-C or SIGTERM (crawler/stopping.py): the reason says so
                run.status, run.error = INTERRUPTED, str(cut)
            elif not home_read:
                run.status = "failed"
                run.error = run.error or error or f"crawl ended ({cut or 'unknown'}) before the home page was read"
            elif cut:
                run.status, run.error = "partial", f"crawl cut short: {cut}"
            else:
                run.status, run.error = "ok", error
        run.stats = dict(self._counts.get(run_id, {}))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.flush()
        unfinished = getattr(spider, "unfinished_runs", lambda: [])()
        with self.db.session() as session:
            for state in unfinished:
                state.finished = True
                self._close_run(session, state.run_id, state.home_url is not None, reason, state.failure)
