"""`govwatch accounts` and `govwatch posts`: the 政务新媒体 registry, post imports and inspectors' looks.

    govwatch accounts import 新媒体台账.xlsx [--replace]
    govwatch accounts list [--json]
    govwatch accounts export 台账.xlsx
    govwatch accounts disable|enable|remove 黔东南民政 --platform 微博
    govwatch posts import 发布记录.csv [--from 2023-08-01 --to 2023-11-20]
    govwatch accounts observe 黔东南民政 --platform 微信 --latest-post "2023-11-18 09:30" --screenshot a.png
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.vocabulary import ACCOUNT_STATUS_WORDS, ACCOUNT_TYPE_WORDS
from crawler.evidence import EvidenceStore
from crawler.media import platforms
from crawler.media.access_check import Bases, check_access
from crawler.media.collect import sessions_of
from govwatch.cli._common import context, emit_json, err, fail, open_db, out, who_entered
from inspection.registry.media_files import MediaFileError, parse_time, platform_of, read_accounts_file, read_posts_file
from inspection.registry.media_import import import_accounts, import_posts, observe, resolve_account
from inspection.registry.sites import registry_names
from inspection.registry.tables import TableFileError, write_table
from reports.media_verdict import account_json, platform_word, print_account_results
from rules.accounts import evaluate_accounts
from rules.period import parse_period, profile_quarters
from rules.profile import Profile
from storage.media import Account, AccountEvaluation, Collection, Post
from storage.media_repo import BEIJING, find_accounts
from storage.records import ManualFinding

accounts_app = typer.Typer(help="政务新媒体账号台账：导入、列出、导出、停用，以及人工查看账号（observe）。",
                           no_args_is_help=True)
posts_app = typer.Typer(help="政务新媒体发布记录：从报送系统、厂商或公众平台导出的文件导入。", no_args_is_help=True)

AccountArg = Annotated[str, typer.Argument(help="账号名称、账号ID或链接。")]
PlatformOpt = Annotated[str | None, typer.Option("--platform", help="平台（同名账号在两个平台时必填）")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
EXPORT_HEADERS = ("账号名称", "平台", "账号类型", "账号ID", "链接", "主办单位", "分组", "状态", "启用", "简称",
                  "所属地区")


def register(app: typer.Typer) -> None:
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(posts_app, name="posts")


def _platform(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return platform_of(value, "--platform")
    except MediaFileError as exc:
        raise fail(str(exc)) from None


def _one_account(session: Session, key: str, platform: str | None) -> Account:
    try:
        return resolve_account(session, key, _platform(platform), "账号")
    except MediaFileError as exc:
        raise fail(str(exc)) from None


def account_row(a: Account) -> dict:
    return {"name": a.name, "platform": a.platform, "type": a.type, "account_id": a.account_id, "url": a.url,
            "unit": a.unit, "group": a.group, "status": a.status, "enabled": a.enabled,
            "target": (a.meta or {}).get("target")}  # the identity parsed from 链接/账号ID at import


@accounts_app.command("import")
def accounts_import(
    file: Annotated[Path, typer.Argument(help="CSV、xlsx 或 YAML 台账。")],
    replace: Annotated[bool, typer.Option("--replace", help="文件是完整台账：未列出的账号停用。")] = False,
) -> None:
    """登记账号；同一平台按账号ID、再按名称更新。有一行出错则整个文件不写入。"""
    settings, _ = context()
    try:
        entries = read_accounts_file(file)
    except MediaFileError as exc:
        raise fail(str(exc)) from None
    db = open_db(settings)
    with db.session() as session:
        summary = import_accounts(session, entries, replace=replace)
    out.print(f"{file}: 新增{summary.added}个账号，更新{summary.updated}个" +
              (f"，停用{summary.disabled}个" if replace else ""))
    for warning in summary.warnings:  # a 链接 or 账号ID that names no account the collector can read
        err.print(Text(f"注意：{warning}"))


@accounts_app.command("check-access")
def accounts_check_access(
    probe: Annotated[bool, typer.Option("--probe", help="用已配置的登录各试一次轻量请求，看今晚是否有效。")] = False,
    json_out: JsonOpt = False,
) -> None:
    """各平台今晚能读到什么：公开页面、单位自己的登录（公众号后台、微博、哔哩哔哩），以及读不到时怎么办。"""
    settings, _ = context()
    bases = Bases(wechat=platforms.base_of(settings, "wechat"), weibo=platforms.base_of(settings, "weibo"),
                  bilibili_api=platforms.base_of(settings, "bilibili_api"))
    rows = check_access(sessions_of(settings), probe=probe, bases=bases, browser=bool(settings.chromium()),
                        timeout=settings.timeout)
    if json_out:
        emit_json([{"platform": r.platform, "path": r.path, "state": r.state, "detail": r.detail} for r in rows])
        return
    table = Table(title="各平台今晚的采集途径")
    for name in ("平台", "途径", "状态", "说明"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(Text(r.platform), Text(r.path), Text(r.state), Text(r.detail))
    out.print(table)


@accounts_app.command("list")
def accounts_list(
    all_rows: Annotated[bool, typer.Option("--all", help="包括已停用的账号。")] = False,
    json_out: JsonOpt = False,
) -> None:
    """已登记的政务新媒体账号。"""
    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        query = select(Account).order_by(Account.id)
        if not all_rows:
            query = query.where(Account.enabled.is_(True))
        rows = [account_row(a) for a in session.scalars(query)]
    if json_out:
        emit_json(rows)
        return
    table = Table(title=f"已登记政务新媒体（{len(rows)}）")
    for name in ("账号名称", "平台", "账号ID", "主办单位", "分组", "状态"):
        table.add_column(name, overflow="fold")
    for r in rows:
        state = ACCOUNT_STATUS_WORDS[r["status"]] + ("" if r["enabled"] else "（停用）")
        table.add_row(r["name"], platform_word(r), r["account_id"] or "—", r["unit"] or "—", r["group"] or "—", state)
    out.print(table)


def _set_enabled(account: str, platform: str | None, enabled: bool) -> None:
    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        row = _one_account(session, account, platform)
        row.enabled = enabled
        name = f"{row.name}（{row.platform}）"
    out.print(f"{name} 已{'启用' if enabled else '停用（保留历史记录，不再评判）'}")


@accounts_app.command("disable")
def accounts_disable(account: AccountArg, platform: PlatformOpt = None) -> None:
    """停用账号：保留历史，不再采集和评判。"""
    _set_enabled(account, platform, False)


@accounts_app.command("enable")
def accounts_enable(account: AccountArg, platform: PlatformOpt = None) -> None:
    """重新启用账号。"""
    _set_enabled(account, platform, True)


@accounts_app.command("remove")
def accounts_remove(account: AccountArg, platform: PlatformOpt = None) -> None:
    """删除登记错误的账号；已有发布记录或评判结果的账号不能删除（请用 disable）。"""
    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        row = _one_account(session, account, platform)
        for model in (Post, Collection, AccountEvaluation, ManualFinding):
            if session.scalar(select(func.count()).select_from(model).where(model.account_id == row.id)):
                raise fail(f"{row.name}（{row.platform}）已有发布记录或评判结果，不能删除；"
                           f"请用 `govwatch accounts disable` 停用")
        name = f"{row.name}（{row.platform}）"
        session.delete(row)
    out.print(f"{name} 已删除")


@accounts_app.command("export")
def accounts_export(
    file: Annotated[Path, typer.Argument(help="导出到 .xlsx 或 .csv（与导入格式相同）。")],
) -> None:
    """导出台账（包括停用的账号），可修改后再导入。"""
    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        rows = [[a.name, platforms.word(a.platform, "export_word"), ACCOUNT_TYPE_WORDS.get(a.type or "", ""),
                 a.account_id or "", a.url or "", a.unit or "", a.group or "",
                 ACCOUNT_STATUS_WORDS.get(a.status, a.status), "是" if a.enabled else "否",
                 *registry_names(a.unit or a.name, a.group or "", a.short_name, a.region)]
                for a in session.scalars(select(Account).order_by(Account.id))]
    try:
        write_table(file, EXPORT_HEADERS, rows, sheet_title="政务新媒体台账")
    except TableFileError as exc:
        raise fail(str(exc)) from None
    out.print(f"{file}: 导出{len(rows)}个账号")


def _moment(value: str, option: str) -> datetime:
    try:
        moment, _ = parse_time(value, option)
    except MediaFileError as exc:
        raise fail(str(exc)) from None
    return moment


@accounts_app.command("observe")
def accounts_observe(
    account: AccountArg,
    latest_post: Annotated[str, typer.Option("--latest-post", help="最近一条发布时间（北京时间）。")],
    platform: PlatformOpt = None,
    screenshot: Annotated[Path | None, typer.Option("--screenshot", help="截图，作为证据保存。")] = None,
    by: Annotated[str | None, typer.Option("--by", help="检查人（默认 $GOVWATCH_USER 或登录名）。")] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注。")] = None,
    at: Annotated[str | None, typer.Option("--at", help="查看的时间（默认现在）。")] = None,
) -> None:
    """记录一次人工查看：账号此刻的最近一条发布。它覆盖从这条发布到查看时的时段。"""
    settings, _ = context()
    latest = _moment(latest_post, "--latest-post")
    when = _moment(at, "--at") if at else datetime.now(BEIJING)
    if latest > when:
        raise fail(f"--latest-post {latest_post} 晚于查看时间 {when:%Y-%m-%d %H:%M}")
    evidence = None
    if screenshot is not None:

        try:
            data = screenshot.read_bytes()
        except OSError as exc:
            raise fail(f"{screenshot}: 无法读取截图：{exc.strerror}") from None
        stored = EvidenceStore(settings.evidence_dir).put(data, screenshot.suffix.lower() or ".png")
        evidence = [{"kind": "screenshot", "path": stored.path, "sha256": stored.sha256, "size": stored.size,
                     "file": screenshot.name}]
    db = open_db(settings)
    with db.session() as session:
        row = _one_account(session, account, platform)
        observe(session, row, latest, at=when, evidence=evidence, by=who_entered(by), note=note)
        name = f"{row.name}（{row.platform}）"
    out.print(f"{name}: 记录最近发布 {latest:%Y-%m-%d %H:%M}，覆盖至 {when:%Y-%m-%d %H:%M}"
              + ("，截图已保存" if evidence else ""))


@posts_app.command("import")
def posts_import(
    file: Annotated[Path, typer.Argument(help="CSV 或 xlsx 发布记录。")],
    start: Annotated[str | None, typer.Option("--from", help="覆盖的第一天（默认最早一条）。")] = None,
    end: Annotated[str | None, typer.Option("--to", help="覆盖的最后一天（默认最晚一条）。")] = None,
    by: Annotated[str | None, typer.Option("--by", help="导入人。")] = None,
) -> None:
    """导入发布记录：文件是所列每个账号在 --from 至 --to 期间的全部发布。有一行出错则整个文件不写入。"""
    settings, _ = context()

    def day(value: str | None, option: str) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise fail(f"{option} {value!r} 不是日期（如 2023-11-20）") from None

    first, last = day(start, "--from"), day(end, "--to")
    try:
        entries = read_posts_file(file)
    except MediaFileError as exc:
        raise fail(str(exc)) from None
    db = open_db(settings)
    try:
        with db.session() as session:
            counts = import_posts(session, file, entries, start=first, end=last, entered_by=who_entered(by))
    except MediaFileError as exc:
        raise fail(str(exc)) from None
    out.print(f"{file}: {len(counts)}个账号，{sum(counts.values())}条发布")


def evaluate_accounts_command(accounts: list[str] | None, as_of: date, prof: Profile, period: str | None,
                              json_out: bool) -> list:
    """`govwatch evaluate --accounts`: judge stored posts, print the table (or return JSON rows)."""
    settings, _ = context()
    try:
        span = parse_period(period, profile_quarters(prof.notice)) if period else None  # the profile's quarters
    except ValueError as exc:
        raise fail(str(exc)) from None
    db = open_db(settings)
    ids = None
    if accounts:

        ids = []
        with db.session() as session:
            for key in accounts:
                found = find_accounts(session, key)
                if not found:
                    raise fail(f"没有登记账号“{key}”（见 `govwatch accounts list`）")
                for a in found:
                    if not a.judged:
                        state = "已停用" if not a.enabled else ACCOUNT_STATUS_WORDS.get(a.status, a.status)
                        err.print(f"{a.name}（{a.platform}）{state}，不评判")
                ids += [a.id for a in found]
    try:
        results = evaluate_accounts(db, ids, as_of, prof, span)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if json_out:
        return [account_json(r) for r in results]
    print_account_results(out, results)
    return []


__all__ = ["evaluate_accounts_command", "register"]
