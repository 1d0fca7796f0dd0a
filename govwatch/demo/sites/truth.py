"""Ground truth of the local test sites: what a correct crawl of each site must find.

Every value here is derived by the site builders from the same column specs that render the pages,
so a change to a site changes its truth with it (see `govwatch/demo/sites/model.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin


@dataclass
class ExpectedColumn:
    """One column (栏目) a correct crawl discovers, as the indicators classify it."""

    name: str
    path: str  # path (with query for old ASP sites) of the column page on its own site
    category: str  # a category id of crawler/data/column_categories.yaml
    level: int  # 1: linked from the home page navigation; 2: from a column's left sub-navigation
    latest_date: date | None  # newest dated item in the list; None for blank and undated columns
    blank: bool


@dataclass
class ExpectedBrokenLink:
    """A link a correct link check reports as broken, and the page it sits on."""

    path_or_url: str  # a path on the same site, or an absolute URL (refused: a closed 127.0.0.1 port)
    found_on: str  # path of the (only) page that links to it
    status: int | None  # HTTP status it answers with; None when the connection is refused
    reason: str  # "404", "500", "refused", "soft-404"
    base: str = field(default="", repr=False, compare=False)  # site root, set once the site is served

    @property
    def url(self) -> str:
        """Absolute URL of the broken target, resolved against the served site."""
        return urljoin(self.base, self.path_or_url) if self.base else self.path_or_url

    @property
    def found_on_url(self) -> str:
        """Absolute URL of the page that carries the broken link."""
        return urljoin(self.base, self.found_on) if self.base else self.found_on


@dataclass
class ExpectedLetter:
    """One public letter of a message board, as the board and the letter's page show it."""

    title: str
    path: str  # the letter's own page
    asked: date
    replied: date | None  # None: not answered


@dataclass
class ExpectedBoard:
    """A consultation board (信箱, 留言) and every letter it shows, over all its pages."""

    name: str
    path: str
    letters: list[ExpectedLetter]
    statistics: bool  # shows 信件统计
    pages: int


@dataclass
class ExpectedGuide:
    """A service guide (办事指南) page and the key elements it lacks."""

    title: str
    path: str
    missing: list[str]  # in the order of the ten elements (事项名称 ... 办理流程)
    forms: list[str] = field(default_factory=list)  # paths of its downloadable forms


@dataclass
class ExpectedPolicyDoc:
    """A policy document the inspection samples, and its 解读."""

    title: str
    path: str
    interpretation: str | None  # path of the linked 解读 page
    back_link: bool | None  # the 解读 links back to the document (None: no 解读)


@dataclass
class ExpectedProfile:
    """What the inspection concludes under one profile (the design's intent, checked by the e2e tests)."""

    verdict: str
    score: float | None
    vetoes: set[str]
    problems: str  # the notice's 主要问题
    statuses: dict[str, str]  # indicator id -> status (pass, fail, deducted, problem, not_testable ...)


@dataclass
class SiteFeatures:
    """The indicators' facts a correct crawl must record: channels, boards, services, policy
    documents, search, footer, layout."""

    channels: dict[str, list[str]]  # channel type -> names of the links of that type on the home page
    boards: list[ExpectedBoard]
    surveys: list[tuple[str, date | None]]  # 意见征集/调查 columns: (name, newest date)
    portal_links: list[tuple[str, bool]]  # (absolute URL, leads to the province's 政务服务网)
    guides: list[ExpectedGuide]
    service_stats: date | None  # newest 办事统计, None: not published
    service_entry: bool  # offers a working 办事服务 entry
    hall: bool  # a 办事大厅 entry
    policy_docs: list[ExpectedPolicyDoc]
    search: str  # working | script | none
    footer: dict[str, object]  # site_code, icp, police (str or None), party_mark (bool)
    declared_domain: str | None
    error_report: bool
    floating_share: float  # biggest floating window's share of the first screen (0: none)


@dataclass
class SiteTruth:
    """Everything a correct inspection of one test site concludes at its monitoring time point."""

    key: str
    name: str
    code: str  # 网站标识码
    unit: str  # 主办单位
    group: str
    home_latest_date: date | None  # newest dated item on the home page (hidden tabs included)
    columns: list[ExpectedColumn]
    broken_links: list[ExpectedBrokenLink]
    vetoes: set[str]  # indicator ids, e.g. {"W-V3", "W-V4"}
    verdict: str  # "pass" / "fail"
    # Extras for tests that must prove a negative: pages that answer slowly but are fine, and links
    # to other test sites that look external and are fine. Neither may be reported broken.
    slow_paths: list[str] = field(default_factory=list)
    external_links: list[str] = field(default_factory=list)  # absolute URLs
    # The indicators beyond the column vetoes (see SiteFeatures), and the conclusion under each profile
    # (keys: national-2019, henan; judged with the test world's 政务服务网 and 找错 platform, `platforms`).
    features: SiteFeatures | None = None
    profiles: dict[str, ExpectedProfile] = field(default_factory=dict)
    platforms: dict[str, str] = field(default_factory=dict)  # zwfw / zfwzzc -> base URL of the stub

    def column(self, name: str) -> ExpectedColumn:
        """The column called `name` (KeyError if the site has none)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)
