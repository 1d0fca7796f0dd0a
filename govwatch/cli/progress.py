"""A crawl with its progress bar: the sites in flight, the accounts collected beside them, and a clean
stop on Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text
from sqlalchemy import func, select

from config.settings import Settings
from crawler.media.collect import collect_accounts
from crawler.runner import CrawlError, CrawlInterrupted, CrawlJob
from govwatch.cli._common import VERBOSITY, err, error_json, fail, json_wanted
from govwatch.cli.media import collection_json
from inspection.sites import crawl_sites
from reports.plain import plain
from storage.db import Database
from storage.media import Account, Collection
from storage.models import CrawlRun, Site


def site_names(db: Database, site_ids: list[int]) -> dict[int, str]:
    with db.session() as session:
        return {i: session.get(Site, i).name for i in site_ids}


def in_flight(names: dict[int, str], finished: set[int], last: str = "") -> str:
    """Progress in the users' terms: totals, the sites still being crawled, the one just finished."""
    going = [plain(n)[:12] for i, n in names.items() if i not in finished]
    text = f"共 {len(names)} 个，已完成 {len(finished)} 个"
    if going:
        text += f"；抓取中 {len(going)} 个：{'、'.join(going[:3])}{'等' if len(going) > 3 else ''}"
    if last:
        text += f"；刚完成：{last[:16]}"
    return text


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM before the crawl's own handlers run (crawler/stopping.py) stops like Ctrl-C does, not
    by killing the process with its runs left "running"."""

    def stop(signum: int, _frame: object) -> None:
        raise CrawlInterrupted(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def interrupted_exit(db: Database, site_ids: list[int], exc: CrawlInterrupted) -> typer.Exit:
    """What an interrupted crawl stored, and exit status 128 + signal (130 Ctrl-C, 143 SIGTERM)."""
    with db.session() as session:
        newest = select(func.max(CrawlRun.id)).where(CrawlRun.site_id.in_(site_ids)).group_by(CrawlRun.site_id)
        statuses = list(session.scalars(select(CrawlRun.status).where(CrawlRun.id.in_(newest))))
    cut, done = statuses.count("interrupted"), sum(s in ("ok", "partial", "failed") for s in statuses)
    err.print(Text(f"{exc}。已保存抓取到的内容：{cut} 个网站的抓取标为“检查被中断”，{done} 个已抓取完；"
                   "未判定。用 `govwatch evaluate` 按已完成的抓取判定（中断的抓取不作依据）"))
    if json_wanted():
        error_json(f"{exc}：已保存抓取到的内容，未判定", exc.exit_code, "interrupted")
    return typer.Exit(exc.exit_code)


def crawl_with_progress(settings: Settings, db: Database, site_ids: list[int], as_of: date, quiet: bool,
                        accounts: list[int] | None = None, collected: list[dict] | None = None) -> dict[int, int]:
    """Crawl the sites with progress on stderr; `accounts` are collected beside the crawl, in its browser,
    their JSON rows appended to `collected`."""

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                        disable=quiet or VERBOSITY["level"] < 0, transient=False)
    with progress:
        names = site_names(db, site_ids)
        task = progress.add_task(in_flight(names, set()), total=len(site_ids))
        finished: set[int] = set()

        def done(job: CrawlJob) -> None:
            finished.add(job.site_id)
            progress.update(task, advance=1, description=in_flight(names, finished, plain(job.label)))

        side_work = None
        if accounts:

            account_task = progress.add_task("采集账号", total=len(accounts))

            def collected_one(account: Account, collection: Collection) -> None:
                if collected is not None:
                    collected.append(collection_json(account, collection))
                progress.update(account_task, advance=1, description=f"采集账号 {account.name}：{collection.status}")

            def side_work(stopping: threading.Event) -> None:  # set when the crawl was cut short
                collect_accounts(settings, db, accounts, on_done=collected_one, stop=stopping)

        try:
            with terminate_as_interrupt():
                runs = crawl_sites(settings, db, site_ids, as_of, on_done=done, side_work=side_work)
        except CrawlError as exc:
            raise fail(str(exc)) from None
        except CrawlInterrupted as exc:
            progress.stop()
            raise interrupted_exit(db, site_ids, exc) from None
    if VERBOSITY["level"] > 0:
        err.print(Text(f"抓取日志：{settings.log_dir / 'crawl.log'}"))
    return runs

