"""Crawls that stopped before they finished: Ctrl-C, SIGTERM, or a process killed outright (SIGKILL,
the machine switched off).

A stopped crawl marks its runs `interrupted` itself. A process killed outright cannot, so every run
records the process that started it (host:pid:start time); the next `crawl`, `recheck`, `evaluate`
or `schedule` on that host marks a run still "running" whose process is gone. A run is never judged
as if it were complete: `run_for_evaluation` skips interrupted runs and says so.
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import BatchRun, CrawlBatch, CrawlRun

INTERRUPTED = "interrupted"
REASON = "检查被中断"
SIGNAL_WORDS = {signal.SIGINT: "收到 Ctrl-C（SIGINT）", signal.SIGTERM: "收到停止信号（SIGTERM）"}
# A run from before runs recorded their process: given up when it has been "running" this long.
UNOWNED_AFTER = timedelta(hours=24)


def reason(detail: str | None = None) -> str:
    """The stored error of an interrupted run: always starts with 检查被中断."""
    return f"{REASON}：{detail}" if detail else REASON


def is_interrupted(close_reason: object) -> bool:
    """Whether a spider's close reason is an interruption (the reason is the run's stored error)."""
    return isinstance(close_reason, str) and close_reason.startswith(REASON)


def signal_reason(signum: int) -> str:
    return reason(SIGNAL_WORDS.get(signum, f"收到信号 {signum}"))


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks (Linux /proc), so a reused pid is not taken for the
    old process; None when it is not running (or a zombie) or /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def this_process() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid) or ''}"


def process_gone(tag: str) -> bool | None:
    """True when the process a run recorded no longer runs; None when it cannot be told (another host)."""
    try:
        host, pid_text, started = tag.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return None
    if host != socket.gethostname():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, under another user
    now = _start_time(pid)
    if now is None:
        return os.path.isdir("/proc/self")  # no /proc entry (or a zombie) where /proc exists: gone
    return bool(started) and now != started


def mark_interrupted(session: Session, run_ids: Sequence[int], error: str, now: datetime) -> list[int]:
    """Mark the runs that are still running as interrupted; returns those marked."""
    marked = []
    for run_id in run_ids:
        run = session.get(CrawlRun, run_id)
        if run is not None and run.status == "running":
            run.status, run.error, run.finished_at = INTERRUPTED, error, now
            marked.append(run_id)
    return marked


def mark_abandoned_runs(session: Session, now: datetime) -> list[int]:
    """Runs left "running" by a process that is gone (killed outright): marked interrupted. Runs of
    a batch still running are left to the batch's own recovery (scheduler/batches.py)."""
    in_live_batch = select(BatchRun.run_id).join(CrawlBatch, CrawlBatch.id == BatchRun.batch_id).where(
        CrawlBatch.status == "running")
    runs = session.scalars(select(CrawlRun).where(CrawlRun.status == "running",
                                                  CrawlRun.id.not_in(in_live_batch))).all()
    abandoned = []
    for run in runs:
        if run.process:
            if process_gone(run.process):
                host, pid, _ = run.process.rsplit(":", 2)
                abandoned.append((run.id, reason(f"进程 {pid}（{host}）已不在，抓取未完成")))
        elif now - run.started_at > UNOWNED_AFTER:
            hours = UNOWNED_AFTER.total_seconds() / 3600
            abandoned.append((run.id, reason(f"抓取开始后超过 {hours:.0f} 小时仍未完成")))
    return [run_id for run_id, error in abandoned if mark_interrupted(session, [run_id], error, now)]
