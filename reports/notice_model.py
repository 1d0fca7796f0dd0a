"""What a notice is made of: its lines (a site, an account), problems, 复查 items, tables and paragraphs.

Kept apart from the building (reports/notice.py), the sentences (reports/notice_body.py) and the tables
(reports/notice_tables.py) so each of those reads the same shapes without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from config.vocabulary import RATE_UNJUDGED
from crawler.media.platforms import word as platform_word
from rules.period import Period


class NoticeError(ValueError):
    """Options a notice cannot be built from (a bad period, an unknown earlier notice, a missing judging)."""


def notice_word(platform: str) -> str:
    return platform_word(platform, "notice_word")


def column_word(platform: str) -> str:
    """The words seed 003 uses for an account's platform in 问题栏目."""
    return platform_word(platform, "column_word")


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def pass_rate(passed: int, judged: int) -> str:
    """合格率 to one decimal, cut (not rounded) as notices print it: 154/155 → 99.3%, 43/43 → 100%;
    nothing judged is "—", never 0%."""
    if judged == 0:
        return RATE_UNJUDGED
    tenths = passed * 1000 // judged
    whole, tenth = divmod(tenths, 10)
    return f"{whole}%" if tenth == 0 else f"{whole}.{tenth}%"


@dataclass(frozen=True)
class OfficeWords:
    """What the office writes itself: who issues the notice, to whom, by when, and what it asks."""

    office: str = ""  # 落款, e.g. 新乡市人民政府办公室
    title: str = ""  # empty: 关于{期间}{region}政府网站与政务新媒体检查(及整改)情况的通报
    signed: date | None = None  # 落款 date; None: the monitoring time point
    deadline: date | None = None  # 整改期限
    recipients: str = ""  # 主送; empty: from the region's level (config/vocabulary.py RECIPIENTS)
    requirements: str = ""  # 下一步要求, the office's own text (paragraphs split on blank lines)
    region: str = "全市"
    department_row: str = ""  # 附件 政务新媒体检查情况's departments row; empty: 州直单位 / 市直单位 by region
    contact: str = ""  # (联系人：…；联系方式：…)
    doc_number: str = ""  # 文号, e.g. 黔东南府办通〔2023〕12号; empty: a placeholder the office fills


@dataclass
class Problem:
    """One problem of a site or an account, in the notice's words, with the identities it is paired by."""

    indicator: str
    kind: str  # update | blank | ... | media
    label: str  # the problem's words: 未公开办事统计数据, 栏目长期未更新 ...
    veto: bool
    detail: str
    columns: list[str] = field(default_factory=list)  # column names it is about
    keys: list[str] = field(default_factory=list)  # identities (reports/names.py) for 复查
    subjects: dict[str, str] = field(default_factory=dict)  # identity -> what a person reads
    count: int = 0  # links or documents it counts (链接不可用 3处)


@dataclass
class SiteLine:
    site_id: int
    ident: str  # code:… or site:… (reports/names.py)
    name: str  # 网站名称 (the registry's; the site's title only when nothing else is known)
    unit: str  # the unit's short name as notices print it (简称)
    owner: str  # 主办单位 as registered
    url: str
    group: str
    region: str
    portal: bool
    verdict: str  # pass | fail | unknown
    score: float | None
    cells: dict[str, Any]  # 评分, 结果, 主要问题
    problems: list[Problem]
    reason: str = ""  # why it could not be judged, in Chinese
    as_of: date | None = None
    evaluation_id: int | None = None
    run_id: int | None = None
    published: int = 0  # items published in the period
    columns_published: list[tuple[str, int]] = field(default_factory=list)
    code: str | None = None
    review: list[dict[str, Any]] = field(default_factory=list)  # 信息审核: confirmed typos, titles (review_rows)


@dataclass
class AccountLine:
    account_id: int
    ident: str
    name: str
    unit: str  # short name
    owner: str  # 主办单位 as registered
    group: str
    region: str  # the county it counts in, or the department row
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
    posting_days: dict[str, int] = field(default_factory=dict)  # "2023-08" -> days with a post
    window_note: str = ""  # a recheck's window outside the period, reported apart (not in the verdict)
    review: list[dict[str, Any]] = field(default_factory=list)  # 信息审核 in its posts (review_rows)


@dataclass
class RecheckItem:
    kind: str  # site | account
    ident: str
    name: str
    unit: str
    problem: str  # the problem's words
    subject: str  # column, link or month it is about
    state: str  # 已整改 | 仍未整改 | 复查新发现
    first_as_of: date | None
    as_of: date | None
    key: str = ""  # the identity it was paired on
    notices_open: int = 0  # earlier notices in which it was already open
    repeated: bool = False  # open in at least `notice.repeat_after` earlier notices


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
    percent_columns: tuple[int, ...] = ()  # columns holding 合格率: a number in a percentage format

    @property
    def rows(self) -> list[list[Any]]:
        return [row for _, rows in self.sections for row in rows]


@dataclass
class Paragraph:
    style: str  # title | doc_number | recipients | heading | text | attachments | signature | date | contact
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
    compared_notice_id: int | None = None
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # (unit, url before, url now)
    sources: dict[str, str] = field(default_factory=dict)  # part -> which judging it shows, in words
