"""Link checks for the site spider: each link, image (`<img src>`) and attachment (PDF/DOC/XLS/…)
once per crawl (GET for a link to a web page, whose body may be a soft 404; HEAD for anything else,
then GET where HEAD is refused or the answer may be a soft 404; a GET stops at the headers unless the
body is a page to read), a pause where the server asks for one, the browser before anything is called
blocked, and certificates checked apart from fetching."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import StopDownload
from scrapy.http import Headers, Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure

from crawler.columns import same_site
from crawler.encoding import UndecodableError, decode_html
from crawler.extract import PageExtract
from crawler.items import LinkChecked, Observed
from crawler.linkcheck import (
    failure_outcome,
    headers_suffice,
    is_attachment,
    is_html,
    looks_like_page,
    soft_404_reason,
    status_outcome,
)
from crawler.render import BLOCK_STATUSES, RenderedPage, blocked_reason, render_reason, snapshot
from crawler.spiders.state import LinkResult, SiteCrawl, close_page, content_type_of, elapsed_ms, header_charset
from crawler.tls import CertificateCheck, check_certificate

LINK_BODY_LIMIT = 2 * 1024 * 1024


class SharedLinks:
    """Links to other sites (the 政务服务网, gov.cn, a province's portal) checked once per crawl: the
    first site that meets one checks it, the others wait for that answer or reuse it. Kept for
    `ttl` seconds (a worker lives for days; a night's answers are not tomorrow's) and at most
    `limit` links, oldest dropped first."""

    def __init__(self, ttl: float = 3600.0, limit: int = 50_000) -> None:
        self.ttl, self.limit = ttl, limit
        self.results: dict[str, tuple[float, LinkResult]] = {}
        self.waiting: dict[str, list[SiteCrawl]] = {}  # url -> sites waiting for the check under way

    def result(self, url: str) -> LinkResult | None:
        known = self.results.get(url)
        if known is None:
            return None
        if time.monotonic() - known[0] > self.ttl:
            del self.results[url]
            return None
        return known[1]

    def publish(self, url: str, result: LinkResult) -> list[SiteCrawl]:
        """Keep the answer; the sites that waited for it."""
        self.results[url] = (time.monotonic(), result)
        while len(self.results) > self.limit:
            del self.results[next(iter(self.results))]
        return self.waiting.pop(url, [])


class LinkChecks:
    """Mixed into SiteSpider; uses its request bookkeeping (`_request`, `_step`, `_state`)."""

    max_links: int = 1500
    browser: bool = False
    shared_links: SharedLinks
    retry_after_max: float = 30.0
    _certificates: dict[tuple[str, int], Any]

    def _check_links(self, state: SiteCrawl, extract: PageExtract, page_url: str) -> Iterator[Any]:
        """Links, then images: one cap (`max_links`) and the same per-host limit for all of them."""
        targets = [(url, "attachment" if is_attachment(url) else "link") for url in extract.links]
        targets += [(url, "image") for url in extract.images]
        for url, kind in targets:
            url = url.split("#", 1)[0]
            if not url.startswith(("http://", "https://")):
                continue
            state.link_kinds.setdefault(url, kind)
            known = url in state.link_results
            new = state.add_link(url, page_url)
            if known:
                yield from self._row(state, url, page_url, state.link_results[url])
            elif new and len(state.link_sources) <= self.max_links and self._may_request(state):
                if not same_site(url, state.scope):
                    shared = self.shared_links
                    if (result := shared.result(url)) is not None:  # checked for another site already
                        yield from self._link_result(state, url, result)
                        continue
                    if url in shared.waiting:  # being checked for another site: wait for that answer
                        shared.waiting[url].append(state)
                        state.pending += 1
                        if kind == "link" and looks_like_page(url):
                            state.link_gets.add(url)  # its observers read that answer too
                        continue
                    shared.waiting[url] = []
                if kind == "link" and looks_like_page(url):
                    state.link_gets.add(url)
                    yield self._request(state, url, self.link_answered, self.link_failed, priority=-1, link=url,
                                        download_maxsize=LINK_BODY_LIMIT)
                else:
                    yield self._request(state, url, self.link_answered, self.link_failed, method="HEAD",
                                        priority=-1, link=url)

    def link_headers_received(self, headers: Headers, body_length: object, request: Request, spider: Any) -> None:
        """Connected to Scrapy's headers_received signal: a link check's GET of a file stops here."""
        if "link" not in request.meta or request.method == "HEAD":
            return
        content_type = headers.get(b"Content-Type")
        if headers_suffice(content_type.decode("latin-1") if content_type else None, body_length,
                           int(request.meta.get("download_maxsize") or LINK_BODY_LIMIT)):
            raise StopDownload(fail=False)

    async def link_answered(self, response: Response) -> AsyncIterator[Any]:
        state = self._state(response)
        wait = self._retry_after(response)
        if wait is not None:
            await asyncio.sleep(wait)  # the server asked for a pause: honour it once, politely
        certificate = await self._certificate(response.url) if response.url.startswith("https://") else None
        readers: list[Any] = []
        if wait is None and response.request.method == "GET" and is_html(content_type_of(response)) and \
                response.status not in BLOCK_STATUSES:
            readers = await self._observers_read(state, response)
        for item in self._step(state, self._link_answered(state, response, wait, certificate, readers)):
            yield item

    def _retry_after(self, response: Response) -> float | None:
        if response.status not in (429, 503) or response.meta.get("retried_after"):
            return None
        value = response.headers.get(b"Retry-After", b"").decode("latin-1").strip()
        if not value.isdigit() or float(value) > self.retry_after_max:
            return None
        return float(value)

    def _link_answered(self, state: SiteCrawl, response: Response, waited: float | None,
                       certificate: CertificateCheck | None, readers: list[Any]) -> Iterator[Any]:
        url, method = response.meta["link"], response.request.method
        for site, (name, handler, _, meta), read in readers:  # observers that waited for this page read it
            yield from self._answer_observer(site, name, handler, meta, response, read)
        content_type = content_type_of(response)
        if waited is not None:
            yield self._request(state, url, self.link_answered, self.link_failed, priority=-1, link=url,
                                retried_after=True, download_maxsize=LINK_BODY_LIMIT)
            return
        if method == "HEAD" and (response.status >= 400 or is_html(content_type)):
            # HEAD refused, or an HTML page whose body may be a soft 404: ask again with GET.
            yield self._request(state, url, self.link_answered, self.link_failed, priority=-1, link=url,
                                download_maxsize=LINK_BODY_LIMIT)
            return
        body = response.text if isinstance(response, scrapy.http.TextResponse) else ""
        if (blocked := blocked_reason(response.status, body)) is not None:
            if self.browser and self._may_request(state):
                yield self._browser_request(state, url, self.link_rendered, self.link_render_failed, link=url,
                                            blocked=blocked, static_status=response.status)
                return
            result = LinkResult(response.status, "blocked", f"{blocked} (not confirmed in a browser)", method,
                                elapsed_ms(response))
            yield from self._link_result(state, url, result)
            return
        outcome = status_outcome(response.status)
        error = None if outcome == "ok" else f"HTTP {response.status}"
        if outcome == "ok" and is_html(content_type):
            try:
                reason = soft_404_reason(decode_html(response.body, header_charset(response)).text)
            except UndecodableError:
                reason = None
            if reason:
                outcome, error = "soft-404", reason
        if outcome == "ok" and certificate is not None and not certificate.ok and not same_site(url, state.scope):
            # Another site's bad certificate; the site's own is reported once, as its "tls" observation.
            outcome, error = "tls-error", certificate.error
        yield from self._link_result(state, url, LinkResult(response.status, outcome, error, method,
                                                            elapsed_ms(response)))

    async def link_rendered(self, response: Response) -> AsyncIterator[Any]:
        state = self._state(response)
        rendered = await snapshot(response.meta["playwright_page"], screenshot=False, layout=False, settle_ms=500)
        for item in self._step(state, self._link_rendered(state, response, rendered)):
            yield item

    def _link_rendered(self, state: SiteCrawl, response: Response, rendered: RenderedPage) -> Iterator[Any]:
        url, blocked = response.meta["link"], response.meta["blocked"]
        still = rendered.error or blocked_reason(response.status, rendered.html) or (
            render_reason(None, rendered.html, None) == "challenge page")
        if still:
            detail = rendered.error or blocked
            result = LinkResult(response.meta["static_status"], "blocked", f"{detail}; the browser was refused too",
                                "browser", elapsed_ms(response))
        else:
            result = LinkResult(200, "ok", None, "browser", elapsed_ms(response))
        yield from self._link_result(state, url, result)

    async def link_render_failed(self, failure: Failure) -> AsyncIterator[Any]:
        state = self._state(failure.request)
        await close_page(failure)
        _, error = failure_outcome(failure)
        meta = failure.request.meta
        result = LinkResult(meta["static_status"], "blocked", f"{meta['blocked']}; browser: {error}", "browser",
                            None)
        for item in self._step(state, self._link_result(state, meta["link"], result)):
            yield item

    def link_failed(self, failure: Failure) -> Any:
        state = self._state(failure.request)
        return self._step(state, self._link_failed(state, failure))

    def _link_failed(self, state: SiteCrawl, failure: Failure) -> Iterator[Any]:
        request = failure.request
        outcome, error = failure_outcome(failure)
        yield from self._link_result(state, request.meta["link"],
                                     LinkResult(None, outcome, error, request.method, elapsed_ms(request)))

    def _link_result(self, state: SiteCrawl, url: str, result: LinkResult) -> Iterator[Any]:
        state.link_results.setdefault(url, result)
        if url in state.awaiting:
            yield from self._observers_instead(state, url)
        result = state.link_results[url]
        for page in state.link_sources.get(url, []):
            yield from self._row(state, url, page, result)
        if url in self.shared_links.waiting:
            for other in self.shared_links.publish(url, result):
                if other is not state:
                    yield from self._link_result(other, url, result)
                    yield from self._settle(other)

    def _row(self, state: SiteCrawl, url: str, found_on: str, result: LinkResult) -> Iterator[Any]:
        # A link that works is stored once per run (the first page it was found on: the navigation is on
        # every page); one that fails once per page carrying it, since the notice names each page.
        where = "" if result.outcome == "ok" else found_on
        if (url, where) in state.reported:
            return
        state.reported.add((url, where))
        yield LinkChecked(state.run_id, url, found_on, result.status, result.outcome, result.error, result.method,
                          result.elapsed_ms, kind=state.link_kinds.get(url, "link"))
        if result.outcome not in ("ok", "tls-error"):
            yield from self._capture(state, found_on, "broken-link")

    # -- certificates --------------------------------------------------------------------------

    async def _certificate(self, url: str) -> CertificateCheck:
        """Each host's certificate is checked once per crawl, in a thread (it blocks)."""
        parts = urlsplit(url)
        key = (parts.hostname or "", parts.port or 443)
        if key not in self._certificates:
            self._certificates[key] = asyncio.ensure_future(
                maybe_deferred_to_future(deferToThread(check_certificate, key[0], key[1])))
        return await asyncio.shield(self._certificates[key])

    def _certificate_observation(self, state: SiteCrawl, url: str) -> Iterator[Any]:
        """The site's own certificate, as a `tls` observation (a data: URL only carries the work)."""
        yield self._request(state, "data:,", self.certificate_seen, self.certificate_seen, priority=-1,
                            certificate_of=url)

    async def certificate_seen(self, response_or_failure: Response | Failure) -> AsyncIterator[Any]:
        request = response_or_failure.request
        state, url = self._state(request), request.meta["certificate_of"]
        check = await self._certificate(url)
        observed = Observed(state.run_id, "tls", url, None,
                            {"host": check.host, "port": check.port, "ok": check.ok, "error": check.error})
        for item in self._step(state, iter([observed])):
            yield item
