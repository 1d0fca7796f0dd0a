"""The `govwatch` command."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from govwatch.masking import mask_secrets
from govwatch.settings import Settings, SettingsError, load_settings
from rules.profile import Profile, ProfileError, load_profile

app = typer.Typer(help="按国办秘函〔2019〕19号及各地细则检查政府网站，输出结论、扣分和通报所需的表。",
                  no_args_is_help=True, add_completion=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]})
VERBOSITY = {"level": 0}  # -q: -1 (no progress), -v: 1 (say where the crawl log is)


def _version(value: bool) -> None:
    if value:
        from govwatch import __version__

        try:
            settings = load_settings()
            where = f"数据目录 {settings.home.resolve()}；设置文件 {settings_file_path()}"
        except SettingsError as exc:
            where = f"设置有误：{exc}"
        sys.stdout.write(f"govwatch {__version__}\n{where}\n")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="显示版本和数据目录。")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度。")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="多显示一些：抓取日志在哪里。")] = False,
) -> None:
    """按国办秘函〔2019〕19号及各地细则检查政府网站。"""
    VERBOSITY["level"] = -1 if quiet else 1 if verbose else 0


def settings_file_path() -> Path:
    from govwatch.settings import settings_file

    return settings_file(os.environ)

out = Console(soft_wrap=False)
err = Console(stderr=True)

AsOf = Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD",
                                          help="监测时间点（默认：北京时间今天）。")]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="指标体系名称或 YAML 文件（见 govwatch profiles）。")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（供程序读取），不打印表格。")]


def fail(message: str, code: int = 2) -> typer.Exit:
    from reports.plain import plain

    err.print(Text.assemble(("错误：", "bold red"), plain(message, one_line=False)), highlight=False)
    return typer.Exit(code)


def today(settings: Settings | None = None) -> date:
    """Today where the office is (setting `timezone`, default Asia/Shanghai), not the machine's zone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        zone = (settings or load_settings()).timezone
    except SettingsError:
        zone = "Asia/Shanghai"
    return datetime.now(ZoneInfo(zone)).date()


def parse_as_of(value: str | None) -> date:
    if value is None:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--as-of {value!r} 不是日期，应写成 2023-11-20") from None


def context(profile_name: str | None = None) -> tuple[Settings, Profile]:
    try:
        settings = load_settings()
        profile = load_profile(profile_name or settings.profile)
    except (SettingsError, ProfileError) as exc:
        raise fail(str(exc)) from None
    settings.ensure_home()
    return settings, profile


def open_db(settings: Settings):  # noqa: ANN201
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import Database

    try:
        return Database(settings.database)
    except SQLAlchemyError as exc:
        message = f"cannot open the database {settings.database}: {exc.__class__.__name__}: {exc}"
        raise fail(mask_secrets(message)) from None


def mark_abandoned_runs(db) -> None:  # noqa: ANN001
    """Runs left "running" by a crawl killed outright (SIGKILL): marked interrupted before anything
    is crawled or judged, so no verdict silently rests on an older crawl (storage/interrupted.py)."""
    from storage.interrupted import mark_abandoned_runs as mark
    from storage.repo import utcnow

    with db.session() as session:
        marked = mark(session, utcnow())
    if marked:
        err.print(Text(f"注意：{len(marked)} 个抓取中途停止（进程已不在），已标为“检查被中断”"
                       f"（抓取编号 {'、'.join(map(str, marked[:10]))}{'等' if len(marked) > 10 else ''}）"))


def registered_site_id(db, key: str) -> int:  # noqa: ANN001
    """The id of a stored site named by code, name or URL, or a clear error."""
    from storage.repo import find_site

    with db.session() as session:
        found = find_site(session, key)
        if found is None:
            raise fail(f"no site {key!r} in the store (see `govwatch sites list`)")
        return found.id


def emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def site_names(db, site_ids: list[int]) -> dict[int, str]:  # noqa: ANN001
    from storage.models import Site

    with db.session() as session:
        return {i: session.get(Site, i).name for i in site_ids}


def in_flight(names: dict[int, str], finished: set[int], last: str = "") -> str:
    """Progress in the users' terms: totals, the sites still being crawled, the one just finished."""
    from reports.plain import plain

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
    import signal

    from crawler.stopping import CrawlInterrupted

    def stop(signum: int, _frame: object) -> None:
        raise CrawlInterrupted(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def interrupted_exit(db, site_ids: list[int], exc) -> typer.Exit:  # noqa: ANN001
    """What an interrupted crawl stored, and exit status 128 + signal (130 Ctrl-C, 143 SIGTERM)."""
    from sqlalchemy import func, select

    from storage.models import CrawlRun

    with db.session() as session:
        newest = select(func.max(CrawlRun.id)).where(CrawlRun.site_id.in_(site_ids)).group_by(CrawlRun.site_id)
        statuses = list(session.scalars(select(CrawlRun.status).where(CrawlRun.id.in_(newest))))
    cut, done = statuses.count("interrupted"), sum(s in ("ok", "partial", "failed") for s in statuses)
    err.print(Text(f"{exc}。已保存抓取到的内容：{cut} 个网站的抓取标为“检查被中断”，{done} 个已抓取完；"
                   "未判定。用 `govwatch evaluate` 按已完成的抓取判定（中断的抓取不作依据）"))
    return typer.Exit(exc.exit_code)


def crawl_with_progress(settings: Settings, db, site_ids: list[int], as_of: date, quiet: bool,  # noqa: ANN001
                        accounts: list[int] | None = None, collected: list[dict] | None = None) -> dict[int, int]:
    """Crawl the sites with progress on stderr; `accounts` are collected beside the crawl, in its browser,
    their JSON rows appended to `collected`."""
    from crawler.runner import CrawlError, CrawlInterrupted
    from govwatch.inspect import crawl_sites
    from reports.plain import plain

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                        disable=quiet or VERBOSITY["level"] < 0, transient=False)
    with progress:
        names = site_names(db, site_ids)
        task = progress.add_task(in_flight(names, set()), total=len(site_ids))
        finished: set[int] = set()

        def done(job) -> None:  # noqa: ANN001
            finished.add(job.site_id)
            progress.update(task, advance=1, description=in_flight(names, finished, plain(job.label)))

        side_work = None
        if accounts:
            from govwatch.cli_media import collection_json
            from govwatch.collect import collect_accounts

            account_task = progress.add_task("采集账号", total=len(accounts))

            def collected_one(account, collection) -> None:  # noqa: ANN001
                if collected is not None:
                    collected.append(collection_json(account, collection))
                progress.update(account_task, advance=1, description=f"采集账号 {account.name}：{collection.status}")

            def side_work(stopping) -> None:  # noqa: ANN001 - a threading.Event: the crawl was cut short
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


@app.command()
def recheck(
    site: Annotated[str, typer.Argument(help="网址，或已登记网站的网站标识码、名称、网址。")],
    as_of: AsOf = None,
    profile: ProfileOpt = None,
    json_out: JsonOpt = False,
    queue: Annotated[bool, typer.Option("--queue", help="交给调度程序排队复查，不立即抓取。")] = False,
) -> None:
    """复查一个网站：立即抓取、判定并打印结论。

    用网址复查而首页读不到时，不登记，返回非零。"""
    from govwatch.inspect import evaluate_sites
    from reports.verdict import print_evaluation, verdict_json
    from storage.repo import find_site, upsert_site

    settings, prof = context(profile)
    when = parse_as_of(as_of)
    if not queue:  # a registered account (账号) is collected and judged now; see govwatch/cli_media.py
        from govwatch.cli_media import recheck_account

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
        from scheduler.queue import enqueue_recheck

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


@app.command()
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
    from govwatch.cli_accounts import evaluate_accounts_command
    from govwatch.inspect import evaluate_sites
    from reports.verdict import print_evaluation, summary_table, verdict_json
    from storage.media_repo import judged_accounts
    from storage.repo import sites_to_inspect

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
    if ids:
        results = evaluate_sites(db, ids, when, prof)
        if json_out:
            rows += [verdict_json(ev) for ev in results]
        else:
            for ev in results if site else []:
                print_evaluation(out, ev)
            out.print(summary_table(results))
    if media or (both and any_accounts):
        rows += evaluate_accounts_command(account, when, prof, period, json_out)
    if json_out:
        emit_json(rows)


CRAWL_INCOMPLETE = 3  # `crawl`: some sites could not be inspected (their verdict is unknown)


@app.command()
def crawl(
    as_of: AsOf = None,
    profile: ProfileOpt = None,
    json_out: JsonOpt = False,
    workers: Annotated[bool, typer.Option("--workers",
                                          help="通过 Redis 交给 `govwatch worker` 进程抓取并等待结果。")] = False,
) -> None:
    """抓取登记册中的全部网站并判定，再采集登记的政务新媒体账号。

    一个网站或账号失败不影响其他；停用、关停、注销的不抓取。"""
    from govwatch.inspect import evaluate_sites
    from reports.verdict import summary_table, verdict_json
    from storage.media_repo import judged_accounts
    from storage.repo import sites_to_inspect

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
        results = []
    elif workers:  # the service path: see govwatch/cli_service.py and scheduler/batches.py
        from govwatch.cli_service import accounts_to_workers, inspect_with_workers, wait_accounts_of_workers

        queued = accounts_to_workers(settings, db, account_ids, when)  # the workers take them beside the sites
        results = inspect_with_workers(settings, db, ids, when, prof, quiet=json_out)
        accounts = wait_accounts_of_workers(settings, db, queued, quiet=json_out)
    else:
        accounts = []
        runs = crawl_with_progress(settings, db, ids, when, quiet=json_out, accounts=account_ids, collected=accounts)
        fresh_crawl_guard(settings, db, runs, when, as_of is not None)
        results = evaluate_sites(db, ids, when, prof, runs)
    verdicts = [verdict_json(ev) for ev in results]
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


def _collect_accounts(settings: Settings, db, *, quiet: bool) -> list[dict]:  # noqa: ANN001
    """The registered 正常 accounts, collected here when no site crawl runs in this process (govwatch/collect.py)."""
    from govwatch.cli_media import collect_with_progress
    from storage.media_repo import judged_accounts

    with db.session() as session:
        ids = [a.id for a in judged_accounts(session)]
    return collect_with_progress(settings, db, ids, quiet=quiet) if ids else []




@app.command()
def extract(
    source: Annotated[str, typer.Argument(help="HTML 文件或网址。")],
    url: Annotated[str | None, typer.Option("--url", help="该页面自己的网址（读文件时）。")] = None,
    as_of: AsOf = None,
    json_out: JsonOpt = False,
) -> None:
    """一个页面在抓取程序眼中的样子。

    带日期的条目、最新日期、是否空白、栏目信息。"""
    from govwatch.extract_cmd import extract_source, print_extract

    when = parse_as_of(as_of)
    try:
        result = extract_source(source, url, when)
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from None
    if json_out:
        emit_json(result)
    else:
        print_extract(out, result)


@app.command()
def demo(
    as_of: AsOf = None,
    json_out: JsonOpt = False,
) -> None:
    """演示：抓取并判定自带的本机测试网站。

    测试网站在 127.0.0.1 上提供；数据单独存放，不进入登记册。"""
    from govwatch.inspect import evaluate_sites
    from reports.verdict import print_evaluation, summary_table, verdict_json
    from storage.repo import upsert_site

    try:
        from tests.sites.server import serve_test_sites
    except ImportError:
        raise fail("the bundled test sites (tests/sites) are not installed; run from a source checkout") from None
    import dataclasses

    settings, prof = context()
    # The test sites never enter the user's registry: the demo keeps its own data folder.
    settings = dataclasses.replace(settings, home=settings.home / "demo", database_url="")
    settings.ensure_home()
    when = parse_as_of(as_of)
    db = open_db(settings)
    from govwatch.cli_media import demo_platforms, print_collection

    collected: list[dict] = []  # simulated platforms on 127.0.0.1 (tests/sites/media.py), beside the crawl
    with serve_test_sites(when) as sites, demo_platforms(settings, db) as (local, account_ids):
        ids = []
        with db.session() as session:
            for s in sites:
                row, _ = upsert_site(session, url=s.url, name=s.name, code=s.code, unit=s.unit, group=s.group)
                ids.append(row.id)
        if not json_out:
            err.print(Text(f"在 127.0.0.1 上提供 {len(sites)} 个测试网站；演示数据单独存放在 {settings.home}"
                           "（不进入你的登记册）"))
        runs = crawl_with_progress(local, db, ids, when, quiet=json_out, accounts=account_ids, collected=collected)
    results = evaluate_sites(db, ids, when, prof, runs, evidence_root=settings.evidence_dir)
    from govwatch.demo_media import judge_demo_accounts

    media = judge_demo_accounts(when, prof)  # bundled posts of a few accounts (tests/sites/media/*.csv)
    if json_out:
        from reports.media_verdict import account_json

        emit_json([verdict_json(ev) for ev in results] + [account_json(r) for r in media])
        return
    for ev in results:
        print_evaluation(out, ev)
    for row in collected:
        print_collection(out, row)
    out.print(summary_table(results))
    from reports.media_verdict import print_account_results

    print_account_results(out, media)


def forget_unread_bare_site(db, site_id: int, given: str) -> None:  # noqa: ANN001
    """A bare-URL recheck whose home page could not be read registers nothing (a mistyped URL is
    not kept as a site) and exits non-zero."""
    from reports.plain import plain
    from rules.reasons import reason_words
    from storage.models import Site
    from storage.repo import remove_site

    with db.session() as session:
        site = session.get(Site, site_id)
        error = site.runs[-1].error if site.runs else None
        remove_site(session, site)
    raise fail(f"无法读取 {plain(given)} 的首页（{reason_words(error)}），未登记、未评价。请检查网址是否写对", code=1)


def home_unread(db, run_id: int) -> bool:  # noqa: ANN001
    from storage.models import CrawlRun

    with db.session() as session:
        run = session.get(CrawlRun, run_id)
        return run.status == "failed" or run.home_url is None


def fresh_crawl_guard(settings: Settings, db, runs: dict[int, int], when: date, given: bool) -> None:  # noqa: ANN001
    """A fresh crawl observes today's site: judging it at an earlier --as-of would drop everything
    newer and give false vetoes. Such a verdict is refused when the crawl saw anything dated after
    the monitoring time point; `evaluate --as-of` re-judges stored crawls instead (README)."""
    if not given or when >= today(settings):
        return
    from sqlalchemy import func, select

    from storage.models import Column, CrawlRun, ListItem

    now = today(settings)
    with db.session() as session:
        ids = list(runs.values())
        newer = sum(session.scalar(select(func.count()).select_from(model).where(
            model.id.in_(ids) if model is CrawlRun else model.run_id.in_(ids), col > when, col <= now)) or 0
            for model, col in ((ListItem, ListItem.published), (Column, Column.latest_date),
                               (CrawlRun, CrawlRun.home_latest_date)))
    err.print(Text(f"注意：--as-of {when.isoformat()} 早于今天（{today(settings).isoformat()}），但网站是现在抓取的。",
                   style="bold yellow"))
    if newer:
        raise fail(f"本次抓取看到 {newer} 处监测时间点之后的信息；按 {when.isoformat()} 判定会把它们当作不存在，"
                   "得出错误的否决。不输出结论。请去掉 --as-of 按今天判定，或用 `govwatch evaluate --as-of` "
                   "评价当时已存的抓取记录", code=3)


@app.command()
def info(json_out: JsonOpt = False) -> None:
    """数据目录、数据库、设置文件和默认指标体系在哪里。"""

    from govwatch import __version__

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise fail(str(exc)) from None
    data = {"version": __version__, "home": str(settings.home.resolve()), "database": mask_secrets(settings.database),
            "settings_file": str(settings_file_path()), "profile": settings.profile, "timezone": settings.timezone,
            "today": today(settings).isoformat()}
    if json_out:
        emit_json(data)
        return
    words = {"version": "版本", "home": "数据目录（GOVWATCH_HOME）", "database": "数据库",
             "settings_file": "设置文件（GOVWATCH_SETTINGS）", "profile": "默认指标体系", "timezone": "时区",
             "today": "今天"}
    for key, value in data.items():
        out.print(Text(f"{words[key]}：{value}"))


PROFILE_USES = {
    "national-2019": "全国通用口径：国办秘函〔2019〕19号的单项否决、扣分和加分；扣分、加分只适用于政府门户网站。"
                     "不确定用哪个时选它",
    "henan": "河南省（新乡市2023年第一季度通报口径）：在全国指标上按河南细则判定，门户和部门网站都计分",
    "guangdong": "广东省（肇庆市2019年细则口径）：在全国指标上按广东细则判定",
}


@app.command()
def profiles(json_out: JsonOpt = False) -> None:
    """可用的指标体系，以及各自适用于什么检查。"""
    from rules.profile import available_profiles

    rows = []
    for name in available_profiles():
        try:
            prof = load_profile(name)
        except ProfileError as exc:
            rows.append({"id": name, "title": "", "use": f"无法读取：{exc}"})
            continue
        rows.append({"id": prof.id, "title": prof.title, "use": PROFILE_USES.get(prof.id, prof.title)})
    if json_out:
        emit_json(rows)
        return
    table = Table(title="指标体系（--profile 名称）")
    for name in ("名称", "标题", "适用于"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(r["id"], Text(r["title"]), Text(r["use"]))
    out.print(table)


def _register_commands() -> None:
    """Further commands live in modules of their own: the service deployment (db, schedule, worker,
    probe), evidence, and the findings inspectors enter by hand."""
    from govwatch import cli_accounts, cli_evidence, cli_findings, cli_media, cli_report, cli_service, cli_sites

    cli_sites.register(app)
    cli_media.register(app)
    cli_service.register(app)
    cli_accounts.register(app)
    cli_evidence.register(app)
    cli_findings.register(app)
    cli_report.register(app)


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
