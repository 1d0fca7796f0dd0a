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

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import func, select

from govwatch.cli._common import context, emit_json, fail, open_db, out, parse_as_of
from reports.docx import write_docx
from reports.notice import NoticeError, OfficeWords, build_notice, parse_period, site_evaluations
from reports.tables_csv_json import write_csv, write_json
from reports.xlsx import write_xlsx
from rules.accounts import evaluate_accounts
from rules.due import account_window, due_account, due_columns
from storage.media import Account, AccountEvaluation, Post
from storage.media_repo import judged_accounts, to_beijing, to_utc
from storage.models import Site

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
        raise fail(f"{option} {value!r} is not a date like 2023-11-28") from None


def office_words(section: dict[str, Any], **given: Any):  # noqa: ANN201
    """The [report] settings section, overridden by the options given on the command line."""
    known = {"office", "title", "signed", "deadline", "recipients", "requirements", "region", "department_row",
             "contact"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise fail(escape(f"settings [report]: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"))
    values = {**section, **{k: v for k, v in given.items() if v not in (None, "")}}
    for key in ("signed", "deadline"):
        values[key] = _date(values.get(key), f"--{key}" if given.get(key) else escape(f"[report] {key}"))
    return OfficeWords(**{k: str(v) if isinstance(v, str) else v for k, v in values.items()})


def report(
    period: Annotated[str, typer.Option("--period", help="检查期间: 2023Q4, or 2023-08..2023-10.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="监测时间点 YYYY-MM-DD: the newest evaluations on "
                                                              "or before it are reported (default: today).")] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="Indicator profile of the evaluations.")] = None,
    formats: Annotated[str, typer.Option("--format", help="Comma-separated: xlsx,docx,csv,json.")] = ",".join(FORMATS),
    out_dir: Annotated[Path, typer.Option("--out", help="Folder the files are written to.")] = Path("."),
    compare_with: Annotated[str | None, typer.Option(
        "--compare-with", help="复查: the earlier check (its date, or its period like 2023Q3) to pair findings "
                               "with: 已整改 / 仍未整改 / 复查新发现.")] = None,
    office: Annotated[str | None, typer.Option("--office", help="发文单位 (落款), e.g. 新乡市人民政府办公室.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="通报标题 (default: 关于…检查情况的通报).")] = None,
    signed: Annotated[str | None, typer.Option("--date", help="落款日期 YYYY-MM-DD (default: --as-of).")] = None,
    deadline: Annotated[str | None, typer.Option("--deadline", help="整改期限 YYYY-MM-DD.")] = None,
    recipients: Annotated[str | None, typer.Option("--recipients", help="主送单位.")] = None,
    requirements: Annotated[Path | None, typer.Option(
        "--requirements", help="A UTF-8 text file with 下一步要求 (paragraphs separated by blank lines).")] = None,
    region: Annotated[str | None, typer.Option("--region", help="范围的称呼: 全市, 全州, 全县 (default 全市).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")] = False,
) -> None:
    """写季度检查通报：Word 正文、Excel 附件、CSV 和 JSON，按已保存的判定结果生成（不联网）。"""
    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise fail(f"--format {formats!r}: choose from {','.join(FORMATS)}")
    settings, prof = context(profile)
    when = parse_as_of(as_of)
    try:
        span = parse_period(period)
    except NoticeError as exc:
        raise fail(str(exc)) from None
    text = None
    if requirements is not None:
        try:
            text = requirements.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"--requirements {requirements}: {exc}") from None
    words = office_words(dict(getattr(settings, "report", {}) or {}), office=office, title=title,
                         signed=_date(signed, "--date"), deadline=_date(deadline, "--deadline"),
                         recipients=recipients, requirements=text, region=region)
    db = open_db(settings)
    _judge_accounts_for(db, prof, span, when)
    try:
        with db.session() as session:
            notice = build_notice(session, prof, span, when, words, compare_with)
    except NoticeError as exc:
        raise fail(str(exc)) from None
    written = write_notice(notice, out_dir, wanted)
    if json_out:
        emit_json({"files": [str(p) for p in written], "totals": notice.totals})
        return
    s, a = notice.totals["sites"], notice.totals["accounts"]
    out.print(f"{notice.title}")
    out.print(f"网站 {s['total']} 个：合格 {s['pass']}，不合格 {s['fail']}，无法核验 {s['unknown']}，"
              f"合格率 {s['pass_rate']}")
    if a["total"]:
        out.print(f"政务新媒体 {a['total']} 个：合格 {a['pass']}，不合格 {a['fail']}，无法核验 {a['unknown']}，"
                  f"合格率 {a['pass_rate']}")
    if notice.compared_with:
        r = notice.totals["recheck"]
        out.print(f"复查：已整改 {r['已整改']}，仍未整改 {r['仍未整改']}，复查新发现 {r['复查新发现']}")
    for path in written:
        out.print(f"  {path}", highlight=False)


def _judge_accounts_for(db, profile, span, as_of) -> None:  # noqa: ANN001
    """Accounts without an evaluation of exactly the notice's period at this time point are judged now
    from their stored posts (no network), so an evaluation made for another period is never reported in
    its place (the 8月/9月/10月 of the table are the period's months)."""

    with db.session() as session:
        judged = {a.id for a in judged_accounts(session)}
        done = set(session.scalars(select(AccountEvaluation.account_id).where(
            AccountEvaluation.as_of == as_of, AccountEvaluation.period_from == span.first,
            AccountEvaluation.period_to == span.last)))
    todo = sorted(judged - done)
    if todo:
        evaluate_accounts(db, todo, as_of, profile, span)


def write_notice(notice, out_dir: Path, formats: list[str]) -> list[Path]:  # noqa: ANN001
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


def due(
    within: Annotated[int, typer.Option("--within", help="Days ahead to look (default 3).")] = 3,
    as_of: Annotated[str | None, typer.Option("--as-of", help="From this day, YYYY-MM-DD (default: today).")] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="Profile whose windows apply.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """临期提醒：若不再发布，N 天内将超出更新期限的栏目和账号。"""
    if within < 1:
        raise fail("--within must be at least 1 day")
    settings, prof = context(profile)
    when = parse_as_of(as_of)
    window, window_source = account_window(prof)
    db = open_db(settings)
    items = []
    with db.session() as session:
        evs = site_evaluations(session, prof.id, None, when)
        for site in session.scalars(select(Site).where(Site.registered.is_(True)).order_by(Site.id)):
            ev = evs.get(site.id)
            if ev is None or not site.enabled or site.status != "normal":
                continue
            owner = site.unit or site.name
            items += due_columns(owner, (ev.result or {}).get("columns") or [], prof, when, within)
        end = to_utc(datetime.combine(when, datetime.max.time()))
        for account in session.scalars(select(Account).order_by(Account.id)):
            if not account.judged:
                continue
            # The newest post by its time: a pinned (置顶) old post never hides that nothing new came.
            latest = session.scalar(select(func.max(Post.published_at)).where(Post.account_id == account.id,
                                                                               Post.published_at <= end))
            day = to_beijing(latest).date() if latest else None
            found = due_account(account.unit or account.name, account.name, account.url or "", day, window, when,
                                within)
            if found:
                items.append(found)
    items.sort(key=lambda d: (d.breaks_on, d.kind, d.owner))
    if json_out:
        emit_json({"as_of": when.isoformat(), "within": within, "profile": prof.id,
                   "account_window": {"window": window, "source": window_source},
                   "due": [d.as_dict() for d in items]})
        return
    if not items:
        out.print(f"{when} 起 {within} 天内没有临期的栏目或账号（账号窗口：{window_source}）")
        return
    table = Table(title=f"临期（{when} 起 {within} 天内不更新即超期）")
    for name in ("单位", "栏目/账号", "最近更新", "超期日", "剩余", "窗口"):
        table.add_column(name, overflow="fold")
    for d in items:
        table.add_row(d.owner, d.name, d.latest.isoformat() if d.latest else "—", d.breaks_on.isoformat(),
                      f"{d.days_left}天", d.window)
    out.print(table)
    out.print(f"账号窗口：{window_source}", highlight=False)
