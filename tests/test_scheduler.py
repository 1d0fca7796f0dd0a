"""The scheduler: its jobs and their policies, probes spread over the day, locks across processes, the
quarterly reminder, the recheck queue, the nightly crawl in a child process, and recovery after a
crash (interrupted runs marked 检查被中断 and crawled again, finished ones kept, each site judged on one run)."""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, inspect, select
from typer.testing import CliRunner

from config.settings import load_settings
from scheduler import jobs, locks
from scheduler.batches import create_batch, stale_batches
from scheduler.probes import due_sites, period_seconds, site_offset, slot_start
from scheduler.service import build_scheduler, install_jobs
from storage.db import Database
from storage.models import (
    BatchRun,
    Column,
    CrawlBatch,
    CrawlRun,
    Evaluation,
    Probe,
    RecheckRequest,
    ServiceNotice,
)
from storage.repo import upsert_site, utcnow

AS_OF = date(2026, 11, 20)


def settings_for(tmp_path, db_url: str, **extra: str):
    env = {"GOVWATCH_HOME": str(tmp_path / "home"), "GOVWATCH_DATABASE_URL": db_url, "GOVWATCH_BROWSER": "0",
           "GOVWATCH_TIMEOUT": "5"} | extra
    settings = load_settings(env)
    settings.ensure_home()
    return settings


@pytest.fixture
def service(tmp_path, db_url):
    settings = settings_for(tmp_path, db_url)
    db = Database(settings.database)
    jobs.use(jobs.Context(settings, db, "test-scheduler"))
    yield settings, db
    db.dispose()


def test_jobs_policies_and_store(service) -> None:
    settings, db = service
    scheduler = build_scheduler(settings, db, "me", scheduler_class=BackgroundScheduler, recover=False)
    assert set(install_jobs(scheduler, settings, db)) == {"nightly", "probes", "rechecks", "recover", "reminder"}
    scheduler.start(paused=True)
    try:
        stored = {job.id: job for job in scheduler.get_jobs(jobstore="default")}
        assert set(stored) == {"nightly", "probes", "rechecks", "recover", "reminder"}
        for job in stored.values():
            assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time
        nightly = stored["nightly"]
        assert nightly.misfire_grace_time == 6 * 3600
        when = nightly.next_run_time
        assert (when.hour, when.minute, str(when.tzinfo)) == (2, 30, "Asia/Shanghai")
        assert "apscheduler_jobs" in inspect(db.engine).get_table_names()  # the job store is our database
    finally:
        scheduler.shutdown(wait=False)
    # Restarted with the same settings: the stored jobs (and their next run times) are kept ...
    again = build_scheduler(settings, db, "me", scheduler_class=BackgroundScheduler, recover=False)
    assert install_jobs(again, settings, db) == []
    # ... and a new nightly time replaces just the nightly job.
    later = settings_for(settings.home.parent, settings.database, GOVWATCH_NIGHTLY_AT="03:15")
    assert install_jobs(build_scheduler(later, db, "me", scheduler_class=BackgroundScheduler, recover=False),
                        later, db) == ["nightly"]


def test_missed_run_is_logged_and_stored(service, caplog) -> None:
    settings, db = service
    scheduler = build_scheduler(settings, db, "me", scheduler_class=BackgroundScheduler, recover=False)
    # A job whose run time passed long before the scheduler came back (beyond its grace time).
    past = datetime.now(scheduler.timezone) - timedelta(hours=2)
    scheduler.add_job("scheduler.jobs:probes", "date", run_date=past, id="probes", jobstore="default",
                      misfire_grace_time=60)
    caplog.set_level(logging.WARNING, logger="govwatch.scheduler")
    scheduler.start()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with db.session() as session:
                if session.scalar(select(func.count()).select_from(ServiceNotice)):
                    break
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=False)
    with db.session() as session:
        [notice] = session.scalars(select(ServiceNotice)).all()
    assert notice.kind == "missed-run" and notice.key.startswith("missed:probes:")
    assert any("missed its run" in r.getMessage() for r in caplog.records)


def test_probes_are_spread_over_the_day(tmp_path) -> None:
    per_day = 24
    period = period_seconds(per_day)
    offsets = [site_offset(site_id, per_day) for site_id in range(1, 501)]
    assert all(0 <= o < period for o in offsets)
    per_minute = Counter(int(o // 60) for o in offsets)
    assert max(per_minute.values()) <= 20  # 500 sites over 60 minutes: no minute gets a crowd
    # A site is due once per slot, 24 slots a day.
    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    with db.session() as session:
        site_id = upsert_site(session, url="http://www.x.gov.cn/")[0].id
    day = datetime(2026, 11, 20)
    probes = 0
    for minute in range(0, 24 * 60):
        now = day + timedelta(minutes=minute)
        if (site_id, "http://www.x.gov.cn/") in due_sites(db, per_day, now):
            with db.session() as session:
                session.add(Probe(site_id=site_id, url="http://www.x.gov.cn/", probed_at=now, ok=True, status=200,
                                  elapsed_ms=5.0))
            probes += 1
    assert probes == 24 >= 21
    # A slot missed by more than a quarter period (scheduler down) is skipped, not caught up.
    start = slot_start(site_id, day + timedelta(days=3), per_day)
    assert due_sites(db, per_day, start + timedelta(seconds=period / 4 + 1)) == []
    db.dispose()


def test_locks_across_processes(service) -> None:
    _, db = service
    assert locks.acquire(db, "nightly", "a", ttl=60)
    assert not locks.acquire(db, "nightly", "b", ttl=60)
    assert locks.holder_of(db, "nightly") == "a"
    assert locks.renew(db, "nightly", "a", ttl=-1)  # expire it: its holder "died"
    assert locks.acquire(db, "nightly", "b", ttl=60)  # taken over
    assert not locks.renew(db, "nightly", "a", ttl=60)
    locks.release(db, "nightly", "b")
    assert locks.holder_of(db, "nightly") is None
    # A nightly crawl is not started while another process runs one.
    assert locks.acquire(db, "nightly", "another-process", ttl=60)
    with db.session() as session:
        upsert_site(session, url="http://www.x.gov.cn/")
    assert jobs.nightly(AS_OF) == []
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CrawlBatch)) == 0


def test_quarterly_reminder_once_per_quarter(service) -> None:
    _, db = service
    assert jobs.quarterly_reminder(date(2027, 1, 2)) is True
    assert jobs.quarterly_reminder(date(2027, 1, 3)) is False  # the same quarter: once
    assert jobs.quarterly_reminder(date(2027, 4, 1)) is True
    with db.session() as session:
        keys = sorted(n.key for n in session.scalars(select(ServiceNotice)))
    assert keys == ["export-reminder:2026Q4", "export-reminder:2027Q1"]


def test_recheck_queue_and_nightly_in_a_child_process(tmp_path, farm_factory, monkeypatch) -> None:
    """`recheck --queue` feeds the queue; the rechecks job crawls it in a child process and judges it;
    the nightly job crawls every registered site once a day."""
    farm = farm_factory(2, columns=2)
    settings = settings_for(tmp_path, f"sqlite:///{tmp_path / 'g.db'}")
    db = Database(settings.database)
    jobs.use(jobs.Context(settings, db, "test-scheduler"))
    with db.session() as session:
        ids = [upsert_site(session, url=u, name=f"站{i}", code=f"98000000{i:02d}")[0].id
               for i, u in enumerate(farm.urls)]
    for key, value in {"GOVWATCH_HOME": str(settings.home), "GOVWATCH_DATABASE_URL": settings.database,
                       "GOVWATCH_BROWSER": "0"}.items():
        monkeypatch.setenv(key, value)
    from govwatch.cli import app

    result = CliRunner().invoke(app, ["recheck", "9800000001", "--queue", "--as-of", AS_OF.isoformat(), "--json"])
    assert result.exit_code == 0, result.output
    assert jobs.rechecks() == [1]
    with db.session() as session:
        request = session.get(RecheckRequest, 1)
        assert (request.status, request.site_id) == ("done", ids[1])
        run = session.get(CrawlRun, request.run_id)
        assert run.status == "ok" and run.reference_date == AS_OF
        assert session.get(Evaluation, request.evaluation_id).run_id == run.id
    assert jobs.rechecks() == []  # drained
    results = jobs.nightly(AS_OF)
    assert sorted(j.summary.obs.site_url for j in results) == sorted(farm.urls)  # inspection.sites.Judged
    assert jobs.nightly(AS_OF) == []  # the day's nightly crawl is done: not again
    with db.session() as session:
        batches = session.scalars(select(CrawlBatch).order_by(CrawlBatch.id)).all()
        assert [(b.kind, b.status) for b in batches] == [("recheck", "done"), ("nightly", "done")]
        assert session.scalar(select(func.count()).select_from(CrawlRun)) == 3
    db.dispose()


def test_crash_recovery_recrawls_only_the_interrupted(tmp_path, farm_factory) -> None:
    """A nightly batch whose process died: the finished site keeps its run, the interrupted one is
    marked interrupted (检查被中断) and crawled again; each site is judged once, on one run."""
    farm = farm_factory(2, columns=2)
    settings = settings_for(tmp_path, f"sqlite:///{tmp_path / 'g.db'}")
    db = Database(settings.database)
    jobs.use(jobs.Context(settings, db, "new-scheduler"))
    with db.session() as session:
        ids = [upsert_site(session, url=u, name=f"站{i}")[0].id for i, u in enumerate(farm.urls)]
    batch_id = create_batch(db, ids, AS_OF, "national-2019", kind="nightly", mode="local", owner="dead-process")
    with db.session() as session:
        links = session.scalars(select(BatchRun).order_by(BatchRun.id)).all()
        done_run, cut_run = session.get(CrawlRun, links[0].run_id), session.get(CrawlRun, links[1].run_id)
        done_run.status, done_run.finished_at = "ok", utcnow()  # finished before the crash
        session.add(Column(run_id=cut_run.id, name="半截栏目", url=farm.urls[1] + "c0/", category="news",
                           category_source="keyword"))  # seen before the crash, never finished
        session.get(CrawlBatch, batch_id).heartbeat_at = utcnow() - timedelta(minutes=10)
    assert stale_batches(db) == [batch_id]
    assert jobs.recover() == [batch_id]
    with db.session() as session:
        old = session.get(CrawlRun, cut_run.id)
        assert old.status == "interrupted" and old.error.startswith("检查被中断")
        current = {link.site_id: link.run_id for link in session.scalars(select(BatchRun))
                   if not link.superseded}
        assert current[ids[0]] == done_run.id  # kept, not crawled again
        assert current[ids[1]] != cut_run.id and session.get(CrawlRun, current[ids[1]]).status == "ok"
        evaluated = sorted(session.execute(select(Evaluation.site_id, Evaluation.run_id)).all())
        assert evaluated == sorted(current.items())
        assert session.get(CrawlBatch, batch_id).status == "done"
    assert farm.hits.get((0, "/"), 0) == 0 and farm.hits.get((1, "/"), 0) >= 1
    assert jobs.recover() == []  # nothing left
    db.dispose()


def test_service_settings_are_checked_when_loaded() -> None:
    from config.settings import SettingsError, to_environ

    settings = load_settings({"GOVWATCH_NIGHTLY_AT": "3:05", "GOVWATCH_CRAWL_MODE": "workers",
                              "GOVWATCH_PROBES_PER_DAY": "30"})
    assert (settings.nightly_at, settings.crawl_mode, settings.probes_per_day) == ("3:05", "workers", 30)
    assert load_settings(to_environ(settings)).nightly_at == "3:05"  # what a child process gets
    for var, bad in (("GOVWATCH_NIGHTLY_AT", "25:00"), ("GOVWATCH_TIMEZONE", "Mars/Base"),
                     ("GOVWATCH_CRAWL_MODE", "cluster")):
        with pytest.raises(SettingsError, match=var):
            load_settings({var: bad})
