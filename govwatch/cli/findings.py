"""`govwatch findings`: what inspectors enter by hand, kept with who and when.

    govwatch findings add 4107000001 W-V1 --kind veto --detail "转载信息泄露个人隐私"
    govwatch findings add 4107000001 W-B --kind bonus --points 5 --detail "迁移至集约化平台"
    govwatch findings override 4107000001 W-V5 --reason "信件在市长信箱平台统一受理，已核实"
    govwatch findings list --site 4107000001
    govwatch findings withdraw 12

Vetoes a crawler cannot see (严重表述错误, 泄密, 舆情: W-V1), deductions, bonus points, and overrides
of an automatic finding that is wrong (all of an indicator's findings on the site, or only those about
one URL: --subject). They apply to evaluations whose monitoring time point falls inside
--from/--until, and are shown apart from automatic findings.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

from govwatch.cli._common import context, emit_json, fail, open_db, out, who_entered
from reports.plain import plain
from rules.profile import Indicator, Profile
from storage.content import review
from storage.db import Database
from storage.media import Account
from storage.media_repo import find_accounts
from storage.models import Site
from storage.records import ManualFinding
from storage.repo import find_site, utcnow

findings_app = typer.Typer(help="人工录入的问题。\n\n抓取程序看不到的单项否决、扣分、加分，以及对错误自动判定的更正。",
                           no_args_is_help=True)

KINDS = ("veto", "deduction", "bonus")
SiteArg = Annotated[str, typer.Argument(help="已登记网站的网站标识码、名称或网址，或政务新媒体账号的名称或账号ID。")]
IndicatorArg = Annotated[str, typer.Argument(help="指标体系中的指标编号，如 W-V1、W-D3、W-B。")]
By = Annotated[str | None, typer.Option("--by", help="录入人（默认：$GOVWATCH_USER 或登录名）。")]
From = Annotated[str | None, typer.Option("--from", help="适用于该日期（YYYY-MM-DD）及以后的监测时间点。")]
Until = Annotated[str | None, typer.Option("--until", help="适用于该日期（YYYY-MM-DD）及以前的监测时间点。")]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="指标编号所属的指标体系。")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（供程序读取）。")]


def register(app: typer.Typer) -> None:
    app.add_typer(findings_app, name="findings")



def _day(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time())
    except ValueError:
        raise fail(f"{option} {value!r} is not a date like 2023-11-20") from None


def _target(db: Database, key: str) -> tuple[int | None, int | None, str]:
    """(site id, account id, name): a registered site, else one 政务新媒体 account (name or account ID)."""
    with db.session() as session:
        found = find_site(session, key)
        if found is not None:
            return found.id, None, found.name
        accounts = find_accounts(session, key)
        if len(accounts) > 1:
            raise fail(f"“{key}”对应多个账号（{'、'.join(a.platform for a in accounts)}），请用账号ID")
        if accounts:
            return None, accounts[0].id, f"{accounts[0].name}（{accounts[0].platform}）"
    raise fail(f"no site or account {key!r} in the store (see `govwatch sites list`, `govwatch accounts list`)")


def _indicator(profile: Profile, indicator: str) -> Indicator:
    ind = profile.indicator(indicator)
    if ind is None:
        known = ", ".join(i.id for i in profile.indicators)
        raise fail(f"profile {profile.id} has no indicator {indicator!r}; its indicators: {known}")
    return ind


def _row(m: ManualFinding) -> dict:
    return {"id": m.id, "site_id": m.site_id, "account_id": m.account_id,
            "indicator": m.indicator, "kind": m.kind, "points": m.points,
            "detail": m.detail, "reason": m.reason, "entered_by": m.entered_by,
            "entered_at": m.entered_at.isoformat(timespec="seconds") + "Z",
            "valid_from": m.valid_from.date().isoformat() if m.valid_from else None,
            "valid_until": m.valid_until.date().isoformat() if m.valid_until else None,
            "withdrawn_at": m.withdrawn_at.isoformat(timespec="seconds") + "Z" if m.withdrawn_at else None}


def _save(site: str, indicator: str, kind: str, detail: str, points: float | None, reason: str | None,
          by: str | None, valid_from: str | None, valid_until: str | None, profile: str | None,
          json_out: bool) -> None:

    settings, prof = context(profile)
    ind = _indicator(prof, indicator)
    if kind == "bonus" and ind.kind != "bonus":
        raise fail(f"{indicator} is not a bonus item of {prof.id} (its bonus items: "
                   f"{', '.join(i.id for i in prof.indicators if i.kind == 'bonus') or 'none'})")
    if kind == "bonus" and points is None:
        raise fail("a bonus needs --points")
    if points is not None and points < 0:
        raise fail("--points is a positive number (a deduction is subtracted, a bonus added)")
    start, end = _day(valid_from, "--from"), _day(valid_until, "--until")
    if start and end and end < start:
        raise fail("--until is before --from")
    db = open_db(settings)
    site_id, account_id, name = _target(db, site)
    if (account_id is None) != (ind not in prof.media_indicators):
        what = "网站" if account_id is None else "政务新媒体账号"
        raise fail(f"{ind.id} is not an indicator for a {what} ({name})")
    with db.session() as session:
        row = ManualFinding(site_id=site_id, account_id=account_id,
                            indicator=ind.id, kind=kind, points=points, detail=detail, reason=reason,
                            valid_from=start, valid_until=end, entered_by=who_entered(by), entered_at=utcnow())
        session.add(row)
        session.flush()
        data = _row(row)
    if json_out:
        emit_json(data)
    else:
        what = {"veto": "单项否决", "deduction": "扣分", "bonus": "加分", "override": "更正"}[kind]
        out.print(f"#{data['id']} {name}: {ind.id} {ind.title} — {what}"
                  + (f" {points:g}分" if points is not None else "") + f"（{data['entered_by']}）", soft_wrap=True)


@findings_app.command("add")
def add(
    site: SiteArg,
    indicator: IndicatorArg,
    kind: Annotated[str, typer.Option("--kind", help="veto（单项否决）| deduction（扣分）| bonus（加分）")],
    detail: Annotated[str, typer.Option("--detail", help="发现的问题，用通报的说法。")],
    points: Annotated[float | None, typer.Option("--points",
                                                 help="分值（加分必填；扣分默认按该指标每处的分值）。")] = None,
    by: By = None,
    valid_from: From = None,
    valid_until: Until = None,
    profile: ProfileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """录入抓取程序看不到的问题：单项否决（W-V1 严重表述错误、泄密、舆情等）、扣分或加分。"""
    if kind not in KINDS:
        raise fail(f"--kind {kind!r} must be one of {', '.join(KINDS)} (use `findings override` to correct one)")
    if not detail.strip():
        raise fail("--detail must say what was found")
    _save(site, indicator, kind, detail.strip(), points, None, by, valid_from, valid_until, profile, json_out)


@findings_app.command("override")
def override(
    site: SiteArg,
    indicator: IndicatorArg,
    reason: Annotated[str, typer.Option("--reason", help="自动判定错在哪里。")],
    subject: Annotated[str | None, typer.Option("--subject", help="Only the findings about this URL (a column, "
                                                                   "a link, a letter).")] = None,
    by: By = None,
    valid_from: From = None,
    valid_until: Until = None,
    profile: ProfileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """更正自动判定（写明原因）：仍显示在报告中并标明已更正，不再计入。"""
    if not reason.strip():
        raise fail("--reason must say why the automatic finding is wrong")
    _save(site, indicator, "override", (subject or "").strip(), None, reason.strip(), by, valid_from, valid_until,
          profile, json_out)


@findings_app.command("list")
def list_findings(
    site: Annotated[str | None, typer.Option("--site", help="只看这个网站（标识码、名称或网址）或账号。")] = None,
    all_rows: Annotated[bool, typer.Option("--all", help="包括已撤销的。")] = False,
    json_out: JsonOpt = False,
) -> None:
    """人工录入的问题。"""
    settings, _ = context()
    db = open_db(settings)
    query = (select(ManualFinding, Site.name, Account.name).outerjoin(Site, Site.id == ManualFinding.site_id)
             .outerjoin(Account, Account.id == ManualFinding.account_id).order_by(ManualFinding.id))
    if site:
        site_id, account_id, _ = _target(db, site)
        query = query.where(ManualFinding.site_id == site_id if site_id else ManualFinding.account_id == account_id)
    if not all_rows:
        query = query.where(ManualFinding.withdrawn_at.is_(None))
    with db.session() as session:
        rows = [{**_row(m), "site": name or account} for m, name, account in session.execute(query)]
    if json_out:
        emit_json(rows)
        return
    table = Table(title=f"人工录入（{len(rows)}）")
    for name in ("#", "网站", "指标", "类型", "分值", "内容", "理由", "录入人", "录入时间", "有效期", "撤回"):
        table.add_column(name, overflow="fold")
    for r in rows:
        span = f"{r['valid_from'] or '…'}至{r['valid_until'] or '…'}" if r["valid_from"] or r["valid_until"] else "—"
        table.add_row(str(r["id"]), Text(plain(r["site"])), r["indicator"], r["kind"],
                      "—" if r["points"] is None else f"{r['points']:g}", Text(plain(r["detail"] or "—")),
                      Text(plain(r["reason"] or "—")),
                      r["entered_by"], r["entered_at"], span, r["withdrawn_at"] or "")
    out.print(table)


@findings_app.command("withdraw")
def withdraw(
    finding_id: Annotated[int, typer.Argument(help="`govwatch findings list` 显示的编号。")],
    by: By = None,
    json_out: JsonOpt = False,
) -> None:
    """撤销人工录入的问题（保留记录、标明已撤销、不再计入）。"""
    settings, _ = context()
    db = open_db(settings)
    with db.session() as session:
        row = session.get(ManualFinding, finding_id)
        if row is None:
            raise fail(f"no finding #{finding_id} (see `govwatch findings list --all`)")
        if row.withdrawn_at is not None:
            when = row.withdrawn_at.isoformat(timespec="seconds")
            raise fail(f"finding #{finding_id} was already withdrawn at {when}")
        row.withdrawn_at = utcnow()
        note = f"撤回：{who_entered(by)} {row.withdrawn_at.isoformat(timespec='seconds')}Z"
        row.reason = f"{row.reason}；{note}" if row.reason else note
        data = _row(row)
    if json_out:
        emit_json(data)
    else:
        out.print(f"#{finding_id} withdrawn ({note})", soft_wrap=True)


def _review(site: str, key: str, decision: str, reason: str | None, by: str | None, json_out: bool) -> None:
    settings, _ = context()
    db = open_db(settings)
    site_id, account_id, name = _target(db, site)
    with db.session() as session:
        row = review(session, site_id, key.strip(), decision, who_entered(by), reason, account_id=account_id)
        data = {"id": row.id, "site": name, "account_id": account_id, "key": row.key, "decision": row.decision,
                "entered_by": row.entered_by}
    if json_out:
        emit_json(data)
    else:
        said = "已确认" if decision == "confirm" else "已排除"
        out.print(f"#{data['id']} {name}: {key} {said}（{data['entered_by']}）")


HitKey = Annotated[str, typer.Argument(help="内容检查命中的编号（评估结果“需人工确认，编号 …”）。")]
Reason = Annotated[str | None, typer.Option("--reason", help="确认或排除的理由。")]


@findings_app.command("confirm")
def confirm(site: SiteArg, key: HitKey, reason: Reason = None, by: By = None, json_out: JsonOpt = False) -> None:
    """确认一条内容检查命中（网站或政务新媒体发布内容中的暗链、称呼错误、错别字……）：此后按指标体系计入
    （如 W-V1、M-V1 单项否决）。"""
    _review(site, key, "confirm", reason, by, json_out)


@findings_app.command("dismiss")
def dismiss(site: SiteArg, key: HitKey, reason: Reason = None, by: By = None, json_out: JsonOpt = False) -> None:
    """排除一条内容检查命中（误报）：此后标明已排除、不计入。"""
    _review(site, key, "dismiss", reason, by, json_out)
