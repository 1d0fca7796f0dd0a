"""`govwatch schedule`: APScheduler 3 with its job store in govwatch's own database.

Jobs (times in the `timezone` setting, Asia/Shanghai by default):

    nightly    every day at `nightly_at` (02:30): crawl and judge every registered site
    probes     every minute: probe the sites whose slot has come (each site `probes_per_day` times)
    rechecks   every 10 seconds: drain the recheck queue
    reminder   09:00 on the first 7 days of January, April, July, October: quarterly export reminder
    recover    at start and every 5 minutes: finish the batches of a process that died

Every job: coalesce=True (missed runs collapse into one), max_instances=1, a misfire grace time
(nightly: 6 hours; a run missed by more is skipped), and every missed run is logged and stored as a
notice. Jobs already in the store keep their next run time across restarts, so a run missed while
the scheduler was down is seen as missed. Only one scheduler runs per database (lock "scheduler").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from config.settings import Settings
from scheduler import jobs
from storage.db import Database

log = logging.getLogger("govwatch.scheduler")
LEADER_TTL = 90.0
JOBS_TABLE = "apscheduler_jobs"


def job_specs(settings: Settings) -> list[dict]:
    hour, minute = (int(x) for x in settings.nightly_at.split(":"))
    tz = settings.timezone
    return [
        {"id": "nightly", "func": "scheduler.jobs:nightly", "name": "nightly crawl and evaluation",
         "trigger": CronTrigger(hour=hour, minute=minute, timezone=tz), "misfire_grace_time": 6 * 3600},
        {"id": "probes", "func": "scheduler.jobs:probes", "name": "availability probes",
         "trigger": IntervalTrigger(seconds=60, timezone=tz), "misfire_grace_time": 120},
        {"id": "rechecks", "func": "scheduler.jobs:rechecks", "name": "recheck queue",
         "trigger": IntervalTrigger(seconds=10, timezone=tz), "misfire_grace_time": 60},
        {"id": "recover", "func": "scheduler.jobs:recover", "name": "recover interrupted crawls",
         "trigger": IntervalTrigger(minutes=5, timezone=tz), "misfire_grace_time": 300},
        {"id": "reminder", "func": "scheduler.jobs:quarterly_reminder", "name": "quarterly export reminder",
         "trigger": CronTrigger(month="1,4,7,10", day="1-7", hour=9, minute=0, timezone=tz),
         "misfire_grace_time": 24 * 3600},
    ]


def _on_missed(db: Database) -> Callable[[JobExecutionEvent], None]:
    def listener(event: JobExecutionEvent) -> None:
        when = event.scheduled_run_time.isoformat(timespec="minutes")
        log.warning("job %s missed its run at %s (the scheduler was down or busy); skipped", event.job_id, when)
        jobs.notice(db, f"missed:{event.job_id}:{when}", "missed-run",
                    f"job {event.job_id} did not run at {when}", {"job": event.job_id, "scheduled": when})

    return listener


def _on_error(event: JobExecutionEvent) -> None:
    log.error("job %s failed: %r", event.job_id, event.exception, exc_info=event.exception)


def build_scheduler(settings: Settings, db: Database, owner: str, *,
                    scheduler_class: type[BaseScheduler] = BlockingScheduler, recover: bool = True) -> BaseScheduler:
    jobs.use(jobs.Context(settings, db, owner))
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=db.engine, tablename=JOBS_TABLE),
                   "volatile": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone=settings.timezone,
    )
    scheduler.add_listener(_on_missed(db), EVENT_JOB_MISSED)
    scheduler.add_listener(_on_error, EVENT_JOB_ERROR)
    if recover:
        scheduler.add_job("scheduler.jobs:recover", DateTrigger(), id="recover-at-start",
                          name="recover interrupted crawls", jobstore="volatile", misfire_grace_time=None)
    return scheduler


def install_jobs(scheduler: BaseScheduler, settings: Settings, db: Database) -> list[str]:
    """Add the jobs (before `start`). A job already stored with the same trigger is left as it is,
    keeping its next run time, so a run missed while the scheduler was down is seen by APScheduler and
    coalesced or logged as missed; a changed job (e.g. a new `nightly_at`) is replaced. Returns the
    ids added or replaced."""
    store = SQLAlchemyJobStore(engine=db.engine, tablename=JOBS_TABLE)
    store.start(scheduler, "default")
    changed = []
    for spec in job_specs(settings):
        try:
            existing = store.lookup_job(spec["id"])
        except Exception:
            existing = None
        if existing is not None and str(existing.trigger) == str(spec["trigger"]) and (
            existing.misfire_grace_time == spec["misfire_grace_time"]
        ):
            continue
        scheduler.add_job(spec["func"], spec["trigger"], id=spec["id"], name=spec["name"], jobstore="default",
                          replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=spec["misfire_grace_time"])
        changed.append(spec["id"])
    return changed


def _mark_abandoned_runs(db: Database) -> None:
    """Runs a crawl killed outright left "running" are marked interrupted (storage/interrupted.py)."""
    from storage.interrupted import mark_abandoned_runs
    from storage.repo import utcnow

    with db.session() as session:
        marked = mark_abandoned_runs(session, utcnow())
    if marked:
        log.warning("%d run(s) left running by a process that is gone marked interrupted: %s", len(marked), marked)


def run_scheduler(settings: Settings, db: Database, owner: str) -> None:
    """Run until stopped (SIGTERM/SIGINT). Waits while another scheduler holds the leader lock."""
    import signal

    from scheduler import batches, locks

    waited = False
    while not locks.acquire(db, "scheduler", owner, LEADER_TTL):
        if not waited:
            log.warning("another scheduler is running (%s); waiting for it to stop", locks.holder_of(db, "scheduler"))
            waited = True
        time.sleep(LEADER_TTL / 6)
    keeper = locks.LockKeeper(db, "scheduler", owner, LEADER_TTL).start()
    _mark_abandoned_runs(db)
    scheduler = build_scheduler(settings, db, owner)
    install_jobs(scheduler, settings, db)

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %s: stopping the scheduler and any crawl under way", signum)
        batches.request_stop()  # a crawl child is stopped within seconds, its runs marked interrupted
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler %s started: nightly at %s %s, %d probes per site per day", owner, settings.nightly_at,
             settings.timezone, settings.probes_per_day)
    try:
        scheduler.start()  # BlockingScheduler: runs here until shutdown
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        batches.request_stop()  # Ctrl-C too; the job threads end once their crawl has stopped
        keeper.stop()
        locks.release(db, "scheduler", owner)
