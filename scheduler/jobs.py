"""The scheduler's jobs. APScheduler stores them by reference ("scheduler.jobs:nightly") in its job
store, so they take no arguments: they read the running service's context (`use(...)`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from config.settings import Settings
from storage.db import Database
from storage.models import CrawlBatch, ServiceNotice
from storage.repo import sites_to_inspect, utcnow

if TYPE_CHECKING:
    from rules.profile import Profile

log = logging.getLogger("govwatch.scheduler")
NIGHTLY_LOCK_TTL = 300.0


@dataclass(slots=True)
class Context:
    settings: Settings
    db: Database
    owner: str


_context: list[Context] = []


def use(context: Context) -> None:
    _context[:] = [context]


def ctx() -> Context:
    if not _context:
        raise RuntimeError("scheduler jobs run inside `govwatch schedule` (scheduler.jobs.use was not called)")
    return _context[0]


def local_today(settings: Settings) -> date:
    return datetime.now(ZoneInfo(settings.timezone)).date()


def notice(db: Database, key: str, kind: str, message: str, data: dict | None = None) -> bool:
    """Store a notice once per key; True when it is new."""
    try:
        with db.session() as session:
            session.add(ServiceNotice(key=key[:200], kind=kind, message=message, data=data, created_at=utcnow()))
        return True
    except IntegrityError:
        return False


# -- the jobs ------------------------------------------------------------------------------


def nightly(as_of: date | None = None, mode: str | None = None, profile_name: str | None = None,
            force: bool = False) -> list:
    """Crawl every registered site and judge it. One at a time across every process (a DB lock); a
    nightly crawl already done for the day is not started again (e.g. a coalesced catch-up run). The accounts
    are collected first in this process, or, with workers, by the workers beside the sites."""
    from scheduler import locks

    c = ctx()
    as_of = as_of or local_today(c.settings)
    mode = mode or c.settings.crawl_mode
    with locks.held(c.db, "nightly", c.owner, NIGHTLY_LOCK_TTL) as ok:
        if not ok:
            log.warning("nightly crawl not started: another one is still running (%s)",
                        locks.holder_of(c.db, "nightly"))
            return []
        if mode == "workers":  # the workers collect the accounts beside the sites; waited for at the end
            queued = accounts_to_workers(c, as_of)
            try:
                return _nightly_sites(c, as_of, mode, profile_name, force)
            finally:
                wait_for_account_jobs(c, queued)
        accounts(c)
        return _nightly_sites(c, as_of, mode, profile_name, force)


def _nightly_sites(c: Context, as_of: date, mode: str, profile_name: str | None, force: bool) -> list:
    """The sites' part of the nightly crawl (held under the nightly lock)."""
    from rules.profile import load_profile
    from scheduler.batches import BatchStopped, create_batch, run_batch

    with c.db.session() as session:
        done = session.scalars(select(CrawlBatch.id).where(CrawlBatch.kind == "nightly",
                                                           CrawlBatch.as_of == as_of,
                                                           CrawlBatch.status == "done")).first()
        site_ids = [s.id for s in sites_to_inspect(session)]  # not disabled, 关停 or 注销
    if done and not force:
        log.info("nightly crawl for %s already done (batch %s); not started again", as_of, done)
        return []
    if not site_ids:
        log.info("nightly crawl: no registered sites")
        return []
    profile = load_profile(profile_name or c.settings.profile)
    batch_id = create_batch(c.db, site_ids, as_of, profile.id, kind="nightly", mode=mode, owner=c.owner)
    log.info("nightly crawl of %d site(s) for %s (batch %s, %s)", len(site_ids), as_of, batch_id, mode)
    try:
        results = run_batch(c.settings, c.db, batch_id, c.owner, profile=profile)
    except BatchStopped as exc:
        log.warning("nightly crawl stopped: %s", exc)
        return []
    failed = sum(1 for ev in results if ev.verdict == "fail")
    log.info("nightly crawl done: %d site(s) judged, %d 不合格", len(results), failed)
    units_digest(c, as_of, profile)
    return results


def units_digest(c: Context, as_of: date, profile: Profile) -> None:
    """After the night's verdicts, each unit's message (inspection/notify.py); it never fails the night."""
    from inspection.notify import send_digests

    try:
        outcome = send_digests(c.db, c.settings, profile, as_of)
    except Exception:
        log.exception("the units' digest failed (sent again by `govwatch notify`)")
        return
    log.info("units' digest: %d sent, %d failed, %d waiting", outcome.sent, outcome.failed, outcome.waiting)


def accounts(c: Context | None = None) -> dict[int, int]:
    """Collect every judged account (政务新媒体) once a night: an account already collected tonight is left
    alone, a failing account never stops the others, and a failure here never stops the sites' crawl."""
    from crawler.media.collect import collect_accounts
    from storage.media_repo import judged_accounts

    c = c or ctx()
    with c.db.session() as session:
        ids = [a.id for a in judged_accounts(session)]
    if not ids:
        return {}
    try:
        done = collect_accounts(c.settings, c.db, ids, once_per_night=True)
    except Exception:
        log.exception("nightly account collection failed")
        return {}
    log.info("nightly account collection: %d of %d account(s) collected", len(done), len(ids))
    return done


def accounts_to_workers(c: Context, as_of: date) -> list:
    """Queue every judged account not collected tonight for `govwatch worker` processes (once a night)."""
    from crawler.workqueue import WorkQueue
    from scheduler.batches import queue_accounts
    from storage.media_repo import judged_accounts

    with c.db.session() as session:
        ids = [a.id for a in judged_accounts(session)]
    if not ids:
        return []
    try:
        jobs = queue_accounts(c.db, WorkQueue.from_settings(c.settings), ids, as_of)
    except Exception:
        log.exception("queuing the accounts for the workers failed")
        return []
    log.info("nightly account collection: %d of %d account(s) queued for the workers", len(jobs), len(ids))
    return jobs


def wait_for_account_jobs(c: Context, jobs: list) -> list[int]:
    """Wait for the workers to collect the queued accounts; returns those not collected."""
    from crawler.workqueue import WorkQueue
    from scheduler.batches import wait_for_accounts

    if not jobs:
        return []
    left = wait_for_accounts(c.settings, c.db, WorkQueue.from_settings(c.settings), [j.account_id for j in jobs])
    log.info("nightly account collection: %d of %d queued account(s) collected", len(jobs) - len(left), len(jobs))
    return left


def probes() -> int:
    """Probe the sites whose slot has come (see scheduler/probes.py)."""
    from scheduler.probes import probe_due

    c = ctx()
    return len(probe_due(c.settings, c.db))


def rechecks() -> list[int]:
    """Drain the recheck queue."""
    from scheduler import locks
    from scheduler.batches import BatchStopped
    from scheduler.queue import drain

    c = ctx()
    with locks.held(c.db, "rechecks", c.owner, NIGHTLY_LOCK_TTL) as ok:
        if not ok:
            return []
        try:
            return drain(c.settings, c.db, c.owner, today=local_today(c.settings))
        except BatchStopped as exc:
            log.warning("rechecks stopped: %s", exc)
            return []


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def previous_quarter(day: date) -> tuple[int, int]:
    year, q = quarter_of(day)
    return (year - 1, 4) if q == 1 else (year, q - 1)


def quarterly_reminder(today: date | None = None) -> bool:
    """In the first days of a quarter: remind that last quarter's notice (季度检查通报) is due.
    Stored once per quarter as a notice and logged; True when the notice is new."""
    c = ctx()
    today = today or local_today(c.settings)
    year, q = previous_quarter(today)
    label = f"{year}Q{q}"
    message = (f"{year}年第{q}季度政府网站检查通报 is due: export the quarter's findings "
               f"(tables per unit, 合格率, problem lists) for {label}.")
    new = notice(c.db, f"export-reminder:{label}", "export-reminder", message, {"quarter": label})
    if new:
        log.warning("%s", message)
    return new


def recover() -> list[int]:
    """At start and every few minutes: finish the batches of any process that died (a scheduler, a
    `crawl --workers`), and requeue rechecks it had claimed. A dead nightly batch is finished under the
    nightly lock, so it never runs beside a new nightly crawl."""
    from scheduler import locks
    from scheduler.batches import BatchStopped
    from scheduler.batches import recover as recover_batches
    from scheduler.queue import requeue_orphaned_claims

    c = ctx()
    me = f"{c.owner}:recover"
    with locks.held(c.db, "recover", me, NIGHTLY_LOCK_TTL) as ok:
        if not ok:
            return []
        requeued = requeue_orphaned_claims(c.db)
        if requeued:
            log.warning("%d recheck(s) claimed by a stopped process queued again", requeued)
        try:
            batches = recover_batches(c.settings, c.db, c.owner, kinds={"recheck", "manual", "recovery"})
            with locks.held(c.db, "nightly", me, NIGHTLY_LOCK_TTL) as free:
                if free:
                    batches += recover_batches(c.settings, c.db, c.owner, kinds={"nightly"})
        except BatchStopped as exc:
            log.warning("recovery stopped: %s", exc)
            return []
    if batches:
        log.warning("recovered interrupted batch(es) %s", batches)
    return batches
