"""The writer thread: rows in bulk, in order, committed before their `done`; one bad row costs only itself."""

from __future__ import annotations

import threading
from datetime import date, datetime

from sqlalchemy import func, select

from storage.db import Database
from storage.models import CrawlRun, Page
from storage.repo import start_run, upsert_site
from storage.writer import BulkWriter

PAGES = Page.__table__


def _run(db: Database) -> int:
    with db.session() as session:
        site, _ = upsert_site(session, url="http://www.w.gov.cn")
        return start_run(session, site, date(2023, 11, 20)).id


def _page(run_id: int, n: int) -> dict:
    return {"run_id": run_id, "url": f"http://www.w.gov.cn/{n}.html", "final_url": None, "role": "column",
            "status": 200, "elapsed_ms": 1.0, "content_type": "text/html", "encoding": "utf-8", "size": 10,
            "error": None, "fetched_at": datetime(2023, 11, 20)}


def test_rows_are_committed_before_done_is_called(db_url: str) -> None:
    db = Database(db_url)
    run_id = _run(db)
    writer = BulkWriter(db.engine, batch=50)
    seen: list[int] = []
    committed = threading.Event()

    def done(error: BaseException | None) -> None:
        assert error is None
        with db.session() as session:  # another connection sees every row handed over before
            seen.append(session.scalar(select(func.count()).select_from(Page)))
        committed.set()

    for n in range(120):
        writer.insert(PAGES, _page(run_id, n), run_id)
    writer.call(lambda conn: None, done=done, run_id=run_id)
    assert committed.wait(60)
    writer.close()
    assert seen == [120]


def test_one_bad_row_loses_only_itself(db_url: str) -> None:
    db = Database(db_url)
    run_id = _run(db)
    writer = BulkWriter(db.engine)
    writer.insert(PAGES, _page(run_id, 1), run_id)
    writer.insert(PAGES, _page(run_id + 999, 2), run_id + 999)  # no such run: the foreign key refuses it
    writer.insert(PAGES, _page(run_id, 3), run_id)
    errors: list[BaseException | None] = []

    def close(conn: object) -> None:
        conn.execute(CrawlRun.__table__.update().where(CrawlRun.__table__.c.id == run_id).values(status="ok"))

    writer.call(close, done=errors.append, run_id=run_id)
    assert writer.sync(60)
    writer.close()
    with db.session() as session:
        urls = session.scalars(select(Page.url).order_by(Page.url)).all()
        status = session.get(CrawlRun, run_id).status
    assert urls == ["http://www.w.gov.cn/1.html", "http://www.w.gov.cn/3.html"]
    assert status == "ok" and errors == [None]
    assert writer.failures == 1
