"""Crawl batches: several sites crawled and judged together, by a process that may die.

A batch (nightly crawl, recheck, `crawl --workers`) stores its runs before the first request and
beats a heartbeat while it waits. It crawls either in a child process (`mode="local"`: Twisted's
reactor never runs in the scheduler itself) or through `govwatch worker` processes on Redis
(`mode="workers"`). Each site is judged on exactly its current run as soon as that run has closed,
while the others are still crawled, in a database session of its own (`Judging`); the batch is
finished when every site's current run has finished, failed or timed out and every site is judged.

A batch whose heartbeat stopped (its process was killed) is adopted by the next scheduler to start:
runs it left unfinished are marked interrupted (检查被中断) and their sites crawled again under new
runs; finished runs are kept. Nothing is lost, and no run is written by two crawls.

`govwatch schedule` stopped (SIGTERM, Ctrl-C) calls `request_stop`: a crawl child under way is sent
SIGTERM and stops within seconds (its runs stored and marked interrupted, crawler/stopping.py), and
the batch is left running, to be adopted by the next start.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from config.settings import Settings, to_environ
from crawler.workqueue import Job, WorkQueue, reap_dead_workers, requeue
from rules.profile import Profile
from storage.db import Database
from storage.interrupted import INTERRUPTED
from storage.interrupted import reason as interrupted_reason
from storage.models import BatchRun, CrawlBatch, CrawlRun, Evaluation, RecheckRequest, Site
from storage.repo import start_run, utcnow

if TYPE_CHECKING:
    from inspection.sites import Judged

log = logging.getLogger("govwatch.batches")

HEARTBEAT_SECONDS = 5.0
CHILD_STOP_SECONDS = 20.0  # a crawl child asked to stop (SIGTERM) is killed after this long
_stopping = threading.Event()
STALE_AFTER_SECONDS = 60.0  # a batch whose heartbeat is older than this has lost its process
LOST_JOB_CHECK_SECONDS = 20.0


class BatchStopped(Exception):
    """The service is stopping: the batch's crawl was stopped and the batch left for the next start."""


def request_stop() -> None:
    """Stop every batch crawling in this process (the scheduler got SIGTERM or Ctrl-C)."""
    _stopping.set()


def stop_requested() -> bool:
    return _stopping.is_set()


def stop_child(child: subprocess.Popen, wait: float = CHILD_STOP_SECONDS) -> int:
    """SIGTERM to a crawl child (it stores what it saw, marks its runs interrupted and exits 143),
    SIGKILL if it has not exited after `wait` seconds. Returns its exit status."""
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(wait)
        except subprocess.TimeoutExpired:
            log.warning("the crawl process %s did not stop within %.0f s; killed", child.pid, wait)
            child.kill()
    return child.wait()


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(slots=True)
class BatchProgress:
    total: int
    finished: int


ProgressFn = Callable[[BatchProgress], None]


# -- the batch in the database ---------------------------------------------------------------


def create_batch(db: Database, site_ids: Sequence[int], as_of: date, profile: str, *, kind: str, mode: str,
                 owner: str) -> int:
    now = utcnow()
    with db.session() as session:
        batch = CrawlBatch(kind=kind, mode=mode, owner=owner, as_of=as_of, profile=profile, started_at=now,
                           heartbeat_at=now, status="running")
        session.add(batch)
        session.flush()
        for site_id in dict.fromkeys(site_ids):
            run = start_run(session, session.get(Site, site_id), as_of)
            session.add(BatchRun(batch_id=batch.id, site_id=site_id, run_id=run.id, attempt=1, superseded=False))
        return batch.id


def current_runs(db: Database, batch_id: int) -> list[tuple[BatchRun, CrawlRun]]:
    """Each site's current (not superseded) run in the batch."""
    with db.session() as session:
        rows = session.execute(
            select(BatchRun, CrawlRun).join(CrawlRun, CrawlRun.id == BatchRun.run_id)
            .where(BatchRun.batch_id == batch_id, BatchRun.superseded.is_(False)).order_by(BatchRun.id)
        ).all()
        return [(link, run) for link, run in rows]


def jobs_of(db: Database, batch_id: int, *, unfinished_only: bool = True) -> list[Job]:
    with db.session() as session:
        rows = session.execute(
            select(BatchRun, CrawlRun, Site).join(CrawlRun, CrawlRun.id == BatchRun.run_id)
            .join(Site, Site.id == BatchRun.site_id)
            .where(BatchRun.batch_id == batch_id, BatchRun.superseded.is_(False)).order_by(BatchRun.id)
        ).all()
        return [Job(run.id, site.id, site.url, run.reference_date.isoformat(), batch_id, link.attempt)
                for link, run, site in rows if not unfinished_only or run.finished_at is None]


def heartbeat(db: Database, batch_id: int, owner: str) -> None:
    with db.session() as session:
        session.execute(update(CrawlBatch).where(CrawlBatch.id == batch_id, CrawlBatch.owner == owner)
                        .values(heartbeat_at=utcnow()))


def fail_runs(db: Database, run_ids: Sequence[int], error: str) -> None:
    with db.session() as session:
        for run_id in run_ids:
            run = session.get(CrawlRun, run_id)
            if run is not None and run.finished_at is None:
                run.status, run.error, run.finished_at = "failed", error, utcnow()


def _unfinished(run: CrawlRun) -> bool:
    """Not finished: still open, or closed as interrupted (a stopped crawl child): crawled again."""
    return run.finished_at is None or run.status == INTERRUPTED


def supersede_unfinished(db: Database, batch_id: int, reason: str) -> list[Job]:
    """Runs of the batch left unfinished by a dead or stopped process: interrupted, replaced by new runs."""
    with db.session() as session:
        rows = session.execute(
            select(BatchRun, CrawlRun, Site).join(CrawlRun, CrawlRun.id == BatchRun.run_id)
            .join(Site, Site.id == BatchRun.site_id)
            .where(BatchRun.batch_id == batch_id, BatchRun.superseded.is_(False),
                   or_(CrawlRun.finished_at.is_(None), CrawlRun.status == INTERRUPTED))
        ).all()
        fresh = []
        now = utcnow()
        for link, run, site in rows:
            if run.status != INTERRUPTED:
                run.status, run.error, run.finished_at = INTERRUPTED, interrupted_reason(reason), now
            link.superseded = True
            new_run = start_run(session, site, run.reference_date)
            session.add(BatchRun(batch_id=batch_id, site_id=site.id, run_id=new_run.id, attempt=link.attempt + 1,
                                 superseded=False))
            fresh.append(Job(new_run.id, site.id, site.url, run.reference_date.isoformat(), batch_id,
                             link.attempt + 1))
        return fresh


def finish_batch(db: Database, batch_id: int, status: str, error: str | None = None) -> None:
    with db.session() as session:
        batch = session.get(CrawlBatch, batch_id)
        batch.status, batch.error, batch.finished_at = status, error, utcnow()


# -- crawling ------------------------------------------------------------------------------


def _progress(db: Database, batch_id: int) -> tuple[BatchProgress, list[int]]:
    rows = current_runs(db, batch_id)
    unfinished = [run.id for _, run in rows if _unfinished(run)]
    return BatchProgress(len(rows), len(rows) - len(unfinished)), unfinished


def _child_preexec() -> None:  # pragma: no cover - runs in the child
    """The crawl dies with its scheduler: a crawl nobody waits for would race the one that replaces it."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


JudgeFn = Callable[[float], object]  # judge the sites whose run closed, for at most so many seconds (Judging.ready)
JUDGE_BUDGET = 2.0  # seconds of judging per turn of a crawl's waiting loop: the heartbeat is never held long


def crawl_locally(settings: Settings, db: Database, batch_id: int, owner: str, *,
                  progress: ProgressFn | None = None, attempts: int = 2, judge: JudgeFn | None = None) -> None:
    """Crawl the batch's unfinished runs in a child process (`python -m scheduler.crawl_child`); while it
    crawls, `judge` is given the sites whose run has closed."""
    deadline = time.monotonic() + settings.batch_timeout
    for attempt in range(1, attempts + 1):
        state, unfinished = _progress(db, batch_id)
        if not unfinished:
            return
        log_file = settings.log_dir / "crawl.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ) | to_environ(settings)
        cmd = [sys.executable, "-m", "scheduler.crawl_child", "--batch", str(batch_id)]
        log.info("batch %s: crawling %d site(s) in a child process (attempt %d)", batch_id, len(unfinished),
                 attempt)
        with open(log_file, "ab") as out:
            child = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, preexec_fn=_child_preexec,
                                     cwd=os.getcwd())
            try:
                last_beat = 0.0
                while child.poll() is None:
                    if _stopping.is_set():
                        log.warning("batch %s: the service is stopping; stopping the crawl", batch_id)
                        stop_child(child)
                        raise BatchStopped(f"batch {batch_id} stopped with the service")
                    if time.monotonic() - last_beat >= 1.0:
                        last_beat = time.monotonic()
                        heartbeat(db, batch_id, owner)
                        if progress is not None:
                            progress(_progress(db, batch_id)[0])
                        if judge is not None:
                            judge(JUDGE_BUDGET)
                    if time.monotonic() > deadline:
                        log.warning("batch %s: time limit reached; stopping the crawl", batch_id)
                        stop_child(child)
                        break
                    time.sleep(0.1)
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
        state, unfinished = _progress(db, batch_id)
        if progress is not None:
            progress(state)
        if not unfinished:
            return
        if time.monotonic() > deadline:
            fail_runs(db, unfinished, "timed out: the batch's time limit was reached")
            return
        log.warning("batch %s: the crawl process exited with %s leaving %d run(s) open", batch_id, child.returncode,
                    len(unfinished))
        if attempt < attempts:
            supersede_unfinished(db, batch_id, f"抓取进程意外退出（退出状态 {child.returncode}）")
    fail_runs(db, _progress(db, batch_id)[1], "the crawl process stopped before the site was finished")


def crawl_with_workers(settings: Settings, db: Database, batch_id: int, owner: str, *,
                       queue: WorkQueue | None = None, progress: ProgressFn | None = None,
                       poll: float = 0.5, judge: JudgeFn | None = None) -> None:
    """Queue the batch's unfinished runs for `govwatch worker` processes and wait until each has
    finished, failed or timed out, re-queuing the jobs of workers that died; meanwhile `judge` is given
    the sites whose run has closed."""
    queue = queue or WorkQueue.from_settings(settings)
    with db.session() as session:
        urgent = session.get(CrawlBatch, batch_id).kind == "recheck"
    queue.push(jobs_of(db, batch_id), front=urgent)  # a recheck (复查) does not wait behind the nightly crawl
    deadline = time.monotonic() + settings.batch_timeout
    site_limit = settings.site_timeout + 2 * settings.timeout + 60
    last_beat = last_lost_check = 0.0
    suspects: set[int] = set()
    warned_no_workers = False
    while True:
        if _stopping.is_set():  # the workers go on; the batch is adopted at the next start
            raise BatchStopped(f"batch {batch_id} left to its workers: the service is stopping")
        now = time.monotonic()
        if now - last_beat >= HEARTBEAT_SECONDS:
            heartbeat(db, batch_id, owner)
            last_beat = now
        for job in reap_dead_workers(db, queue):
            if job.kind == "account":
                log.warning("account %s queued again (its worker died)", job.account_id)
            else:
                log.warning("site %s queued again as run %s (its worker died)", job.url, job.run_id)
        state, unfinished = _progress(db, batch_id)
        if progress is not None:
            progress(state)
        if not unfinished:
            return
        if judge is not None:
            judge(JUDGE_BUDGET)
        if not warned_no_workers and not queue.live_workers():
            log.warning("batch %s: no live `govwatch worker` on %s; waiting for one", batch_id, queue.prefix)
            warned_no_workers = True
        # A site whose worker has held it far beyond the site time limit is given up.
        leases = queue.lease_times()
        overdue = [r for r in unfinished if r in leases and time.time() - leases[r][1] > site_limit]
        if overdue:
            fail_runs(db, overdue, f"timed out: not finished {site_limit:.0f} s after a worker took it")
            for run_id in overdue:
                queue.drop_lease(run_id)
        if now - last_lost_check >= LOST_JOB_CHECK_SECONDS:
            last_lost_check = now
            lost = _lost_jobs(db, queue, batch_id, unfinished)
            again = [j for j in lost if j.run_id in suspects]
            suspects = {j.run_id for j in lost}
            if again:
                requeue(db, queue, again, "任务既不在队列中，也不在任何抓取进程手中")
        if now > deadline:
            for job in jobs_of(db, batch_id):
                queue.unqueue(job)
            fail_runs(db, unfinished, "timed out: the batch's time limit was reached")
            return
        time.sleep(poll)


def _lost_jobs(db: Database, queue: WorkQueue, batch_id: int, unfinished: list[int]) -> list[Job]:
    """Unfinished runs of the batch whose job is neither queued nor held by a worker."""
    if not unfinished:
        return []
    present = {j.run_id for j in queue.queued()}
    for worker in queue.live_workers() + queue.dead_workers():
        present |= {j.run_id for j in queue.held(worker)}
    still_open = set(_progress(db, batch_id)[1])
    return [j for j in jobs_of(db, batch_id) if j.run_id in still_open and j.run_id not in present]


# -- accounts (政务新媒体) through the workers --------------------------------------------------


def _accounts_present(queue: WorkQueue) -> set[int]:
    """Accounts whose job is queued or held by a worker."""
    jobs = queue.queued()
    for worker in queue.live_workers() + queue.dead_workers():
        jobs += queue.held(worker)
    return {j.account_id for j in jobs if j.kind == "account"}


def queue_accounts(db: Database, queue: WorkQueue, account_ids: Sequence[int], as_of: date, *,
                   force: bool = False) -> list[Job]:
    """Queue each account for the workers once a night: not one collected tonight (unless `force`: a manual
    `crawl --workers`), nor one already queued or held by a live worker. Returns the jobs queued."""
    from crawler.media.collect import collected_tonight
    from storage.media import Account

    # an account a dead worker held is queued again first (and counted as queued), not skipped as held
    wanted = set(account_ids)
    requeued = [j for j in reap_dead_workers(db, queue) if j.kind == "account" and j.account_id in wanted]
    present = _accounts_present(queue)
    jobs = []
    with db.session() as session:
        for account_id in dict.fromkeys(account_ids):
            account = session.get(Account, account_id)
            if account is None or account_id in present or (not force and collected_tonight(session, account_id)):
                continue
            jobs.append(Job.for_account(account_id, account.url, as_of.isoformat(), force=force))
    queue.push(jobs)
    return requeued + jobs


def wait_for_accounts(settings: Settings, db: Database, queue: WorkQueue, account_ids: Sequence[int], *,
                      poll: float = 0.5, timeout: float | None = None, since: datetime | None = None,
                      progress: Callable[[int], None] | None = None) -> list[int]:
    """Wait until every account has been collected tonight (or since `since`), re-queuing the account jobs
    of dead workers; an account given up (its job gone from Redis twice in a row) or left at the time limit
    is not waited for. `progress(collected)` is told how many are done. Returns the accounts not collected."""
    from crawler.media.collect import collected_since, collected_tonight

    def collected(session: Session, account_id: int) -> bool:
        return collected_since(session, account_id, since) if since else collected_tonight(session, account_id)

    deadline = time.monotonic() + (settings.batch_timeout if timeout is None else timeout)
    missing_before: set[int] = set()
    while True:
        for job in reap_dead_workers(db, queue):
            log.warning("job %s queued again (its worker died)", job.lease_key)
        with db.session() as session:
            pending = [a for a in account_ids if not collected(session, a)]
        if progress is not None:
            progress(len(account_ids) - len(pending))
        if not pending:
            return []
        missing = set(pending) - _accounts_present(queue)
        if missing and missing <= missing_before and len(missing) == len(pending):
            return pending  # nothing left in Redis for them (given up): nothing more will come
        missing_before = missing
        if time.monotonic() > deadline:
            for job in queue.queued():
                if job.kind == "account" and job.account_id in pending:
                    queue.unqueue(job)
            log.warning("%d account(s) not collected within the time limit", len(pending))
            return pending
        time.sleep(poll)


# -- judging -------------------------------------------------------------------------------


class Judging:
    """The judging of one batch: each site judged as soon as its current run is closed, while the crawl of the
    others goes on (`ready`, called from the crawl's progress loop), each in a database session of its own;
    at the end (`finish`) whatever is left, failed and interrupted runs included. Which runs were judged is
    read from the store (the Evaluation rows of the batch's current runs, made since the batch started), so
    a coordinator that died half-way and whose batch is adopted judges neither twice nor too few. Only the
    light `Judged` is kept per site: memory stays flat in the number of sites."""

    def __init__(self, db: Database, batch_id: int, profile: Profile | None = None, *,
                 evidence_root: Path | None = None) -> None:
        from rules.profile import load_profile

        self.db, self.batch_id = db, batch_id
        with db.session() as session:
            batch = session.get(CrawlBatch, batch_id)
            self.as_of, self.started_at, profile_name = batch.as_of, batch.started_at, batch.profile
        self.profile = profile or load_profile(profile_name)
        self.judged: dict[int, Judged] = {}  # by site, in the order judged here
        self._failed: set[tuple[int, int]] = set()  # (site, run) whose judging raised during the crawl
        self._evidence_root = evidence_root  # None: the settings' (inspection/sites.py judge_site)

    def _waiting(self, *, closed_only: bool) -> list[tuple[int, int]]:
        """(site, run) of the batch's current runs not judged yet; `closed_only`: only runs whose crawl is over
        for good (finished, not interrupted: an interrupted run is crawled again under a new run)."""
        with self.db.session() as session:
            judged = (
                select(Evaluation.id).where(
                    Evaluation.site_id == BatchRun.site_id, Evaluation.as_of == self.as_of,
                    Evaluation.profile == self.profile.id, Evaluation.created_at >= self.started_at,
                    or_(Evaluation.run_id == BatchRun.run_id,
                        # judged on no crawl: its run could be no basis (interrupted, or never closed)
                        and_(Evaluation.run_id.is_(None), CrawlRun.status.in_(("running", INTERRUPTED)))))
                .exists()
            )
            query = (select(BatchRun.site_id, BatchRun.run_id).join(CrawlRun, CrawlRun.id == BatchRun.run_id)
                     .where(BatchRun.batch_id == self.batch_id, BatchRun.superseded.is_(False), ~judged)
                     .order_by(BatchRun.id))
            if closed_only:
                query = query.where(CrawlRun.finished_at.is_not(None), CrawlRun.status.not_in(("running", INTERRUPTED)))
            return [(site_id, run_id) for site_id, run_id in session.execute(query)]

    def _judge(self, site_id: int, run_id: int) -> None:
        from inspection.sites import judge_sites

        [judged] = judge_sites(self.db, [site_id], self.as_of, self.profile, {site_id: run_id}, name_site=True,
                               evidence_root=self._evidence_root)
        self.judged[site_id] = judged
        log.info("batch %s: site %s judged on run %s (%s)", self.batch_id, site_id, judged.run_id, judged.verdict)

    def ready(self, budget: float | None = None) -> int:
        """Judge the sites whose run is closed; stop after `budget` seconds (the caller's heartbeat must not
        wait on a crowd of sites finished at once: the rest are judged at the next call). Returns how many."""
        until = None if budget is None else time.monotonic() + budget
        count = 0
        for site_id, run_id in self._waiting(closed_only=True):
            if (site_id, run_id) in self._failed:
                continue
            if until is not None and time.monotonic() > until:
                break
            try:
                self._judge(site_id, run_id)
            except Exception:  # a judging error never stops the others' crawl: tried again (and raised) at the end
                log.exception("batch %s: site %s could not be judged on run %s; tried again at the end",
                              self.batch_id, site_id, run_id)
                self._failed.add((site_id, run_id))
                continue
            count += 1
        return count

    def finish(self) -> list:
        """Judge every site not judged yet, each once, on its current run (failed or interrupted included);
        close the rechecks waiting on the batch and the batch itself. Returns the `Judged` of the sites
        judged by this process, in the batch's order (a site judged by a coordinator that died before this
        one adopted the batch keeps its stored verdict and is not judged again)."""
        for site_id, run_id in self._waiting(closed_only=False):
            self._judge(site_id, run_id)
        order = {link.site_id: n for n, (link, _) in enumerate(current_runs(self.db, self.batch_id))}
        results = sorted(self.judged.values(), key=lambda j: order.get(j.site_id, len(order)))
        with self.db.session() as session:
            current = {link.site_id: run for link, run in session.execute(
                select(BatchRun, CrawlRun).join(CrawlRun, CrawlRun.id == BatchRun.run_id)
                .where(BatchRun.batch_id == self.batch_id, BatchRun.superseded.is_(False)))}
            evaluations = {
                ev_run: ev_id for ev_id, ev_run in session.execute(
                    select(Evaluation.id, Evaluation.run_id)
                    .where(Evaluation.run_id.in_([r.id for r in current.values()])).order_by(Evaluation.id))
            }
            for request in session.scalars(select(RecheckRequest).where(RecheckRequest.batch_id == self.batch_id)):
                run = current.get(request.site_id)
                request.run_id = run.id if run else None
                mine = self.judged.get(request.site_id)
                request.evaluation_id = (mine.evaluation_id if mine is not None and mine.run_id == request.run_id
                                         else evaluations.get(request.run_id))
                request.finished_at = utcnow()
                request.status = "done" if run is not None and run.status in ("ok", "partial") else "failed"
                request.error = None if request.status == "done" else (run.error if run else "no crawl")
        finish_batch(self.db, self.batch_id, "done")
        return results


def evaluate_batch(db: Database, batch_id: int, profile: Profile | None = None) -> list:
    """Judge every site of the batch not judged yet on its current run; rechecks waiting on the batch are
    closed. Returns the `Judged` (inspection/sites.py) of the sites judged here."""
    return Judging(db, batch_id, profile).finish()


def run_batch(settings: Settings, db: Database, batch_id: int, owner: str, *, queue: WorkQueue | None = None,
              progress: ProgressFn | None = None, profile: Profile | None = None) -> list:
    """Crawl (in the batch's mode) whatever is unfinished, judging each site as its run closes, then judge
    whatever is left. Returns the `Judged` of the sites judged here, in the batch's order."""
    with db.session() as session:
        mode = session.get(CrawlBatch, batch_id).mode
    judging = Judging(db, batch_id, profile, evidence_root=settings.evidence_dir)
    try:
        if mode == "workers":
            crawl_with_workers(settings, db, batch_id, owner, queue=queue, progress=progress, judge=judging.ready)
        else:
            crawl_locally(settings, db, batch_id, owner, progress=progress, judge=judging.ready)
    except BatchStopped:
        log.warning("batch %s stopped with the service; it is finished at the next start", batch_id)
        raise
    except BaseException as exc:
        if isinstance(exc, Exception):
            log.exception("batch %s failed", batch_id)
            finish_batch(db, batch_id, "failed", f"{exc.__class__.__name__}: {exc}")
        raise  # KeyboardInterrupt/SystemExit: the batch stays running, to be adopted by the next start
    return judging.finish()


def inspect_sites(settings: Settings, db: Database, site_ids: Sequence[int], as_of: date, profile: Profile, *,
                  kind: str = "manual", mode: str | None = None, progress: ProgressFn | None = None,
                  queue: WorkQueue | None = None) -> list:
    """Crawl the sites as one batch (child process or workers) and judge them; returns the evaluations."""
    owner = process_owner()
    batch_id = create_batch(db, site_ids, as_of, profile.id, kind=kind, mode=mode or settings.crawl_mode,
                            owner=owner)
    return run_batch(settings, db, batch_id, owner, queue=queue, progress=progress, profile=profile)


# -- recovery ------------------------------------------------------------------------------


def stale_batches(db: Database, stale_after: float = STALE_AFTER_SECONDS, kinds: set[str] | None = None) -> list[int]:
    limit = utcnow() - timedelta(seconds=stale_after)
    query = select(CrawlBatch.id).where(CrawlBatch.status == "running", CrawlBatch.heartbeat_at < limit)
    if kinds is not None:
        query = query.where(CrawlBatch.kind.in_(sorted(kinds)))
    with db.session() as session:
        return list(session.scalars(query.order_by(CrawlBatch.id)))


def adopt(db: Database, batch_id: int, owner: str, stale_after: float = STALE_AFTER_SECONDS) -> bool:
    """Take over a batch whose process died (one adopter wins); its unfinished runs are superseded."""
    limit = utcnow() - timedelta(seconds=stale_after)
    with db.session() as session:
        taken = session.execute(
            update(CrawlBatch).where(CrawlBatch.id == batch_id, CrawlBatch.status == "running",
                                     CrawlBatch.heartbeat_at < limit)
            .values(owner=owner, heartbeat_at=utcnow())
        ).rowcount
    if not taken:
        return False
    fresh = supersede_unfinished(db, batch_id, "抓取它的进程已停止")
    log.warning("batch %s adopted: %d interrupted site(s) to crawl again", batch_id, len(fresh))
    return True


def recover(settings: Settings, db: Database, owner: str | None = None, *,
            stale_after: float = STALE_AFTER_SECONDS, queue: WorkQueue | None = None,
            kinds: set[str] | None = None) -> list[int]:
    """Finish every batch (of `kinds`) left behind by a dead process: crawl again what it left
    unfinished, judge all. Returns the batches recovered."""
    owner = owner or process_owner()
    done = []
    for batch_id in stale_batches(db, stale_after, kinds):
        if adopt(db, batch_id, owner, stale_after):
            with db.session() as session:
                mode = session.get(CrawlBatch, batch_id).mode
            if mode == "workers":
                # The old jobs may still sit in the queue under runs now superseded: take them out.
                queue = queue or WorkQueue.from_settings(settings)
                for job in queue.queued():
                    if job.batch_id == batch_id:
                        queue.unqueue(job)
            run_batch(settings, db, batch_id, owner, queue=queue)
            done.append(batch_id)
    return done
