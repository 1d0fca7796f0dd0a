"""The storage pipeline: every observation is stored as it is made, in bulk, off the event loop.

An item becomes rows at once (cheap, here); the rows go to a writer thread (storage/writer.py) that
writes many per transaction with Core inserts. A site's run is closed only once everything it
observed is committed: the pipeline's answer to `RunFinished` fires after that commit, so a worker
acknowledges only stored work, and an interrupted crawl keeps whatever was committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from sqlalchemy import Connection, select, update

from crawler.evidence import EvidenceStore
from crawler.items import (
    ColumnSeen,
    CrawlFailed,
    EvidenceSaved,
    EvidenceTaken,
    HomeSeen,
    LinkChecked,
    Observed,
    PageFetched,
    PageItems,
    RunFinished,
)
from storage.db import Database
from storage.interrupted import INTERRUPTED, is_interrupted
from storage.models import Column, CrawlRun, LinkCheck, ListItem, Page
from storage.records import Evidence, Observation
from storage.repo import first_seen, utcnow
from storage.writer import BulkWriter

log = logging.getLogger(__name__)
_databases: dict[str, Database] = {}
PAGES, COLUMNS, ITEMS, LINKS = Page.__table__, Column.__table__, ListItem.__table__, LinkCheck.__table__
RUNS, OBSERVATIONS, EVIDENCE = CrawlRun.__table__, Observation.__table__, Evidence.__table__
# List entries stored per page (the newest first; the column keeps its true `item_count`): no rule
# reads further back than a year of a list, and no real list page shows more than a few hundred.
LIST_ITEMS_PER_PAGE = 2000


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


def close_run(conn: Connection, run_id: int, home_read: bool, cut: str | None | bool, error: str | None,
              stats: dict[str, int]) -> None:
    """Close a run with what the crawl achieved; a crawl cut short is marked, not hidden."""
    status, known_error = conn.execute(select(RUNS.c.status, RUNS.c.error).where(RUNS.c.id == run_id)).one()
    values: dict[str, Any] = {"finished_at": utcnow(), "stats": dict(stats)}
    if status == "running":
        if is_interrupted(cut):  # Ctrl-C or SIGTERM (crawler/stopping.py): the reason says so
            values |= {"status": INTERRUPTED, "error": str(cut)}
        elif not home_read:
            ended = f"crawl ended ({cut or 'unknown'}) before the home page was read"
            values |= {"status": "failed", "error": known_error or error or ended}
        elif cut:
            values |= {"status": "partial", "error": f"crawl cut short: {cut}"}
        else:
            values |= {"status": "ok", "error": error}
    conn.execute(update(RUNS).where(RUNS.c.id == run_id).values(**values))


class StoragePipeline:
    """Items to rows, rows to the writer thread; `RunFinished` answered once its run is committed."""

    def __init__(self, database_url: str, evidence_dir: str | Path | None = None) -> None:
        self.db = database(database_url)
        self.writer = BulkWriter(self.db.engine)
        self.evidence = EvidenceStore(Path(evidence_dir)) if evidence_dir else None
        self._site_of_run: dict[int, int] = {}
        self._counts: dict[int, dict[str, int]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        pipeline = cls(crawler.settings.get("GOVWATCH_DATABASE"), crawler.settings.get("GOVWATCH_EVIDENCE_DIR"))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def flush(self) -> None:
        """Wait until everything handed over so far is committed."""
        self.writer.sync()

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        closing: list[RunFinished] = []
        for one in item.items if isinstance(item, PageItems) else (item,):
            if isinstance(one, RunFinished):
                closing.append(one)
            self._store(one)
        if not closing:
            return item
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return item  # outside a crawl (a test, a script): `flush()` waits for the commit
        # Answered from the writer thread once the close is committed (the worker's ack waits for it).
        answer: asyncio.Future[Any] = loop.create_future()

        def committed(error: BaseException | None) -> None:
            loop.call_soon_threadsafe(lambda: answer.done() or answer.set_result(item))

        self.writer.call(lambda conn: None, done=committed)
        return answer

    def _counts_of(self, run_id: int) -> dict[str, int]:
        return self._counts.setdefault(run_id, {"pages": 0, "columns": 0, "items": 0, "links": 0})

    def _store(self, item: Any) -> None:
        now = utcnow()
        match item:
            case PageFetched():
                self.writer.insert(PAGES, {
                    "run_id": item.run_id, "url": item.url, "final_url": item.final_url, "role": item.role,
                    "status": item.status, "elapsed_ms": item.elapsed_ms, "content_type": item.content_type,
                    "encoding": item.encoding, "size": item.size, "error": item.error, "fetched_at": now,
                }, item.run_id)
                self._counts_of(item.run_id)["pages"] += 1
            case HomeSeen():
                self._counts_of(item.run_id)["items"] += len(item.items)
                home = {"home_url": item.url, "home_title": item.title[:500], "home_meta": item.meta,
                        "home_latest_date": item.latest_date}
                entries = list(item.items)

                def seen_home(conn: Connection, run_id: int = item.run_id) -> None:
                    conn.execute(update(RUNS).where(RUNS.c.id == run_id).values(**home))
                    self._add_items(conn, run_id, None, entries, now)

                self.writer.call(seen_home, run_id=item.run_id)
            case ColumnSeen():
                counts = self._counts_of(item.run_id)
                counts["columns"] += 1
                counts["items"] += len(item.items)
                column = {
                    "run_id": item.run_id, "name": item.name[:200], "url": item.url, "final_url": item.final_url,
                    "level": item.level, "parent_url": item.parent_url, "category": item.category,
                    "category_source": item.category_source, "page_kind": item.page_kind,
                    "latest_date": item.latest_date, "item_count": len(item.items),
                    "undated_count": item.undated_count, "page_count": item.page_count, "blank": item.blank,
                    "blank_reason": item.blank_reason, "meta": item.meta, "status": item.status, "error": item.error,
                }
                entries = list(item.items)

                def seen_column(conn: Connection, run_id: int = item.run_id) -> None:
                    column_id = conn.execute(COLUMNS.insert().values(**column).returning(COLUMNS.c.id)).scalar_one()
                    self._add_items(conn, run_id, column_id, entries, now)

                self.writer.call(seen_column, run_id=item.run_id)
            case LinkChecked():
                self.writer.insert(LINKS, {
                    "run_id": item.run_id, "url": item.url, "found_on": item.found_on, "link_text": item.link_text,
                    "status": item.status, "outcome": item.outcome, "error": item.error, "method": item.method,
                    "elapsed_ms": item.elapsed_ms, "kind": item.kind, "checked_at": now,
                }, item.run_id)
                self._counts_of(item.run_id)["links"] += 1
            case Observed():
                self.writer.insert(OBSERVATIONS, {"run_id": item.run_id, "kind": item.kind, "url": item.url,
                                                  "found_on": item.found_on, "data": item.data, "observed_at": now},
                                   item.run_id)
            case EvidenceTaken():
                self._take_evidence(item, now)
            case EvidenceSaved():
                self.writer.insert(EVIDENCE, self._evidence_row(item, item.path, item.sha256, item.size, now),
                                   item.run_id)
            case CrawlFailed():
                def failed(conn: Connection, run_id: int = item.run_id, error: str = item.error) -> None:
                    conn.execute(update(RUNS).where(RUNS.c.id == run_id).values(status="failed", error=error))

                self.writer.call(failed, run_id=item.run_id)
            case RunFinished():
                stats = dict(self._counts_of(item.run_id))
                cut = item.cut_short and "site time limit"

                def finished(conn: Connection, run: RunFinished = item, cut: str | bool = cut) -> None:
                    close_run(conn, run.run_id, run.home_read, cut, run.error, stats)

                self.writer.call(finished, run_id=item.run_id)
                self._counts.pop(item.run_id, None)
                self._site_of_run.pop(item.run_id, None)

    @staticmethod
    def _evidence_row(item: EvidenceSaved | EvidenceTaken, path: str, sha256: str, size: int,
                      now: datetime) -> dict[str, Any]:
        return {"run_id": item.run_id, "url": item.url, "kind": item.kind, "reason": item.reason, "path": path,
                "sha256": sha256, "size": size, "status": item.status, "elapsed_ms": item.elapsed_ms,
                "rendered": item.rendered, "created_at": now}

    def _take_evidence(self, item: EvidenceTaken, now: datetime) -> None:
        store = self.evidence
        if store is None:
            return

        def keep(conn: Connection) -> None:
            stored = store.put(item.data, item.suffix, compress=item.compress)  # hashing and gzip: this thread
            conn.execute(EVIDENCE.insert(), [self._evidence_row(item, stored.path, stored.sha256, stored.size, now)])

        self.writer.call(keep, run_id=item.run_id)

    def _add_items(self, conn: Connection, run_id: int, column_id: int | None, entries: Iterable[Any],
                   now: datetime) -> None:
        """The list's entries, each with when its URL was first seen in any run of the site (writer thread)."""
        entries = list(entries)
        if not entries:
            return
        if len(entries) > LIST_ITEMS_PER_PAGE:  # a 10 MB home page lists 15,000: the newest are kept
            newest = sorted(entries, key=lambda e: (e.date is None, -(e.date.toordinal() if e.date else 0)))
            entries = sorted(newest[:LIST_ITEMS_PER_PAGE], key=lambda e: e.position)
        site_id = self._site_of_run.get(run_id)
        if site_id is None:
            site_id = conn.execute(select(RUNS.c.site_id).where(RUNS.c.id == run_id)).scalar_one()
            self._site_of_run[run_id] = site_id
        seen = first_seen(conn, site_id, [e.url for e in entries])
        conn.execute(ITEMS.insert(), [{
            "run_id": run_id, "site_id": site_id, "column_id": column_id, "title": e.title[:500], "url": e.url,
            "published": e.date, "date_text": (e.date_text or "")[:100] or None, "date_source": e.date_source,
            "position": e.position, "pinned": e.pinned, "first_seen_at": min(seen.get(e.url, now), now),
        } for e in entries])

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.flush()
        unfinished = getattr(spider, "unfinished_runs", lambda: [])()
        for state in unfinished:
            state.finished = True
            stats = dict(self._counts.get(state.run_id, {}))

            def close(conn: Connection, state: Any = state, stats: dict[str, int] = stats) -> None:
                close_run(conn, state.run_id, state.home_url is not None, reason, state.failure, stats)

            self.writer.call(close, run_id=state.run_id)
        self.writer.close()
