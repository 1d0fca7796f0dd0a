"""`govwatch recheck`, `evaluate` and `crawl`: crawl then judge, or judge what is stored."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.text import Text
from sqlalchemy import func, select

from config.settings import Settings
from govwatch.cli._common import (
    AsOf,
    JsonOpt,
    ProfileOpt,
    context,
    emit_json,
    err,
    fail,
    mark_abandoned_runs,
    open_db,
    out,
    parse_as_of,
    registered_site_id,
    today,
)
from govwatch.cli.accounts import evaluate_accounts_command
from govwatch.cli.media import collect_with_progress, recheck_account
from govwatch.cli.progress import crawl_with_progress
from govwatch.cli.service import accounts_to_workers, inspect_with_workers, wait_accounts_of_workers
from inspection.sites import evaluate_sites, judge_sites, stored_verdicts
from reports.plain import plain
from reports.verdict import print_evaluation, summary_table, verdict_json
from rules.reasons import reason_words
from scheduler.queue import enqueue_recheck
from storage.db import Database
from storage.media_repo import judged_accounts
from storage.models import Column, CrawlRun, ListItem, Site
from storage.repo import find_site, remove_site, sites_to_inspect, upsert_site


def register(app: typer.Typer) -> None:
    app.command()(recheck)
    app.command()(evaluate)
    app.command()(crawl)


def recheck(
    site: Annotated[str, typer.Argument(help="网址，或已登记网站的网站标识码、名称、网址。")],
    as_of: AsOf = None,
    profile: ProfileOpt = None,
    json_out: JsonOpt = False,
    queue: Annotated[bool, typer.Option("--queue", help="交给调度程序排队复查，不立即抓取。")] = False,
) -> None:
    """复查一个网站：立即抓取、判定并打印结论。

    用网址复查而首页读不到时，不登记，返回非零。"""

    settings, prof = context(profile)
    when = parse_as_of(as_of)
    if not queue:  # a registered account (账号) is collected and judged now; see govwatch/cli_media.py

        if recheck_account(site, when, prof, json_out=json_out):
            return
    db = open_db(settings)
    mark_abandoned_runs(db)
    bare = False
    with db.session() as session:
        found = find_site(session, site)
        if found is None:
            if "." not in site and "://" not in site:
                raise fail(f"{site!r} 既不是已登记的网站，也不是网址（见 `govwatch sites list`）")
            found, bare = upsert_site(session, url=site, registered=False)
        site_id = found.id
    if queue:

        request_id = enqueue_recheck(db, site_id, as_of=when if as_of else None, profile=prof.id)
        if json_out:
            emit_json({"queued": request_id, "site_id": site_id})
        else:
            out.print(Text(f"{site} 的复查已排队（编号 {request_id}），由调度程序执行"))
        return
    runs = crawl_with_progress(settings, db, [site_id], when, quiet=json_out)
    unread = bare and home_unread(db, runs[site_id])
    if not unread:
        fresh_crawl_guard(settings, db, runs, when, as_of is not None)
    [ev] = evaluate_sites(db, [site_id], when, prof, runs, save=not unread)
    if json_out:
        emit_json(verdict_json(ev))
    else:
        print_evaluation(out, ev)
    if unread:
        forget_unread_bare_site(db, site_id, site)


def evaluate(
    site: Annotated[list[str] | None, typer.Option("--site", metavar="网站", help="网站标识码、名称或网址（可重复）；"
                                                       "用网址复查过的网站也可这样评价。")] = None,
    accounts: Annotated[bool, typer.Option("--accounts", help="评价政务新媒体账号（按已保存的发布记录）。")] = False,
    account: Annotated[list[str] | None, typer.Option("--account", help="账号名称或账号ID（可重复）。")] = None,
    period: Annotated[str | None, typer.Option("--period", help="评价的月份：2023-08..2023-10 或 2023Q3"
                                                                "（默认：监测时间点前三个整月）。")] = None,
    as_of: AsOf = None,
    profile: ProfileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """按已保存的抓取和发布记录重新判定（不联网）：网站、政务新媒体账号，或两者。

    --as-of 可按以前的监测时间点判定。"""

    settings, prof = context(profile)
    when = parse_as_of(as_of)
    media = accounts or bool(account)
    both = not site and not media
    rows: list = []
    db = open_db(settings)
    mark_abandoned_runs(db)
    if site:
        ids = [registered_site_id(db, key) for key in site]
    else:
        with db.session() as session:
            ids = [s.id for s in sites_to_inspect(session)] if not media else []
            any_accounts = bool(judged_accounts(session))
        if not ids and not (media or any_accounts):
            raise fail("登记册中没有要评价的网站（停用、关停、注销的不评价）。"
                       "用 `govwatch sites import 文件` 登记网站、`govwatch accounts import 文件` 登记账号；"
                       "用网址复查过（`govwatch recheck 网址`）的网站不在登记册中，用 "
                       "`govwatch evaluate --site 网址` 评价", code=1)
    if ids and site:  # the sites named: each one's panel
        results = evaluate_sites(db, ids, when, prof)
        if json_out:
            rows += [verdict_json(ev) for ev in results]
        else:
            for ev in results:
                print_evaluation(out, ev)
            out.print(summary_table(results))
    elif ids:  # the whole registry: one session per site, only the light verdicts kept
        judged = judge_sites(db, ids, when, prof)
        if json_out:
            rows += stored_verdicts(db, judged)
        else:
            out.print(summary_table([j.summary for j in judged]))
    if media or (both and any_accounts):
        rows += evaluate_accounts_command(account, when, prof, period, json_out)
    if json_out:
        emit_json(rows)


CRAWL_INCOMPLETE = 3  # `crawl`: some sites could not be inspected (their verdict is unknown)


def crawl(
    as_of: AsOf = None,
    profile: ProfileOpt = None,
    json_out: JsonOpt = False,
    workers: Annotated[bool, typer.Option("--workers",
                                          help="通过 Redis 交给 `govwatch worker` 进程抓取并等待结果。")] = False,
) -> None:
    """抓取登记册中的全部网站并判定，再采集登记的政务新媒体账号。

    一个网站或账号失败不影响其他；停用、关停、注销的不抓取。"""

    settings, prof = context(profile)
    when = parse_as_of(as_of)
    db = open_db(settings)
    mark_abandoned_runs(db)
    with db.session() as session:
        ids = [s.id for s in sites_to_inspect(session)]
        account_ids = [a.id for a in judged_accounts(session)]
    accounts: list[dict] | None = None  # collected beside the sites' crawl, in its browser
    if not ids and not account_ids:
        raise fail("登记册中没有要抓取的网站或账号（停用、关停、注销的不抓取）；用 `govwatch sites import 文件` "
                   "登记网站，`govwatch accounts import 文件` 登记账号")
    if not ids:
        results, verdicts = [], []
    elif workers:  # the service path: see govwatch/cli_service.py and scheduler/batches.py

        queued = accounts_to_workers(settings, db, account_ids, when)  # the workers take them beside the sites
        judged = inspect_with_workers(settings, db, ids, when, prof, quiet=json_out)  # each judged as it ends
        accounts = wait_accounts_of_workers(settings, db, queued, quiet=json_out)
        results, verdicts = [j.summary for j in judged], stored_verdicts(db, judged)
    else:
        accounts = []
        runs = crawl_with_progress(settings, db, ids, when, quiet=json_out, accounts=account_ids, collected=accounts)
        fresh_crawl_guard(settings, db, runs, when, as_of is not None)
        judged = judge_sites(db, ids, when, prof, runs)  # one session each; only the light verdicts kept
        results, verdicts = [j.summary for j in judged], stored_verdicts(db, judged)
    if accounts is None:
        accounts = _collect_accounts(settings, db, quiet=json_out)
    if json_out:
        emit_json(verdicts)
    else:
        if results:
            out.print(summary_table(results))
        if accounts:
            out.print(f"采集账号 {len(accounts)} 个：" + "，".join(
                f"{status} {sum(r['status'] == status for r in accounts)}" for status in sorted(
                    {r["status"] for r in accounts})))
    uninspected = [v for v in verdicts if v["verdict"] == "unknown"]
    if uninspected:  # cron sees a bad night: exit status 3 (see README "Exit status")
        err.print(f"{len(uninspected)}个网站未能检查（首页无法读取等），结果为无法核验")
        raise typer.Exit(CRAWL_INCOMPLETE)


def _collect_accounts(settings: Settings, db: Database, *, quiet: bool) -> list[dict]:
    """The registered 正常 accounts, collected here when no site crawl runs in this process (govwatch/collect.py)."""
    with db.session() as session:
        ids = [a.id for a in judged_accounts(session)]
    return collect_with_progress(settings, db, ids, quiet=quiet) if ids else []





def forget_unread_bare_site(db: Database, site_id: int, given: str) -> None:
    """A bare-URL recheck whose home page could not be read registers nothing (a mistyped URL is
    not kept as a site) and exits non-zero."""

    with db.session() as session:
        site = session.get(Site, site_id)
        error = site.runs[-1].error if site.runs else None
        remove_site(session, site)
    raise fail(f"无法读取 {plain(given)} 的首页（{reason_words(error)}），未登记、未评价。请检查网址是否写对", code=1,
               printed=True)


def home_unread(db: Database, run_id: int) -> bool:
    with db.session() as session:
        run = session.get(CrawlRun, run_id)
        return run.status == "failed" or run.home_url is None


def fresh_crawl_guard(settings: Settings, db: Database, runs: dict[int, int], as_of: date, given: bool) -> None:
    """A fresh crawl observes today's site: judging it at an earlier --as-of would drop everything
    newer and give false vetoes. Such a verdict is refused as_of the crawl saw anything dated after
    the monitoring time point; `evaluate --as-of` re-judges stored crawls instead (README)."""
    if not given or as_of >= today(settings):
        return

    now = today(settings)
    with db.session() as session:
        ids = list(runs.values())
        newer = sum(session.scalar(select(func.count()).select_from(model).where(
            model.id.in_(ids) if model is CrawlRun else model.run_id.in_(ids), col > as_of, col <= now)) or 0
            for model, col in ((ListItem, ListItem.published), (Column, Column.latest_date),
                               (CrawlRun, CrawlRun.home_latest_date)))
    err.print(Text(f"注意：--as-of {as_of.isoformat()} 早于今天（{today(settings).isoformat()}），但网站是现在抓取的。",
                   style="bold yellow"))
    if newer:
        raise fail(f"本次抓取看到 {newer} 处监测时间点之后的信息；按 {as_of.isoformat()} 判定会把它们当作不存在，"
                   "得出错误的否决。不输出结论。请去掉 --as-of 按今天判定，或用 `govwatch evaluate --as-of` "
                   "评价当时已存的抓取记录", code=3)

