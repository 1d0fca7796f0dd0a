"""Ground truth of the local test sites: what a correct crawl of each site must find.

Every value here is derived by the site builders from the same column specs that render the pages,
so a change to a site changes its truth with it (see `tests/sites/model.py`).
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

    def column(self, name: str) -> ExpectedColumn:
        """The column called `name` (KeyError if the site has none)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)
