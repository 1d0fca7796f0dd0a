"""`govwatch report` (the quarterly notice, 通报, with 复查) and `govwatch due` (临期 warnings).

    govwatch report --period 2023Q4 --as-of 2023-11-20 --office 州政府政务信息中心 --deadline 2023-11-28
    govwatch report --period 2023Q1 --as-of 2023-02-25 --compare-with 2023-02-05 --format docx,xlsx
    govwatch due --within 3 --as-of 2023-11-20 [--json]

Both read what is stored; nothing is fetched. The office's words can also live in govwatch.toml:

    [report]
    office = "新乡市人民政府办公室"
    recipients = "各县(市、区)人民政府，市人民政府各部门："
    requirements = "各县(市、区)、各部门要……"
    deadline = "2023-11-28"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import func, select

from govwatch.cli._common import context, emit_json, fail, open_db, out, parse_as_of, who_entered
from inspection.registry.tables import TableFileError, decode_text
from reports.docx import write_docx
from reports.notice import NoticeError, OfficeWords, build_notice, notice_json, parse_period, site_evaluations
from reports.notice_model import Notice
from reports.notice_tables import ALL_TABLES
from reports.tables_csv_json import write_csv, write_json
from reports.xlsx import write_xlsx
from rules.due import Due, account_window, due_account, due_columns
from rules.workdays import load_calendar
from storage.media import Account, Post
from storage.media_repo import to_beijing, to_utc
from storage.models import Site
from storage.notices import save_notice
from storage.repo import utcnow

FORMATS = ("xlsx", "docx", "csv", "json")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("due")(due)


def _date(value: str | None, option: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise fail(f"{option} {value!r} 不是日期，应写成 2023-11-28") from None


def office_words(section: dict[str, Any], **given: Any) -> OfficeWords:
    """The [report] settings section, overridden by the options given on the command line."""
    known = {"office", "title", "signed", "deadline", "recipients", "requirements", "region", "department_row",
             "contact", "doc_number"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise fail(escape(f"设置 [report]：不认识的键 {', '.join(unknown)}；可用的键：{', '.join(sorted(known))}"))
    values = {**section, **{k: v for k, v in given.items() if v not in (None, "")}}
    for key in ("signed", "deadline"):
        values[key] = _date(values.get(key), f"--{key}" if given.get(key) else escape(f"[report] {key}"))
    return OfficeWords(**{k: str(v) if isinstance(v, str) else v for k, v in values.items()})


def _requirements(path: Path) -> str:
    """下一步要求 from a text file, decoded as the registry decodes (UTF-8, GB18030, UTF-16 with BOM)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(f"--requirements {path}：无法读取（{exc.strerror or exc.__class__.__name__}）") from None
    try:
        return decode_text(data, f"--requirements {path}")[0]
    except TableFileError as exc:
        raise fail(str(exc)) from None


def report(
    period: Annotated[str, typer.Option("--period", help="检查期间：2023年第三季度、2023年8月至10月、2023Q3 或 "
                                                         "2023-08..2023-10；季度按指标体系的季度口径。")],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD",
                                              help="监测时间点：取此日及以前的判定（默认：今天）。")] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="指标体系（见 govwatch profiles）；"
                                                                  "网站和政务新媒体都按它的判定。")] = None,
    formats: Annotated[str, typer.Option("--format", help="逗号分隔：xlsx,docx,csv,json。")] = ",".join(FORMATS),
    out_dir: Annotated[Path, typer.Option("--out", help="写出文件的文件夹。")] = Path("."),
    compare_with: Annotated[str | None, typer.Option(
        "--compare-with", help="复查：对照的初查通报——已保存通报的编号（govwatch notices）、通报 JSON 文件、"
                               "初查日期（取同一期间、同一指标体系的通报）或期间。")] = None,
    tables: Annotated[str | None, typer.Option(
        "--tables", help="附件，逗号分隔，按此顺序（默认：指标体系的 notice.tables）；all 为全部。可选："
                         + ",".join(ALL_TABLES))] = None,
    name: Annotated[str | None, typer.Option("--name", help="期间在通报中的称呼，如 2023年第四季度。")] = None,
    doc_number: Annotated[str | None, typer.Option("--doc-number", help="文号，如 黔东南府办通〔2023〕12号"
                                                                        "（默认留空位〔　　〕　号）。")] = None,
    office: Annotated[str | None, typer.Option("--office", help="发文单位（落款），如 新乡市人民政府办公室。")] = None,
    title: Annotated[str | None, typer.Option("--title", help="通报标题（默认：关于…检查情况的通报）。")] = None,
    signed: Annotated[str | None, typer.Option("--date", metavar="YYYY-MM-DD",
                                               help="落款日期（默认：监测时间点）。")] = None,
    deadline: Annotated[str | None, typer.Option("--deadline", metavar="YYYY-MM-DD", help="整改期限。")] = None,
    recipients: Annotated[str | None, typer.Option("--recipients",
                                                   help="主送单位（默认按范围：全州、全市…）。")] = None,
    requirements: Annotated[Path | None, typer.Option(
        "--requirements", help="下一步要求的文本文件（UTF-8 或 GBK/GB18030；段落间空一行）。")] = None,
    region: Annotated[str | None, typer.Option("--region", help="范围的称呼：全市、全州、全县（默认全市）。")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="输出 JSON（供程序读取）。")] = False,
) -> None:
    """写季度检查通报：Word 正文、Excel 附件、CSV 和 JSON，按已保存的判定结果生成（不联网），并保存一份
    通报快照供复查对照（govwatch notices 列出）。"""
    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise fail(f"--format {formats!r}：请从 {','.join(FORMATS)} 中选择")
    chosen = None
    if tables is not None:
        chosen = [t.strip() for t in tables.split(",") if t.strip()]
        unknown = [t for t in chosen if t not in (*ALL_TABLES, "all")]
        if unknown or not chosen:
            raise fail(f"--tables {tables!r}：没有 {'、'.join(unknown) or '任何附件'}；"
                       f"可选 {','.join(ALL_TABLES)} 或 all")
    settings, prof = context(profile)
    when = parse_as_of(as_of)
    try:
        span = parse_period(period, prof, name or "")
    except NoticeError as exc:
        raise fail(str(exc)) from None
    text = _requirements(requirements) if requirements is not None else None
    words = office_words(dict(getattr(settings, "report", {}) or {}), office=office, title=title,
                         signed=_date(signed, "--date"), deadline=_date(deadline, "--deadline"),
                         recipients=recipients, requirements=text, region=region, doc_number=doc_number)
    db = open_db(settings)
    try:
        with db.session() as session:
            notice = build_notice(session, prof, span, when, words, compare_with, tables=chosen,
                                  calendar=load_calendar(settings.home))
            written = write_notice(notice, out_dir, wanted)
            stored = save_notice(session, profile=prof.id, period_from=span.first, period_to=span.last,
                                 quarter=span.quarter, as_of=when, title=notice.title,
                                 doc_number=words.doc_number or None, compare_with=notice.compared_notice_id,
                                 data=notice_json(notice), files=[str(p) for p in written],
                                 created_by=who_entered(None), created_at=utcnow())
            stored_id = stored.id
    except NoticeError as exc:
        raise fail(str(exc)) from None
    if json_out:
        emit_json({"notice_id": stored_id, "files": [str(p) for p in written], "totals": notice.totals,
                   "sources": notice.sources, "compared_with": notice.compared_with,
                   "attachments": [t.key for t in notice.tables]})
        return
    s, a = notice.totals["sites"], notice.totals["accounts"]
    out.print(f"{notice.title}（已保存为通报 {stored_id}）", highlight=False)
    out.print(f"网站 {s['total']} 个：合格 {s['pass']}，不合格 {s['fail']}，无法核验 {s['unknown']}，"
              f"合格率 {s['pass_rate']}", highlight=False)
    if a["total"]:
        out.print(f"政务新媒体 {a['total']} 个：合格 {a['pass']}，不合格 {a['fail']}，无法核验 {a['unknown']}，"
                  f"合格率 {a['pass_rate']}", highlight=False)
    for line in notice.sources.values():
        out.print(f"  {line}", highlight=False)
    if notice.compared_with:
        r = notice.totals["recheck"]
        out.print(f"复查（对照 {notice.compared_with}）：已整改 {r['已整改']}，仍未整改 {r['仍未整改']}，"
                  f"复查新发现 {r['复查新发现']}", highlight=False)
        for unit, before, now in notice.moved:
            out.print(f"  {unit}：首页网址由 {before} 变更为 {now}，按网站标识码对照", highlight=False)
    for failure in notice.totals["collection_failures"]:
        out.print(f"  采集未完成：{failure['source']} {failure['status']} {failure['count']} 次（{failure['reason']}）"
                  f"——{failure['meaning']}", highlight=False)
    unread = [x for x in [*notice.sites, *notice.accounts] if x.verdict == "unknown"]
    for x in unread[:10]:
        out.print(f"  无法核验：{x.name}——{x.reason}", highlight=False)
    if len(unread) > 10:
        out.print(f"  另有 {len(unread) - 10} 个无法核验，见附件", highlight=False)
    out.print("附件：" + "、".join(f"{i}.{t.title}" for i, t in enumerate(notice.tables, 1)), highlight=False)
    for path in written:
        out.print(f"  {path}", highlight=False)


def write_notice(notice: Notice, out_dir: Path, formats: list[str]) -> list[Path]:
    stem = f"通报-{notice.period.first:%Y%m}-{notice.period.last:%Y%m}"
    if notice.period.quarter:
        stem = f"通报-{notice.period.first.year}Q{notice.period.quarter}"
    written: list[Path] = []
    if "docx" in formats:
        written.append(write_docx(notice, out_dir / f"{stem}.docx"))
    if "xlsx" in formats:
        written.append(write_xlsx(notice, out_dir / f"{stem}-附件.xlsx"))
    if "csv" in formats:
        written += write_csv(notice, out_dir, stem)
    if "json" in formats:
        written.append(write_json(notice, out_dir / f"{stem}.json"))
    return written


OVERDUE_LOOKBACK = 3650  # days back a window may have broken and still be listed as 已超期


def _overdue(found: list[Due], as_of: date) -> list[Due]:
    """Windows already broken on or before T0 (0 or fewer days left): `rules/due.py` answers for a
    start day that many days back, and what broke by T0 is overdue."""
    return [replace(d, days_left=(d.breaks_on - as_of).days) for d in found if d.breaks_on <= as_of]


def due(
    within: Annotated[int, typer.Option("--within", help="向后看几天（默认 3）。")] = 3,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD", help="从这一天算起（默认：今天）。")]
    = None,
    profile: Annotated[str | None, typer.Option("--profile", help="用哪个指标体系的更新期限。")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="输出 JSON（供程序读取）。")] = False,
) -> None:
    """临期提醒：若不再发布，N 天内将超出更新期限的栏目和账号；已超期的另列。"""
    if within < 1:
        raise fail("--within 至少为 1 天")
    settings, prof = context(profile)
    when = parse_as_of(as_of)
    window, window_source = account_window(prof)
    db = open_db(settings)
    items: list[Due] = []
    overdue: list[Due] = []
    back = when - timedelta(days=OVERDUE_LOOKBACK)
    with db.session() as session:
        evs = site_evaluations(session, prof.id, None, when)
        for site in session.scalars(select(Site).where(Site.registered.is_(True)).order_by(Site.id)):
            ev = evs.get(site.id)
            if ev is None or not site.enabled or site.status != "normal":
                continue
            owner = site.unit or site.name
            columns = (ev.result or {}).get("columns") or []
            items += due_columns(owner, columns, prof, when, within)
            overdue += _overdue(due_columns(owner, columns, prof, back, OVERDUE_LOOKBACK), when)
        end = to_utc(datetime.combine(when, datetime.max.time()))
        for account in session.scalars(select(Account).order_by(Account.id)):
            if not account.judged:
                continue
            # The newest post by its time: a pinned (置顶) old post never hides that nothing new came.
            latest = session.scalar(select(func.max(Post.published_at)).where(Post.account_id == account.id,
                                                                               Post.published_at <= end))
            day = to_beijing(latest).date() if latest else None
            args = (account.unit or account.name, account.name, account.url or "", day, window)
            found = due_account(*args, when, within)
            if found:
                items.append(found)
            late = due_account(*args, back, OVERDUE_LOOKBACK)
            overdue += _overdue([late] if late else [], when)
    items.sort(key=lambda d: (d.breaks_on, d.kind, d.owner))
    overdue.sort(key=lambda d: (d.breaks_on, d.kind, d.owner))
    if json_out:
        emit_json({"as_of": when.isoformat(), "within": within, "profile": prof.id,
                   "account_window": {"window": window, "source": window_source},
                   "due": [d.as_dict() for d in items], "overdue": [d.as_dict() for d in overdue]})
        return
    if overdue:
        _due_table(f"已超期（{when} 时已超出更新期限，共 {len(overdue)} 个）", overdue, "超期天数",
                   lambda d: f"{-d.days_left}天" if d.days_left < 0 else "今天")
    if not items:
        out.print(f"{when} 起 {within} 天内没有临期的栏目或账号（账号窗口：{window_source}）", highlight=False)
    else:
        _due_table(f"临期（{when} 起 {within} 天内不更新即超期）", items, "剩余", lambda d: f"{d.days_left}天")
    out.print(f"账号窗口：{window_source}", highlight=False)


def _due_table(title: str, items: list[Due], last: str, left: Callable[[Due], str]) -> None:
    table = Table(title=title)
    for name in ("单位", "栏目/账号", "最近更新", "超期日", last, "窗口"):
        table.add_column(name, overflow="fold")
    for d in items:
        table.add_row(d.owner, d.name, d.latest.isoformat() if d.latest else "—", d.breaks_on.isoformat(),
                      left(d), d.window)
    out.print(table)
