"""Several `govwatch worker` processes on the real Redis: every site crawled exactly once and judged,
per-host politeness held across workers, and a worker killed mid-crawl loses no site."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.settings import load_settings
from crawler.workqueue import WorkQueue, connect
from storage.db import Database
from storage.models import BatchRun, Column, CrawlRun, Evaluation, Page
from storage.repo import upsert_site

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-20"


def service_env(tmp_path: Path, db_url: str, redis_url: str, prefix: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}
    env.update({
        "GOVWATCH_HOME": str(tmp_path / "home"),
        "GOVWATCH_DATABASE_URL": db_url,
        "GOVWATCH_REDIS_URL": redis_url,
        "GOVWATCH_REDIS_PREFIX": prefix,
        "GOVWATCH_WORKER_LEASE": "2",
        "GOVWATCH_TIMEOUT": "5",
        "GOVWATCH_BROWSER": "0",  # plain HTTP: these tests are about the queue, not rendering
        "PYTHONPATH": str(ROOT),
    })
    env.update(extra)
    return env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "govwatch.cli", "worker", "--exit-when-idle", "--idle-seconds",
                             "30"], env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def stop(workers: list[subprocess.Popen]) -> None:
    for w in workers:
        if w.poll() is None:
            w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(15)
        except subprocess.TimeoutExpired:
            w.kill()
            w.wait()


def register(db: Database, urls: list[str]) -> list[int]:
    with db.session() as session:
        return [upsert_site(session, url=u, name=f"测试县{i + 1}人民政府", code=f"99000000{i:02d}")[0].id
                for i, u in enumerate(urls)]


def took_sites(tmp_path: Path) -> Counter:
    """How many times each site URL was taken by a worker (from the workers' log)."""
    log = (tmp_path / "home" / "logs" / "worker.log").read_text()
    return Counter(line.split(" took site ")[1].split(" ")[0] for line in log.splitlines() if " took site " in line)


def wait_workers_ready(queue: WorkQueue, count: int, limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while len(queue.live_workers()) < count:
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.1)


def test_two_workers_crawl_every_site_once(tmp_path, pg_url, redis_url, redis_prefix, farm_factory) -> None:
    db_url = pg_url
    farm = farm_factory(6, delay=0.02, columns=3)  # one host (127.0.0.1): politeness is shared by all six
    db = Database(db_url)
    site_ids = register(db, farm.urls)
    env = service_env(tmp_path, db_url, redis_url, redis_prefix, GOVWATCH_CONCURRENT_PER_HOST="2",
                      GOVWATCH_WORKER_SITES="3")
    queue = WorkQueue(connect(redis_url), redis_prefix)
    workers = [start_worker(env, tmp_path / f"worker{i}.log") for i in range(2)]
    try:
        wait_workers_ready(queue, 2)
        crawl = subprocess.run([sys.executable, "-m", "govwatch.cli", "crawl", "--workers", "--as-of", AS_OF, "--json"],
                               env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert crawl.returncode == 0, crawl.stderr[-3000:]
        verdicts = json.loads(crawl.stdout)
    finally:
        stop(workers)
    assert sorted(v["site"]["url"] for v in verdicts) == sorted(farm.urls)
    assert {v["verdict"] for v in verdicts} <= {"pass", "fail"}  # judged on a crawl that read the home page
    assert {v["crawl"]["status"] for v in verdicts} == {"ok"}
    # Exactly once: each site taken by one worker once, one run per site, no column stored twice.
    assert took_sites(tmp_path) == Counter(farm.urls)
    with db.session() as session:
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.site_id)).all()
        assert [r.site_id for r in runs] == site_ids
        assert {r.status for r in runs} == {"ok"}
        for run in runs:
            columns = Counter(c.url for c in session.scalars(select(Column).where(Column.run_id == run.id)))
            assert len(columns) == 3 and set(columns.values()) == {1}
            homes = session.scalars(select(Page).where(Page.run_id == run.id, Page.role == "home")).all()
            assert len(homes) == 1
        evaluations = session.execute(select(Evaluation.site_id, Evaluation.run_id)).all()
        assert sorted(evaluations) == sorted((r.site_id, r.id) for r in runs)  # judged once, on that run
    # Both workers took part, and never more than 2 requests at once reached the host.
    logs = "".join((tmp_path / f"worker{i}.log").read_text() for i in range(2))
    worker_log = (tmp_path / "home" / "logs" / "worker.log").read_text()
    took = Counter(line.split(" took site ")[0].rsplit(" ", 1)[-1] for line in worker_log.splitlines()
                   if " took site " in line)
    assert sum(took.values()) == 6 and len(took) == 2, (took, logs[-2000:])
    assert farm.max_in_flight["127.0.0.1"] <= 2
    assert queue.redis.llen(queue.jobs) == 0 and not queue.live_workers()
    db.dispose()


def test_killed_worker_loses_no_site(tmp_path, pg_url, redis_url, redis_prefix, farm_factory) -> None:
    db_url = pg_url
    fast = farm_factory(3, columns=3)
    slow = farm_factory(1, host="127.0.0.2", delay=0.25, columns=3)  # the site the killed worker holds
    db = Database(db_url)
    site_ids = register(db, fast.urls + slow.urls)
    # A short timeout: the killed worker's host slots expire 2 s after it (crawler/redis_politeness.py).
    env = service_env(tmp_path, db_url, redis_url, redis_prefix, GOVWATCH_WORKER_SITES="1", GOVWATCH_TIMEOUT="2")
    queue = WorkQueue(connect(redis_url), redis_prefix)
    workers = [start_worker(env, tmp_path / f"worker{i}.log") for i in range(2)]
    results: list = []
    try:
        wait_workers_ready(queue, 2)
        from scheduler.batches import inspect_sites

        settings = load_settings(env)
        from rules.profile import load_profile

        coordinator = threading.Thread(target=lambda: results.extend(inspect_sites(
            settings, db, site_ids, date.fromisoformat(AS_OF), load_profile(settings.profile), mode="workers",
            queue=queue)))
        coordinator.start()
        # Kill the worker holding the slow site once it is half-way through.
        slow_run = None
        deadline = time.monotonic() + 30
        victim = None
        while victim is None:
            assert time.monotonic() < deadline, "the slow site was never taken"
            for w in workers:
                name = next((n for n in queue.live_workers() if f"-{w.pid}-" in n), None)
                held = queue.held(name) if name else []
                mine = [j for j in held if j.url == slow.urls[0]]
                if mine and sum(v for (i, _), v in slow.hits.items()) >= 4:
                    victim, slow_run = w, mine[0].run_id
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        coordinator.join(90)
        assert not coordinator.is_alive(), "the batch never finished"
    finally:
        stop(workers)
    assert len(results) == 4
    with db.session() as session:
        old = session.get(CrawlRun, slow_run)
        assert old.status == "failed" and old.error.startswith("检查被中断：抓取进程")
        links = session.scalars(select(BatchRun).order_by(BatchRun.id)).all()
        current = {link.site_id: link.run_id for link in links if not link.superseded}
        assert len(current) == 4 and slow_run not in current.values()
        runs = {r.id: r for r in session.scalars(select(CrawlRun))}
        assert all(runs[run_id].status == "ok" for run_id in current.values())
        redo = next(link for link in links if link.run_id == current[site_ids[3]])
        assert redo.attempt == 2
        evaluated = session.execute(select(Evaluation.site_id, Evaluation.run_id)).all()
        assert sorted(evaluated) == sorted(current.items())  # each site judged once, on its finished run
        assert session.scalar(select(func.count()).select_from(Column).where(Column.run_id == current[site_ids[3]])) == 3
    assert took_sites(tmp_path) == Counter(fast.urls + slow.urls * 2)  # only the slow site crawled twice
    db.dispose()


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_stopped_worker_queues_its_sites_again(tmp_path, pg_url, redis_url, redis_prefix, farm_factory) -> None:
    """SIGTERM (scale down, redeploy): the worker's unfinished site goes back to the queue under a new
    run, and the interrupted run is marked so."""
    from scheduler.batches import create_batch, jobs_of

    slow = farm_factory(1, host="127.0.0.3", delay=0.3, columns=3)
    db = Database(pg_url)
    [site_id] = register(db, slow.urls)
    env = service_env(tmp_path, pg_url, redis_url, redis_prefix)
    queue = WorkQueue(connect(redis_url), redis_prefix)
    batch_id = create_batch(db, [site_id], date.fromisoformat(AS_OF), "national-2019", kind="manual",
                            mode="workers", owner="test")
    [job] = jobs_of(db, batch_id)
    queue.push([job])
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        deadline = time.monotonic() + 20
        while sum(slow.hits.values()) < 3:
            assert time.monotonic() < deadline, "the worker never started the site"
            time.sleep(0.05)
    finally:
        stop([worker])
    [again] = queue.queued()
    assert (again.site_id, again.attempt) == (site_id, 2) and again.run_id != job.run_id
    with db.session() as session:
        old = session.get(CrawlRun, job.run_id)
        assert old.status == "failed" and "stopped (shutdown)" in old.error
        assert session.get(CrawlRun, again.run_id).finished_at is None
    assert queue.live_workers() == [] and queue.dead_workers() == []
    db.dispose()
