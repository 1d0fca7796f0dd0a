"""The Redis work queue that `govwatch worker` processes share.

Keys (all under the `redis_prefix` setting, default "govwatch"):

    {p}:jobs                   list of JSON jobs (sites, and accounts: "kind": "account"), taken from the left
    {p}:processing:{worker}    jobs a worker has taken and not yet finished (moved there with LMOVE)
    {p}:worker:{worker}        the worker's heartbeat; expires `worker_lease` seconds after the last beat
    {p}:workers                set of worker ids that may hold jobs
    {p}:leases                 hash lease key (a site's run_id, "account:{id}") -> {"worker", "at"}
    {p}:host:{hostname}        sorted set of request slots per host (crawler/redis_politeness.py)

A job is acknowledged (removed from the processing list) only once its site's `RunFinished` (or its
account's collection) has been stored. A worker whose heartbeat expired is dead: a coordinator takes its
processing list, queues each account there again unless it was collected, marks each
run there failed ("interrupted") and queues the site again under a new run (scheduler/batches.py), so
a killed worker loses no site and no run is written by two crawls.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Any

import redis

from config import vocabulary
from config.settings import Settings
from crawler.redis_politeness import connect
from storage.db import Database


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"


@dataclass(frozen=True, slots=True)
class Job:
    """One site to crawl (what `SiteSpider.start_site` needs, plus where it belongs), or one account to
    collect (`kind == "account"`, `account_id`; run_id and site_id 0). A job stored without a kind is a site's."""

    run_id: int
    site_id: int
    url: str
    reference_date: str
    batch_id: int | None = None
    attempt: int = 1
    kind: str = "site"
    account_id: int | None = None
    force: bool = False  # an account collected even if it was collected tonight (`crawl --workers`)

    @classmethod
    def for_account(cls, account_id: int, url: str | None, reference_date: str, attempt: int = 1,
                    force: bool = False) -> Job:
        return cls(0, 0, url or "", reference_date, None, attempt, "account", account_id, force)

    @property
    def lease_key(self) -> str:
        return f"account:{self.account_id}" if self.kind == "account" else str(self.run_id)

    def dumps(self) -> str:
        data: dict[str, Any] = {"run_id": self.run_id, "site_id": self.site_id, "url": self.url,
                                "reference_date": self.reference_date, "batch_id": self.batch_id,
                                "attempt": self.attempt}
        if self.kind != "site":  # a site job keeps the form queued by earlier versions
            data |= {"kind": self.kind, "account_id": self.account_id, "force": self.force}
        return json.dumps(data, sort_keys=True, ensure_ascii=False)

    @classmethod
    def loads(cls, raw: str | bytes) -> Job:
        data: dict[str, Any] = json.loads(raw)
        account_id = data.get("account_id")
        return cls(int(data.get("run_id") or 0), int(data.get("site_id") or 0), data.get("url") or "",
                   data["reference_date"], data.get("batch_id"), int(data.get("attempt") or 1),
                   data.get("kind") or "site", int(account_id) if account_id is not None else None,
                   bool(data.get("force")))

    def as_spider_job(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "url": self.url, "reference_date": self.reference_date}


class WorkQueue:
    def __init__(self, client: redis.Redis, prefix: str = "govwatch") -> None:
        self.redis = client
        self.prefix = prefix.rstrip(":")
        self.jobs = f"{self.prefix}:jobs"
        self.workers = f"{self.prefix}:workers"
        self.leases = f"{self.prefix}:leases"

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkQueue:
        return cls(connect(settings.redis_url), settings.redis_prefix)

    def processing(self, worker: str) -> str:
        return f"{self.prefix}:processing:{worker}"

    def heartbeat_key(self, worker: str) -> str:
        return f"{self.prefix}:worker:{worker}"

    # -- coordinators ------------------------------------------------------------------------

    def push(self, jobs: list[Job], *, front: bool = False) -> None:
        if not jobs:
            return
        raws = [j.dumps() for j in jobs]
        if front:
            self.redis.lpush(self.jobs, *reversed(raws))
        else:
            self.redis.rpush(self.jobs, *raws)

    def queued(self) -> list[Job]:
        return [Job.loads(raw) for raw in self.redis.lrange(self.jobs, 0, -1)]

    def unqueue(self, job: Job) -> int:
        """Take a job out of the queue if no worker has taken it yet; returns how many were removed."""
        return int(self.redis.lrem(self.jobs, 0, job.dumps()))

    def live_workers(self) -> list[str]:
        names = sorted(n.decode() if isinstance(n, bytes) else n for n in self.redis.smembers(self.workers))
        return [n for n in names if self.redis.exists(self.heartbeat_key(n))]

    def dead_workers(self) -> list[str]:
        names = sorted(n.decode() if isinstance(n, bytes) else n for n in self.redis.smembers(self.workers))
        return [n for n in names if not self.redis.exists(self.heartbeat_key(n))]

    def take_orphans(self, worker: str) -> list[Job]:
        """Everything a dead worker held, removed from Redis in one transaction (one taker only)."""
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.lrange(self.processing(worker), 0, -1)
            pipe.delete(self.processing(worker))
            pipe.srem(self.workers, worker)
            raws, _, removed = pipe.execute()
        if not removed and not raws:
            return []
        jobs = [Job.loads(raw) for raw in raws]
        if jobs:
            self.redis.hdel(self.leases, *[j.lease_key for j in jobs])
        return jobs

    def lease_times(self) -> dict[int, tuple[str, float]]:
        """Site runs taken: run_id -> (worker, when)."""
        out = {}
        for key, value in self.redis.hgetall(self.leases).items():
            key = key.decode() if isinstance(key, bytes) else key
            if key.isdigit():
                data = json.loads(value)
                out[int(key)] = (data["worker"], float(data["at"]))
        return out

    def drop_lease(self, run_id: int) -> None:
        self.redis.hdel(self.leases, str(run_id))

    # -- workers -----------------------------------------------------------------------------

    def beat(self, worker: str, lease_seconds: float) -> None:
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.sadd(self.workers, worker)
            pipe.set(self.heartbeat_key(worker), str(time.time()), px=max(1000, int(lease_seconds * 1000)))
            pipe.execute()

    def take(self, worker: str) -> tuple[Job, str] | None:
        """Move the next job to the worker's processing list; returns (job, raw) or None."""
        raw = self.redis.lmove(self.jobs, self.processing(worker), "LEFT", "RIGHT")
        if raw is None:
            return None
        raw = raw.decode() if isinstance(raw, bytes) else raw
        job = Job.loads(raw)
        self.redis.hset(self.leases, job.lease_key, json.dumps({"worker": worker, "at": time.time()}))
        return job, raw

    def ack(self, worker: str, raw: str, run_id: int | str) -> None:
        """Done with a job: `run_id` is its lease key (a site's run id, or Job.lease_key)."""
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.lrem(self.processing(worker), 1, raw)
            pipe.hdel(self.leases, str(run_id))
            pipe.execute()

    def held(self, worker: str) -> list[Job]:
        return [Job.loads(raw) for raw in self.redis.lrange(self.processing(worker), 0, -1)]

    def retire(self, worker: str) -> None:
        """A worker leaving cleanly: forget its heartbeat (its processing list must be empty)."""
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self.heartbeat_key(worker))
            pipe.srem(self.workers, worker)
            pipe.execute()


def requeue(db: Database, queue: WorkQueue, jobs: list[Job], reason: str, *, max_attempts: int = 3) -> list[Job]:
    """Jobs whose crawl was lost (dead worker, stopped worker, lost job): mark each unfinished run
    failed ("检查被中断：…") and queue its site again under a new run at the front of the queue.

    A run that had already finished is left alone (its worker died between storing and acking). A
    site is given up after `max_attempts` crawls; its last run stays failed. Returns the new jobs.
    """
    from sqlalchemy import select

    from storage.models import BatchRun, CrawlBatch, CrawlRun, Site
    from storage.repo import start_run, utcnow

    fresh: list[Job] = [again for again in requeue_accounts(db, [j for j in jobs if j.kind == "account"],
                                                            max_attempts=max_attempts)]
    for job in jobs:
        if job.kind == "account":
            continue
        with db.session() as session:
            run = session.get(CrawlRun, job.run_id)
            if run is None or run.finished_at is not None:
                continue
            run.status, run.finished_at = "failed", utcnow()
            run.error = vocabulary.reason("run_interrupted", error=reason)
            link = session.scalars(select(BatchRun).where(BatchRun.run_id == run.id)).first()
            batch = session.get(CrawlBatch, link.batch_id) if link else None
            if batch is not None and batch.status != "running":
                continue
            if job.attempt >= max_attempts:
                run.error += vocabulary.reason("gave_up", attempts=job.attempt)
                continue
            site = session.get(Site, run.site_id)
            new_run = start_run(session, site, run.reference_date)
            if link is not None:
                link.superseded = True
                session.add(BatchRun(batch_id=link.batch_id, site_id=site.id, run_id=new_run.id,
                                     attempt=link.attempt + 1, superseded=False))
            fresh.append(Job(new_run.id, site.id, job.url, job.reference_date, job.batch_id, job.attempt + 1))
    queue.push(fresh, front=True)
    return fresh


def requeue_accounts(db: Database, jobs: list[Job], *, max_attempts: int = 3) -> list[Job]:
    """Account jobs whose collection was lost: each account not collected since is queued again (a next
    attempt), up to `max_attempts`; one collected tonight already (its worker died before the ack) is left
    alone, unless the job was forced (then it is collected again)."""
    import logging

    from crawler.media.collect import collected_tonight

    fresh = []
    for job in jobs:
        with db.session() as session:
            if not job.force and collected_tonight(session, job.account_id):
                continue
        if job.attempt >= max_attempts:
            logging.getLogger(__name__).warning("account %s given up after %s attempts", job.account_id, job.attempt)
            continue
        fresh.append(Job.for_account(job.account_id, job.url, job.reference_date, job.attempt + 1, job.force))
    return fresh


def reap_dead_workers(db: Database, queue: WorkQueue) -> list[Job]:
    """Re-queue the jobs of every worker whose heartbeat expired; returns the new jobs."""
    fresh: list[Job] = []
    for worker in queue.dead_workers():
        orphans = queue.take_orphans(worker)
        if orphans:
            fresh += requeue(db, queue, orphans, f"抓取进程 {worker} 已无响应")
    return fresh
