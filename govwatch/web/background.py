"""Work the pages hand off, never done in the request.

- `QueueRunner`: when `web_run_queue` is set (tests, small installs without `govwatch schedule`), a thread of the
  web process drains the scheduler's recheck queue (scheduler/queue.py, the same code the scheduler runs) and the
  accounts queued for a recheck.
- `start_report`: `govwatch report` with the options chosen on the 通报 page, as a child process; its output and
  exit are stored in a WebJob and shown on the page.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import select

from config.settings import Settings, to_environ
from rules.accounts import evaluate_accounts
from rules.profile import load_profile
from scheduler.queue import drain
from storage.db import Database
from storage.repo import utcnow
from storage.web import WebJob

log = logging.getLogger("govwatch.web")
POLL_SECONDS = 1.0


def queue_account_recheck(db: Database, account_id: int, as_of: date | None, profile: str, by: str) -> int:
    with db.session() as session:
        job = WebJob(kind="account-recheck", options={"account_id": account_id, "profile": profile,
                                                      "as_of": as_of.isoformat() if as_of else None},
                     status="queued", started_by=by, started_at=utcnow())
        session.add(job)
        session.flush()
        return job.id


def recheck_account(settings: Settings, db: Database, job_id: int, today: date) -> None:
    """Collect one account now, then judge it (what `govwatch recheck ACCOUNT` does), storing the outcome."""
    from crawler.media.collect import collect_accounts

    with db.session() as session:
        job = session.get(WebJob, job_id)
        job.status = "running"
        options = dict(job.options)
    try:
        collect_accounts(settings, db, [options["account_id"]])
        as_of = date.fromisoformat(options["as_of"]) if options.get("as_of") else today
        [result] = evaluate_accounts(db, [options["account_id"]], as_of, load_profile(options["profile"])) or [None]
        status, output = "done", result.verdict if result else "未评判（账号已关停、注销或停用）"
    except Exception as exc:  # a failing collection is shown on the page, never lost
        log.exception("account recheck %s failed", job_id)
        status, output = "failed", f"{exc.__class__.__name__}: {exc}"
    with db.session() as session:
        job = session.get(WebJob, job_id)
        job.status, job.output, job.finished_at = status, output, utcnow()


class QueueRunner:
    """A daemon thread that drains the recheck queue every second while the web process runs."""

    def __init__(self, settings: Settings, db: Database, today: Callable[[], date]) -> None:
        self.settings, self.db, self.today = settings, db, today
        self.owner = f"{socket.gethostname()}:{os.getpid()}:web"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="govwatch-web-queue", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                drain(self.settings, self.db, self.owner, today=self.today())
                with self.db.session() as session:
                    jobs = list(session.scalars(select(WebJob.id).where(WebJob.kind == "account-recheck",
                                                                        WebJob.status == "queued")))
                for job_id in jobs:
                    recheck_account(self.settings, self.db, job_id, self.today())
            except Exception:
                log.exception("the web process's recheck queue failed; trying again")


def start_report(settings: Settings, db: Database, args: list[str], by: str, out_dir: Path) -> int:
    """Start `govwatch report ARGS --out OUT --json` in a child process; returns the job id."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with db.session() as session:
        job = WebJob(kind="report", options={"args": args, "out": str(out_dir)}, status="running", started_by=by,
                     started_at=utcnow())
        session.add(job)
        session.flush()
        job_id = job.id
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_") or k == "GOVWATCH_SETTINGS"},
           **to_environ(settings),
           "GOVWATCH_USER": by}
    child = subprocess.Popen([sys.executable, "-m", "govwatch.cli", "-q", "report", *args, "--out", str(out_dir)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    threading.Thread(target=_wait_report, args=(db, job_id, child), daemon=True).start()
    return job_id


def _wait_report(db: Database, job_id: int, child: subprocess.Popen) -> None:
    output, _ = child.communicate()
    with db.session() as session:
        job = session.get(WebJob, job_id)
        job.status = "done" if child.returncode == 0 else "failed"
        job.output = (output or "")[-20000:]
        job.finished_at = utcnow()
