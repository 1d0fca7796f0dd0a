"""The store only grows: a second crawl adds a run beside the first, and first-seen times persist."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from sqlalchemy import func, select

from crawler.extract import ListEntry
from crawler.items import ColumnSeen, CrawlFailed, HomeSeen, LinkChecked, PageFetched, RunFinished
from crawler.pipelines import StoragePipeline
from storage.db import Database
from storage.models import Column, CrawlRun, LinkCheck, ListItem
from storage.repo import find_site, run_for_evaluation, start_run, upsert_site


def crawl_once(db_url: str, db: Database, ref: date, titles: list[str], fail: bool = False) -> int:
    with db.session() as session:
        site, _ = upsert_site(session, url="http://www.x.gov.cn", name="某县政府", code="1234000001")
        run_id = start_run(session, site, ref).id
    pipeline = StoragePipeline(db_url)
    spider = SimpleNamespace()
    entries = [ListEntry(t, f"http://www.x.gov.cn/{ord(t)}.html", ref, str(ref), "text", i)
               for i, t in enumerate(titles)]
    if fail:
        pipeline.process_item(CrawlFailed(run_id, "home page answered HTTP 503"), spider)
    else:
        pipeline.process_item(PageFetched(run_id, "http://www.x.gov.cn/", "http://www.x.gov.cn/", "home", 200, 12.0),
                              spider)
        pipeline.process_item(HomeSeen(run_id, "http://www.x.gov.cn/", "某县", {"SiteName": "某县"}, ref, entries),
                              spider)
        pipeline.process_item(ColumnSeen(run_id, "要闻", "http://www.x.gov.cn/yw/", None, 1, None, "news", "keyword",
                                         "list", ref, False, None, {}, 200, items=entries), spider)
        pipeline.process_item(LinkChecked(run_id, "http://www.x.gov.cn/gone.html", "http://www.x.gov.cn/", 404,
                                          "broken", "HTTP 404", "GET", 3.0), spider)
    pipeline.process_item(RunFinished(run_id, home_read=not fail), spider)
    pipeline.flush()  # the rows are written by the pipeline's writer thread
    return run_id


def test_recrawl_adds_and_never_erases(db_url: str) -> None:
    url = db_url
    db = Database(url)
    first = crawl_once(url, db, date(2023, 11, 1), ["甲", "乙"])
    second = crawl_once(url, db, date(2023, 11, 20), ["乙", "丙"])
    failed = crawl_once(url, db, date(2023, 11, 21), [], fail=True)
    with db.session() as session:
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [(r.id, r.status) for r in runs] == [(first, "ok"), (second, "ok"), (failed, "failed")]
        assert runs[2].error == "home page answered HTTP 503"
        assert session.scalar(select(func.count()).select_from(Column)) == 2
        assert session.scalar(select(func.count()).select_from(LinkCheck)) == 2
        seen = {i.title: i.first_seen_at for i in session.scalars(select(ListItem).where(ListItem.run_id == second))}
        earlier = {i.title: i.first_seen_at for i in session.scalars(select(ListItem).where(ListItem.run_id == first))}
        assert seen["乙"] == earlier["乙"]  # first seen in the first crawl, not the second
        assert seen["丙"] > earlier["甲"]
        site = find_site(session, "1234000001")
        assert find_site(session, "某县政府").id == site.id == find_site(session, "www.x.gov.cn").id
        # The newest finished run on or before T0 is judged; later runs are not.
        assert run_for_evaluation(session, site, date(2023, 11, 10)).id == first
        assert run_for_evaluation(session, site, date(2023, 11, 20)).id == second
        assert run_for_evaluation(session, site, date(2023, 11, 30)).id == failed
        assert run_for_evaluation(session, site, date(2023, 10, 1)) is None


def test_interrupted_crawl_is_marked_partial(db_url: str) -> None:
    url = db_url
    db = Database(url)
    with db.session() as session:
        site, _ = upsert_site(session, url="http://www.x.gov.cn")
        run_id = start_run(session, site, date(2023, 11, 20)).id
    pipeline = StoragePipeline(url)
    state = SimpleNamespace(run_id=run_id, home_url="http://www.x.gov.cn/", failure=None, finished=False)
    spider = SimpleNamespace(unfinished_runs=lambda: [state])
    pipeline.spider_closed(spider, "shutdown")  # e.g. Ctrl-C in the middle of a crawl
    with db.session() as session:
        run = session.get(CrawlRun, run_id)
        assert (run.status, run.error) == ("partial", "crawl cut short: shutdown")
        assert run.finished_at is not None


def test_a_huge_list_keeps_its_newest_entries_and_its_true_count(db_url: str) -> None:
    """A 10 MB home page lists 15,000 entries: the store keeps the newest LIST_ITEMS_PER_PAGE of a page."""
    from datetime import timedelta

    from crawler.pipelines import LIST_ITEMS_PER_PAGE

    db = Database(db_url)
    ref = date(2023, 11, 20)
    with db.session() as session:
        site, _ = upsert_site(session, url="http://www.big.gov.cn")
        run_id = start_run(session, site, ref).id
    count = LIST_ITEMS_PER_PAGE + 500
    entries = [ListEntry(f"标题{i}", f"http://www.big.gov.cn/{i}.html", ref - timedelta(days=i), None, "text", i)
               for i in range(count)]
    pipeline = StoragePipeline(db_url)
    pipeline.process_item(ColumnSeen(run_id, "要闻", "http://www.big.gov.cn/yw/", None, 1, None, "news", "keyword",
                                     "list", ref, False, None, {}, 200, items=entries), SimpleNamespace())
    pipeline.flush()
    with db.session() as session:
        column = session.scalars(select(Column).where(Column.run_id == run_id)).one()
        dates = session.scalars(select(ListItem.published).where(ListItem.run_id == run_id)).all()
    assert column.item_count == count
    assert len(dates) == LIST_ITEMS_PER_PAGE
    assert max(dates) == ref and min(dates) == ref - timedelta(days=LIST_ITEMS_PER_PAGE - 1)
