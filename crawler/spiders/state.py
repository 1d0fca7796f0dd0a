"""What the spider keeps about one site while it crawls it, and small helpers over responses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure


@dataclass(slots=True)
class LinkResult:
    status: int | None
    outcome: str
    error: str | None
    method: str | None
    elapsed_ms: float | None

@dataclass(slots=True)
class SiteCrawl:
    """Everything the spider knows about one site's crawl while it runs."""

    run_id: int
    site_url: str
    reference: date
    scope: str
    deadline: float
    home_url: str | None = None
    failure: str | None = None
    pending: int = 0
    capturing: int = 0  # of `pending`: evidence screenshots only (crawler/spiders/evidence.py)
    cut_short: bool = False
    finished: bool = False
    columns: set[str] = field(default_factory=set)
    link_sources: dict[str, list[str]] = field(default_factory=dict)
    link_results: dict[str, LinkResult] = field(default_factory=dict)
    link_kinds: dict[str, str] = field(default_factory=dict)  # url -> link | image | attachment (first seen)
    reported: set[tuple[str, str]] = field(default_factory=set)
    captured: set[str] = field(default_factory=set)  # pages with a screenshot already taken
    link_gets: set[str] = field(default_factory=set)  # links checked with a GET (their answer is a page to read)
    # observers waiting to read a page its link check is fetching: url -> [(observer, handler, found_on, meta)]
    awaiting: dict[str, list[tuple[str, str, str, dict]]] = field(default_factory=dict)

    def add_link(self, url: str, found_on: str) -> bool:
        """Record where a link was found; True if it is new and must be checked."""
        pages = self.link_sources.setdefault(url, [])
        new = not pages and url not in self.link_results
        if found_on not in pages:
            pages.append(found_on)
        return new

def elapsed_ms(response_or_request: Response | Request) -> float | None:
    latency = response_or_request.meta.get("download_latency")
    return round(latency * 1000, 1) if latency is not None else None


def header_charset(response: Response) -> str | None:
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    if "charset=" in content_type.lower():
        return content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    return None


def content_type_of(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None


async def close_page(failure: Failure) -> None:
    """A failed browser request still holds its page open: close it so Chromium's pages stay bounded."""
    page = failure.request.meta.get("playwright_page")
    if page is not None:
        await page.close()
