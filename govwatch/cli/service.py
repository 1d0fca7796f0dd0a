"""The service commands: `govwatch db`, `probe`, `worker`, `schedule`, `nightly`.

govwatch/cli.py calls `register(app)`; see README, "Running as a service".
"""

from __future__ import annotations

import dataclasses
import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Annotated

import typer
from apscheduler.schedulers.background import BackgroundScheduler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from config.masking import mask_secrets
from config.settings import Settings
from crawler.probe import probe_sites
from crawler.spiders.worker import run_worker
from crawler.workqueue import WorkQueue, connect
from govwatch.cli._common import context, emit_json, err, fail, open_db, out, parse_as_of
from govwatch.cli.media import collection_json
from inspection.sites import stored_verdicts
from reports.verdict import summary_table
from rules.profile import Profile
from scheduler import jobs
from scheduler.batches import (
    BatchStopped,
    inspect_sites,
    process_owner,
    queue_accounts,
    request_stop,
    wait_for_accounts,
)
from scheduler.service import build_scheduler, install_jobs, job_specs, run_scheduler
from storage.db import Database
from storage.media import Account, Collection
from storage.migrate import current, head, upgrade
from storage.repo import find_site

db_app = typer.Typer(help="数据库结构（Alembic 迁移）。", no_args_is_help=True)


def _logging(verbose: bool = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("apscheduler.executors", "httpx", "tldextract", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option("--revision", help="目标版本（默认：最新）。")] = "head",
) -> None:
    """把数据库升级到最新结构（打开数据库的命令也会自动升级）。"""
    settings, _ = context()
    try:
        before = current(settings.database)
        after = upgrade(settings.database, revision)
    except Exception as exc:
        raise fail(mask_secrets(f"cannot migrate {settings.database}: {exc.__class__.__name__}: {exc}")) from None
    out.print(f"{mask_secrets(settings.database)}: {before or 'empty'} -> {after}", soft_wrap=True)


@db_app.command("current")
def db_current() -> None:
    """数据库当前版本和最新版本。"""
    settings, _ = context()
    try:
        at = current(settings.database)
    except Exception as exc:
        raise fail(mask_secrets(f"cannot read {settings.database}: {exc.__class__.__name__}: {exc}")) from None
    state = "up to date" if at == head() else f"behind (newest {head()}; run `govwatch db upgrade`)"
    out.print(f"{at or 'none (never migrated)'} — {state}", soft_wrap=True)


def probe(
    site: Annotated[list[str] | None, typer.Option("--site", help="网站标识码、名称或网址（可重复）。")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="输出 JSON（供程序读取），不打印表格。")] = False,
) -> None:
    """探测每个网站的首页一次（W-V2）并保存。"""
    settings, _ = context()
    db = open_db(settings)
    ids = None
    if site:
        ids = []
        with db.session() as session:
            for key in site:
                found = find_site(session, key)
                if found is None:
                    raise fail(f"no site {key!r} in the store (see `govwatch sites list`)")
                ids.append(found.id)
    results = probe_sites(db, ids, timeout=settings.probe_timeout, concurrency=settings.probe_concurrency)
    if json_out:
        emit_json([r.as_dict() for r in results])
        return
    table = Table(title=f"可用性探测（{len(results)}）")
    for name in ("网址", "结果", "状态码", "耗时 ms", "错误"):
        table.add_column(name)
    for r in results:
        table.add_row(r.url, "[green]正常[/]" if r.ok else "[red]失败[/]", str(r.status or "—"), f"{r.elapsed_ms:.0f}",
                      f"{r.error_class}: {r.error}" if r.error_class else "")
    out.print(table)


def worker(
    exit_when_idle: Annotated[bool, typer.Option("--exit-when-idle", help="队列持续为空时退出。")] = False,
    idle_seconds: Annotated[int, typer.Option("--idle-seconds", help="队列为空多少秒算空闲。")] = 30,
    sites: Annotated[int | None, typer.Option("--sites", help="同时抓取的网站数（默认：worker_sites）。")] = None,
) -> None:
    """从 Redis 队列取网站抓取，直到停止。

    SIGTERM：未完成的网站重新排队。"""

    settings, _ = context()
    if sites:
        settings = dataclasses.replace(settings, worker_sites=sites)
    open_db(settings).dispose()  # the schema is at head before the first job
    try:
        connect(settings.redis_url).ping()
    except Exception as exc:
        raise fail(mask_secrets(f"cannot reach Redis at {settings.redis_url}: {exc}")) from None
    err.print(f"worker: jobs from {mask_secrets(settings.redis_url)} ({settings.redis_prefix}:jobs), "
              f"{settings.worker_sites} sites at once; log {settings.log_dir / 'worker.log'}")
    run_worker(settings, exit_when_idle=exit_when_idle, idle_seconds=idle_seconds,
               log_file=settings.log_dir / "worker.log")


@contextmanager
def _stop_batches_on_signals(said: str = "已停止：抓取标为“检查被中断”，本批次在调度程序下次启动时完成",
                             ) -> Iterator[list[int]]:
    """A crawl job run in the foreground (`nightly`, `schedule --once`): SIGTERM or Ctrl-C stops its crawl
    child within seconds (scheduler/batches.py), the runs marked interrupted and the batch finished at the
    scheduler's next start; then exit status 128 + signal (130, 143)."""

    got: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        got.append(signum)
        request_stop()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield got
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if got:

        err.print(said)
        raise typer.Exit(128 + got[0])


def schedule(
    once: Annotated[str | None, typer.Option(
        "--once", help="立即运行一项任务后退出：nightly、probes、rechecks、reminder 或 recover。")] = None,
    list_jobs: Annotated[bool, typer.Option("--list", help="列出任务及下次运行时间。")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """运行调度程序。

    每晚抓取、可访问性探测、复查队列、季度提醒。"""

    settings, _ = context()
    db = open_db(settings)
    owner = process_owner()
    _logging(verbose)
    if list_jobs:

        scheduler = build_scheduler(settings, db, owner, scheduler_class=BackgroundScheduler, recover=False)
        install_jobs(scheduler, settings, db)
        scheduler.start(paused=True)
        for job in scheduler.get_jobs(jobstore="default"):
            out.print(f"{job.id:9} {job.name:32} next {job.next_run_time}")
        scheduler.shutdown(wait=False)
        return
    if once:
        funcs = {"nightly": jobs.nightly, "probes": jobs.probes, "rechecks": jobs.rechecks,
                 "reminder": jobs.quarterly_reminder, "recover": jobs.recover}
        if once not in funcs:
            raise fail(f"--once {once!r}: choose one of {', '.join(funcs)}")
        jobs.use(jobs.Context(settings, db, owner))
        if once in ("nightly", "rechecks", "recover"):  # jobs that crawl
            with _stop_batches_on_signals():
                result = funcs[once]()
        else:
            result = funcs[once]()
        out.print(f"{once}: {len(result) if isinstance(result, list) else result}")
        return
    assert job_specs(settings)  # settings were checked when loaded
    run_scheduler(settings, db, owner)


def nightly(
    as_of: Annotated[str | None, typer.Option("--as-of", help="监测时间点（默认：北京时间今天）。")] = None,
    profile: Annotated[str | None, typer.Option("--profile",
                                                help="指标体系名称或 YAML 文件（见 govwatch profiles）。")] = None,
    workers: Annotated[bool | None, typer.Option(
        "--workers/--local", help="通过 `govwatch worker` 进程抓取，或在子进程中抓取。")] = None,
    force: Annotated[bool, typer.Option("--force", help="今晚的抓取已完成也再运行一次。")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="输出 JSON（供程序读取），不打印表格。")] = False,
) -> None:
    """立即运行每晚任务：抓取并判定全部网站。

    同一时间只运行一个。"""

    settings, prof = context(profile)
    when = parse_as_of(as_of) if as_of else None
    db = open_db(settings)
    if not json_out:
        _logging()
    jobs.use(jobs.Context(settings, db, process_owner()))
    mode = None if workers is None else ("workers" if workers else "local")
    with _stop_batches_on_signals():
        results = jobs.nightly(when, mode=mode, profile_name=profile, force=force or as_of is not None)
    if json_out:
        emit_json(stored_verdicts(db, results))
    elif results:
        out.print(summary_table([j.summary for j in results]))


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command()(probe)
    app.command()(worker)
    app.command()(schedule)
    app.command()(nightly)


def inspect_with_workers(settings: Settings, db: Database, site_ids: list[int], as_of: date, profile: Profile, *,
                         quiet: bool = False) -> list:
    """`govwatch crawl --workers`: queue the sites for the workers, show progress, judge each as its run
    closes; returns their `Judged` (inspection/sites.py)."""
    try:
        client = connect(settings.redis_url)
        client.ping()
    except Exception as exc:
        raise fail(mask_secrets(f"cannot reach Redis at {settings.redis_url}: {exc}")) from None
    queue = WorkQueue(client, settings.redis_prefix)
    if not quiet and not queue.live_workers():
        err.print(f"[yellow]no `govwatch worker` is running on {settings.redis_prefix}; the sites wait for one[/]")
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err, disable=quiet, transient=False)
    stopped = "已停止等待：worker 进程继续抓取已领取的网站，本批次由调度程序（govwatch schedule）完成并判定"
    with progress, _stop_batches_on_signals(stopped):
        task = progress.add_task("crawling (workers)", total=len(site_ids))
        try:
            return inspect_sites(settings, db, site_ids, as_of, profile, kind="manual", mode="workers",
                                 queue=queue, progress=lambda p: progress.update(task, completed=p.finished))
        except BatchStopped:  # Ctrl-C/SIGTERM: exit 130/143 (README "Exit status")
            return []


def accounts_to_workers(settings: Settings, db: Database, account_ids: list[int],
                        as_of: date) -> tuple[WorkQueue, datetime, list[int]]:
    """`govwatch crawl --workers`: queue every account for the workers (collected again even if collected
    tonight). Returns what `wait_accounts_of_workers` needs."""

    since = datetime.now(UTC)
    queue = WorkQueue.from_settings(settings)
    jobs = queue_accounts(db, queue, account_ids, as_of, force=True)
    return queue, since, [j.account_id for j in jobs]


def wait_accounts_of_workers(settings: Settings, db: Database, queued: tuple[WorkQueue, datetime, list[int]], *,
                             quiet: bool = False) -> list[dict]:
    """Wait for the workers to collect the queued accounts (with progress); one JSON row per account
    collected, as `govwatch collect --json` prints them."""

    queue, since, ids = queued
    if not ids:
        return []
    progress = Progress(SpinnerColumn(), TextColumn("采集账号（workers）"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err, disable=quiet, transient=True)
    with progress:
        task = progress.add_task("", total=len(ids))
        wait_for_accounts(settings, db, queue, ids, since=since,
                          progress=lambda done: progress.update(task, completed=done))
    rows = []
    naive = since.replace(tzinfo=None)
    with db.session() as session:
        for account_id in ids:
            collection = session.scalars(select(Collection).where(
                Collection.account_id == account_id, Collection.started_at >= naive)
                .order_by(Collection.id.desc())).first()
            if collection is not None:
                rows.append(collection_json(session.get(Account, account_id), collection))
    return rows
