"""What a crawl emits: observations, handed to the storage pipeline as they are made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from crawler.extract import ListEntry


@dataclass(slots=True)
class PageFetched:
    run_id: int
    url: str
    final_url: str | None
    role: str  # home | column
    status: int | None
    elapsed_ms: float | None
    content_type: str | None = None
    encoding: str | None = None
    size: int | None = None
    error: str | None = None


@dataclass(slots=True)
class HomeSeen:
    run_id: int
    url: str
    title: str
    meta: dict[str, str]
    latest_date: date | None
    items: list[ListEntry] = field(default_factory=list)


@dataclass(slots=True)
class ColumnSeen:
    run_id: int
    name: str
    url: str
    final_url: str | None
    level: int
    parent_url: str | None
    category: str
    category_source: str
    page_kind: str | None
    latest_date: date | None
    blank: bool
    blank_reason: str | None
    meta: dict[str, str]
    status: int | None
    error: str | None = None
    page_count: int | None = None
    undated_count: int = 0
    items: list[ListEntry] = field(default_factory=list)


@dataclass(slots=True)
class LinkChecked:
    run_id: int
    url: str
    found_on: str
    status: int | None
    outcome: str  # ok | broken | soft-404 | timeout
    error: str | None
    method: str | None
    elapsed_ms: float | None
    link_text: str | None = None
    kind: str = "link"  # link | image (<img src>: 图片) | attachment (PDF/DOC/XLS/…: 附件)


@dataclass(slots=True)
class CrawlFailed:
    """The site could not be inspected at all (home page unreachable, not HTML, undecodable)."""

    run_id: int
    error: str


@dataclass(slots=True)
class RunFinished:
    """A site's last request has been answered: its run can be closed."""

    run_id: int
    home_read: bool
    cut_short: bool = False
    error: str | None = None


@dataclass(slots=True)
class Observed:
    """A record of one kind seen on a page (see crawler/observers)."""

    run_id: int
    kind: str
    url: str | None
    found_on: str | None
    data: dict


@dataclass(slots=True)
class EvidenceTaken:
    """Evidence bytes to keep (a page's HTML, a screenshot): hashed, compressed and written to the
    evidence folder by the storage pipeline's writer thread, never in the crawl's event loop."""

    run_id: int
    url: str
    kind: str  # screenshot | html
    reason: str | None
    data: bytes
    suffix: str  # .html | .png
    compress: bool = False
    status: int | None = None
    elapsed_ms: float | None = None
    rendered: bool = False


@dataclass(slots=True)
class PageItems:
    """Everything one callback observed, as one item: a page's fetch, its column, its list, its link
    results and records travel together (one pass through the item pipeline instead of dozens)."""

    items: list[object]


def finished_runs(item: object) -> list[RunFinished]:
    """The runs an item closes (a RunFinished alone, or inside a PageItems)."""
    if isinstance(item, RunFinished):
        return [item]
    if isinstance(item, PageItems):
        return [i for i in item.items if isinstance(i, RunFinished)]
    return []


@dataclass(slots=True)
class EvidenceSaved:
    run_id: int
    url: str
    kind: str  # screenshot | html
    reason: str | None
    path: str
    sha256: str
    size: int
    status: int | None = None
    elapsed_ms: float | None = None
    rendered: bool = False
