"""Page observers: small components that look at pages the spider reads for one family of
indicators (message boards, service guides, footers, ...) and record what they see.

The spider calls every observer named in the `GOVWATCH_OBSERVERS` setting on the home page and on
each column page. An observer may follow further pages of the same site (`page.follow`), which the
spider fetches politely, counts against the site, and hands back to the named handler. Observers
record observations (`page.observe(kind, data)`), stored in the `observations` table for the rules.
Like the rest of the crawler, they observe and never judge.

The observers govwatch runs (`DEFAULT_OBSERVERS`), and the kinds of record they write (the rules
read them by kind, rules/checks):

- interaction (互动交流): "channel" (a link to a consultation, 信访, 纪检, 征集 ... channel, with its
  types), "message_board", "board_page", "message" (one public letter: asked, replied, status) and
  "survey_column";
- services (办事服务): "service_entry", "portal_link" (a link to a 政务服务 platform and where it
  led), "service_guide" (the ten key elements present and missing), "form", "service_stats";
- publishing (发布解读, 功能设计): "policy_doc" (a policy document, its 解读 and the link back),
  "search", "footer", "domain", "ipv6", "error_report".

Each also writes one "observer" record {"name": ...} per site, so the rules can tell "found
nothing" from "did not look" (an older crawl). Keyword tables are data: crawler/data/*.yaml.
Observers follow extra pages only as far as their `limits` say, so a crawl stays quick.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

import lxml.html

from crawler.columns import parse_html
from crawler.extract import PageExtract
from crawler.items import Observed

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

    from crawler.columns import NavLink
    from crawler.render import RenderedPage
    from crawler.spiders.site import SiteSpider
    from crawler.spiders.state import SiteCrawl

# Dotted paths of the observers a crawl runs, in order.
DEFAULT_OBSERVERS: list[str] = [
    "crawler.observers.interaction.InteractionObserver",
    "crawler.observers.services.ServicesObserver",
    "crawler.observers.publishing.PublishingObserver",
]


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
    def doc(self) -> lxml.html.HtmlElement:
        if self.extract is not None and self.extract.root is not None:
            return self.extract.root
        return parse_html(self.text or "")

    @property
    def reference(self) -> date:
        """The date year-less dates are read against (the run's monitoring time point)."""
        return self.state.reference

    def follow(self, observer: PageObserver, url: str, handler: str, *, headers: dict[str, str] | None = None,
               **meta: Any) -> Request | None:
        """A request for another page of the site, answered to `observer.<handler>(page)`; None when the
        crawl is fetching that page anyway (its link check): the handler is answered from that fetch.
        `headers` (another User-Agent, say) always make a fetch of its own."""
        return self.spider.observer_request(self.state, observer, url, handler, found_on=self.url, headers=headers,
                                            **meta)

    def observe(self, kind: str, data: dict[str, Any], url: str | None = None) -> Observed:
        return Observed(self.state.run_id, kind, url or self.url, self.url, data)

    def may_follow(self) -> bool:
        """Whether the site's time limit still allows another request."""
        return time.monotonic() <= self.state.deadline

    def in_thread(self, observer: PageObserver, handler: str, func: Callable[..., Any], *args: Any,
                  **meta: Any) -> Request:
        """A blocking call (a DNS lookup, a raw socket) run in a thread so the crawl never waits on
        it, counted against the site like a followed page. Its result, or the exception it raised,
        goes to `observer.<handler>(page, result)` (`page.meta` is `meta`)."""
        if not callable(getattr(observer, handler, None)):
            raise ValueError(f"observer {observer.name!r} has no handler {handler!r}")
        spider, state, url = self.spider, self.state, self.url

        def answer(result: Any, error: str | None) -> Iterable[Any]:
            page = PageContext(spider, state, url, "followed", None, None, None, error=error, meta=meta)
            return getattr(observer, handler)(page, result)

        return spider.thread_call(state, func, args, answer, observer=observer.name)


class PageObserver:
    """Base class: override what you need. Each hook returns an iterable of requests and items."""

    name = "observer"

    def on_home(self, page: PageContext) -> Iterable[Any]:
        return ()

    def on_column(self, page: PageContext) -> Iterable[Any]:
        return ()

    def crop_words(self, page: PageContext, html: str) -> list[str]:
        """Words to crop a screenshot around on a page Chromium shows (`page.role` home or column, `html`
        what it shows): the evidence of a hit where the page was rendered."""
        return []

    def on_rendered(self, page: PageContext, rendered: RenderedPage) -> Iterable[Any]:
        """The home page as Chromium showed it (`rendered.hidden_links`, its layout); browser crawls only."""
        return ()
