"""Site crawls: the home page, its columns (two levels deep), every link they carry.

One spider carries many sites at once, each with its own state (`SiteCrawl`), so a whole province
runs in one process and a failing site never stops the others. A site is finished when its last
request has been answered; its run is then closed with a `RunFinished` item. The spider only
observes: pages, columns, list items and link results go to the storage pipeline as they are made,
so an interrupted crawl keeps what it had already seen.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.utils.misc import load_object
from twisted.python.failure import Failure

from crawler.columns import classify, discover_columns, normalize_url, parse_html, site_scope
from crawler.encoding import UndecodableError, decode_html
from crawler.extract import PageExtract, extract_page
from crawler.items import ColumnSeen, CrawlFailed, HomeSeen, LinkChecked, PageFetched, RunFinished
from crawler.linkcheck import failure_outcome, is_html, soft_404_reason, status_outcome
from crawler.observers import DEFAULT_OBSERVERS, PageContext, PageObserver

MAX_REFRESH_HOPS = 3
LINK_BODY_LIMIT = 2 * 1024 * 1024
# Error answers reach the callbacks (they are observations); redirects are still followed.
ERROR_STATUSES = list(range(400, 600))


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
    cut_short: bool = False
    finished: bool = False
    columns: set[str] = field(default_factory=set)
    link_sources: dict[str, list[str]] = field(default_factory=dict)
    link_results: dict[str, LinkResult] = field(default_factory=dict)
    reported: set[tuple[str, str]] = field(default_factory=set)

    def add_link(self, url: str, found_on: str) -> bool:
        """Record where a link was found; True if it is new and must be checked."""
        pages = self.link_sources.setdefault(url, [])
        new = not pages and url not in self.link_results
        if found_on not in pages:
            pages.append(found_on)
        return new


def _elapsed(response_or_request) -> float | None:  # noqa: ANN001
    latency = response_or_request.meta.get("download_latency")
    return round(latency * 1000, 1) if latency is not None else None


def _charset(response: Response) -> str | None:
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    if "charset=" in content_type.lower():
        return content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    return None


def _content_type(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(
        self,
        jobs: Iterable[dict[str, Any]] = (),
        max_columns: int = 200,
        max_links: int = 1500,
        max_level: int = 2,
        site_timeout: float = 900.0,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.jobs = list(jobs)
        self.max_columns = int(max_columns)
        self.max_links = int(max_links)
        self.max_level = int(max_level)
        self.site_timeout = float(site_timeout)
        self.sites: dict[int, SiteCrawl] = {}
        self.observers: dict[str, PageObserver] = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):  # noqa: ANN001, ANN206
        spider = super().from_crawler(crawler, *args, **kwargs)
        paths = crawler.settings.getlist("GOVWATCH_OBSERVERS", DEFAULT_OBSERVERS)
        for path in paths:
            observer = load_object(path)()
            spider.observers[observer.name] = observer
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

    def _request(self, state: SiteCrawl, url: str, callback, errback, *, method: str = "GET",  # noqa: ANN001
                 priority: int = 0, **meta: Any) -> scrapy.Request:
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
        try:
            yield from work
        except Exception as exc:  # noqa: BLE001 - one bad page must not hang or kill a site
            self.logger.exception("run %s: error while reading a page", state.run_id)
            state.failure = state.failure or f"internal error: {exc.__class__.__name__}: {exc}"
        state.pending -= 1
        if state.pending <= 0 and not state.finished:
            state.finished = True
            yield RunFinished(state.run_id, home_read=state.home_url is not None, cut_short=state.cut_short,
                              error=state.failure)

    def _state(self, request_or_response) -> SiteCrawl:  # noqa: ANN001
        return self.sites[request_or_response.meta["run_id"]]

    def unfinished_runs(self) -> list[SiteCrawl]:
        return [s for s in self.sites.values() if not s.finished]

    # -- the home page -----------------------------------------------------------------------

    def home_failed(self, failure: Failure):  # noqa: ANN201
        state = self._state(failure.request)
        return self._step(state, self._home_failed(state, failure))

    def _home_failed(self, state: SiteCrawl, failure: Failure) -> Iterator[Any]:
        _, error = failure_outcome(failure)
        request = failure.request
        yield PageFetched(state.run_id, request.url, None, "home", None, _elapsed(request), error=error)
        yield self._fail(state, f"home page {request.url} could not be fetched: {error}")

    def _fail(self, state: SiteCrawl, error: str) -> CrawlFailed:
        state.failure = error
        self.logger.warning("run %s: %s", state.run_id, error)
        return CrawlFailed(state.run_id, error)

    def _decode(self, state: SiteCrawl, response: Response, role: str) -> tuple[str | None, PageFetched]:
        fetched = PageFetched(
            state.run_id, response.request.url, response.url, role, response.status, _elapsed(response),
            content_type=_content_type(response), size=len(response.body),
        )
        try:
            page = decode_html(response.body, _charset(response))
        except UndecodableError as exc:
            fetched.error = f"cannot read {response.url}: {exc}"
            return None, fetched
        fetched.encoding = page.encoding
        return page.text, fetched

    def parse_home(self, response: Response):  # noqa: ANN201
        state = self._state(response)
        return self._step(state, self._parse_home(state, response))

    def _parse_home(self, state: SiteCrawl, response: Response) -> Iterator[Any]:
        content_type = _content_type(response)
        if response.status >= 400:
            yield PageFetched(state.run_id, response.request.url, response.url, "home", response.status,
                              _elapsed(response), content_type=content_type, error=f"HTTP {response.status}")
            yield self._fail(state, f"home page {response.url} answered HTTP {response.status}")
            return
        if content_type and not is_html(content_type):
            yield PageFetched(state.run_id, response.request.url, response.url, "home", response.status,
                              _elapsed(response), content_type=content_type, error="not an HTML page")
            yield self._fail(state, f"home page {response.url} is not an HTML page (Content-Type: {content_type})")
            return
        text, fetched = self._decode(state, response, "home")
        yield fetched
        if text is None:
            yield self._fail(state, f"home page: {fetched.error}")
            return
        extract = extract_page(text, response.url, state.reference)
        hops = response.meta.get("hops", 0)
        if extract.refresh_url and not extract.items and hops < MAX_REFRESH_HOPS:
            yield self._request(state, extract.refresh_url, self.parse_home, self.home_failed, hops=hops + 1)
            return
        state.home_url = response.url
        yield HomeSeen(state.run_id, response.url, extract.title, extract.meta, extract.latest_date, extract.items)
        yield from self._follow_columns(state, parse_html(text), response.url, level=1)
        yield from self._check_links(state, extract, response.url)
        page = PageContext(self, state, response.url, "home", response.status, text, extract, response=response)
        for observer in self.observers.values():
            yield from observer.on_home(page)

    # -- columns -----------------------------------------------------------------------------

    def _follow_columns(self, state: SiteCrawl, doc, page_url: str, level: int) -> Iterator[Any]:  # noqa: ANN001
        if level > self.max_level:
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

    def column_failed(self, failure: Failure):  # noqa: ANN201
        state = self._state(failure.request)
        return self._step(state, self._column_failed(state, failure))

    def _column_failed(self, state: SiteCrawl, failure: Failure) -> Iterator[Any]:
        request = failure.request
        link = request.meta["column"]
        outcome, error = failure_outcome(failure)
        category, source = classify(link.name)
        yield PageFetched(state.run_id, request.url, None, "column", None, _elapsed(request), error=error)
        yield ColumnSeen(state.run_id, link.name, link.url, None, request.meta["level"], request.meta["parent"],
                         category, source, None, None, False, None, {}, None, error=error)
        yield from self._link_result(state, link.url, LinkResult(None, outcome, error, "GET", _elapsed(request)))

    def parse_column(self, response: Response):  # noqa: ANN201
        state = self._state(response)
        return self._step(state, self._parse_column(state, response))

    def _parse_column(self, state: SiteCrawl, response: Response) -> Iterator[Any]:
        link, level, parent = response.meta["column"], response.meta["level"], response.meta["parent"]
        if response.status < 400:
            text, fetched = self._decode(state, response, "column")
        else:
            text = None
            fetched = PageFetched(state.run_id, response.request.url, response.url, "column", response.status,
                                  _elapsed(response), content_type=_content_type(response),
                                  error=f"HTTP {response.status}")
        yield fetched
        extract = extract_page(text, response.url, state.reference) if text is not None else None
        outcome, error = status_outcome(response.status), fetched.error
        if extract is not None and not extract.items and (reason := soft_404_reason(text)):
            outcome, error = "soft-404", reason
        yield from self._link_result(state, link.url,
                                     LinkResult(response.status, outcome, error, "GET", _elapsed(response)))
        meta = extract.meta if extract else {}
        category, source = classify(link.name, meta.get("ColumnType"))
        redirected_home = bool(response.meta.get("redirect_urls")) and (
            normalize_url(response.url) in {normalize_url(state.home_url or ""), normalize_url(state.site_url)}
        )
        readable = extract is not None and outcome == "ok" and not redirected_home
        if redirected_home:
            blank, blank_reason = True, "redirects to the home page"
        elif readable:
            blank, blank_reason = extract.blank, extract.blank_reason
        else:
            blank, blank_reason = False, None
        yield ColumnSeen(
            state.run_id, link.name, link.url, response.url, level, parent, category, source,
            extract.kind if readable else None,
            extract.latest_date if readable else None,
            blank, blank_reason, meta, response.status,
            error=error if outcome != "ok" else None,
            page_count=extract.page_count if readable else None,
            undated_count=getattr(extract, "undated_count", 0) if readable else 0,
            items=extract.items if readable else [],
        )
        if not readable:
            return
        yield from self._follow_columns(state, parse_html(text), response.url, level=level + 1)
        yield from self._check_links(state, extract, response.url)
        page = PageContext(self, state, response.url, "column", response.status, text, extract, column=link,
                           category=category, response=response)
        for observer in self.observers.values():
            yield from observer.on_column(page)

    # -- pages followed by observers ---------------------------------------------------------

    def observer_request(self, state: SiteCrawl, observer: PageObserver, url: str, handler: str, *,
                         found_on: str, **meta: Any) -> scrapy.Request:
        if not callable(getattr(observer, handler, None)):
            raise ValueError(f"observer {observer.name!r} has no handler {handler!r}")
        return self._request(state, url, self.parse_observed, self.observed_failed, priority=-2,
                             observer=observer.name, handler=handler, found_on=found_on, observer_meta=meta)

    def parse_observed(self, response: Response):  # noqa: ANN201
        state = self._state(response)
        return self._step(state, self._parse_observed(state, response))

    def _parse_observed(self, state: SiteCrawl, response: Response) -> Iterator[Any]:
        observer = self.observers[response.meta["observer"]]
        text, error = None, None
        if response.status >= 400:
            error = f"HTTP {response.status}"
        else:
            try:
                text = decode_html(response.body, _charset(response)).text
            except UndecodableError as exc:
                error = f"cannot read {response.url}: {exc}"
        extract = extract_page(text, response.url, state.reference) if text is not None else None
        page = PageContext(self, state, response.url, "followed", response.status, text, extract, error=error,
                           meta=response.meta["observer_meta"], response=response)
        yield from getattr(observer, response.meta["handler"])(page)

    def observed_failed(self, failure: Failure):  # noqa: ANN201
        state = self._state(failure.request)
        return self._step(state, self._observed_failed(state, failure))

    def _observed_failed(self, state: SiteCrawl, failure: Failure) -> Iterator[Any]:
        request = failure.request
        observer = self.observers[request.meta["observer"]]
        _, error = failure_outcome(failure)
        page = PageContext(self, state, request.url, "followed", None, None, None, error=error,
                           meta=request.meta["observer_meta"])
        yield from getattr(observer, request.meta["handler"])(page)

    # -- links -------------------------------------------------------------------------------

    def _check_links(self, state: SiteCrawl, extract: PageExtract, page_url: str) -> Iterator[Any]:
        for url in extract.links:
            url = url.split("#", 1)[0]
            if not url.startswith(("http://", "https://")):
                continue
            known = url in state.link_results
            new = state.add_link(url, page_url)
            if known:
                yield from self._row(state, url, page_url, state.link_results[url])
            elif new and len(state.link_sources) <= self.max_links and self._may_request(state):
                yield self._request(state, url, self.link_answered, self.link_failed, method="HEAD", priority=-1,
                                    link=url)

    def link_answered(self, response: Response):  # noqa: ANN201
        state = self._state(response)
        return self._step(state, self._link_answered(state, response))

    def _link_answered(self, state: SiteCrawl, response: Response) -> Iterator[Any]:
        url, method = response.meta["link"], response.request.method
        content_type = _content_type(response)
        if method == "HEAD" and (response.status >= 400 or is_html(content_type)):
            # HEAD refused, or an HTML page whose body may be a soft 404: ask again with GET.
            yield self._request(state, url, self.link_answered, self.link_failed, priority=-1, link=url,
                                download_maxsize=LINK_BODY_LIMIT)
            return
        outcome = status_outcome(response.status)
        error = None if outcome == "ok" else f"HTTP {response.status}"
        if outcome == "ok" and is_html(content_type):
            try:
                reason = soft_404_reason(decode_html(response.body, _charset(response)).text)
            except UndecodableError:
                reason = None
            if reason:
                outcome, error = "soft-404", reason
        yield from self._link_result(state, url, LinkResult(response.status, outcome, error, method,
                                                            _elapsed(response)))

    def link_failed(self, failure: Failure):  # noqa: ANN201
        state = self._state(failure.request)
        return self._step(state, self._link_failed(state, failure))

    def _link_failed(self, state: SiteCrawl, failure: Failure) -> Iterator[Any]:
        request = failure.request
        outcome, error = failure_outcome(failure)
        yield from self._link_result(state, request.meta["link"],
                                     LinkResult(None, outcome, error, request.method, _elapsed(request)))

    def _link_result(self, state: SiteCrawl, url: str, result: LinkResult) -> Iterator[Any]:
        state.link_results.setdefault(url, result)
        for page in state.link_sources.get(url, []):
            yield from self._row(state, url, page, state.link_results[url])

    def _row(self, state: SiteCrawl, url: str, found_on: str, result: LinkResult) -> Iterator[LinkChecked]:
        if (url, found_on) in state.reported:
            return
        state.reported.add((url, found_on))
        yield LinkChecked(state.run_id, url, found_on, result.status, result.outcome, result.error, result.method,
                          result.elapsed_ms)
