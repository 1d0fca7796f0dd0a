"""Site crawls: the home page, its columns (two levels deep), every link they carry.

One spider carries many sites at once, each with its own state (`SiteCrawl`), so a whole province
runs in one process and a failing site never stops the others. A site is finished when its last
request has been answered; its run is then closed with a `RunFinished` item. The spider only
observes: pages, columns, list items and link results go to the storage pipeline as they are made,
so an interrupted crawl keeps what it had already seen.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import scrapy
from lxml.html import HtmlElement
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure

from config import vocabulary
from crawler.bounds import THREAD_MIN_CHARS, bound_html
from crawler.columns import classify, discover_columns, normalize_url, site_scope
from crawler.encoding import UndecodableError, decode_html
from crawler.evidence import EvidenceStore
from crawler.extract import PageExtract, extract_page
from crawler.items import (
    ColumnSeen,
    CrawlFailed,
    EvidenceTaken,
    HomeSeen,
    Observed,
    PageFetched,
    PageItems,
    RunFinished,
)
from crawler.linkcheck import failure_outcome, is_html, soft_404_reason, status_outcome
from crawler.observers import DEFAULT_OBSERVERS, PageContext, PageObserver
from crawler.observers.content import CONTENT_OBSERVERS
from crawler.render import RenderedPage, blocked_reason, render_reason, snapshot
from crawler.settings import BROWSER_CONTEXT
from crawler.spiders.evidence import EvidenceCapture
from crawler.spiders.links import LinkChecks, SharedLinks
from crawler.spiders.state import LinkResult, SiteCrawl, close_page, content_type_of, elapsed_ms, header_charset

MAX_REFRESH_HOPS = 3
# Error answers reach the callbacks (they are observations); redirects are still followed.
ERROR_STATUSES = list(range(400, 600))


@dataclass(slots=True)
class PageRead:
    """A page decoded and parsed before its callback's work runs, and what had to be mended to read
    it (stray bytes replaced, NULs dropped, a huge page cut): the "reading" observation."""

    text: str | None
    fetched: PageFetched | None
    extract: PageExtract | None = None
    reason: str | None = None  # render_reason for the plain fetch
    notes: list[str] = field(default_factory=list)


def _analysed(text: str, url: str, reference: date, status: int | None) -> tuple[PageExtract, str | None]:
    extract = extract_page(text, url, reference)
    return extract, render_reason(status, text, extract)


async def _off_reactor(func: Callable[..., Any], size: int, *args: Any) -> Any:
    """Parse a big page in a thread (lxml releases the lock while it parses), so one huge page
    slows its own site only and never stalls the other sites of the batch."""
    if size < THREAD_MIN_CHARS:
        return func(*args)
    return await maybe_deferred_to_future(deferToThread(func, *args))


async def _guarded(work: Awaitable[Any]) -> Any:
    """The result, or the exception raised: the callback's `_step` raises it again against the site."""
    try:
        return await work
    except Exception as exc:
        return exc


class SiteSpider(LinkChecks, EvidenceCapture, scrapy.Spider):
    name = "site"

    def __init__(
        self,
        jobs: Iterable[dict[str, Any]] = (),
        max_columns: int = 200,
        max_links: int = 1500,
        max_level: int = 2,
        site_timeout: float = 900.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.jobs = list(jobs)
        self.max_columns = int(max_columns)
        self.max_links = int(max_links)
        self.max_level = int(max_level)
        self.site_timeout = float(site_timeout)
        self.sites: dict[int, SiteCrawl] = {}
        self.observers: dict[str, PageObserver] = {}
        self.browser = False
        self.evidence: EvidenceStore | None = None
        self.stale_days = 14
        self.retry_after_max = 30.0
        self._certificates: dict[tuple[str, int], Any] = {}
        self.shared_links = SharedLinks()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        paths = crawler.settings.getlist("GOVWATCH_OBSERVERS", DEFAULT_OBSERVERS)
        # The content checks (words, personal data, dark links): a family of their own, off with [].
        paths = [*paths, *crawler.settings.getlist("GOVWATCH_CONTENT_OBSERVERS", CONTENT_OBSERVERS)]
        for path in paths:
            observer = load_object(path)()
            spider.observers[observer.name] = observer
        spider.browser = crawler.settings.getbool("GOVWATCH_BROWSER", False)
        folder = crawler.settings.get("GOVWATCH_EVIDENCE_DIR")
        spider.evidence = EvidenceStore(folder) if folder else None
        spider.stale_days = crawler.settings.getint("GOVWATCH_EVIDENCE_STALE_DAYS", 14)
        spider.retry_after_max = crawler.settings.getfloat("GOVWATCH_RETRY_AFTER_MAX", 30.0)
        crawler.signals.connect(spider.link_headers_received, signal=signals.headers_received)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for job in self.jobs:
            yield self.start_site(job)

    def start_site(self, job: dict[str, Any]) -> scrapy.Request:
        """The first request of a site job: {"run_id", "url", "reference_date"}."""
        state = SiteCrawl(
            run_id=int(job["run_id"]),
            site_url=job["url"],
            reference=date.fromisoformat(job["reference_date"]),
            scope=site_scope(job["url"]),
            deadline=time.monotonic() + self.site_timeout,
        )
        self.sites[state.run_id] = state
        return self._request(state, job["url"], self.parse_home, self.home_failed, hops=0)

    # -- bookkeeping -------------------------------------------------------------------------

    def _request(self, state: SiteCrawl, url: str, callback: Callable[..., Any], errback: Callable[..., Any], *,
                 method: str = "GET", priority: int = 0, **meta: Any) -> scrapy.Request:
        state.pending += 1
        return scrapy.Request(url, method=method, callback=callback, errback=errback, dont_filter=True,
                              priority=priority,
                              meta={"handle_httpstatus_list": ERROR_STATUSES, "run_id": state.run_id, **meta})

    def _may_request(self, state: SiteCrawl) -> bool:
        if time.monotonic() > state.deadline:
            state.cut_short = True
            return False
        return True

    def _step(self, state: SiteCrawl, work: Iterator[Any]) -> Iterator[Any]:
        """Run one callback's work; whatever it raises is logged against the site, and the site is
        closed once its last outstanding request is answered."""
        observed: list[Any] = []
        try:
            for output in work:
                if isinstance(output, Request):
                    yield output
                elif output is not None:
                    observed.append(output)
        except Exception as exc:
            self.logger.exception("run %s: error while reading a page", state.run_id)
            state.failure = state.failure or f"internal error: {exc.__class__.__name__}: {exc}"
        observed.extend(self._settle(state))
        if observed:
            # One item per callback: the page's fetch, column, list, link results and records together.
            yield PageItems(observed)

    def _settle(self, state: SiteCrawl) -> list[RunFinished]:
        """One outstanding answer of the site is in; the site's run ends with its last one."""
        state.pending -= 1
        if getattr(self.crawler, "crawling", True) and state.pending <= 0 and not state.finished:
            # (while shutting down, requests cancelled did not finish the site: it is closed apart)
            state.finished = True
            self.sites.pop(state.run_id, None)  # nothing is outstanding: a long crawl keeps no dead state
            return [RunFinished(state.run_id, home_read=state.home_url is not None, cut_short=state.cut_short,
                                error=state.failure)]
        return []

    def _state(self, request_or_response: Request | Response) -> SiteCrawl:
        return self.sites[request_or_response.meta["run_id"]]

    def unfinished_runs(self) -> list[SiteCrawl]:
        return [s for s in self.sites.values() if not s.finished]

    def _browser_request(self, state: SiteCrawl, url: str, callback: Callable[..., Any], errback: Callable[..., Any],
                         *, priority: int = -1, **meta: Any) -> scrapy.Request:
        """The same page again, through Chromium (one browser per crawl, pages closed after use)."""
        return self._request(state, url, callback, errback, priority=priority, playwright=True,
                             playwright_include_page=True, playwright_context="govwatch",
                             playwright_context_kwargs=BROWSER_CONTEXT, **meta)

    # -- the home page -----------------------------------------------------------------------

    def home_failed(self, failure: Failure) -> Any:
        state = self._state(failure.request)
        return self._step(state, self._home_failed(state, failure))

    def _home_failed(self, state: SiteCrawl, failure: Failure) -> Iterator[Any]:
        _, error = failure_outcome(failure)
        request = failure.request
        yield PageFetched(state.run_id, request.url, None, "home", None, elapsed_ms(request), error=error)
        yield self._fail(state, vocabulary.reason("home_unreachable", url=request.url, error=error))

    def _fail(self, state: SiteCrawl, error: str) -> CrawlFailed:
        state.failure = error
        self.logger.warning("run %s: %s", state.run_id, error)
        return CrawlFailed(state.run_id, error)

    def _decode(self, state: SiteCrawl, response: Response, role: str) -> PageRead:
        fetched = PageFetched(
            state.run_id, response.request.url, response.url, role, response.status, elapsed_ms(response),
            content_type=content_type_of(response), size=len(response.body),
        )
        try:
            page = decode_html(response.body, header_charset(response))
        except UndecodableError as exc:
            fetched.error = vocabulary.reason("page_unreadable", url=response.url, error=exc)
            return PageRead(None, fetched)
        fetched.encoding = page.encoding
        text, cut = bound_html(page.text)
        return PageRead(text, fetched, notes=[*page.repairs, *([cut] if cut else [])])

    async def _read(self, state: SiteCrawl, read: PageRead, url: str, status: int | None) -> PageRead:
        if read.text is not None:
            read.extract, read.reason = await _off_reactor(_analysed, len(read.text), read.text, url,
                                                           state.reference, status)
        return read

    def _reading(self, state: SiteCrawl, url: str, role: str, notes: list[str]) -> Iterator[Observed]:
        """What was mended or cut to read the page, for the evidence ("3 个字节无法按 GBK 解码，已替换")."""
        if notes:
            yield Observed(state.run_id, "reading", url, None, {"role": role, "notes": notes})

    async def parse_home(self, response: Response) -> AsyncIterator[Any]:
        state = self._state(response)
        read = await _guarded(self._read_home(state, response))
        for item in self._step(state, self._parse_home(state, response, read)):
            yield item

    async def _read_home(self, state: SiteCrawl, response: Response) -> PageRead | None:
        content_type = content_type_of(response)
        if response.status >= 400 or (content_type and not is_html(content_type)):
            return None
        return await self._read(state, self._decode(state, response, "home"), response.url, response.status)

    def _parse_home(self, state: SiteCrawl, response: Response, read: PageRead | Exception | None) -> Iterator[Any]:
        if isinstance(read, Exception):
            raise read
        content_type = content_type_of(response)
        if response.status >= 400:
            body = response.text if isinstance(response, scrapy.http.TextResponse) else ""
            if self.browser and blocked_reason(response.status, body):
                # A challenge or WAF page in front of the home page: only a browser can tell.
                yield self._browser_request(state, response.url, self.parse_home_rendered, self.home_failed,
                                            needs_items=True, render_reason="challenge page")
                return
            yield PageFetched(state.run_id, response.request.url, response.url, "home", response.status,
                              elapsed_ms(response), content_type=content_type, error=f"HTTP {response.status}")
            yield self._fail(state, vocabulary.reason("home_status", url=response.url, status=response.status))
            return
        if content_type and not is_html(content_type):
            yield PageFetched(state.run_id, response.request.url, response.url, "home", response.status,
                              elapsed_ms(response), content_type=content_type, error="not an HTML page")
            yield self._fail(state, vocabulary.reason("home_not_html", url=response.url, content_type=content_type))
            return
        if read is None:  # not reached: errors and non-HTML answers were handled above
            return
        text, fetched, extract = read.text, read.fetched, read.extract
        yield fetched
        if text is None or extract is None:
            yield self._fail(state, vocabulary.reason("home_unreadable", error=fetched.error))
            return
        yield from self._reading(state, response.url, "home", read.notes)
        hops = response.meta.get("hops", 0)
        # a refresh, or a gateway (entry page: section and mirror links only): the site is the page it leads to
        onward = extract.refresh_url or (extract.entry_url if extract.page_kind == "gateway" else None)
        if onward and not extract.items and hops < MAX_REFRESH_HOPS:
            yield self._request(state, onward, self.parse_home, self.home_failed, hops=hops + 1)
            return
        yield from self._html_evidence(state, response.url, response.body, response.status, elapsed_ms(response),
                                       "home")
        if response.url.startswith("https://"):
            yield from self._certificate_observation(state, response.url)
        reason = read.reason
        if self.browser:
            # The home page is always seen in the browser too: its screenshot and layout are evidence.
            state.captured.add(response.url)
            yield self._browser_request(state, response.url, self.parse_home_rendered, self.home_render_failed,
                                        needs_items=reason is not None, render_reason=reason)
            if reason is not None:
                return
        yield from self._home_read(state, response.url, text, extract, response)

    def _home_read(self, state: SiteCrawl, url: str, text: str, extract: PageExtract, response: Response | None,
                   render: str | None = None) -> Iterator[Any]:
        state.home_url = url
        yield Observed(state.run_id, "render", url, None, {"role": "home", "rendered": render is not None,
                                                             "reason": render})
        yield HomeSeen(state.run_id, url, extract.title, extract.meta, extract.latest_date, extract.items)
        yield from self._follow_columns(state, extract.root, url, level=1)
        yield from self._check_links(state, extract, url)
        page = PageContext(self, state, url, "home", response.status if response else 200, text, extract,
                           response=response)
        for observer in self.observers.values():
            yield from observer.on_home(page)

    async def parse_home_rendered(self, response: Response) -> AsyncIterator[Any]:
        state = self._state(response)
        needs_items = response.meta.get("needs_items", False)
        # A server-rendered home page is seen in the browser for its first screen (layout, evidence) only.
        rendered = await snapshot(response.meta["playwright_page"], screenshot=True, layout=True, idle=needs_items,
                                  first_screen=not needs_items, crop_words=self._crop_words(state, response, "home"))
        needs_items = needs_items and not rendered.error
        extract = await _guarded(self._rendered_extract(state, rendered)) if needs_items else None
        for item in self._step(state, self._home_rendered(state, response, rendered, extract)):
            yield item

    def _home_rendered(self, state: SiteCrawl, response: Response, rendered: RenderedPage,
                       extract: PageExtract | Exception | None) -> Iterator[Any]:
        if isinstance(extract, Exception):
            raise extract
        needs_items = response.meta.get("needs_items", False)
        if rendered.error:
            if needs_items:
                yield self._fail(state, vocabulary.reason("home_not_rendered", url=response.url, error=rendered.error))
            return
        yield from self._screenshot_evidence(state, rendered.url, rendered.screenshot, response.status, "home")
        if rendered.layout is not None:
            yield Observed(state.run_id, "layout", rendered.url, None, rendered.layout)
        if not needs_items or extract is None:
            yield from self._rendered_observed(state, response, rendered)
            return
        if blocked_reason(response.status, rendered.html) and render_reason(response.status, rendered.html, extract):
            yield self._fail(state, vocabulary.reason("home_challenge", url=response.url))
            return
        yield PageFetched(state.run_id, response.request.url, rendered.url, "home", 200, elapsed_ms(response),
                          content_type="text/html", encoding="utf-8", size=len(rendered.html))
        yield from self._html_evidence(state, rendered.url, rendered.html.encode(), 200, elapsed_ms(response), "home",
                                       rendered=True)
        yield from self._reading(state, rendered.url, "home", [extract.cut] if extract.cut else [])
        yield from self._home_read(state, rendered.url, rendered.html, extract, None,
                                   render=response.meta.get("render_reason"))
        yield from self._rendered_observed(state, response, rendered)

    def _crop_evidence(self, state: SiteCrawl, rendered: RenderedPage, status: int | None) -> Iterator[Any]:
        if self.evidence is not None:
            for word, png in rendered.crops:
                yield EvidenceTaken(state.run_id, rendered.url, "crop", word[:100], png, ".png", False, status, None,
                                    True)

    def _rendered_observed(self, state: SiteCrawl, response: Response, rendered: RenderedPage) -> Iterator[Any]:
        """The observers' look at the rendered home page, after their look at its HTML (on_home), and the
        crops of the words they asked to see."""
        yield from self._crop_evidence(state, rendered, response.status)
        if rendered.hidden_links is None:
            return
        page = PageContext(self, state, rendered.url, "home", response.status, None, None, response=response)
        for observer in self.observers.values():
            yield from observer.on_rendered(page, rendered)

    async def home_render_failed(self, failure: Failure) -> AsyncIterator[Any]:
        """The evidence render of a home page already read failed: the inspection goes on."""
        state = self._state(failure.request)
        await close_page(failure)
        _, error = failure_outcome(failure)
        self.logger.warning("run %s: home page screenshot failed: %s", state.run_id, error)
        for item in self._step(state, iter(())):
            yield item

    async def _rendered_extract(self, state: SiteCrawl, rendered: RenderedPage) -> PageExtract:
        """The rendered page with the lists of its frames: what the inspector sees on screen."""
        extract = await _off_reactor(extract_page, len(rendered.html), rendered.html, rendered.url, state.reference)
        for frame_url, frame_html in rendered.frames:
            framed = await _off_reactor(extract_page, len(frame_html), frame_html, frame_url, state.reference)
            offset = len(extract.items)
            for n, entry in enumerate(framed.items):
                entry.position = offset + n
                extract.items.append(entry)
            extract.links.extend(u for u in framed.links if u not in extract.links)
            extract.images.extend(u for u in framed.images if u not in extract.images)
        if extract.items:
            dates = [e.date for e in extract.items if e.date]
            extract.latest_date = max(dates) if dates else extract.latest_date
            if extract.kind != "list" and len(extract.items) >= 1:
                extract.kind = "list"
            extract.blank, extract.blank_reason = False, None
        return extract

    # -- columns -----------------------------------------------------------------------------

    def _follow_columns(self, state: SiteCrawl, doc: HtmlElement, page_url: str, level: int) -> Iterator[Any]:
        if level > self.max_level or doc is None:
            return
        home = normalize_url(state.home_url or state.site_url)
        for link in discover_columns(doc, page_url, state.scope):
            if link.key in state.columns or link.key == home or len(state.columns) >= self.max_columns:
                continue
            if not self._may_request(state):
                return
            state.columns.add(link.key)
            state.add_link(link.url, page_url)
            yield self._request(state, link.url, self.parse_column, self.column_failed, priority=10 - level,
                                column=link, level=level, parent=page_url)

    def column_failed(self, failure: Failure) -> Any:
        state = self._state(failure.request)
        return self._step(state, self._column_failed(state, failure))

    def _column_failed(self, state: SiteCrawl, failure: Failure) -> Iterator[Any]:
        request = failure.request
        link = request.meta["column"]
        outcome, error = failure_outcome(failure)
        category, source = classify(link.name)
        yield PageFetched(state.run_id, request.url, None, "column", None, elapsed_ms(request), error=error)
        yield ColumnSeen(state.run_id, link.name, link.url, None, request.meta["level"], request.meta["parent"],
                         category, source, None, None, False, None, {}, None, error=error)
        yield from self._link_result(state, link.url, LinkResult(None, outcome, error, "GET", elapsed_ms(request)))

    async def parse_column(self, response: Response) -> AsyncIterator[Any]:
        state = self._state(response)
        read = await _guarded(self._read_column(state, response))
        for item in self._step(state, self._parse_column(state, response, read)):
            yield item

    async def _read_column(self, state: SiteCrawl, response: Response) -> PageRead:
        if response.status < 400:
            read = self._decode(state, response, "column")
        else:
            fetched = PageFetched(state.run_id, response.request.url, response.url, "column", response.status,
                                  elapsed_ms(response), content_type=content_type_of(response),
                                  error=f"HTTP {response.status}")
            read = PageRead(None, fetched)
            if isinstance(response, scrapy.http.TextResponse) and blocked_reason(response.status, response.text):
                read.text = bound_html(response.text)[0]
        return await self._read(state, read, response.url, response.status)

    def _parse_column(self, state: SiteCrawl, response: Response, read: PageRead | Exception) -> Iterator[Any]:
        if isinstance(read, Exception):
            raise read
        text, fetched, extract, reason = read.text, read.fetched, read.extract, read.reason
        yield fetched
        yield from self._reading(state, response.meta["column"].url, "column", read.notes)
        if reason and self.browser and not self._redirected_home(state, response):
            yield self._browser_request(state, response.url, self.parse_column_rendered, self.column_render_failed,
                                        column=response.meta["column"], level=response.meta["level"],
                                        parent=response.meta["parent"], render_reason=reason,
                                        static_status=response.status)
            return
        if response.status >= 400:
            text, extract = None, None
        yield from self._html_evidence(state, response.meta["column"].url, response.body, response.status,
                                       elapsed_ms(response), "column")
        render = None if reason is None else f"needed ({reason}) but no browser is configured"
        error = fetched.error
        if reason is not None and extract is not None and extract.blank:
            # Empty where a browser would show what the page's script lists: unread, never "blank".
            error, extract = f"页面需用浏览器查看（{reason}），未配置浏览器，未能读取", None
        yield from self._column_read(state, response, response.url, response.status, text, extract, error,
                                     rendered=False, render_note=render)

    def _redirected_home(self, state: SiteCrawl, response: Response) -> bool:
        return bool(response.meta.get("redirect_urls")) and (
            normalize_url(response.url) in {normalize_url(state.home_url or ""), normalize_url(state.site_url)}
        )

    def _column_read(self, state: SiteCrawl, response: Response, url: str, status: int | None, text: str | None,
                     extract: PageExtract | None, error: str | None, *, rendered: bool,
                     render_note: str | None) -> Iterator[Any]:
        link, level, parent = response.meta["column"], response.meta["level"], response.meta["parent"]
        outcome = status_outcome(status) if status else "broken"
        if extract is not None and not extract.items and (reason := soft_404_reason(text)):
            outcome, error = "soft-404", reason
        yield from self._link_result(state, link.url, LinkResult(status, outcome, error, "GET", elapsed_ms(response)))
        meta = extract.meta if extract else {}
        category, source = classify(link.name, meta.get("ColumnType"))
        redirected_home = self._redirected_home(state, response)
        readable = extract is not None and outcome == "ok" and not redirected_home
        if redirected_home:
            blank, blank_reason = True, "redirects to the home page"
        elif readable:
            blank, blank_reason = extract.blank, extract.blank_reason
        else:
            blank, blank_reason = False, None
        latest = extract.latest_date if readable else None
        yield Observed(state.run_id, "render", link.url, parent,
                       {"role": "column", "rendered": rendered, "reason": render_note})
        yield ColumnSeen(
            state.run_id, link.name, link.url, url, level, parent, category, source,
            extract.kind if readable else None, latest, blank, blank_reason, meta, status,
            # a page that answered but could not be read (undecodable, not rendered) is unread, not empty
            error=error if outcome != "ok" or extract is None else None,
            page_count=extract.page_count if readable else None,
            undated_count=extract.undated_count if readable else 0,
            items=extract.items if readable else [],
        )
        stale = latest is not None and (state.reference - latest).days > self.stale_days
        if blank or stale or (readable and latest is None and extract.kind == "list"):
            # Keyed by the column's own URL, even where it redirects (the screenshot shows where it lands).
            yield from self._capture(state, link.url, "blank" if blank else "stale")
        if not readable:
            return
        yield from self._follow_columns(state, extract.root, url, level=level + 1)
        yield from self._check_links(state, extract, url)
        page = PageContext(self, state, url, "column", status, text, extract, column=link,
                           category=category, response=response)
        for observer in self.observers.values():
            yield from observer.on_column(page)

    async def parse_column_rendered(self, response: Response) -> AsyncIterator[Any]:
        state = self._state(response)
        rendered = await snapshot(response.meta["playwright_page"], screenshot=self.evidence is not None,
                                  layout=False, crop_words=self._crop_words(state, response, "column"))
        extract = None if rendered.error else await _guarded(self._rendered_extract(state, rendered))
        for item in self._step(state, self._column_rendered(state, response, rendered, extract)):
            yield item

    def _crop_words(self, state: SiteCrawl, response: Response, role: str) -> Callable[[str], list[str]] | None:
        """What the observers want cropped from a rendered page (the words of its content hits)."""
        if self.evidence is None:
            return None
        page = PageContext(self, state, response.url, role, response.status, None, None, response=response)

        def words(html: str) -> list[str]:
            return [w for observer in self.observers.values() for w in observer.crop_words(page, html)]

        return words

    def _column_rendered(self, state: SiteCrawl, response: Response, rendered: RenderedPage,
                         extract: PageExtract | Exception | None) -> Iterator[Any]:
        if isinstance(extract, Exception):
            raise extract
        reason = response.meta["render_reason"]
        if rendered.error or extract is None:
            yield from self._column_read(state, response, response.url, response.meta["static_status"], None, None,
                                         rendered.error, rendered=True, render_note=f"{reason}; {rendered.error}")
            return
        status = response.status
        if status >= 400 and not blocked_reason(status, rendered.html) and not render_reason(None, rendered.html,
                                                                                           extract):
            status = 200  # the challenge was passed: the browser now shows the real page
        elif status >= 400 and extract.items:
            status = 200
        yield PageFetched(state.run_id, response.request.url, rendered.url, "column-rendered", status,
                          elapsed_ms(response), content_type="text/html", encoding="utf-8", size=len(rendered.html))
        column_url = response.meta["column"].url
        yield from self._html_evidence(state, column_url, rendered.html.encode(), status, elapsed_ms(response),
                                       "column", rendered=True)
        yield from self._screenshot_evidence(state, column_url, rendered.screenshot, status, "rendered")
        yield from self._crop_evidence(state, rendered, status)
        yield from self._reading(state, column_url, "column", [extract.cut] if extract.cut else [])
        error = None if status < 400 else f"HTTP {status} even in the browser"
        yield from self._column_read(state, response, rendered.url, status, rendered.html if status < 400 else None,
                                     extract if status < 400 else None, error, rendered=True, render_note=reason)

    async def column_render_failed(self, failure: Failure) -> AsyncIterator[Any]:
        state = self._state(failure.request)
        await close_page(failure)
        for item in self._step(state, self._column_failed(state, failure)):
            yield item

    # -- work for observers ------------------------------------------------------------------

    def thread_call(self, state: SiteCrawl, func: Callable[..., Any], args: tuple[Any, ...],
                    answer: Callable[[Any, str | None], Iterable[Any]], **meta: Any) -> scrapy.Request:
        """Run a blocking call (a DNS lookup, a raw socket) in a thread, counted against the site like a
        page, so the site is not closed before the answer is in; `answer(result, error)` gets what it
        returned (or raised). A data: URL costs no network: it only carries the work through the crawl."""

        async def answered(response: Response) -> AsyncIterator[Any]:
            try:
                result = await maybe_deferred_to_future(deferToThread(func, *args))
            except Exception as exc:
                result = exc
            for item in self._step(state, iter(answer(result, None))):
                yield item

        def failed(failure: Failure) -> Any:
            return self._step(state, iter(answer(failure.value, str(failure.value))))

        return self._request(state, "data:,", answered, failed, priority=-2, **meta)

    # -- pages followed by observers ---------------------------------------------------------

    def observer_request(self, state: SiteCrawl, observer: PageObserver, url: str, handler: str, *,
                         found_on: str, headers: dict[str, str] | None = None, **meta: Any) -> scrapy.Request | None:
        """The page for `observer.<handler>`; None when the page's link check is fetching it right now:
        the observer then reads that answer (one GET of an article, not one to check it and one to read it)."""
        if not callable(getattr(observer, handler, None)):
            raise ValueError(f"observer {observer.name!r} has no handler {handler!r}")
        if headers is None and not meta.get("raw") and url in state.link_gets and url not in state.link_results:
            state.awaiting.setdefault(url, []).append((observer.name, handler, found_on, meta))
            return None
        request = self._observer_fetch(state, url, observer.name, handler, found_on, meta)
        return request.replace(headers=headers) if headers else request

    def _observer_fetch(self, state: SiteCrawl, url: str, name: str, handler: str, found_on: str,
                        meta: dict[str, Any]) -> scrapy.Request:
        return self._request(state, url, self.parse_observed, self.observed_failed, priority=-2, observer=name,
                             handler=handler, found_on=found_on, observer_meta=meta)

    def _observers_instead(self, state: SiteCrawl, url: str) -> Iterator[scrapy.Request]:
        """The link check did not bring a page to read (it failed, was refused, was not HTML): the
        observers that waited for it get their own requests, as if they had never waited."""
        for name, handler, found_on, meta in state.awaiting.pop(url, ()):
            if self._may_request(state):
                yield self._observer_fetch(state, url, name, handler, found_on, meta)

    async def _observers_read(self, state: SiteCrawl, response: Response) -> list[Any]:
        """The observers that waited for this link check's answer read it, this site's and those of the
        sites waiting for the same shared check: a list of (site, waiter, read), the page read once."""
        url = response.meta["link"]
        sites = [state, *(s for s in self.shared_links.waiting.get(url, ()) if s is not state)]
        waiting = [(site, waiter) for site in sites for waiter in site.awaiting.pop(url, ())]
        if not waiting:
            return []
        read = await _guarded(self._read_observed(state, response, raw=False))
        return [(site, waiter, read) for site, waiter in waiting]

    async def parse_observed(self, response: Response) -> AsyncIterator[Any]:
        state = self._state(response)
        read = await _guarded(self._read_observed(state, response, raw=response.meta["observer_meta"].get("raw")))
        for item in self._step(state, self._parse_observed(state, response, read)):
            yield item

    async def _read_observed(self, state: SiteCrawl, response: Response, *,
                             raw: bool) -> tuple[str | None, PageExtract | None, str | None]:
        if response.status >= 400:
            return None, None, f"HTTP {response.status}"
        if raw:
            return None, None, None  # a file the observer reads itself (an attachment): not parsed as HTML
        try:
            text = bound_html(decode_html(response.body, header_charset(response)).text)[0]
        except UndecodableError as exc:
            return None, None, vocabulary.reason("page_unreadable", url=response.url, error=exc)
        extract = await _off_reactor(extract_page, len(text), text, response.url, state.reference)
        return text, extract, None

    def _parse_observed(self, state: SiteCrawl, response: Response,
                        read: tuple[str | None, PageExtract | None, str | None] | Exception) -> Iterator[Any]:
        meta = response.meta
        yield from self._answer_observer(state, meta["observer"], meta["handler"], meta["observer_meta"], response,
                                         read)

    def _answer_observer(self, state: SiteCrawl, name: str, handler: str, meta: dict[str, Any], response: Response,
                         read: tuple[str | None, PageExtract | None, str | None] | Exception) -> Iterator[Any]:
        if isinstance(read, Exception):
            raise read
        text, extract, error = read
        page = PageContext(self, state, response.url, "followed", response.status, text, extract, error=error,
                           meta=meta, response=response)
        yield from getattr(self.observers[name], handler)(page)

    def observed_failed(self, failure: Failure) -> Any:
        state = self._state(failure.request)
        return self._step(state, self._observed_failed(state, failure))

    def _observed_failed(self, state: SiteCrawl, failure: Failure) -> Iterator[Any]:
        request = failure.request
        observer = self.observers[request.meta["observer"]]
        _, error = failure_outcome(failure)
        page = PageContext(self, state, request.url, "followed", None, None, None, error=error,
                           meta=request.meta["observer_meta"])
        yield from getattr(observer, request.meta["handler"])(page)
