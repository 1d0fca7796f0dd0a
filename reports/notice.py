"""The quarterly notice (通报) built from stored evaluations: its lines, its 复查, its totals.

Every output (reports/xlsx.py, reports/docx.py, reports/tables_csv_json.py) renders the `Notice` built
here, so the Word body, the Excel sheets and the CSV/JSON rows always show the same numbers. Nothing is
fetched and nothing judged here is stored: a site's verdict is the stored evaluation of the requested
profile; an account's is the stored evaluation of the requested profile and period, else it is judged in
memory from stored posts (and the notice says so). A 复查 compares with an earlier notice's snapshot
(storage/notices.py), paired by identities that survive a change of URL (reports/names.py).
Spec: ../shared/spec/notice.md (parts of the body §1, attachment tables §2, 整改/复查 §3).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.vocabulary import (
    CONTENT_PENDING,
    DEPARTMENT_ROW,
    FIXED,
    NEW_IN_RECHECK,
    RECHECK_STATES,
    RECIPIENTS,
    STILL_OPEN,
    VERDICT_WORDS,
    region_level,
)
from reports.names import (
    account_identity,
    county_of,
    evidence_subject,
    is_department_group,
    short_name,
    site_identity,
    subject_words,
)
from reports.notice_body import body_paragraphs
from reports.notice_model import (
    AccountLine,
    Notice,
    NoticeError,
    OfficeWords,
    Paragraph,
    Problem,
    RecheckItem,
    SiteLine,
    Table,
    chinese_date,
    column_word,
    notice_word,
    pass_rate,
)
from reports.notice_tables import attachment_tables, table_keys
from rules.accounts import judge_account
from rules.checks.content_words import review_rows
from rules.checks.media import COVERING
from rules.checks.media import STATUS_WORDS as COLLECTION_WORDS
from rules.period import Period, PeriodError, profile_quarters
from rules.period import parse_period as parse_any_period
from rules.profile import Profile
from rules.reasons import collection_reason, reason_words
from rules.workdays import WorkCalendar, load_calendar
from storage.media import Account, AccountEvaluation, Collection
from storage.models import Column, Evaluation, ListItem, Site
from storage.notices import StoredNotice, notice_for, stored_notices

__all__ = ["AccountLine", "Notice", "NoticeError", "OfficeWords", "Paragraph", "Problem", "RecheckItem", "SiteLine",
           "Table", "build_notice", "chinese_date", "column_word", "notice_json", "notice_word", "parse_period",
           "pass_rate", "resolve_compare", "site_evaluations", "table_keys"]

VERDICT_CELL = VERDICT_WORDS
# Findings that are not problems of the site: a firewall refused the crawler (needs a person).
NOT_PROBLEMS = {"LINK-BLOCKED"}
PROBLEM_FINDING_KINDS = ("veto", "deduction", "observation")
COLUMN_KINDS = ("update", "blank")  # problems about columns: their word is the kind's (长期未更新, 空白栏目)
AREA_KIND = {"办事服务": "service", "互动交流": "interaction", "发布解读": "interpretation"}


# -- the period, the words of the office -----------------------------------------------------------------------


def parse_period(text: str, profile: Profile | None = None, name: str = "") -> Period:
    """The one --period grammar (rules/period.py), quarters as the profile defines them; a NoticeError
    when it cannot be read."""
    try:
        period = parse_any_period(text, profile_quarters(profile.notice) if profile else None)
    except PeriodError as exc:
        raise NoticeError(str(exc)) from None
    return period.named(name) if name else period


def department_row(words: OfficeWords) -> str:
    return words.department_row or DEPARTMENT_ROW.format(level=region_level(words.region))


def recipients(words: OfficeWords) -> str:
    return words.recipients or RECIPIENTS.get(region_level(words.region), "")


# -- problems in the notice's words ---------------------------------------------------------------------------


def problem_word(profile: Profile, indicator: str, trigger: str | None, kind: str) -> str:
    """The words a notice prints for a problem: the profile's `notice.problems` (per indicator, or
    `indicator:trigger`), else the kind's word, else the indicator's label."""
    words = profile.notice.get("problems") or {}
    if trigger and f"{indicator}:{trigger}" in words:
        return str(words[f"{indicator}:{trigger}"])
    if indicator in words:
        return str(words[indicator])
    kinds = {k["key"]: k for k in profile.notice.get("kinds") or []}
    if kinds.get(kind, {}).get("word") and kind in COLUMN_KINDS:
        return str(kinds[kind]["word"])
    ind = profile.indicator(indicator)
    return ind.label_for(trigger) if ind is not None else indicator


def _kind(profile: Profile, indicator: str, trigger: str | None) -> str:
    ind = profile.indicator(indicator)
    if ind is not None and ind.notice_kind_for(trigger):
        return ind.notice_kind_for(trigger)
    return AREA_KIND.get(ind.area if ind else "", "function")


def content_hit(finding: dict[str, Any]) -> bool:
    """A finding of the content scan (rules/checks/content_words.py): 需人工确认 until an inspector decides."""
    return any(isinstance(e, dict) and e.get("hit") for e in finding.get("evidence") or []) \
        or str(finding.get("title") or "").endswith(f"（{CONTENT_PENDING}）")


def site_problems(result: dict[str, Any], profile: Profile, ident: str = "") -> list[Problem]:
    """The active problem findings of a stored evaluation, each with the identities it is paired by. A content
    hit is the notice's only once an inspector confirmed it: a veto as the indicator says, an observation
    (错别字 ...) under its own words, kind `review` (the 信息审核 paragraph names it; tables list it)."""
    out: list[Problem] = []
    for f in result.get("findings") or []:
        if f.get("kind") not in PROBLEM_FINDING_KINDS or f.get("overridden") or f["indicator"] in NOT_PROBLEMS:
            continue
        review = content_hit(f)
        if review and not f.get("manual"):
            continue  # waiting for an inspector: never in a notice
        trigger = str(f.get("trigger") or "")
        kind = _kind(profile, f["indicator"], trigger)
        if review and f.get("kind") != "veto":
            kind = "review"
        columns: list[str] = []
        subjects: dict[str, str] = {}
        for e in f.get("evidence") or []:
            subject = evidence_subject(e)
            if subject is None or (f["indicator"] == "W-V3" and subject[0] == "链接"):
                continue
            if subject[0] == "栏目":
                columns.append(subject[1])
            subjects["|".join((ident, f["indicator"], trigger, *subject))] = subject_words(subject, e.get("url"))
        if not subjects:
            subjects["|".join((ident, f["indicator"], trigger, "", "", ""))] = ""
        count = len([k for k in subjects if "|链接|" in k or "|文件|" in k])
        label = f.get("label") if kind == "review" and f.get("label") else None
        out.append(Problem(f["indicator"], kind, label or problem_word(profile, f["indicator"], trigger, kind),
                           f.get("kind") == "veto", f.get("detail") or "", list(dict.fromkeys(columns)),
                           list(subjects), subjects, count))
    return out


def loose(key: str) -> str:
    """An identity without the column's path: the same column name after the site moved its paths."""
    return key.rsplit("|", 1)[0]


# -- reading what is stored -----------------------------------------------------------------------------------


def _is_portal(site: Site) -> bool:
    if site.kind in ("portal", "department"):
        return site.kind == "portal"
    group = site.group or ""
    return any(w in group for w in ("门户", "县", "区", "乡镇", "街道")) and "部门" not in group


def _pick(rows: list[Any], key: Callable[[Any], int]) -> dict[int, Any]:
    """The newest row per owner (rows come oldest first)."""
    picked: dict[int, Any] = {}
    for row in rows:
        picked[key(row)] = row
    return picked


def site_evaluations(session: Session, profile: str, start: date | None, end: date) -> dict[int, Evaluation]:
    """Each site's newest evaluation under the profile with its time point in start..end."""
    query = select(Evaluation).where(Evaluation.profile == profile, Evaluation.as_of <= end)
    if start is not None:
        query = query.where(Evaluation.as_of >= start)
    rows = session.scalars(query.order_by(Evaluation.as_of, Evaluation.id)).all()
    return _pick(list(rows), lambda e: e.site_id)


def account_evaluations(session: Session, profile: str, period: Period, end: date) -> dict[int, AccountEvaluation]:
    """Each account's newest evaluation of exactly this profile and period, judged on or before `end`:
    an evaluation of another period or profile never stands in for it."""
    query = select(AccountEvaluation).where(
        AccountEvaluation.profile == profile, AccountEvaluation.period_from == period.first,
        AccountEvaluation.period_to == period.last, AccountEvaluation.as_of <= end,
        AccountEvaluation.as_of >= period.first)
    rows = session.scalars(query.order_by(AccountEvaluation.as_of, AccountEvaluation.id)).all()
    return _pick(list(rows), lambda e: e.account_id)


def _published(session: Session, run_id: int | None, period: Period) -> tuple[int, list[tuple[str, int]]]:
    """Items published in the period seen in one run: on the whole site and per column."""
    if run_id is None:
        return 0, []
    in_period = (ListItem.run_id == run_id, ListItem.published >= period.first, ListItem.published <= period.last)
    total = session.scalar(select(func.count(func.distinct(ListItem.url))).where(*in_period)) or 0
    rows = session.execute(
        select(Column.name, func.count(func.distinct(ListItem.url)))
        .join(Column, Column.id == ListItem.column_id).where(*in_period).group_by(Column.name)
    ).all()
    return int(total), sorted(((name, int(n)) for name, n in rows), key=lambda r: (-r[1], r[0]))


def _number(value: Any) -> Any:
    """评分 as a number (94, 87.5) when it is one; the cell's words (不合格, —) otherwise."""
    if isinstance(value, int | float):
        return value
    text = str(value or "").strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def unread_reason(result: dict[str, Any]) -> str:
    """Why a site could not be judged, in the one Chinese rendering (rules/reasons.py)."""
    crawl = result.get("crawl") or {}
    if crawl.get("error"):
        return f"无法访问：{reason_words(crawl['error'])}"
    undecided = [f.get("detail") for f in result.get("findings") or [] if f.get("detail")]
    return undecided[0] if undecided else "网站未能读取"


def _site_line(session: Session, site: Site, ev: Evaluation | None, profile: Profile, period: Period,
               level: str) -> SiteLine:
    name = site.name if site.name and site.name != site.url else (site.unit or site.url)
    owner = site.unit or name
    unit = getattr(site, "short_name", None) or short_name(owner, site.group or "", level)
    region = getattr(site, "region", None) or ""
    ident = site_identity(site.code, site.id)
    if ev is None:
        return SiteLine(site.id, ident, name, unit, owner, site.url, site.group or "", region, _is_portal(site),
                        "unknown", None, {"评分": "", "结果": VERDICT_CELL["unknown"], "主要问题": ""}, [],
                        reason=f"监测时间点前没有按“{profile.id}”判定的检查记录", code=site.code)
    result = ev.result or {}
    reason = unread_reason(result) if ev.verdict == "unknown" else ""
    published, per_column = _published(session, ev.run_id, period)
    notice = result.get("notice") or {}
    cells = {"评分": _number(notice.get("评分")), "结果": VERDICT_CELL.get(ev.verdict, notice.get("结果", "")),
             "主要问题": notice.get("主要问题") or profile.notice.get("none", "无")}
    if ev.verdict == "unknown":
        cells["主要问题"] = ""
    url = (result.get("site") or {}).get("url") or site.url
    return SiteLine(site.id, ident, name, unit, owner, url, site.group or "", region, _is_portal(site), ev.verdict,
                    ev.score, cells, site_problems(result, profile, ident) if ev.verdict != "unknown" else [],
                    reason, ev.as_of, ev.id, ev.run_id, published, per_column, site.code,
                    review_rows(result.get("findings") or [], unit, name, named=f"{unit}网站")
                    if ev.verdict != "unknown" else [])


def month_words(month: int, days: int | None, reason: str) -> str:
    """A failed month as seed 002 says it: "8月更新6天"; when the days were enough but runs of working days
    were not, how many runs fell short (not the machine's "连续5个工作日仅0天更新" for each)."""
    if days is None:
        return f"{month}月更新不达标"
    runs = re.findall(r"连续(\d+)(个工作日|天)", reason)
    if "少于" in reason or not runs:
        return f"{month}月更新{days}天"
    n, unit = runs[0]
    return f"{month}月更新{days}天，{len(runs)}处连续{n}{unit}内更新天数不足"


def account_problems(result: dict[str, Any], ident: str = "", skip: set[str] | None = None,
                     monthly: set[str] | None = None) -> list[Problem]:
    """An account's problems: failed vetoes and problems by indicator, and each failed month (a monthly
    indicator's own entry is left out when its months say it: 8月更新6天, not also 更新情况不合格)."""
    out: list[Problem] = []
    failed_months = any(m.get("verdict") == "fail" for m in result.get("months") or [])
    for veto, entries in ((True, result.get("vetoes") or []), (False, result.get("problems") or [])):
        for p in entries:
            if p.get("indicator") in (skip or set()) or (failed_months and p.get("indicator") in (monthly or set())):
                continue
            key = f"{ident}|{p.get('indicator') or ''}"
            out.append(Problem(p.get("indicator") or "", "media", p.get("title") or p.get("detail") or "", veto,
                               p.get("detail") or "", [], [key], {key: ""}))
    for f in result.get("content") or []:  # confirmed content hits that are not vetoes (错别字 ...): listed
        if not f.get("manual") or f.get("overridden") or f.get("kind") == "veto":
            continue
        e = next((e for e in f.get("evidence") or [] if isinstance(e, dict)), {})
        key = f"{ident}|{f.get('indicator') or ''}|{e.get('key') or ''}"
        out.append(Problem(f.get("indicator") or "", "review", f.get("label") or "", False, f.get("detail") or "",
                           [], [key], {key: (e.get("post") or {}).get("url") or e.get("url") or ""}))
    for m in result.get("months") or []:
        if m.get("verdict") != "fail":
            continue
        month = int(m["month"][5:])
        key = f"{ident}|month|{m['month']}"
        detail = month_words(month, m.get("posting_days"), m.get("reason") or "")
        out.append(Problem("month", "media", f"{month}月更新不达标", False, detail, [], [key],
                           {key: f"{month}月"}))
    return out


def _window_outside(profile: Profile, period: Period, as_of: date, indicator: str) -> int | None:
    """Days of an indicator's window at the monitoring time point when that window lies wholly after the
    period (a 复查 weeks later): it judges the recheck's days, not the period's."""
    ind = profile.indicator(indicator)
    window = (ind.params or {}).get("window") if ind is not None else None
    if not isinstance(window, dict) or "days" not in window:
        return None
    days = int(window["days"])
    return days if as_of - timedelta(days=days) > period.last else None


def _account_line(account: Account, ev: AccountEvaluation | None, profile: Profile, period: Period,
                  words: OfficeWords) -> AccountLine:
    level = region_level(words.region)
    owner = account.unit or account.name
    group = account.group or ""
    county = not is_department_group(group) and any(w in group for w in ("县", "区", "乡镇", "街道", "市"))
    unit = getattr(account, "short_name", None) or short_name(owner, group, level)
    region = getattr(account, "region", None) or (county_of(owner, group) if county else department_row(words))
    ident = account_identity(account.platform, account.account_id, account.name, account.id)
    if ev is None:
        return AccountLine(account.id, ident, account.name, unit, owner, group, region, account.platform, "unknown",
                           {}, [], 0, None, "监测时间点前没有发布记录可判定", county=county)
    result = ev.result or {}
    months = {m["month"]: m.get("verdict") or "unknown" for m in result.get("months") or []}
    days = {m["month"]: m.get("posting_days") for m in result.get("months") or [] if m.get("posting_days") is not None}
    verdict, note, skip = ev.verdict, "", set()
    judged_months = [v for v in months.values() if v in ("pass", "fail")]
    for item in result.get("indicators") or []:
        window = _window_outside(profile, period, ev.as_of, item.get("indicator", ""))
        if window is None or not judged_months or item.get("kind") != "veto":
            continue
        skip.add(item["indicator"])
        start = ev.as_of - timedelta(days=window - 1)
        seen = "无法核验（发布记录未覆盖）" if item.get("status") == "unknown" else \
            "无更新" if item.get("status") == "fail" else "有更新"
        note = (f"监测时间点前{window}天（{start.month}月{start.day}日—{ev.as_of.month}月{ev.as_of.day}日）"
                f"{seen}，在本期之外，未计入本期判定")
    if skip:
        others = [i for i in result.get("indicators") or [] if i.get("kind") == "veto"
                  and i.get("indicator") not in skip]
        verdict = ("fail" if any(i.get("status") == "fail" for i in others) or "fail" in judged_months
                   else "unknown" if any(i.get("status") == "unknown" for i in others) or "unknown" in months.values()
                   else "pass")
    reason = ""
    if verdict == "unknown":
        unknown = [u.get("detail") for u in result.get("unknown") or [] if u.get("detail")
                   and u.get("indicator") not in skip]
        reasons = [m.get("reason") for m in result.get("months") or [] if m.get("verdict") == "unknown"]
        # the whole sentences `govwatch evaluate` prints (which span is missing, what was tried)
        reason = "；".join(dict.fromkeys(unknown)) or "；".join(dict.fromkeys(r for r in reasons if r)) \
            or "发布记录未能完整读取"
    monthly = {i.id for i in profile.media_indicators if "month" in i.check}
    problems = account_problems(result, ident, skip, monthly) if verdict != "unknown" else []
    review = review_rows(result.get("content") or [], unit, account.name,
                         named=f"{account.name}（{notice_word(account.platform)}）") if verdict != "unknown" else []
    return AccountLine(account.id, ident, account.name, unit, owner, group, region, account.platform, verdict,
                       months, problems, len(result.get("posts") or []), result.get("latest_post"), reason, ev.as_of,
                       ev.id, county, {k: int(v) for k, v in days.items()}, note, review)


# -- 复查: the earlier notice ------------------------------------------------------------------------------------


def resolve_compare(session: Session, text: str, profile: Profile, period: Period,
                    as_of: date) -> tuple[str, dict[str, Any] | None, int | None, date, Period]:
    """--compare-with: a stored notice's id, a notice JSON file, a date (the notice of the same profile and
    period issued on or before it), or a period (that period's notice). Returns (label, snapshot or None
    when no notice was stored and the earlier check is to be rebuilt from evaluations, notice id, as_of)."""
    value = text.strip()
    if value.isdigit():
        row = session.get(StoredNotice, int(value))
        if row is None:
            raise NoticeError(f"--compare-with {value}：没有编号为 {value} 的已保存通报（见 govwatch notices）")
        return f"通报{row.id}", row.data, row.id, row.as_of, _period_of(row.data, period)
    path = Path(value)
    if value.endswith(".json") or path.is_file():
        try:
            data = json.loads(path.read_text("utf-8"))
            return path.name, data, None, date.fromisoformat(data["as_of"]), _period_of(data, period)
        except (OSError, ValueError, KeyError) as exc:
            raise NoticeError(f"--compare-with {value}：不是 govwatch 写出的通报 JSON"
                              f"（{exc.__class__.__name__}）") from None
    try:
        day, other = date.fromisoformat(value), period
        issued_by = day
    except ValueError:
        try:
            other = parse_period(value, profile)
        except NoticeError:
            raise NoticeError(f"--compare-with {value!r} 应写作：已保存通报的编号（见 govwatch notices）、"
                              "通报 JSON 文件、初查的日期（2023-11-05）或期间（2023年第三季度）") from None
        # last quarter's notice is issued after its quarter: any stored one before this check
        day, issued_by = min(other.last, as_of - timedelta(days=1)), as_of - timedelta(days=1)
    if day >= as_of:
        raise NoticeError(f"--compare-with {value}：初查（{day}）必须早于本次监测时间点 {as_of}")
    row = notice_for(session, profile=profile.id, period_from=other.first, period_to=other.last,
                     on_or_before=issued_by)
    if row is not None:
        return f"通报{row.id}", row.data, row.id, row.as_of, other
    return value, None, None, day, other


def _period_of(data: dict[str, Any], fallback: Period) -> Period:
    span = data.get("period") or {}
    try:
        return Period(date.fromisoformat(span["from"]), date.fromisoformat(span["to"]), span.get("quarter"))
    except (KeyError, TypeError, ValueError):
        return fallback


def _earlier_lines(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The sites and accounts of a notice snapshot by identity."""
    out: dict[str, dict[str, Any]] = {}
    for kind in ("sites", "accounts"):
        for line in data.get(kind) or []:
            if line.get("ident"):
                out[line["ident"]] = line
    return out


def _open_keys(line: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {key: (p.get("label") or "", (p.get("subjects") or {}).get(key, ""))
            for p in line.get("problems") or [] for key in p.get("keys") or []}


def _same_key(before: str, now: str) -> bool:
    return before == now


def _same_column(before: str, now: str) -> bool:
    """The same column name: its path changed with the site's move (a 集约化 platform's prefix)."""
    return "|栏目|" in before and loose(before) == loose(now)


def _parts(key: str) -> list[str]:
    return key.split("|")


def _moved_link(before: str, now: str) -> bool:
    """A link whose path gained or lost a prefix (/hdjl/xf → /sw/hdjl/xf)."""
    a, b = _parts(before), _parts(now)
    if len(a) != 6 or len(b) != 6 or a[:3] != b[:3] or a[3] != "链接" or b[3] != "链接":
        return False
    x, y = a[4].rstrip("/"), b[4].rstrip("/")
    return bool(x and y) and (x.endswith(y) or y.endswith(x))


def _same_finding(before: str, now: str) -> bool:
    """What is left of one finding's links (the pages where something was missing) pairs with what is left
    of the same finding now: the problem is the same, only the pages it was looked for on moved."""
    a, b = _parts(before), _parts(now)
    return len(a) == 6 and len(b) == 6 and a[:3] == b[:3] and a[3] in ("链接", "") and b[3] in ("链接", "")


MATCHERS = (_same_key, _same_column, _moved_link, _same_finding)  # in this order: the exact identity first


def _pair(kind: str, line: SiteLine | AccountLine, old: dict[str, Any], first_as_of: date | None,
          repeat_after: int, history: list[set[str]], months: bool = True) -> list[RecheckItem]:
    """Findings of two checks paired by identity (spec §3): exactly first, then by the column's name for
    what is left (a column whose path moved is the same column)."""
    before = _open_keys(old)
    now = {key: (p.label, p.subjects.get(key, "")) for p in line.problems for key in p.keys}
    if not months:  # another period's months are not this period's: nothing to pair, nothing 已整改
        before = {k: v for k, v in before.items() if "|month|" not in k}
        now = {k: v for k, v in now.items() if "|month|" not in k}
    pairs: dict[str, str] = {}
    for same in MATCHERS:
        taken = set(pairs.values())
        for k in before:
            if k in pairs:
                continue
            match = next((x for x in now if x not in taken and same(k, x)), None)
            if match is not None:
                pairs[k] = match
                taken.add(match)
    items = []
    for k, (label, subject) in before.items():
        if k in pairs:
            open_in = 1 + sum(any(same(k, x) for same in MATCHERS for x in keys) for keys in history)
            label_now, subject_now = now[pairs[k]]
            items.append(RecheckItem(kind, line.ident, line.name, line.unit, label_now, subject_now or subject,
                                     STILL_OPEN, first_as_of, line.as_of, loose(k), open_in, open_in >= repeat_after))
        else:
            items.append(RecheckItem(kind, line.ident, line.name, line.unit, label, subject, FIXED, first_as_of,
                                     line.as_of, loose(k)))
    for k, (label, subject) in now.items():
        if k not in pairs.values():
            items.append(RecheckItem(kind, line.ident, line.name, line.unit, label, subject, NEW_IN_RECHECK,
                                     first_as_of, line.as_of, loose(k)))
    return items


def merge_recheck(items: list[RecheckItem]) -> list[RecheckItem]:
    """One row per unit, problem and state (the seeds' 复查: per site and problem), its columns or links
    named together; a finding seen on two pages is one problem, not two."""
    merged: dict[tuple[str, str, str, str], RecheckItem] = {}
    for item in items:
        key = (item.kind, item.ident, item.problem, item.state)
        if key not in merged:
            merged[key] = RecheckItem(**{**item.__dict__})
            continue
        row = merged[key]
        subjects = [x for x in row.subject.split("、") if x]
        if item.subject and item.subject not in subjects:
            subjects.append(item.subject)
        row.subject = "、".join(subjects)
        row.notices_open = max(row.notices_open, item.notices_open)
        row.repeated = row.repeated or item.repeated
    return list(merged.values())


def _history(session: Session, profile: str, before: date, skip: int | None) -> dict[str, list[set[str]]]:
    """Open problem identities per site/account in the notices stored before the compared one."""
    out: dict[str, list[set[str]]] = defaultdict(list)
    for row in stored_notices(session, profile=profile):
        if row.as_of >= before or row.id == skip:
            continue
        for ident, line in _earlier_lines(row.data or {}).items():
            out[ident].append(set(_open_keys(line)))
    return out


# -- building it -----------------------------------------------------------------------------------------------


def _judge_missing(session: Session, accounts: list[Account], found: dict[int, AccountEvaluation], as_of: date,
                   profile: Profile, period: Period, calendar: WorkCalendar) -> int:
    """Accounts without a stored evaluation of this profile and period are judged here from stored posts,
    in memory only (nothing is stored: `govwatch evaluate --accounts` stores)."""
    judged = 0
    for account in accounts:
        if account.id in found or not account.enabled or account.status != "normal":
            continue
        result = judge_account(session, account, as_of, profile, period, calendar)
        found[account.id] = AccountEvaluation(account_id=account.id, as_of=as_of, period_from=period.first,
                                              period_to=period.last, profile=profile.id, verdict=result.verdict,
                                              result=result.data)
        judged += 1
    return judged


def _check_site_profile(session: Session, profile: Profile, period: Period, as_of: date, sites: list[Site],
                        found: dict[int, Evaluation]) -> None:
    """Sites judged under another profile only would all read 无法核验: refuse, saying what to run."""
    missing = [s.id for s in sites if s.id not in found]
    if not missing:
        return
    others = sorted(set(session.scalars(select(Evaluation.profile).where(
        Evaluation.site_id.in_(missing), Evaluation.as_of >= period.first, Evaluation.as_of <= as_of))))
    if not found and not others:
        raise NoticeError(f"{len(missing)} 个登记的网站在 {period.first}—{as_of} 都没有按 {profile.id} 的判定，"
                          f"通报会把它们全部写成无法核验；请先抓取（govwatch inspect）并运行 govwatch evaluate "
                          f"--profile {profile.id} --as-of {as_of}")
    if others:
        raise NoticeError(f"{len(missing)} 个网站在 {period.first}—{as_of} 只有按 {'、'.join(others)} 的判定，"
                          f"没有按 {profile.id} 的判定；请先运行 govwatch evaluate --profile {profile.id} "
                          f"--as-of {as_of}，或用 --profile {others[0]} 生成通报")


def build_notice(session: Session, profile: Profile, period: Period, as_of: date, words: OfficeWords,
                 compare_with: str | None = None, *, tables: list[str] | None = None,
                 calendar: WorkCalendar | None = None, baseline: bool = False) -> Notice:
    """The notice of one profile and period at a monitoring time point. `baseline` builds an earlier check
    to compare with (no refusal for a period still running, no 复查 of its own)."""
    if not baseline and period.last > as_of and not profile.notice.get("checks_within_period"):
        try:
            period.refuse_after(as_of)
        except PeriodError as exc:
            raise NoticeError(str(exc)) from None
    level = region_level(words.region)
    site_evs = site_evaluations(session, profile.id, period.first, as_of)
    sites = [s for s in session.scalars(select(Site).where(Site.registered.is_(True)).order_by(Site.id))
             if (s.enabled and s.status == "normal") or s.id in site_evs]
    if not baseline:
        _check_site_profile(session, profile, period, as_of, sites, site_evs)
    site_lines = [_site_line(session, s, site_evs.get(s.id), profile, period, level) for s in sites]
    acc_evs = account_evaluations(session, profile.id, period, as_of)
    stored = len(acc_evs)
    accounts = [a for a in session.scalars(select(Account).order_by(Account.id)) if a.judged or a.id in acc_evs]
    in_memory = _judge_missing(session, accounts, acc_evs, as_of, profile, period, calendar or load_calendar(None))
    account_lines = [_account_line(a, acc_evs.get(a.id), profile, period, words) for a in accounts]
    sources = {"sites": f"网站：按 {profile.id} 已保存的判定（{len(site_evs)} 个）",
               "accounts": f"政务新媒体：按 {profile.id} {period.words}已保存的判定 {stored} 个"
                           + (f"，按已保存的发布记录当场判定（未保存）{in_memory} 个" if in_memory else "")}

    recheck: list[RecheckItem] = []
    compared, compared_id, moved = None, None, []
    if compare_with and not baseline:
        label, data, compared_id, first_as_of, first_period = resolve_compare(session, compare_with, profile,
                                                                              period, as_of)
        if data is None:
            earlier = build_notice(session, profile, first_period, first_as_of, words, tables=[], calendar=calendar,
                                   baseline=True)
            if not any(x.evaluation_id or x.as_of for x in [*earlier.sites, *earlier.accounts]):
                raise NoticeError(f"--compare-with {compare_with}：{first_as_of} 及以前没有按 {profile.id} 的"
                                  "通报或判定可对照")
            data = notice_json(earlier)
        compared = label
        old_lines = _earlier_lines(data)
        history = _history(session, profile.id, first_as_of, compared_id)
        repeat_after = int(profile.notice.get("repeat_after", 2))
        for kind, lines in (("site", site_lines), ("account", account_lines)):
            for line in lines:
                old = old_lines.get(line.ident)
                if old is None or old.get("verdict") == "unknown" or line.verdict == "unknown":
                    continue
                if kind == "site" and old.get("url") and old["url"].rstrip("/") != line.url.rstrip("/"):
                    moved.append((line.unit, old["url"], line.url))
                old_as_of = date.fromisoformat(old["as_of"]) if old.get("as_of") else first_as_of
                recheck += _pair(kind, line, old, old_as_of, repeat_after, history.get(line.ident, []),
                                 months=first_period == period)

    recheck = merge_recheck(recheck)
    totals = _totals(site_lines, account_lines, recheck)
    totals["collection_failures"] = collection_failures(session, account_lines, period.first, as_of)
    title = words.title or (f"关于{period.words}{words.region}政府网站与政务新媒体检查"
                            f"{'及整改' if compared else ''}情况的通报")
    chosen = attachment_tables(profile, period, site_lines, account_lines, recheck, words, department_row(words),
                               tables)
    notice = Notice(title, period, as_of, profile.id, words, [], chosen, site_lines, account_lines, recheck, totals,
                    compared, compared_id, moved, sources)
    notice.body = body_paragraphs(notice, profile, recipients(words))
    return notice


def collection_failures(session: Session, accounts: list[AccountLine], start: date, end: date) -> list[dict[str, Any]]:
    """Collections of the notice's accounts that did not cover what they read, counted by cause, with what
    that means for the verdict: the span they should have covered is 无法核验 unless another collection
    covers it."""
    ids = [a.account_id for a in accounts]
    if not ids:
        return []
    rows = session.scalars(select(Collection).where(
        Collection.account_id.in_(ids), Collection.status.not_in(COVERING),
        Collection.started_at >= datetime.combine(start, datetime.min.time()),
        Collection.started_at < datetime.combine(end + timedelta(days=1), datetime.min.time()))).all()
    names = {a.account_id: f"{a.name}（{notice_word(a.platform)}）" for a in accounts}
    judged = {a.account_id: a.verdict for a in accounts}
    causes: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for c in rows:
        causes[(c.source, COLLECTION_WORDS.get(c.status, c.status), collection_reason(c.reason))].append(c.account_id)
    out = []
    for (source, status, reason), owners in causes.items():
        unknown = sorted({names[i] for i in owners if judged.get(i) == "unknown"})
        out.append({"source": source, "status": status, "reason": reason, "count": len(owners),
                    "accounts": sorted({names[i] for i in owners}),
                    "meaning": (f"{'、'.join(unknown)}因此无法核验" if unknown
                                else "其他采集或导入已覆盖这些时段，判定不受影响")})
    return sorted(out, key=lambda x: -x["count"])


def _totals(sites: list[SiteLine], accounts: list[AccountLine], recheck: list[RecheckItem]) -> dict[str, Any]:
    def count(lines: list[Any]) -> dict[str, Any]:
        passed = sum(x.verdict == "pass" for x in lines)
        failed = sum(x.verdict == "fail" for x in lines)
        unknown = sum(x.verdict == "unknown" for x in lines)
        return {"total": len(lines), "judged": passed + failed, "pass": passed, "fail": failed, "unknown": unknown,
                "pass_rate": pass_rate(passed, passed + failed)}

    states: dict[str, int] = defaultdict(int)
    for item in recheck:
        states[item.state] += 1
    return {"sites": count(sites), "accounts": count(accounts),
            "published": {"sites": sum(s.published for s in sites), "accounts": sum(a.posts for a in accounts)},
            "recheck": {k: states.get(k, 0) for k in RECHECK_STATES},
            "repeat_units": list(dict.fromkeys(i.unit for i in recheck if i.repeated))}


def _problem_json(p: Problem) -> dict[str, Any]:
    return {"indicator": p.indicator, "kind": p.kind, "label": p.label, "veto": p.veto, "columns": p.columns,
            "detail": p.detail, "keys": p.keys, "subjects": p.subjects, "count": p.count}


def notice_json(n: Notice) -> dict[str, Any]:
    """The notice for machines and for the store: the body, every table, the totals, the lines behind them
    with the identities a later 复查 pairs on."""
    return {
        "title": n.title, "doc_number": n.words.doc_number or None,
        "period": {"from": n.period.first.isoformat(), "to": n.period.last.isoformat(), "words": n.period.words,
                   "quarter": n.period.quarter},
        "as_of": n.as_of.isoformat(), "profile": n.profile, "compared_with": n.compared_with,
        "compared_notice_id": n.compared_notice_id, "sources": n.sources,
        "moved": [{"unit": u, "before": a, "now": b} for u, a, b in n.moved],
        "totals": n.totals,
        "body": [{"style": p.style, "text": p.text} for p in n.body],
        "tables": [{"key": t.key, "title": t.title, "headers": t.headers,
                    "sections": [{"title": title, "rows": rows} for title, rows in t.sections], "note": t.note}
                   for t in n.tables],
        "sites": [{"ident": s.ident, "code": s.code, "name": s.name, "unit": s.unit, "owner": s.owner, "url": s.url,
                   "group": s.group, "portal": s.portal, "verdict": s.verdict, "verdict_text": VERDICT_CELL[s.verdict],
                   "score": s.score, **s.cells, "reason": s.reason, "reason_text": s.reason,
                   "as_of": s.as_of.isoformat() if s.as_of else None, "evaluation_id": s.evaluation_id,
                   "published": s.published, "problems": [_problem_json(p) for p in s.problems],
                   "review": s.review}
                  for s in n.sites],
        "accounts": [{"ident": a.ident, "name": a.name, "unit": a.unit, "owner": a.owner, "group": a.group,
                      "region": a.region, "platform": a.platform, "verdict": a.verdict,
                      "verdict_text": VERDICT_CELL[a.verdict], "months": a.months, "posting_days": a.posting_days,
                      "posts": a.posts, "latest_post": a.latest_post, "reason": a.reason, "reason_text": a.reason,
                      "window_note": a.window_note, "as_of": a.as_of.isoformat() if a.as_of else None,
                      "problems": [_problem_json(p) for p in a.problems], "review": a.review} for a in n.accounts],
        "recheck": [{"kind": r.kind, "ident": r.ident, "name": r.name, "unit": r.unit, "problem": r.problem,
                     "subject": r.subject, "state": r.state, "key": r.key, "notices_open": r.notices_open,
                     "repeated": r.repeated, "first_as_of": r.first_as_of.isoformat() if r.first_as_of else None,
                     "as_of": r.as_of.isoformat() if r.as_of else None} for r in n.recheck],
    }
