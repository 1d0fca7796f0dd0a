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


def _assert_stopped(db: Database, status: int, stderr: str, seconds: float, code: int, earlier: int) -> CrawlRun:
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
        return run


def test_ctrl_c_stops_the_crawl_and_evaluate_names_the_crawl_used(tmp_path, farm_factory) -> None:
    farm = farm_factory(1, delay=1.0, columns=6)
    db = _register(tmp_path, farm.urls)
    earlier = _finished_run(db, "1000000000")
    proc = _start_crawl(tmp_path, db)  # with Chromium: the browser goes down quietly too
    time.sleep(1.5)  # observations of the column pages are now pending in the storage pipeline's transaction
    run = _assert_stopped(db, *_stop(proc, signal.SIGINT), 130, earlier)
    # the verdict rests on the earlier finished crawl, and says that the newest one was interrupted
    result = govwatch(tmp_path, "evaluate", "--site", "1000000000", "--as-of", AS_OF, "--json")
    assert result.code == 0, result.stderr
    [verdict] = result.json()
    assert verdict["crawl"]["run_id"] == earlier
    assert [r["run_id"] for r in verdict["crawl"]["interrupted_runs"]] == [run.id]
    assert verdict["crawl"]["basis"].startswith(f"最新的第 {run.id} 号抓取")
    assert f"被中断，依据较早的第 {earlier} 号抓取" in verdict["crawl"]["basis"]


def test_sigterm_and_sigkill_runs_are_marked_interrupted(tmp_path, farm_factory) -> None:
    """SIGTERM: marked at once, exit 143. SIGKILL: nothing can mark the run; the next start (here
    `evaluate`) sees its process gone and marks it, and the verdict on the terminal says so."""
    farm = farm_factory(1, delay=1.0, columns=6)
    db = _register(tmp_path, farm.urls)
    earlier = _finished_run(db, "1000000000")
    proc = _start_crawl(tmp_path, db, GOVWATCH_BROWSER="0")
    time.sleep(1.5)
    _assert_stopped(db, *_stop(proc, signal.SIGTERM), 143, earlier)
    # A crawl process killed outright, as cheaply as it can be had: it opens a run the way `crawl` does
    # (storage.repo.start_run), says so, and is killed while it crawls.
    script = ("import sys, time; from datetime import date; from storage.db import Database; "
              "from storage.repo import find_site, start_run; db = Database(sys.argv[1]); s = db.session(); "
              "session = s.__enter__(); start_run(session, find_site(session, '1000000000'), "
              "date.fromisoformat(sys.argv[2])); session.commit(); print('crawling', flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", script, db.url, AS_OF], stdout=subprocess.PIPE, text=True,
                            env=_env(tmp_path), cwd=ROOT)
    assert proc.stdout.readline().strip() == "crawling"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    with db.session() as session:
        killed = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
        assert killed.status == "running" and killed.process.split(":")[1] == str(proc.pid)  # nothing marked it
    shown = govwatch(tmp_path, "evaluate", "--site", "1000000000", "--as-of", AS_OF, env={"COLUMNS": "80"})
    assert shown.code == 0, shown.stderr
    assert "已标为“检查被中断”" in shown.stderr
    with db.session() as session:
        killed = session.get(CrawlRun, killed.id)
        assert killed.status == "interrupted" and killed.error.startswith("检查被中断") and "已不在" in killed.error
    text = "".join(ch for ch in shown.stdout if not ch.isspace() and ch not in "│")  # lines wrapped at 80 columns
    assert f"最新的第{killed.id}号抓取" in text and f"被中断，依据较早的第{earlier}号抓取" in text


def test_no_finished_crawl_is_unverifiable(tmp_path) -> None:
    """Only an interrupted crawl: 无法核验, never a verdict from what it half read."""
    from inspection.sites import evaluate_sites
    from reports.verdict import verdict_json
    from rules.profile import load_profile
    from storage.repo import upsert_site

    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    with db.session() as session:
        site, _ = upsert_site(session, url="http://www.x.gov.cn", name="某站")
        run = CrawlRun(site_id=site.id, started_at=utcnow(), finished_at=utcnow(), status="interrupted",
                       error="检查被中断：收到 Ctrl-C（SIGINT）", reference_date=date.fromisoformat(AS_OF),
                       home_url=site.url)
        session.add(run)
        session.flush()
        site_id, run_id = site.id, run.id
    [ev] = evaluate_sites(db, [site_id], date.fromisoformat(AS_OF), load_profile("national-2019"), save=False,
                          evidence_root=tmp_path)
    data = verdict_json(ev)
    assert data["verdict"] == "unknown" and data["vetoes"] == [] and data["crawl"]["status"] == "interrupted"
    assert [r["run_id"] for r in data["crawl"]["interrupted_runs"]] == [run_id]
    assert data["crawl"]["basis"].endswith("被中断，没有完成的抓取，无法核验")
    assert data["problems"] == "无法核验：检查被中断，没有完成的抓取"


def test_a_live_crawl_is_not_marked(tmp_path) -> None:
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


def test_scheduler_stop_stops_the_crawl_child(tmp_path, farm_factory) -> None:
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
        except BaseException as exc:
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


def test_foreground_crawl_jobs_stop_their_batch_on_sigterm() -> None:
    """`nightly`, `schedule --once nightly` and `crawl --workers` run a batch in the foreground:
    SIGTERM asks the batch to stop (the crawl child is stopped as above) and they exit 143."""
    import typer

    from govwatch.cli.service import _stop_batches_on_signals
    from scheduler import batches

    before = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(typer.Exit) as stopped, _stop_batches_on_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)  # the handler runs in the main thread between bytecodes
            assert batches.stop_requested()
        assert stopped.value.exit_code == 143
    finally:
        batches._stopping.clear()
    assert signal.getsignal(signal.SIGTERM) == before
