"""The quarterly notice (通报) built from stored evaluations: its sentences and its attachment tables.

Every output (reports/xlsx.py, reports/docx.py, reports/tables_csv_json.py) renders the `Notice` built
here, so the Word body, the Excel sheets and the CSV/JSON rows always show the same numbers. Nothing is
fetched and nothing is judged again: a site's or an account's verdict is the stored evaluation's.
Spec: ../shared/spec/notice.md (parts of the body §1, attachment tables §2, 整改/复查 §3).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.vocabulary import UNKNOWN_NOTE, VERDICT_WORDS
from crawler.media.platforms import word as platform_word
from rules.period import NUMERALS, Period, PeriodError
from rules.period import parse_period as parse_any_period
from rules.profile import Profile
from storage.media import Account, AccountEvaluation
from storage.models import Column, Evaluation, ListItem, Site


def notice_word(platform: str) -> str:
    return platform_word(platform, "notice_word")


def column_word(platform: str) -> str:
    """The words seed 003 uses for an account's platform in 问题栏目."""
    return platform_word(platform, "column_word")


VERDICT_CELL = VERDICT_WORDS

# Problem kinds of 二、存在的问题, in the order notices list them (spec §1), and the 问题类型 word of
# 存在问题的网站名单 (seed 003 附件1).
KINDS = (("update", "信息更新不及时", "长期未更新"), ("blank", "空白栏目", "空白栏目"),
         ("interpretation", "政策文件未被解读", None), ("service", "办事服务", None),
         ("interaction", "互动交流", None), ("function", "网站功能与标识", None), ("security", "安全与内容", None))
AREA_KIND = {"办事服务": "service", "互动交流": "interaction", "发布解读": "interpretation"}
# Findings that are not problems of the site: a firewall refused the crawler (needs a person).
NOT_PROBLEMS = {"LINK-BLOCKED"}
PROBLEM_FINDING_KINDS = ("veto", "deduction", "observation")
PROBLEM_HEADERS = ["序号", "网站名称", "主管单位", "问题栏目", "问题类型"]  # seed 003 附件1-3
REPEAT_MARK = "（多次提醒后仍然不整改）"


class NoticeError(ValueError):
    """Options a notice cannot be built from (a bad period, an unknown earlier check)."""


# -- the period, the words of the office -----------------------------------------------------------------------


def parse_period(text: str) -> Period:
    """The one --period grammar (rules/period.py); a bad one is a NoticeError."""
    try:
        return parse_any_period(text)
    except PeriodError as exc:
        raise NoticeError(str(exc)) from None


@dataclass(frozen=True)
class OfficeWords:
    """What the office writes itself: who issues the notice, to whom, by when, and what it asks."""

    office: str = ""  # 落款, e.g. 新乡市人民政府办公室
    title: str = ""  # empty: 关于{期间}{region}政府网站与政务新媒体检查(及整改)情况的通报
    signed: date | None = None  # 落款 date; None: the monitoring time point
    deadline: date | None = None  # 整改期限
    recipients: str = ""  # 主送, e.g. 各县(市、区)人民政府，市人民政府各部门：
    requirements: str = ""  # 下一步要求, the office's own text (paragraphs split on blank lines)
    region: str = "全市"
    department_row: str = "市直单位"  # seed 000 附件3: city departments' accounts as one row
    contact: str = ""  # (联系人：…；联系方式：…)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def pass_rate(passed: int, judged: int) -> str:
    """合格率 to one decimal, cut (not rounded) as notices print it: 154/155 → 99.3%, 43/43 → 100%."""
    if judged == 0:
        return "—"
    tenths = passed * 1000 // judged
    whole, tenth = divmod(tenths, 10)
    return f"{whole}%" if tenth == 0 else f"{whole}.{tenth}%"


# -- what the notice is made of --------------------------------------------------------------------------------


@dataclass
class Problem:
    """One problem of a site or an account, in the notice's words."""

    indicator: str
    kind: str  # update | blank | ... | media
    label: str  # 政务服务网链接错误, 长期未更新 ...
    veto: bool
    detail: str
    columns: list[str] = field(default_factory=list)  # column names it is about
    keys: list[tuple[str, str, str]] = field(default_factory=list)  # (indicator, trigger, subject) for 复查
    subjects: dict[tuple[str, str, str], str] = field(default_factory=dict)  # key -> what a person reads


@dataclass
class SiteLine:
    site_id: int
    name: str  # 网站名称 (the registry's; the site's title only when nothing else is known)
    unit: str  # 部门 / 主管单位, as the office names it
    url: str
    group: str
    portal: bool
    verdict: str  # pass | fail | unknown
    score: float | None
    cells: dict[str, str]  # 评分, 结果, 主要问题
    problems: list[Problem]
    reason: str = ""  # why it could not be judged
    as_of: date | None = None
    evaluation_id: int | None = None
    run_id: int | None = None
    published: int = 0  # items published in the period
    columns_published: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class AccountLine:
    account_id: int
    name: str
    unit: str
    group: str
    platform: str
    verdict: str
    months: dict[str, str]  # "2023-08" -> pass | fail | unknown
    problems: list[Problem]
    posts: int
    latest_post: str | None
    reason: str = ""
    as_of: date | None = None
    evaluation_id: int | None = None
    county: bool = False


@dataclass
class RecheckItem:
    kind: str  # site | account
    name: str
    unit: str
    problem: str  # the problem's words
    subject: str  # column, link or month it is about
    state: str  # 已整改 | 仍未整改 | 复查新发现
    first_as_of: date | None
    as_of: date | None


@dataclass
class Table:
    """An attachment table: headers of spec §2, rows in sections (a section title or None)."""

    key: str
    title: str
    headers: list[str]
    sections: list[tuple[str | None, list[list[Any]]]]
    widths: dict[int, int] = field(default_factory=dict)  # column index -> most characters before wrapping
    merge_veto_score: bool = False  # 评分 and 结果 share one cell for a vetoed site (seed 000 附件2)
    note: str = ""

    @property
    def rows(self) -> list[list[Any]]:
        return [row for _, rows in self.sections for row in rows]


@dataclass
class Paragraph:
    style: str  # title | recipients | heading | text | signature | date | contact
    text: str


@dataclass
class Notice:
    title: str
    period: Period
    as_of: date
    profile: str
    words: OfficeWords
    body: list[Paragraph]
    tables: list[Table]
    sites: list[SiteLine]
    accounts: list[AccountLine]
    recheck: list[RecheckItem]
    totals: dict[str, Any]
    compared_with: str | None = None


# -- reading what is stored -----------------------------------------------------------------------------------


def _is_portal(site: Site) -> bool:
    if site.kind in ("portal", "department"):
        return site.kind == "portal"
    group = site.group or ""
    return any(w in group for w in ("门户", "县", "区", "乡镇", "街道")) and "部门" not in group


def _kind(profile: Profile, indicator: str, trigger: str | None) -> str:
    ind = profile.indicator(indicator)
    if ind is not None and ind.notice_kind_for(trigger):
        return ind.notice_kind_for(trigger)
    return AREA_KIND.get(ind.area if ind else "", "function")


def _label(profile: Profile, finding: dict[str, Any]) -> str:
    ind = profile.indicator(finding["indicator"])
    if ind is not None:
        return ind.label_for(finding.get("trigger"))
    return finding.get("label") or finding.get("title") or finding["indicator"]


def site_problems(result: dict[str, Any], profile: Profile) -> list[Problem]:
    """The active problem findings of a stored evaluation, with their pairing keys for 复查."""
    out: list[Problem] = []
    for f in result.get("findings") or []:
        if f.get("kind") not in PROBLEM_FINDING_KINDS or f.get("overridden") or f["indicator"] in NOT_PROBLEMS:
            continue
        trigger = str(f.get("trigger") or "")
        kind = _kind(profile, f["indicator"], trigger)
        columns: list[str] = []
        subjects: dict[tuple[str, str, str], str] = {}
        for e in f.get("evidence") or []:
            if e.get("column"):
                columns.append(e["column"])
                subjects[(f["indicator"], trigger, e.get("url") or e["column"])] = f"栏目“{e['column']}”"
            elif e.get("url") and f["indicator"] not in ("W-V3",):
                subjects[(f["indicator"], trigger, e["url"])] = e["url"]
        if not subjects:
            subjects[(f["indicator"], trigger, "")] = ""
        label = KINDS_WORD.get(kind) or _label(profile, f)
        out.append(Problem(f["indicator"], kind, label, f.get("kind") == "veto", f.get("detail") or "",
                           list(dict.fromkeys(columns)), list(subjects), subjects))
    return out


KINDS_WORD = {key: word for key, _, word in KINDS if word}


def _pick(rows: list[Any], key) -> dict[int, Any]:  # noqa: ANN001
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


def account_evaluations(session: Session, start: date | None, end: date,
                        period: Period | None = None) -> dict[int, AccountEvaluation]:
    """Each account's newest evaluation with its time point in start..end (one judging this period
    preferred over one judging another)."""
    query = select(AccountEvaluation).where(AccountEvaluation.as_of <= end)
    if start is not None:
        query = query.where(AccountEvaluation.as_of >= start)
    rows = list(session.scalars(query.order_by(AccountEvaluation.as_of, AccountEvaluation.id)).all())
    if period is not None:
        rows.sort(key=lambda e: (e.period_from == period.first and e.period_to == period.last, e.as_of, e.id))
    return _pick(rows, lambda e: e.account_id)


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


def _site_line(session: Session, site: Site, ev: Evaluation | None, profile: Profile, period: Period) -> SiteLine:
    name = site.name if site.name and site.name != site.url else (site.unit or site.url)
    unit = site.unit or name
    if ev is None:
        return SiteLine(site.id, name, unit, site.url, site.group or "", _is_portal(site), "unknown", None,
                        {"评分": "", "结果": "无法核验", "主要问题": ""}, [], reason="本期没有检查记录")
    result = ev.result or {}
    reason = ""
    if ev.verdict == "unknown":
        undecided = [f.get("detail") for f in result.get("findings") or [] if f.get("detail")]
        crawl = result.get("crawl") or {}
        reason = crawl.get("error") or (undecided[0] if undecided else "网站未能读取")
    published, per_column = _published(session, ev.run_id, period)
    notice = result.get("notice") or {}
    cells = {"评分": notice.get("评分") or "", "结果": VERDICT_CELL.get(ev.verdict, notice.get("结果", "")),
             "主要问题": notice.get("主要问题") or profile.notice.get("none", "无")}
    if ev.verdict == "unknown":
        cells["主要问题"] = ""
    return SiteLine(site.id, name, unit, site.url, site.group or "", _is_portal(site), ev.verdict, ev.score, cells,
                    site_problems(result, profile) if ev.verdict != "unknown" else [], reason, ev.as_of, ev.id,
                    ev.run_id, published, per_column)


def account_problems(result: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    for veto, entries in ((True, result.get("vetoes") or []), (False, result.get("problems") or [])):
        for p in entries:
            key = (p.get("indicator") or "", "", "")
            out.append(Problem(p.get("indicator") or "", "media", p.get("title") or p.get("detail") or "", veto,
                               p.get("detail") or "", [], [key], {key: ""}))
    failed = [m for m in result.get("months") or [] if m.get("verdict") == "fail"]
    for m in failed:
        key = ("month", "", m["month"])
        word = f"{int(m['month'][5:])}月更新不达标"
        if out and any(word in p.label for p in out):
            continue
        reason = m.get("reason") or "更新不达标"
        detail = reason if reason.startswith(f"{int(m['month'][5:])}月") else f"{int(m['month'][5:])}月{reason}"
        out.append(Problem("month", "media", word, False, detail, [], [key], {key: f"{m['month']}"}))
    return out


def _account_line(account: Account, ev: AccountEvaluation | None, county: bool) -> AccountLine:
    unit = account.unit or account.name
    if ev is None:
        return AccountLine(account.id, account.name, unit, account.group or "", account.platform, "unknown", {}, [],
                           0, None, "本期没有检查记录", county=county)
    result = ev.result or {}
    months = {m["month"]: m.get("verdict", "unknown") for m in result.get("months") or []}
    reason = ""
    if ev.verdict == "unknown":
        reasons = [m.get("reason") for m in result.get("months") or [] if m.get("verdict") == "unknown"]
        reason = next((r for r in reasons if r), "") or "发布记录未能完整读取"
    problems = account_problems(result) if ev.verdict != "unknown" else []
    return AccountLine(account.id, account.name, unit, account.group or "", account.platform, ev.verdict, months,
                       problems, len(result.get("posts") or []), result.get("latest_post"), reason, ev.as_of,
                       ev.id, county)


def _account_is_county(account: Account) -> bool:
    group = account.group or ""
    return any(w in group for w in ("县", "区", "乡镇", "街道")) and "部门" not in group and "直" not in group


# -- 复查 --------------------------------------------------------------------------------------------------------


def _pair(kind: str, name: str, unit: str, before: list[Problem], now: list[Problem],
          first_as_of: date | None, as_of: date | None) -> list[RecheckItem]:
    """Findings of two evaluations paired by indicator + column/link/month (spec §3)."""
    def index(problems: list[Problem]) -> dict[tuple[str, str, str], tuple[Problem, str]]:
        return {key: (p, p.subjects.get(key, "")) for p in problems for key in p.keys}

    old, new = index(before), index(now)
    items = []
    for key, (p, subject) in old.items():
        state = "仍未整改" if key in new else "已整改"
        items.append(RecheckItem(kind, name, unit, p.label, subject, state, first_as_of, as_of))
    for key, (p, subject) in new.items():
        if key not in old:
            items.append(RecheckItem(kind, name, unit, p.label, subject, "复查新发现", first_as_of, as_of))
    return items


def parse_compare_with(text: str) -> tuple[date | None, date]:
    """DATE (the earlier check's time point, or the newest on or before it) or a period (2023Q3)."""
    try:
        return None, date.fromisoformat(text.strip())
    except ValueError:
        pass
    try:
        p = parse_period(text)
    except NoticeError:
        raise NoticeError(f"--compare-with {text!r}: write the earlier check's date (2023-11-05) "
                          "or its period (2023Q3)") from None
    return p.first, p.last


# -- building it -----------------------------------------------------------------------------------------------


def build_notice(session: Session, profile: Profile, period: Period, as_of: date, words: OfficeWords,
                 compare_with: str | None = None) -> Notice:
    site_evs = site_evaluations(session, profile.id, period.first, as_of)
    sites = [s for s in session.scalars(select(Site).where(Site.registered.is_(True)).order_by(Site.id))
             if (s.enabled and s.status == "normal") or s.id in site_evs]
    site_lines = [_site_line(session, s, site_evs.get(s.id), profile, period) for s in sites]
    acc_evs = account_evaluations(session, period.first, as_of, period)
    accounts = [a for a in session.scalars(select(Account).order_by(Account.id)) if a.judged or a.id in acc_evs]
    account_lines = [_account_line(a, acc_evs.get(a.id), _account_is_county(a)) for a in accounts]

    recheck: list[RecheckItem] = []
    compared = None
    if compare_with:
        first, last = parse_compare_with(compare_with)
        if last >= as_of:
            raise NoticeError(f"--compare-with {compare_with}: the earlier check must be before --as-of {as_of}")
        old_sites = site_evaluations(session, profile.id, first, last)
        old_accounts = account_evaluations(session, first, last)
        if not old_sites and not old_accounts:
            raise NoticeError(f"--compare-with {compare_with}: no stored evaluation under {profile.id} on or before "
                              f"{last} to compare with")
        compared = compare_with
        for line in site_lines:
            old = old_sites.get(line.site_id)
            if old is None or old.verdict == "unknown" or line.verdict == "unknown":
                continue
            recheck += _pair("site", line.name, line.unit, site_problems(old.result or {}, profile), line.problems,
                             old.as_of, line.as_of)
        for acc in account_lines:
            old = old_accounts.get(acc.account_id)
            if old is None or old.verdict == "unknown" or acc.verdict == "unknown":
                continue
            recheck += _pair("account", acc.name, acc.unit, account_problems(old.result or {}), acc.problems,
                             old.as_of, acc.as_of)

    totals = _totals(site_lines, account_lines, recheck)
    title = words.title or (f"关于{period.words}{words.region}政府网站与政务新媒体检查"
                            f"{'及整改' if compared else ''}情况的通报")
    tables = _tables(period, site_lines, account_lines, recheck, words)
    for table in tables:
        table.title = period.words + table.title
    notice = Notice(title, period, as_of, profile.id, words, [], tables, site_lines, account_lines, recheck, totals,
                    compared)
    notice.body = _body(notice, profile)
    return notice


def _totals(sites: list[SiteLine], accounts: list[AccountLine], recheck: list[RecheckItem]) -> dict[str, Any]:
    def count(lines: list[Any]) -> dict[str, Any]:
        passed = sum(x.verdict == "pass" for x in lines)
        failed = sum(x.verdict == "fail" for x in lines)
        unknown = sum(x.verdict == "unknown" for x in lines)
        return {"total": len(lines), "judged": passed + failed, "pass": passed, "fail": failed, "unknown": unknown,
                "pass_rate": pass_rate(passed, passed + failed)}

    states = defaultdict(int)
    for item in recheck:
        states[item.state] += 1
    return {"sites": count(sites), "accounts": count(accounts),
            "published": {"sites": sum(s.published for s in sites), "accounts": sum(a.posts for a in accounts)},
            "recheck": {k: states.get(k, 0) for k in ("已整改", "仍未整改", "复查新发现")},
            "repeat_units": repeat_units(recheck)}


def repeat_units(recheck: list[RecheckItem]) -> list[str]:
    """Units named for the same problem in two consecutive checks (seed 000: 多次提醒后仍然不整改)."""
    return list(dict.fromkeys(item.unit for item in recheck if item.state == "仍未整改"))


def _join(names: list[str]) -> str:
    names = list(dict.fromkeys(names))
    if len(names) <= 1:
        return "".join(names)
    return "、".join(names[:-1]) + "和" + names[-1]


def _site_problem_text(site: SiteLine, p: Problem) -> str:
    if p.kind in ("update", "blank") and p.columns:
        cols = "".join(f"“{c}”" for c in p.columns)
        tail = "栏目长期未更新" if p.kind == "update" else "为空白栏目"
        return f"{site.unit}网站{cols}{tail}"
    return f"{site.unit}网站存在{p.label}问题"


def _body(n: Notice, profile: Profile) -> list[Paragraph]:
    w, t = n.words, n.totals
    body = [Paragraph("title", n.title)]
    if w.recipients:
        body.append(Paragraph("recipients", w.recipients))
    basis = "、".join(profile.notice.get("basis") or [profile.title])
    checked = sorted({x.as_of for x in [*n.sites, *n.accounts] if x.as_of})
    when = ""
    if checked:
        first, last = checked[0], checked[-1]
        when = f"于{chinese_date(first)}" if first == last else \
            f"于{chinese_date(first)}至{last.month}月{last.day}日" if first.year == last.year else \
            f"于{chinese_date(first)}至{chinese_date(last)}"
    who = w.office or ""
    body.append(Paragraph("text", f"按照{basis}等文件要求，{who}{when}对{w.region}政府网站与政务新媒体"
                                  f"{n.period.words}运行情况进行了检查，现将有关情况通报如下："))
    body.append(Paragraph("heading", "一、总体情况"))
    s, a = t["sites"], t["accounts"]
    things = [f"{s['total']}个政府网站"] * bool(s["total"]) + [f"{a['total']}个政务新媒体"] * bool(a["total"])
    scope = f"此次检查范围为：{w.region}纳入监管的{'、'.join(things) or '0个政府网站'}，"
    scope += f"统计时间：{chinese_date(n.period.first)}—{chinese_date(n.period.last)}。"
    body.append(Paragraph("text", scope))
    groups = _count_by_group(n)
    if groups:
        body.append(Paragraph("text", f"其中：{groups}。"))
    part = 0
    if s["total"]:
        part += 1
        body.append(Paragraph("text", f"（{NUMERALS[part - 1]}）政府网站方面：" + _site_sentence(n)))
    if a["total"]:
        part += 1
        body.append(Paragraph("text", f"（{NUMERALS[part - 1]}）政务新媒体方面：" + _account_sentence(n)))
    pub = t["published"]
    if pub["sites"] or pub["accounts"]:
        part += 1
        said = [f"各网站共公开各类信息{pub['sites']}条"] * bool(pub["sites"])
        said += [f"{a['total']}个政务新媒体共计公开各类信息{pub['accounts']}条"] * bool(a["total"])
        body.append(Paragraph("text", f"（{NUMERALS[part - 1]}）信息发布情况：{n.period.words}，{'；'.join(said)}。"))

    body.append(Paragraph("heading", "二、存在的问题"))
    body += _problem_paragraphs(n)
    section = 2
    if n.compared_with:
        section += 1
        body.append(Paragraph("heading", f"{NUMERALS[section - 1]}、问题整改情况"))
        body += _recheck_paragraphs(n)
    if w.requirements or w.deadline:
        section += 1
        body.append(Paragraph("heading", f"{NUMERALS[section - 1]}、下一步要求"))
        for text in re.split(r"\n\s*\n", w.requirements.strip()) if w.requirements.strip() else []:
            body.append(Paragraph("text", " ".join(text.split())))
        if w.deadline:
            to = f"报{w.office}" if w.office else "报送"
            body.append(Paragraph("text", f"请存在问题的单位于{chinese_date(w.deadline)}前完成整改，"
                                          f"并将整改情况{to}。"))
    if n.tables:
        lines = [f"{i}.{tbl.title}" for i, tbl in enumerate(n.tables, 1)]
        body.append(Paragraph("attachments", "附件：" + "\n".join(lines)))
    if w.office:
        body.append(Paragraph("signature", w.office))
    body.append(Paragraph("date", chinese_date(w.signed or n.as_of)))
    if w.contact:
        body.append(Paragraph("contact", w.contact))
    return body


def _count_by_group(n: Notice) -> str:
    parts = []
    site_groups: dict[str, int] = defaultdict(int)
    for s in n.sites:
        site_groups[s.group or "其他"] += 1
    if len(site_groups) > 1:
        parts.append("，".join(f"{g}政府网站{c}个" for g, c in site_groups.items()))
    acc_groups: dict[str, list[AccountLine]] = defaultdict(list)
    for a in n.accounts:
        acc_groups[a.group or "其他"].append(a)
    if len(acc_groups) > 1:
        parts.append("，".join(
            f"{g}{'、'.join(dict.fromkeys(notice_word(x.platform) for x in lines))}{len(lines)}个"
            for g, lines in acc_groups.items()))
    return "；".join(parts)


def _site_sentence(n: Notice) -> str:
    s = n.totals["sites"]
    region = n.words.region
    if s["unknown"]:
        text = (f"{region}正在运行的政府网站共{s['total']}个，其中合格{s['pass']}个，不合格{s['fail']}个，"
                f"无法核验{s['unknown']}个，按已核验的{s['judged']}个计，合格率为{s['pass_rate']}。")
    else:
        text = (f"{region}正在运行的政府网站共{s['total']}个，其中合格{s['pass']}个，不合格{s['fail']}个，"
                f"合格率为{s['pass_rate']}。")
    failed = [x.unit for x in n.sites if x.verdict == "fail"]
    if failed:
        text += f"{_join(failed)}网站不合格。"
    unknown = [x for x in n.sites if x.verdict == "unknown"]
    if unknown:
        text += "、".join(x.unit for x in unknown) + f"网站{UNKNOWN_NOTE}（未计入合格、不合格）。"
    return text


def _account_sentence(n: Notice) -> str:
    a = n.totals["accounts"]
    if a["fail"] == 0 and a["unknown"] == 0:
        return f"本次检查政务新媒体{a['total']}个，全部合格，合格率为{a['pass_rate']}。"
    text = f"本次检查政务新媒体{a['total']}个，合格{a['pass']}个，不合格{a['fail']}个"
    text += f"，无法核验{a['unknown']}个，按已核验的{a['judged']}个计" if a["unknown"] else ""
    text += f"，合格率为{a['pass_rate']}。"
    failed = [f"{x.name}({notice_word(x.platform)})" for x in n.accounts if x.verdict == "fail"]
    if failed:
        text += "不合格的政务新媒体分别是：" + "、".join(failed) + "。"
    unknown = [f"{x.name}({notice_word(x.platform)})" for x in n.accounts if x.verdict == "unknown"]
    if unknown:
        text += "、".join(unknown) + f"{UNKNOWN_NOTE}（未计入合格、不合格）。"
    return text


def _problem_paragraphs(n: Notice) -> list[Paragraph]:
    out: list[Paragraph] = []
    by_kind: dict[str, list[str]] = defaultdict(list)
    vetoed: dict[str, list[str]] = defaultdict(list)
    for site in n.sites:
        for p in site.problems:
            by_kind[p.kind].append(_site_problem_text(site, p))
            if p.veto:
                vetoed[site.unit].append(p.label)
    titles = [(key, title) for key, title, _ in KINDS]
    media = [a for a in n.accounts if a.problems]
    number = 0
    for key, title in titles:
        texts = list(dict.fromkeys(by_kind.get(key, [])))
        if key == "update":  # accounts' update problems (M-V2, months) sit with the columns'
            texts += [_account_text(a, [p for p in a.problems if _is_update(p)]) for a in media
                      if any(_is_update(p) for p in a.problems)]
        if not texts:
            continue
        number += 1
        out.append(Paragraph("text", f"（{NUMERALS[number - 1]}）{title}。" + "；".join(texts) + "。"))
    other = [_account_text(a, [p for p in a.problems if not _is_update(p)]) for a in media
             if any(not _is_update(p) for p in a.problems)]
    if other:
        number += 1
        out.append(Paragraph("text", f"（{NUMERALS[number - 1]}）政务新媒体其他问题。" + "；".join(other) + "。"))
    if vetoed:
        number += 1
        text = "；".join(f"{unit}网站存在{'、'.join(dict.fromkeys(labels))}问题，属于单项否决项，网站不合格"
                        for unit, labels in vetoed.items())
        out.append(Paragraph("text", f"（{NUMERALS[number - 1]}）单项否决。{text}。"))
    if not out:
        out.append(Paragraph("text", "本次检查未发现网站和政务新媒体存在问题。"))
    return out


def _is_update(p: Problem) -> bool:
    """An account's problem about updating: a month below its posting days, M-V2, or words saying so."""
    return p.indicator in ("month", "M-V2") or "更新" in p.label


def _account_text(a: AccountLine, problems: list[Problem]) -> str:
    said = "；".join(dict.fromkeys(p.detail or p.label for p in problems))
    return f"{column_word(a.platform)}“{a.name}”{said}"


def _recheck_paragraphs(n: Notice) -> list[Paragraph]:
    r = n.totals["recheck"]
    first = sorted({x.first_as_of for x in n.recheck if x.first_as_of})
    since = f"{chinese_date(first[0])}检查" if first else "上次检查"
    out = [Paragraph("text", f"对{since}发现的问题，复查（{chinese_date(n.as_of)}）结果为：已整改{r['已整改']}项，"
                             f"仍未整改{r['仍未整改']}项，复查新发现{r['复查新发现']}项。")]
    open_by_unit: dict[str, list[str]] = defaultdict(list)
    for item in n.recheck:
        if item.state == "仍未整改":
            open_by_unit[item.unit].append(item.problem)
    if open_by_unit:
        text = "；".join(f"{unit}在初查过程中存在{'、'.join(dict.fromkeys(p))}的问题，复查仍未整改"
                        for unit, p in open_by_unit.items())
        out.append(Paragraph("text", text + f"。以上单位多次提醒后仍然不整改（{'、'.join(open_by_unit)}），"
                                            "请进一步积极整改。"))
    fixed = list(dict.fromkeys(item.unit for item in n.recheck if item.state == "已整改"
                               and item.unit not in open_by_unit))
    if fixed:
        out.append(Paragraph("text", f"{'、'.join(fixed)}已按要求完成整改。"))
    return out


# -- the attachment tables ------------------------------------------------------------------------------------


def _site_order(lines: list[SiteLine]) -> list[SiteLine]:
    """Scored sites by score (highest first), then the vetoed (seed 000 附件2); registry order on ties."""
    return sorted(lines, key=lambda x: (x.verdict == "fail" and x.score is None, -(x.score or 0)))


def _sections_by_group(lines: list[Any], title) -> list[tuple[str | None, list[Any]]]:  # noqa: ANN001
    groups: dict[str, list[Any]] = defaultdict(list)
    for line in lines:
        groups[line.group or "其他"].append(line)
    return [(title(g, items), items) for g, items in groups.items()]


def _tables(period: Period, sites: list[SiteLine], accounts: list[AccountLine], recheck: list[RecheckItem],
            words: OfficeWords) -> list[Table]:
    tables: list[Table] = []
    judged = [s for s in sites if s.verdict != "unknown"]
    for portal, key, title in ((True, "sites_counties", "各县(市)、区政府网站检查情况"),
                               (False, "sites_departments", "各部门政府网站检查情况")):
        lines = _site_order([s for s in judged if s.portal == portal])
        if lines:
            rows = [[i, s.unit, s.cells["评分"], s.cells["结果"], s.cells["主要问题"]] for i, s in enumerate(lines, 1)]
            tables.append(Table(key, title, ["编号", "部门", "评分", "结果", "主要问题"], [(None, rows)],
                                {4: 40}, merge_veto_score=True))
    if sites:
        def site_section(group: str, items: list[SiteLine]) -> str:
            return f"{group}网站" if "部门" in group or "直" in group else f"{group}政府网站"

        sections = [(t, [[i, s.name, s.url, VERDICT_CELL[s.verdict]] for i, s in enumerate(items, 1)])
                    for t, items in _sections_by_group(sites, site_section)]
        tables.append(Table("sites_list", "抽查网站名单及问题曝光情况", ["序号", "网站名称", "网址", "合格/不合格"],
                            sections, {2: 40}))
    problem_rows = []
    for s in judged:
        for key, _, word in KINDS:
            found = [p for p in s.problems if p.kind == key]
            if not found:
                continue
            if word:  # column problems: one row per kind, the columns named
                columns = list(dict.fromkeys(c for p in found for c in p.columns))
                problem_rows.append([s.name, s.unit, " ".join(columns), word])
            else:
                for p in found:
                    problem_rows.append([s.name, s.unit, " ".join(p.columns), p.label])
    problem_rows = list(map(list, dict.fromkeys(map(tuple, problem_rows))))  # two findings, one problem
    if problem_rows:
        tables.append(Table("sites_problems", "存在问题的网站名单", PROBLEM_HEADERS,
                            [(None, [[i, *r] for i, r in enumerate(problem_rows, 1)])], {3: 30, 4: 24}))
    published = [s for s in judged] if any(s.run_id is not None for s in judged) else []
    if published:
        def pub_section(group: str, items: list[SiteLine]) -> str:
            return group
        for number, (title_group, items) in enumerate(_sections_by_group(published, pub_section), 1):
            head = "乡镇(街道)" if any(w in title_group for w in ("乡镇", "街道")) else "单位"
            rows = [[s.unit, s.published] for s in sorted(items, key=lambda x: -x.published)]
            tables.append(Table(f"published_{number}", f"网站信息公开情况统计表({title_group})",
                                [head, "主动公开信息条数"], [(None, rows)]))
        col_rows = [[s.name, name, count] for s in published for name, count in s.columns_published]
        if col_rows:
            tables.append(Table("published_columns", "网站栏目信息公开情况统计表",
                                ["网站名称", "栏目", "主动公开信息条数"], [(None, col_rows)]))
    if accounts:
        tables += _account_tables(period, accounts, words)
    if recheck:
        order = {"仍未整改": 0, "复查新发现": 1, "已整改": 2}
        items = sorted(recheck, key=lambda x: order[x.state])
        rows = [[i, x.name, x.unit, x.problem, x.subject,
                 x.state + (REPEAT_MARK if x.state == "仍未整改" else "")] for i, x in enumerate(items, 1)]
        tables.append(Table("recheck", "问题整改复查情况",
                            ["序号", "网站名称", "主管单位", "问题类型", "问题栏目或链接", "复查情况"],
                            [(None, rows)], {4: 40, 5: 22}))
    unknown = [s for s in sites if s.verdict == "unknown"]
    unknown_acc = [a for a in accounts if a.verdict == "unknown"]
    if unknown or unknown_acc:
        rows = [[s.name, s.unit, "政府网站", s.reason] for s in unknown]
        rows += [[a.name, a.unit, notice_word(a.platform), a.reason] for a in unknown_acc]
        tables.append(Table("unknown", "无法核验的网站和政务新媒体名单（请人工核查）",
                            ["序号", "名称", "主管单位", "类型", "原因"],
                            [(None, [[i, *r] for i, r in enumerate(rows, 1)])], {4: 50},
                            note="以上网站和政务新媒体未计入合格、不合格数，请人工核查。"))
    return tables


def _account_tables(period: Period, accounts: list[AccountLine], words: OfficeWords) -> list[Table]:
    tables: list[Table] = []
    units: dict[str, list[AccountLine]] = defaultdict(list)
    for a in accounts:
        units[a.unit if a.county else words.department_row].append(a)
    rows = []
    for i, (unit, lines) in enumerate(units.items(), 1):
        passed = sum(x.verdict == "pass" for x in lines)
        failed = sum(x.verdict == "fail" for x in lines)
        unknown = sum(x.verdict == "unknown" for x in lines)
        rows.append([i, unit, len(lines), passed, failed, pass_rate(passed, passed + failed),
                     f"无法核验{unknown}个" if unknown else ""])
    tables.append(Table("accounts_units", "政务新媒体检查情况",
                        ["序号", "单位", "新媒体数量", "合格数", "不合格数", "合格率", "备注"], [(None, rows)]))
    months = period.month_keys
    sections = []
    blocks: dict[tuple[str, str], list[AccountLine]] = defaultdict(list)
    for a in accounts:
        blocks[(a.group or "其他", a.platform)].append(a)
    for n, ((group, platform), lines) in enumerate(blocks.items(), 1):
        title = f"（{NUMERALS[(n - 1) % 10]}）{group}{notice_word(platform)}更新情况"
        sections.append((title, [[i, a.name, a.unit, *[VERDICT_CELL.get(a.months.get(m, "unknown"), "无法核验")
                                                         for m in months]] for i, a in enumerate(lines, 1)]))
    tables.append(Table("accounts_months", "抽查新媒体名单及问题曝光情况",
                        ["序号", "名称", "主办单位", *[f"{int(m[5:])}月更新情况" for m in months]], sections))
    failed = [a for a in accounts if a.verdict == "fail"]
    if failed:
        rows = [[i, a.name, a.unit, column_word(a.platform),
                 " ".join(dict.fromkeys(p.label for p in a.problems if p.veto) or
                          dict.fromkeys(p.label for p in a.problems))]
                for i, a in enumerate(failed, 1)]
        tables.append(Table("accounts_failed", "不合格的政务新媒体名单", PROBLEM_HEADERS,
                            [(None, rows)], {4: 30}))
    noted = [a for a in accounts if a.verdict == "pass" and a.problems]
    if noted:
        rows = [[i, a.name, a.unit, column_word(a.platform),
                 " ".join(dict.fromkeys(p.label for p in a.problems))] for i, a in enumerate(noted, 1)]
        tables.append(Table("accounts_problems", "存在问题的政务新媒体名单", PROBLEM_HEADERS, [(None, rows)], {4: 30}))
    rows = [[a.name, a.posts if a.verdict != "unknown" else "", "；".join(dict.fromkeys(p.label for p in a.problems))
             or ("未发现问题" if a.verdict != "unknown" else UNKNOWN_NOTE), notice_word(a.platform),
             a.unit] for a in accounts]
    tables.append(Table("accounts_posts", "政务新媒体抽查情况统计表",
                        ["名称", "公开信息条数", "存在问题", "所属平台", "责任单位"],
                        [(None, rows)], {2: 30}))
    return tables


def notice_json(n: Notice) -> dict[str, Any]:
    """The notice for machines: the body, every table, the totals, the lines behind them."""
    return {
        "title": n.title, "period": {"from": n.period.first.isoformat(), "to": n.period.last.isoformat()},
        "as_of": n.as_of.isoformat(), "profile": n.profile, "compared_with": n.compared_with,
        "totals": n.totals,
        "body": [{"style": p.style, "text": p.text} for p in n.body],
        "tables": [{"key": t.key, "title": t.title, "headers": t.headers,
                    "sections": [{"title": title, "rows": rows} for title, rows in t.sections], "note": t.note}
                   for t in n.tables],
        "sites": [{"name": s.name, "unit": s.unit, "url": s.url, "group": s.group, "portal": s.portal,
                   "verdict": s.verdict, "score": s.score, **s.cells, "reason": s.reason,
                   "as_of": s.as_of.isoformat() if s.as_of else None, "evaluation_id": s.evaluation_id,
                   "published": s.published,
                   "problems": [{"indicator": p.indicator, "kind": p.kind, "label": p.label, "veto": p.veto,
                                 "columns": p.columns, "detail": p.detail} for p in s.problems]}
                  for s in n.sites],
        "accounts": [{"name": a.name, "unit": a.unit, "group": a.group, "platform": a.platform, "verdict": a.verdict,
                      "months": a.months, "posts": a.posts, "latest_post": a.latest_post, "reason": a.reason,
                      "as_of": a.as_of.isoformat() if a.as_of else None,
                      "problems": [{"indicator": p.indicator, "label": p.label, "veto": p.veto, "detail": p.detail}
                                   for p in a.problems]} for a in n.accounts],
        "recheck": [{"kind": r.kind, "name": r.name, "unit": r.unit, "problem": r.problem, "subject": r.subject,
                     "state": r.state, "first_as_of": r.first_as_of.isoformat() if r.first_as_of else None,
                     "as_of": r.as_of.isoformat() if r.as_of else None} for r in n.recheck],
    }
