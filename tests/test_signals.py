"""Ctrl-C, SIGTERM and SIGKILL during a crawl (issue 8, item 10): the real `govwatch crawl` on a slow
local site, stopped after its first page. It stops within seconds without a traceback or "database
is locked", stores what it saw, marks its runs 检查被中断 and exits 130/143; a run left by a killed
process is marked at the next start; `evaluate` names the crawl a verdict rests on. The scheduler's
crawl child stops promptly when the service stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Column, CrawlRun, Page
from storage.repo import find_site, utcnow
from tests.cli_support import ROOT, govwatch

AS_OF = "2026-11-20"  # the farm's sites are dated this day


def _env(home: Path, **extra: str) -> dict[str, str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("GOVWATCH_")}
    return environ | {"GOVWATCH_HOME": str(home), "PYTHONPATH": str(ROOT), "COLUMNS": "200",
                      "GOVWATCH_TIMEOUT": "8"} | extra


def _register(home: Path, urls: list[str]) -> Database:
    from storage.repo import upsert_site

    db = Database(f"sqlite:///{home / 'govwatch.db'}")
    with db.session() as session:
        for i, url in enumerate(urls):
            upsert_site(session, url=url, name=f"慢站{i}", code=f"100000000{i}")
    return db


def _finished_run(db: Database, code: str) -> int:
    """An earlier, finished crawl of the site (so a later interrupted one has something to fall back on)."""
    with db.session() as session:
        site = find_site(session, code)
        run = CrawlRun(site_id=site.id, started_at=utcnow(), finished_at=utcnow(), status="ok",
                       reference_date=date.fromisoformat(AS_OF), home_url=site.url, home_title=site.name,
                       home_latest_date=date.fromisoformat(AS_OF))
        session.add(run)
        session.flush()
        return run.id


def _start_crawl(home: Path, db: Database, **env: str) -> subprocess.Popen:
    """`govwatch crawl`, returned once the first page (the home page) of a site is stored."""
    proc = subprocess.Popen([sys.executable, "-m", "govwatch.cli", "crawl", "--as-of", AS_OF, "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(home, **env),
                            cwd=ROOT)
    deadline = time.monotonic() + 90
    while True:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the crawl never read a home page"
        with db.session() as session:
            if session.scalar(select(func.count()).select_from(CrawlRun).where(CrawlRun.home_url.is_not(None),
                                                                                CrawlRun.status == "running")):
                return proc
        time.sleep(0.1)


def _stop(proc: subprocess.Popen, signum: int) -> tuple[int, str, float]:
    start = time.monotonic()
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    return proc.returncode, stderr, time.monotonic() - start


@pytest.mark.parametrize(("signum", "code", "browser"), [(signal.SIGINT, 130, "1"), (signal.SIGTERM, 143, "0")])
def test_signal_stops_the_crawl_and_marks_its_runs(tmp_path, farm_factory, signum, code, browser) -> None:  # noqa: ANN001
    farm = farm_factory(1, delay=1.0, columns=6)
    db = _register(tmp_path, farm.urls)
    earlier = _finished_run(db, "1000000000")
    proc = _start_crawl(tmp_path, db, GOVWATCH_BROWSER=browser)
    time.sleep(1.5)  # observations of the column pages are now pending in the storage pipeline's transaction
    status, stderr, seconds = _stop(proc, signum)
    assert status == code, stderr
    assert seconds < 15, f"took {seconds:.1f} s to stop"
    assert "Traceback" not in stderr and "database is locked" not in stderr, stderr
    assert "检查被中断" in stderr and "govwatch evaluate" in stderr
    with db.session() as session:
        run = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
        assert run.id != earlier and run.status == "interrupted" and run.error.startswith("检查被中断")
        assert run.finished_at is not None
        # what was seen is stored, every observation the pipeline counted
        pages = session.scalar(select(func.count()).select_from(Page).where(Page.run_id == run.id))
        columns = session.scalar(select(func.count()).select_from(Column).where(Column.run_id == run.id))
        assert pages >= 1 and run.stats is not None and (run.stats["pages"], run.stats["columns"]) == (pages, columns)
    # the verdict rests on the earlier finished crawl, and says that the newest one was interrupted
    if signum == signal.SIGINT:  # in JSON
        result = govwatch(tmp_path, "evaluate", "--site", "1000000000", "--as-of", AS_OF, "--json")
        assert result.code == 0, result.stderr
        [verdict] = result.json()
        assert verdict["crawl"]["run_id"] == earlier
        assert [r["run_id"] for r in verdict["crawl"]["interrupted_runs"]] == [run.id]
        assert verdict["crawl"]["basis"].startswith(f"最新的第 {run.id} 号抓取")
        assert f"被中断，依据较早的第 {earlier} 号抓取" in verdict["crawl"]["basis"]
    else:  # on the terminal, 80 columns
        shown = govwatch(tmp_path, "evaluate", "--site", "1000000000", "--as-of", AS_OF, env={"COLUMNS": "80"})
        assert shown.code == 0, shown.stderr
        text = "".join(ch for ch in shown.stdout if not ch.isspace() and ch not in "│")  # wrapped lines
        assert f"最新的第{run.id}号抓取" in text and f"被中断，依据较早的第{earlier}号抓取" in text


def test_killed_crawl_is_marked_interrupted_at_the_next_start(tmp_path, farm_factory) -> None:  # noqa: ANN001
    farm = farm_factory(1, delay=1.0, columns=4)
    db = _register(tmp_path, farm.urls)
    proc = _start_crawl(tmp_path, db, GOVWATCH_BROWSER="0")
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    with db.session() as session:
        [run] = session.scalars(select(CrawlRun)).all()
        assert run.status == "running" and run.process  # nothing could mark it
    # the next start (here `evaluate`) marks it, and the site is 无法核验: there is no finished crawl
    result = govwatch(tmp_path, "evaluate", "--as-of", AS_OF, "--json")
    assert result.code == 0, result.stderr
    assert "已标为“检查被中断”" in result.stderr
    with db.session() as session:
        run = session.get(CrawlRun, run.id)
        assert run.status == "interrupted" and run.error.startswith("检查被中断") and "已不在" in run.error
    [verdict] = result.json()
    assert verdict["verdict"] == "unknown" and verdict["crawl"]["status"] == "interrupted"
    assert "没有完成的抓取，无法核验" in verdict["crawl"]["basis"] and "检查被中断" in verdict["problems"]


def test_a_live_crawl_is_not_marked(tmp_path) -> None:  # noqa: ANN001
    """A run whose process still runs (this one) is left alone; one from another host too."""
    from storage.interrupted import mark_abandoned_runs, this_process
    from storage.repo import upsert_site

    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    with db.session() as session:
        site, _ = upsert_site(session, url="http://www.x.gov.cn")
        for process in (this_process(), "elsewhere:1:1"):
            session.add(CrawlRun(site_id=site.id, started_at=utcnow(), status="running", process=process,
                                 reference_date=date.fromisoformat(AS_OF)))
    with db.session() as session:
        assert mark_abandoned_runs(session, utcnow()) == []


def test_scheduler_stop_stops_the_crawl_child(tmp_path, farm_factory) -> None:  # noqa: ANN001
    """`govwatch schedule` stopping (SIGTERM) sets the stop flag: the batch's crawl child is sent SIGTERM
    and exits within seconds, its runs marked interrupted; the batch is left for the next start."""
    from scheduler import batches
    from scheduler.batches import BatchStopped, crawl_locally, create_batch
    from storage.repo import upsert_site
    from tests.test_scheduler import settings_for

    farm = farm_factory(1, delay=1.0, columns=6)
    settings = settings_for(tmp_path, f"sqlite:///{tmp_path / 'g.db'}")
    db = Database(settings.database)
    with db.session() as session:
        site_id = upsert_site(session, url=farm.urls[0], name="慢站")[0].id
    batch_id = create_batch(db, [site_id], date.fromisoformat(AS_OF), "national-2019", kind="nightly", mode="local",
                            owner="test")
    raised: list[BaseException] = []

    def crawl() -> None:
        try:
            crawl_locally(settings, db, batch_id, "test")
        except BaseException as exc:  # noqa: BLE001
            raised.append(exc)

    worker = threading.Thread(target=crawl)
    try:
        worker.start()
        deadline = time.monotonic() + 90
        while not any(h for (_, path), h in farm.hits.items() if path != "/"):
            assert time.monotonic() < deadline and worker.is_alive(), "the crawl child never got past the home page"
            time.sleep(0.1)
        start = time.monotonic()
        batches.request_stop()
        worker.join(30)
        took = time.monotonic() - start
    finally:
        batches._stopping.clear()
    assert not worker.is_alive() and took < 15, f"the crawl child took {took:.1f} s to stop"
    assert [type(e) for e in raised] == [BatchStopped]
    with db.session() as session:
        [run] = session.scalars(select(CrawlRun)).all()
        assert run.status == "interrupted" and run.error.startswith("检查被中断"), run.error
    hits = sum(farm.hits.values())
    time.sleep(2)
    assert sum(farm.hits.values()) == hits  # nothing crawls on after the stop
