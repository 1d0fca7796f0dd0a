"""Workers share accounts as they share sites: two `govwatch worker` processes on the real Redis and the
simulated platforms; the nightly job queues each account once, every account is collected exactly once, the
account a dead worker held is queued again and collected by a live one, and `crawl --workers` collects them all
again through the workers."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from config.settings import load_settings
from crawler.workqueue import Job, WorkQueue, connect
from govwatch.demo.media import serve_media
from storage.db import Database
from storage.media import Collection
from storage.media_repo import upsert_account
from tests.test_workers import AS_OF, register, service_env, start_worker, stop

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_old_site_jobs_still_load_and_account_jobs_round_trip() -> None:
    old = '{"attempt": 1, "batch_id": 3, "reference_date": "2026-11-20", "run_id": 7, "site_id": 2, "url": "http://a/"}'
    site = Job.loads(old)
    assert (site.kind, site.run_id, site.lease_key) == ("site", 7, "7") and site.dumps() == old
    account = Job.for_account(5, "https://weibo.com/u/1", "2026-11-20")
    again = Job.loads(account.dumps())
    assert again == account and again.lease_key == "account:5" and again.run_id == 0


def took_accounts(log: str) -> Counter:
    """(worker, account id) pairs from the workers' log: who took which account, how often."""
    pairs = Counter()
    for line in log.splitlines():
        if " took account " in line:
            head, tail = line.split(" took account ")
            pairs[(head.rsplit(" ", 1)[-1], int(tail.split(" ")[0]))] += 1
    return pairs


def test_two_workers_collect_each_account_once(tmp_path, pg_url, redis_url, redis_prefix, farm_factory) -> None:
    from govwatch.cli.service import accounts_to_workers, wait_accounts_of_workers
    from scheduler import jobs
    from scheduler.batches import queue_accounts

    farm = farm_factory(1, columns=2)
    db = Database(pg_url)
    register(db, farm.urls)
    with serve_media() as base:
        env = service_env(tmp_path, pg_url, redis_url, redis_prefix, GOVWATCH_WORKER_SITES="1",
                          GOVWATCH_WEIBO_BASE=base, GOVWATCH_SOGOU_BASE=base, GOVWATCH_WECHAT_BASE=base,
                          GOVWATCH_MEDIA_SPACING="0", GOVWATCH_MEDIA_JITTER="0")
        registry = [("某市发布", "weibo", {"account_id": "1001"}), ("长列表", "weibo", {"account_id": "1005"}),
                    ("已注销号", "weibo", {"account_id": "1004"}), ("某市政务", "wechat", {}),
                    ("市政府客户端", "app", {"meta": {"feed": f"{base}/feed.xml"}}),
                    ("示例市客户端", "app", {"url": f"{base}/news/list.html"})]
        names = [name for name, _, _ in registry]
        with db.session() as session:
            ids = [upsert_account(session, name=name, platform=platform, **extra)[0].id
                   for name, platform, extra in registry]
        queue = WorkQueue(connect(redis_url), redis_prefix)
        # A worker that took the first account and died: its heartbeat expired, its job must not be lost.
        queue.beat("dead-worker", 0.001)
        queue.push([Job.for_account(ids[0], None, AS_OF)])
        assert queue.take("dead-worker")[0].account_id == ids[0]
        settings = load_settings(env)
        jobs.use(jobs.Context(settings, db, "test-media-workers"))
        workers = [start_worker(env, tmp_path / f"worker{i}.log") for i in range(2)]
        try:
            deadline = time.monotonic() + 60
            while len(set(queue.live_workers()) - {"dead-worker"}) < 2:
                assert time.monotonic() < deadline, "workers did not start"
                time.sleep(0.1)
            started = time.monotonic()
            results = jobs.nightly(as_of=date.fromisoformat(AS_OF), mode="workers")
            seconds = time.monotonic() - started
            # the same night again: nothing is queued, nothing collected twice
            assert queue_accounts(db, queue, ids, date.fromisoformat(AS_OF)) == []
            with db.session() as session:
                once = session.execute(select(Collection.account_id, Collection.status)).all()
            # a manual `crawl --workers` (its account half) collects every account again, through the workers
            queued = accounts_to_workers(settings, db, ids, date.fromisoformat(AS_OF))
            again = wait_accounts_of_workers(settings, db, queued, quiet=True)
            assert sorted(r["account"] for r in again) == sorted(names)
        finally:
            stop(workers)
    assert len(results) == 1 and seconds < 90
    assert Counter(a for a, _ in once) == Counter(ids)  # the nightly run collected each account exactly once
    statuses = dict(once)
    assert statuses[ids[0]] == "ok" and statuses[ids[2]] == "deleted"
    with db.session() as session:
        rows = session.execute(select(Collection.account_id)).scalars().all()
    assert Counter(rows) == Counter(ids * 2)  # and the manual crawl once more
    log = (tmp_path / "home" / "logs" / "worker.log").read_text()
    took = took_accounts(log)
    assert Counter(a for _, a in took.elements()) == Counter(ids * 2)  # each taken once per run by a live worker
    assert len({w for w, _ in took}) == 2, took  # both workers took part
    assert queue.redis.llen(queue.jobs) == 0 and queue.dead_workers() == []
    db.dispose()
