"""The service commands: `govwatch db`, `probe`, `worker`, `schedule`, `nightly`.

govwatch/cli.py calls `register(app)`; see README, "Running as a service".
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from govwatch.masking import mask_secrets

db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)


def _logging(verbose: bool = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("apscheduler.executors", "httpx", "tldextract", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option("--revision", help="Target revision (default: the newest).")] = "head",
) -> None:
    """Bring the database to the newest schema (also done by every command that opens it)."""
    from govwatch.cli import context, fail, out
    from storage.migrate import current, upgrade

    settings, _ = context()
    try:
        before = current(settings.database)
        after = upgrade(settings.database, revision)
    except Exception as exc:  # noqa: BLE001 - say which database and why, not a traceback
        raise fail(mask_secrets(f"cannot migrate {settings.database}: {exc.__class__.__name__}: {exc}")) from None
    out.print(f"{mask_secrets(settings.database)}: {before or 'empty'} -> {after}", soft_wrap=True)


@db_app.command("current")
def db_current() -> None:
    """The revision the database is at, and the newest one."""
    from govwatch.cli import context, fail, out
    from storage.migrate import current, head

    settings, _ = context()
    try:
        at = current(settings.database)
    except Exception as exc:  # noqa: BLE001
        raise fail(mask_secrets(f"cannot read {settings.database}: {exc.__class__.__name__}: {exc}")) from None
    state = "up to date" if at == head() else f"behind (newest {head()}; run `govwatch db upgrade`)"
    out.print(f"{at or 'none (never migrated)'} — {state}", soft_wrap=True)


def probe(
    site: Annotated[list[str] | None, typer.Option("--site", help="Site code, name or URL (repeatable).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of a table.")] = False,
) -> None:
    """Probe every registered site's home page once (W-V2 availability) and store the results."""
    from rich.table import Table

    from crawler.probe import probe_sites
    from govwatch.cli import context, emit_json, fail, open_db, out
    from storage.repo import find_site

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
    exit_when_idle: Annotated[bool, typer.Option("--exit-when-idle", help="Exit once the queue stays empty.")] = False,
    idle_seconds: Annotated[int, typer.Option("--idle-seconds", help="How long empty counts as idle.")] = 30,
    sites: Annotated[int | None, typer.Option("--sites", help="Sites crawled at once (default: worker_sites).")] = None,
) -> None:
    """Crawl sites taken from the Redis queue until stopped (SIGTERM: unfinished sites are queued again)."""
    import dataclasses

    from crawler.spiders.worker import run_worker
    from govwatch.cli import context, err, fail, open_db

    settings, _ = context()
    if sites:
        settings = dataclasses.replace(settings, worker_sites=sites)
    open_db(settings).dispose()  # the schema is at head before the first job
    try:
        from crawler.workqueue import connect

        connect(settings.redis_url).ping()
    except Exception as exc:  # noqa: BLE001
        raise fail(mask_secrets(f"cannot reach Redis at {settings.redis_url}: {exc}")) from None
    err.print(f"worker: jobs from {mask_secrets(settings.redis_url)} ({settings.redis_prefix}:jobs), "
              f"{settings.worker_sites} sites at once; log {settings.log_dir / 'worker.log'}")
    run_worker(settings, exit_when_idle=exit_when_idle, idle_seconds=idle_seconds,
               log_file=settings.log_dir / "worker.log")


def schedule(
    once: Annotated[str | None, typer.Option(
        "--once", help="Run one job now and exit: nightly, probes, rechecks, reminder or recover.")] = None,
    list_jobs: Annotated[bool, typer.Option("--list", help="Show the jobs and their next run times.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run the scheduler: nightly crawl, availability probes, recheck queue, quarterly reminder."""
    from govwatch.cli import context, fail, open_db, out
    from scheduler import jobs
    from scheduler.batches import process_owner
    from scheduler.service import build_scheduler, install_jobs, job_specs, run_scheduler

    settings, _ = context()
    db = open_db(settings)
    owner = process_owner()
    _logging(verbose)
    if list_jobs:
        from apscheduler.schedulers.background import BackgroundScheduler

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
        result = funcs[once]()
        out.print(f"{once}: {len(result) if isinstance(result, list) else result}")
        return
    assert job_specs(settings)  # settings were checked when loaded
    run_scheduler(settings, db, owner)


def nightly(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Monitoring time point (default: today).")] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="Indicator profile name or YAML file.")] = None,
    workers: Annotated[bool | None, typer.Option(
        "--workers/--local", help="Crawl through `govwatch worker` processes, or in a child process.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Run even if today's nightly crawl is done.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of tables.")] = False,
) -> None:
    """The nightly job now: crawl every registered site, judge it (one nightly at a time, across processes)."""
    from govwatch.cli import context, emit_json, open_db, out, parse_as_of
    from reports.verdict import summary_table, verdict_json
    from scheduler import jobs
    from scheduler.batches import process_owner

    settings, prof = context(profile)
    when = parse_as_of(as_of) if as_of else None
    db = open_db(settings)
    if not json_out:
        _logging()
    jobs.use(jobs.Context(settings, db, process_owner()))
    mode = None if workers is None else ("workers" if workers else "local")
    results = jobs.nightly(when, mode=mode, profile_name=profile, force=force or as_of is not None)
    if json_out:
        emit_json([verdict_json(ev) for ev in results])
    elif results:
        out.print(summary_table(results))


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command()(probe)
    app.command()(worker)
    app.command()(schedule)
    app.command()(nightly)


def inspect_with_workers(settings, db, site_ids: list[int], as_of, profile, *, quiet: bool = False) -> list:  # noqa: ANN001
    """`govwatch crawl --workers`: queue the sites for the workers, show progress, judge them."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from crawler.workqueue import WorkQueue, connect
    from govwatch.cli import err, fail
    from scheduler.batches import inspect_sites

    try:
        client = connect(settings.redis_url)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        raise fail(mask_secrets(f"cannot reach Redis at {settings.redis_url}: {exc}")) from None
    queue = WorkQueue(client, settings.redis_prefix)
    if not quiet and not queue.live_workers():
        err.print(f"[yellow]no `govwatch worker` is running on {settings.redis_prefix}; the sites wait for one[/]")
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err, disable=quiet, transient=False)
    with progress:
        task = progress.add_task("crawling (workers)", total=len(site_ids))
        return inspect_sites(settings, db, site_ids, as_of, profile, kind="manual", mode="workers", queue=queue,
                             progress=lambda p: progress.update(task, completed=p.finished))
