"""The notice's attachment tables (spec §2), chosen and ordered by the profile as the province sends them.

`notice.tables` in the profile lists the attachments (national default as seed 000; 贵州 as seed 002),
`notice.tables_when_present` the ones added when they have rows (复查, 无法核验), and `--tables` overrides
both (`all`: every table). Sections read as the seeds order them: 州直 before 县(市), 微博 before 微信.
问题类型 are problem words, 问题栏目 names the column, link, document or count; identical rows are merged.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from config.vocabulary import (
    COUNTY_SECTION,
    DEPARTMENT_SECTION,
    NEW_IN_RECHECK,
    REPEATED,
    STILL_OPEN,
    UNKNOWN_NOTE,
    VERDICT_WORDS,
    region_level,
)
from reports.names import is_department_group
from reports.notice_model import (
    AccountLine,
    OfficeWords,
    RecheckItem,
    SiteLine,
    Table,
    column_word,
    notice_word,
    pass_rate,
)
from rules.period import NUMERALS, Period
from rules.profile import Profile

PROBLEM_HEADERS = ["序号", "网站名称", "主管单位", "问题栏目", "问题类型"]  # seed 003 附件1-3
PLATFORM_ORDER = ("weibo", "wechat", "douyin", "toutiao", "kuaishou")  # seed 002: 微博 before 微信
ALL_TABLES = ("sites_counties", "sites_departments", "sites_list", "sites_problems", "published", "accounts_units",
              "accounts_months", "accounts_failed", "accounts_problems", "accounts_posts", "recheck", "unknown")
DEFAULT_TABLES = ("sites_counties", "sites_departments", "accounts_units")  # seed 000
COLUMN_KINDS = ("update", "blank")  # problems about columns: one row per site and kind, the columns named


def table_keys(profile: Profile, given: list[str] | None) -> list[str]:
    """The attachments of a notice: --tables, else the profile's, else seed 000's three."""
    if given is not None:
        return list(ALL_TABLES) if given == ["all"] else given
    chosen = list(profile.notice.get("tables") or DEFAULT_TABLES)
    return chosen + [k for k in profile.notice.get("tables_when_present") or [] if k not in chosen]


def _group_order(group: str) -> tuple[int, str]:
    """州直/市直 departments first, then counties (seed 002 附件1 and 附件2)."""
    return (0 if is_department_group(group) else 1, "")


def _sections_by_group(lines: list[Any], departments_first: bool = True) -> list[tuple[str, list[Any]]]:
    """Lines by 分组: departments first (seed 002), or townships first (seed 001's 信息公开 tables)."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for line in lines:
        groups[line.group or "其他"].append(line)
    return sorted(groups.items(), key=lambda kv: _group_order(kv[0])[0] == (0 if departments_first else 1),
                  reverse=True)


def _site_order(lines: list[SiteLine]) -> list[SiteLine]:
    """Scored sites by score (highest first), then the vetoed (seed 000 附件2); registry order on ties."""
    def score(x: SiteLine) -> float:
        return float(x.score or 0)
    return sorted(lines, key=lambda x: (x.verdict == "fail" and x.score is None, -score(x)))


def _merge_rows(rows: list[list[Any]]) -> list[list[Any]]:
    """Identical rows once, with how many times they occurred in 问题类型 (… 3处)."""
    counted: dict[tuple[Any, ...], int] = {}
    for row in rows:
        counted[tuple(row)] = counted.get(tuple(row), 0) + 1
    return [list(row[:-1]) + [row[-1] + (f"（{n}处）" if n > 1 else "")] for row, n in counted.items()]


def _problem_rows(sites: list[SiteLine]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for s in sites:
        columns: dict[str, list[str]] = defaultdict(list)
        for p in s.problems:
            if p.kind in COLUMN_KINDS and p.columns:
                columns[p.label] += p.columns
                continue
            subjects = [w for w in p.subjects.values() if w]
            where = "、".join(subjects[:3]) + (f"等{len(subjects)}处" if len(subjects) > 3 else "") if subjects \
                else (f"{p.count}处" if p.count else "—")
            rows.append([s.name, s.unit, where, p.label])
        for label, names in columns.items():
            names = list(dict.fromkeys(names))
            rows.insert(0, [s.name, s.unit, " ".join(names), f"{label}（{len(names)}个栏目）"
                            if len(names) > 1 else label])
    return _merge_rows(rows)


def _site_tables(sites: list[SiteLine], level: str, wanted: list[str], prefix: str) -> dict[str, list[Table]]:
    out: dict[str, list[Table]] = defaultdict(list)
    judged = [s for s in sites if s.verdict != "unknown"]
    for portal, key, title in ((True, "sites_counties", "各县(市)、区政府网站检查情况"),
                               (False, "sites_departments", "各部门政府网站检查情况")):
        lines = _site_order([s for s in judged if s.portal == portal])
        if lines and key in wanted:
            rows = [[i, s.unit, s.cells["评分"], s.cells["结果"], s.cells["主要问题"]] for i, s in enumerate(lines, 1)]
            out[key].append(Table(key, prefix + title, ["编号", "部门", "评分", "结果", "主要问题"], [(None, rows)],
                                  {4: 40}, merge_veto_score=True))
    if sites and "sites_list" in wanted:
        def section(group: str) -> str:
            if is_department_group(group):
                return DEPARTMENT_SECTION.format(level=level) + "网站"
            return f"{COUNTY_SECTION.get(level, group)}政府网站"
        sections = [(section(g), [[i, s.unit, s.url, VERDICT_WORDS[s.verdict]] for i, s in enumerate(items, 1)])
                    for g, items in _sections_by_group(sites)]
        out["sites_list"].append(Table("sites_list", prefix + "抽查网站名单及问题曝光情况",
                                       ["序号", "网站名称", "网址", "合格/不合格"], sections, {2: 40}))
    rows = _problem_rows(judged)
    if rows and "sites_problems" in wanted:
        out["sites_problems"].append(Table("sites_problems", prefix + "存在问题的网站名单", PROBLEM_HEADERS,
                                           [(None, [[i, *r] for i, r in enumerate(rows, 1)])], {3: 30, 4: 24}))
    published = judged if any(s.run_id is not None for s in judged) else []
    if published and "published" in wanted:
        for number, (group, items) in enumerate(_sections_by_group(published, False), 1):
            head = "乡镇(街道)" if any(w in group for w in ("乡镇", "街道")) else "单位"
            rows = [[s.unit, s.published] for s in sorted(items, key=lambda x: -x.published)]
            out["published"].append(Table(f"published_{number}", f"{prefix}网站信息公开情况统计表({group})",
                                          [head, "主动公开信息条数"], [(None, rows)]))
        col_rows = [[s.name, name, count] for s in published for name, count in s.columns_published]
        if col_rows:
            out["published"].append(Table("published_columns", prefix + "网站栏目信息公开情况统计表",
                                          ["网站名称", "栏目", "主动公开信息条数"], [(None, col_rows)]))
    return out


def _platform_order(platform: str) -> int:
    return PLATFORM_ORDER.index(platform) if platform in PLATFORM_ORDER else len(PLATFORM_ORDER)


def _account_tables(period: Period, accounts: list[AccountLine], department_row: str, wanted: list[str],
                    prefix: str) -> dict[str, list[Table]]:
    out: dict[str, list[Table]] = defaultdict(list)
    if accounts and "accounts_units" in wanted:
        units: dict[str, list[AccountLine]] = defaultdict(list)
        for a in sorted(accounts, key=lambda x: not x.county):  # counties, then the departments' row
            units[a.region if a.county else department_row].append(a)
        rows = []
        for i, (unit, lines) in enumerate(units.items(), 1):
            passed = sum(x.verdict == "pass" for x in lines)
            failed = sum(x.verdict == "fail" for x in lines)
            unknown = sum(x.verdict == "unknown" for x in lines)
            rows.append([i, unit, len(lines), passed, failed, pass_rate(passed, passed + failed),
                         f"无法核验{unknown}个" if unknown else ""])
        out["accounts_units"].append(Table("accounts_units", prefix + "政务新媒体检查情况",
                                           ["序号", "单位", "新媒体数量", "合格数", "不合格数", "合格率", "备注"],
                                           [(None, rows)], percent_columns=(5,)))
    if accounts and "accounts_months" in wanted:
        months = period.month_keys
        blocks: dict[tuple[str, str], list[AccountLine]] = defaultdict(list)
        for a in accounts:
            blocks[(a.group or "其他", a.platform)].append(a)
        ordered = sorted(blocks.items(), key=lambda kv: (_group_order(kv[0][0]), _platform_order(kv[0][1])))
        sections = []
        for n, ((group, platform), lines) in enumerate(ordered, 1):
            title = f"（{NUMERALS[(n - 1) % 10]}）{group}{notice_word(platform)}更新情况"
            sections.append((title, [[i, a.name, a.owner, *[VERDICT_WORDS.get(a.months.get(m, "unknown"), "无法核验")
                                                             for m in months]] for i, a in enumerate(lines, 1)]))
        out["accounts_months"].append(Table("accounts_months", prefix + "抽查新媒体名单及问题曝光情况",
                                            ["序号", "名称", "主办单位",
                                             *[f"{int(m[5:])}月更新情况" for m in months]], sections))
    failed = [a for a in accounts if a.verdict == "fail"]
    for key, title, lines in (("accounts_failed", "不合格的政务新媒体名单", failed),
                              ("accounts_problems", "存在问题的政务新媒体名单",
                               [a for a in accounts if a.verdict == "pass" and a.problems])):
        if lines and key in wanted:
            rows = [[i, a.name, a.unit, column_word(a.platform), "；".join(dict.fromkeys(p.detail or p.label
                                                                                       for p in a.problems))]
                    for i, a in enumerate(lines, 1)]
            out[key].append(Table(key, prefix + title, PROBLEM_HEADERS, [(None, rows)], {4: 30}))
    if accounts and "accounts_posts" in wanted:
        rows = [[a.name, a.posts if a.verdict != "unknown" else "",
                 "；".join(dict.fromkeys(p.detail or p.label for p in a.problems))
                 or ("未发现问题" if a.verdict != "unknown" else UNKNOWN_NOTE), notice_word(a.platform), a.unit]
                for a in accounts]
        out["accounts_posts"].append(Table("accounts_posts", prefix + "政务新媒体抽查情况统计表",
                                           ["名称", "公开信息条数", "存在问题", "所属平台", "责任单位"],
                                           [(None, rows)], {2: 30}))
    return out


def _recheck_table(recheck: list[RecheckItem], prefix: str) -> Table:
    order = {STILL_OPEN: 0, NEW_IN_RECHECK: 1}
    items = sorted(recheck, key=lambda x: order.get(x.state, 2))
    rows = [[i, x.name, x.unit, x.problem, x.subject or "—", x.state + (f"（{REPEATED}）" if x.repeated else "")]
            for i, x in enumerate(items, 1)]
    return Table("recheck", prefix + "问题整改复查情况", ["序号", "网站名称", "主管单位", "问题类型", "问题栏目或链接",
                                                  "复查情况"], [(None, rows)], {4: 40, 5: 22})


def _unknown_table(sites: list[SiteLine], accounts: list[AccountLine], prefix: str) -> Table:
    rows = [[s.name, s.unit, "政府网站", s.reason] for s in sites if s.verdict == "unknown"]
    rows += [[a.name, a.unit, notice_word(a.platform), a.reason] for a in accounts if a.verdict == "unknown"]
    return Table("unknown", prefix + "无法核验的网站和政务新媒体名单（请人工核查）",
                 ["序号", "名称", "主管单位", "类型", "原因"],
                 [(None, [[i, *r] for i, r in enumerate(rows, 1)])], {4: 50},
                 note="以上网站和政务新媒体未计入合格、不合格数，请人工核查。")


def attachment_tables(profile: Profile, period: Period, sites: list[SiteLine], accounts: list[AccountLine],
                      recheck: list[RecheckItem], words: OfficeWords, department_row: str,
                      given: list[str] | None = None) -> list[Table]:
    """The attachments in the profile's order; a table without rows is left out (its number goes to the next)."""
    wanted = table_keys(profile, given)
    prefix = period.words if profile.notice.get("table_titles_with_period", True) else ""
    level = region_level(words.region)
    built = {**_site_tables(sites, level, wanted, prefix), **_account_tables(period, accounts, department_row,
                                                                             wanted, prefix)}
    if recheck and "recheck" in wanted:
        built["recheck"] = [_recheck_table(recheck, prefix)]
    if any(x.verdict == "unknown" for x in [*sites, *accounts]) and "unknown" in wanted:
        built["unknown"] = [_unknown_table(sites, accounts, prefix)]
    return [t for key in wanted for t in built.get(key, [])]
