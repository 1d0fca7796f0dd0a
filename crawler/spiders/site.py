"""One site, one crawl: the home page, its columns (two levels deep), every link they carry.

The spider only observes. It hands pages, columns, list items and link results to the storage
pipeline as it goes, so an interrupted crawl keeps what it had already seen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.columns import classify, discover_columns, normalize_url, parse_html, site_scope
from crawler.encoding import UndecodableError, decode_html
from crawler.extract import PageExtract, extract_page
from crawler.items import ColumnSeen, CrawlFailed, HomeSeen, LinkChecked, PageFetched
from crawler.linkcheck import failure_outcome, is_html, soft_404_reason, status_outcome

MAX_REFRESH_HOPS = 3
LINK_BODY_LIMIT = 2 * 1024 * 1024


@dataclass(slots=True)
class LinkResult:
    status: int | None
    outcome: str
    error: str | None
    method: str | None
    elapsed_ms: float | None


@dataclass(slots=True)
class LinkBook:
    """Each link is checked once per crawl but reported on every page that carries it."""

    sources: dict[str, list[str]] = field(default_factory=dict)
    results: dict[str, LinkResult] = field(default_factory=dict)
    reported: set[tuple[str, str]] = field(default_factory=set)

    def add(self, url: str, found_on: str) -> bool:
        """Record a source; True if the link is new and must be checked."""
        pages = self.sources.setdefault(url, [])
        new = not pages and url not in self.results
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
        run_id: int,
        site_url: str,
        reference_date: str,
        max_columns: int = 200,
        max_links: int = 1500,
        max_level: int = 2,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.run_id = int(run_id)
        self.site_url = site_url
        self.reference = date.fromisoformat(reference_date)
        self.max_columns = int(max_columns)
        self.max_links = int(max_links)
        self.max_level = int(max_level)
        self.scope = site_scope(site_url)
        self.home_url: str | None = None
        self.columns: set[str] = set()
        self.links = LinkBook()
        self.failure: str | None = None

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self._home_request(self.site_url, hops=0)

    def _home_request(self, url: str, hops: int) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_home,
            errback=self.home_failed,
            dont_filter=True,
            meta={"handle_httpstatus_all": True, "hops": hops},
        )

    # -- the home page -----------------------------------------------------------------------

    def home_failed(self, failure: Failure):  # noqa: ANN201
        _, error = failure_outcome(failure)
        request = failure.request
        yield PageFetched(self.run_id, request.url, None, "home", None, _elapsed(request), error=error)
        yield self._fail(f"home page {request.url} could not be fetched: {error}")

    def _fail(self, error: str) -> CrawlFailed:
        self.failure = error
        self.logger.warning(error)
        return CrawlFailed(self.run_id, error)

    def _decode(self, response: Response, role: str) -> tuple[str | None, PageFetched]:
        fetched = PageFetched(
            self.run_id, response.request.url, response.url, role, response.status, _elapsed(response),
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
        if response.status >= 400:
            yield PageFetched(self.run_id, response.request.url, response.url, "home", response.status,
                              _elapsed(response), content_type=_content_type(response), error=f"HTTP {response.status}")
            yield self._fail(f"home page {response.url} answered HTTP {response.status}")
            return
        content_type = _content_type(response)
        if content_type and not is_html(content_type):
            yield PageFetched(self.run_id, response.request.url, response.url, "home", response.status,
                              _elapsed(response), content_type=content_type, error="not an HTML page")
            yield self._fail(f"home page {response.url} is not an HTML page (Content-Type: {content_type})")
            return
        text, fetched = self._decode(response, "home")
        yield fetched
        if text is None:
            yield self._fail(f"home page: {fetched.error}")
            return
        extract = extract_page(text, response.url, self.reference)
        hops = response.meta.get("hops", 0)
        if extract.refresh_url and not extract.items and hops < MAX_REFRESH_HOPS:
            yield self._home_request(extract.refresh_url, hops + 1)
            return
        self.home_url = response.url
        yield HomeSeen(self.run_id, response.url, extract.title, extract.meta, extract.latest_date, extract.items)
        doc = parse_html(text)
        yield from self._follow_columns(doc, response.url, level=1)
        yield from self._check_links(extract, response.url)

    # -- columns -----------------------------------------------------------------------------

    def _follow_columns(self, doc, page_url: str, level: int):  # noqa: ANN001, ANN202
        if level > self.max_level:
            return
        home = normalize_url(self.home_url or self.site_url)
        for link in discover_columns(doc, page_url, self.scope):
            if link.url in self.columns or link.url == home or len(self.columns) >= self.max_columns:
                continue
            self.columns.add(link.url)
            self.links.add(link.url, page_url)
            yield scrapy.Request(
                link.url,
                callback=self.parse_column,
                errback=self.column_failed,
                meta={"handle_httpstatus_all": True, "column": link, "level": level, "parent": page_url},
                priority=10 - level,
            )

    def column_failed(self, failure: Failure):  # noqa: ANN201
        request = failure.request
        link, outcome_error = request.meta["column"], failure_outcome(failure)
        outcome, error = outcome_error
        category, source = classify(link.name)
        yield PageFetched(self.run_id, request.url, None, "column", None, _elapsed(request), error=error)
        yield ColumnSeen(self.run_id, link.name, link.url, None, request.meta["level"], request.meta["parent"],
                         category, source, None, None, False, None, {}, None, error=error)
        yield from self._link_result(link.url, LinkResult(None, outcome, error, "GET", _elapsed(request)))

    def parse_column(self, response: Response):  # noqa: ANN201
        link, level, parent = response.meta["column"], response.meta["level"], response.meta["parent"]
        text, fetched = (None, None)
        if response.status < 400:
            text, fetched = self._decode(response, "column")
        else:
            fetched = PageFetched(self.run_id, response.request.url, response.url, "column", response.status,
                                  _elapsed(response), content_type=_content_type(response),
                                  error=f"HTTP {response.status}")
        yield fetched
        extract = extract_page(text, response.url, self.reference) if text is not None else None
        outcome = status_outcome(response.status)
        error = fetched.error
        if extract is not None and (reason := soft_404_reason(text)) and not extract.items:
            outcome, error = "soft-404", reason
        yield from self._link_result(link.url, LinkResult(response.status, outcome, error, "GET", _elapsed(response)))
        meta = extract.meta if extract else {}
        category, source = classify(link.name, meta.get("ColumnType"))
        blank, blank_reason = (extract.blank, extract.blank_reason) if extract else (False, None)
        redirected_home = normalize_url(response.url) == normalize_url(self.home_url or "") and (
            normalize_url(response.request.url) != normalize_url(response.url)
        )
        if redirected_home:
            blank, blank_reason = True, "redirects to the home page"
        elif outcome == "soft-404":
            blank, blank_reason = False, None
        yield ColumnSeen(
            self.run_id, link.name, link.url, response.url, level, parent, category, source,
            extract.kind if extract else None,
            None if redirected_home or extract is None else extract.latest_date,
            blank, blank_reason, meta, response.status,
            error=error if outcome != "ok" else None,
            page_count=extract.page_count if extract else None,
            undated_count=getattr(extract, "undated_count", 0) if extract else 0,
            items=[] if redirected_home or extract is None else extract.items,
        )
        if extract is None or redirected_home or outcome != "ok":
            return
        yield from self._follow_columns(parse_html(text), response.url, level=level + 1)
        yield from self._check_links(extract, response.url)

    # -- links -------------------------------------------------------------------------------

    def _check_links(self, extract: PageExtract, page_url: str):  # noqa: ANN202
        for url in extract.links:
            url = url.split("#", 1)[0]
            if not url.startswith(("http://", "https://")):
                continue
            known = url in self.links.results
            new = self.links.add(url, page_url)
            if known:
                yield from self._row(url, page_url, self.links.results[url])
            elif new and len(self.links.sources) <= self.max_links:
                yield scrapy.Request(
                    url,
                    method="HEAD",
                    callback=self.link_answered,
                    errback=self.link_failed,
                    dont_filter=True,
                    meta={"handle_httpstatus_all": True, "link": url},
                    priority=-1,
                )

    def link_answered(self, response: Response):  # noqa: ANN201
        url, method = response.meta["link"], response.request.method
        content_type = _content_type(response)
        if method == "HEAD" and (response.status >= 400 or is_html(content_type)):
            # HEAD refused, or an HTML page whose body may be a soft 404: ask again with GET.
            yield response.request.replace(method="GET", meta={**response.request.meta, "download_maxsize": LINK_BODY_LIMIT})
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
        yield from self._link_result(url, LinkResult(response.status, outcome, error, method, _elapsed(response)))

    def link_failed(self, failure: Failure):  # noqa: ANN201
        request = failure.request
        outcome, error = failure_outcome(failure)
        yield from self._link_result(request.meta["link"], LinkResult(None, outcome, error, request.method,
                                                                      _elapsed(request)))

    def _link_result(self, url: str, result: LinkResult):  # noqa: ANN202
        self.links.results.setdefault(url, result)
        for page in self.links.sources.get(url, []):
            yield from self._row(url, page, self.links.results[url])

    def _row(self, url: str, found_on: str, result: LinkResult):  # noqa: ANN202
        if (url, found_on) in self.links.reported:
            return
        self.links.reported.add((url, found_on))
        yield LinkChecked(self.run_id, url, found_on, result.status, result.outcome, result.error, result.method,
                          result.elapsed_ms)
