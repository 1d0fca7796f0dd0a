"""Page observers: small components that look at pages the spider reads for one family of
indicators (message boards, service guides, footers, ...) and record what they see.

The spider calls every observer named in the `GOVWATCH_OBSERVERS` setting on the home page and on
each column page. An observer may follow further pages of the same site (`page.follow`), which the
spider fetches politely, counts against the site, and hands back to the named handler. Observers
record observations (`page.observe(kind, data)`), stored in the `observations` table for the rules.
Like the rest of the crawler, they observe and never judge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from crawler.columns import parse_html
from crawler.extract import PageExtract
from crawler.items import Observed

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

    from crawler.columns import NavLink
    from crawler.spiders.site import SiteCrawl, SiteSpider

# Dotted paths of the observers a crawl runs, in order.
DEFAULT_OBSERVERS: list[str] = []


@dataclass
class PageContext:
    """One page as an observer sees it."""

    spider: SiteSpider
    state: SiteCrawl
    url: str
    role: str  # home | column | followed
    status: int | None
    text: str | None  # decoded HTML; None when the page could not be fetched or read
    extract: PageExtract | None
    column: NavLink | None = None
    category: str | None = None
    error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # what was passed to follow()
    response: Response | None = None

    @cached_property
    def doc(self):  # noqa: ANN201
        return parse_html(self.text or "")

    @property
    def reference(self):  # noqa: ANN201
        """The date year-less dates are read against (the run's monitoring time point)."""
        return self.state.reference

    def follow(self, observer: PageObserver, url: str, handler: str, **meta: Any) -> Request:
        """A request for another page of the site, answered to `observer.<handler>(page)`."""
        return self.spider.observer_request(self.state, observer, url, handler, found_on=self.url, **meta)

    def observe(self, kind: str, data: dict[str, Any], url: str | None = None) -> Observed:
        return Observed(self.state.run_id, kind, url or self.url, self.url, data)


class PageObserver:
    """Base class: override what you need. Each hook returns an iterable of requests and items."""

    name = "observer"

    def on_home(self, page: PageContext) -> Iterable[Any]:
        return ()

    def on_column(self, page: PageContext) -> Iterable[Any]:
        return ()
