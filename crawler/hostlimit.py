"""The per-host limit, held by govwatch itself in every local crawl.

With the asyncio reactor (which scrapy-playwright needs), Scrapy 2.19's downloader hands every queued
request of a slot to `loop.create_task` before any of them marks the slot busy, so
CONCURRENT_REQUESTS_PER_DOMAIN=4 let 26-34 requests reach one host at once
(tests/test_host_limit.py keeps the plain-Scrapy reproduction). This middleware sits last before the
downloader: a request waits for one of the host's `limit` slots and gives it back on its answer or
failure; redirects and retries are new requests that wait again.

A browser page is counted request by request (`BrowserSlots`, used by crawler/browser.py): its
navigation and every script, XHR, image and frame Chromium sends wait for a slot of their host and
give it back when Chromium reports them finished or failed (a redirect Chromium follows keeps the slot
for its next hop). The page itself holds no slot while it renders. An earlier try held one for the
page's whole render and then made its own requests wait for slots: a page waited for slots held by
pages that waited for theirs, and script-built and challenge pages missed their render time. Now only
requests on their way hold slots, so every wait ends when some answer arrives. A page's Scrapy request
also goes to a download slot of its own: in the host's Scrapy slot it would keep plain requests that
hold our slots from being sent while its navigation waits for those slots. Requests of a
page already being read go first, then new pages' navigations, then everything else (link checks):
a page has its render time to finish, a queued link check can wait.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from playwright.async_api import Page
    from playwright.async_api import Request as PlaywrightRequest
    from playwright.async_api import Response as PlaywrightResponse

META_KEY = "govwatch_local_host_slot"
# Who goes first when a slot frees: a request of a browser page already being read, a page's navigation,
# any other request.
PAGE, NAVIGATION, OTHER = 0, 1, 2


class HostPaused(IgnoreRequest):
    """The host asked for a pause longer than we wait (Retry-After): its remaining requests are not
    sent, and what they would have read stays undecided."""


def retry_after_seconds(value: str, now: float | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date; None when absent or unreadable."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class LocalHostSlots:
    """At most `limit` requests in flight per host name, counted in this process. The lowest `rank`
    goes first (PAGE, NAVIGATION, OTHER), in arrival order within a rank."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, int(limit))
        self.in_flight: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self._waiting: dict[str, list[tuple[int, int, asyncio.Future]]] = {}
        self._seq = 0
        self.stopped: dict[str, str] = {}  # host -> why no more requests go to it (a long Retry-After)

    def _take(self, host: str) -> None:
        self.in_flight[host] = self.in_flight.get(host, 0) + 1
        self.most[host] = max(self.most.get(host, 0), self.in_flight[host])

    async def acquire(self, host: str, rank: int = OTHER) -> None:
        waiting = self._waiting.setdefault(host, [])
        if self.in_flight.get(host, 0) < self.limit and not waiting:
            self._take(host)
            return
        self._seq += 1
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(waiting, (rank, self._seq, future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release(host)  # granted just as the waiter was cancelled: pass it on
            raise

    def take_now(self, host: str) -> None:
        """Count a request already sent (a redirect hop Chromium follows by itself): later ones wait."""
        self._take(host)

    def release(self, host: str) -> None:
        self.in_flight[host] = max(0, self.in_flight.get(host, 0) - 1)
        waiting = self._waiting.get(host) or []
        while waiting and self.in_flight[host] < self.limit:
            _, _, future = heapq.heappop(waiting)
            if not future.done():
                self._take(host)
                future.set_result(None)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def shared_slots(crawler: Crawler) -> LocalHostSlots:
    """One set of slots per crawler, shared by the middleware and the browser handler."""
    slots = getattr(crawler, "_govwatch_host_slots", None)
    if slots is None:
        slots = LocalHostSlots(crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 4))
        crawler._govwatch_host_slots = slots
    return slots


class HostLimitMiddleware:
    """Also honours Retry-After (429/503) for every later request to the host: a short pause is
    waited out (Scrapy's retry then asks again), a pause longer than `retry_after_max` stops the
    crawl of that host politely."""

    def __init__(self, slots: LocalHostSlots, retry_after_max: float = 30.0, browser_counts: bool = False) -> None:
        self.slots = slots
        self.retry_after_max = retry_after_max
        self.browser_counts = browser_counts  # Chromium's requests are counted one by one (BrowserSlots)
        self.resume_at: dict[str, float] = {}  # host -> monotonic time its pause ends
        self.stopped = slots.stopped

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostLimitMiddleware:
        return cls(shared_slots(crawler), crawler.settings.getfloat("GOVWATCH_RETRY_AFTER_MAX", 30.0),
                   crawler.settings.getbool("GOVWATCH_BROWSER", False))

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        host = parts.hostname.lower()
        if host in self.stopped:
            raise HostPaused(self.stopped[host])
        while (wait := self.resume_at.get(host, 0.0) - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        if self.browser_counts and request.meta.get("playwright"):
            # Not in the host's Scrapy download slot either: a request granted one of our slots then
            # waits there for Scrapy's slot, which pages waiting for our slots would hold.
            request.meta.setdefault("download_slot", f"{host} (browser)")
            return None
        if request.meta.get(META_KEY):
            return None
        await self.slots.acquire(host)
        request.meta[META_KEY] = host
        return None

    def _pause(self, request: Request, response: Response) -> None:
        if response.status not in (429, 503):
            return
        seconds = retry_after_seconds(response.headers.get(b"Retry-After", b"").decode("latin-1"))
        host = urlparse_cached(request).hostname
        if seconds is None or not host:
            return
        host = host.lower()
        if seconds > self.retry_after_max:
            self.stopped.setdefault(host, f"网站要求暂停访问{int(seconds)}秒（HTTP {response.status}，Retry-After），"
                                          "本次检查停止访问该站，未读取的页面无法核验")
        else:
            self.resume_at[host] = max(self.resume_at.get(host, 0.0), time.monotonic() + seconds)

    def _release(self, request: Request) -> None:
        host = request.meta.pop(META_KEY, None)
        if host:
            self.slots.release(host)

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        self._pause(request, response)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        self._release(request)
        return None


class RemoteSlots(Protocol):
    """Host slots shared by every worker (crawler/redis_politeness.py HostSlots)."""

    async def acquire(self, host: str) -> tuple[str, bool]: ...

    def take_now(self, host: str) -> str: ...

    def release(self, host: str, token: str) -> None: ...


class BrowserSlots:
    """Chromium's requests in the host slots, one by one: each waits for a slot before it is sent
    (from the page's route handler) and gives it back on the context's `requestfinished` or
    `requestfailed`; a redirect keeps it for the hop Chromium follows without asking the route; a
    closed page gives back all of its requests at once; `bound` seconds give back one whose end was
    never reported (a crashed browser). With `remote` (workers), each request first takes a slot shared by
    every worker, then a local one, as Scrapy's requests do: one limit per host for everything."""

    def __init__(self, slots: LocalHostSlots, bound: float, remote: RemoteSlots | None = None) -> None:
        self.slots = slots
        self.bound = bound
        self.remote = remote
        self.tokens: dict[object, str] = {}  # Playwright request -> its remote slot
        self.held: dict[object, str] = {}  # Playwright request -> host
        self._page: dict[object, object] = {}  # Playwright request -> its page
        self._redirecting: set[object] = set()
        self._started: set[int] = set()  # pages that sent their first request
        self._watched: set[int] = set()  # contexts and pages whose events we listen to

    async def enter(self, request: PlaywrightRequest) -> None:
        """Wait for a slot of the request's host; PAGE rank once the page sent its navigation."""
        host = host_of(request.url) if request.url.startswith(("http:", "https:")) else ""
        if not host:
            return
        page = self._page_of(request)
        token = (await self.remote.acquire(host))[0] if self.remote is not None else None
        try:
            await self.slots.acquire(host, PAGE if page is not None and id(page) in self._started else NAVIGATION)
        except BaseException:
            if token is not None:
                self.remote.release(host, token)
            raise
        if page is not None and page.is_closed():  # closed while waiting: nothing will be sent
            self.slots.release(host)
            if token is not None:
                self.remote.release(host, token)
            return
        if token is not None:
            self.tokens[request] = token
        self._hold(request, host, page)

    def give_back(self, request: PlaywrightRequest) -> None:
        self._page.pop(request, None)
        self._redirecting.discard(request)
        host = self.held.pop(request, None)
        token = self.tokens.pop(request, None)
        if host is not None:
            self.slots.release(host)
            if token is not None and self.remote is not None:
                self.remote.release(host, token)

    def _hold(self, request: PlaywrightRequest, host: str, page: Page | None) -> None:
        self.held[request] = host
        asyncio.get_running_loop().call_later(self.bound, self.give_back, request)
        if page is None:
            return
        self._page[request] = page
        self._started.add(id(page))
        if id(page) not in self._watched:
            self._watched.add(id(page))
            page.on("close", self._page_closed)
            page.on("crash", self._page_closed)
        context = page.context
        if id(context) not in self._watched:
            self._watched.add(id(context))
            context.on("request", self._sent)
            context.on("response", self._answered)
            context.on("requestfinished", self._finished)
            context.on("requestfailed", self.give_back)

    @staticmethod
    def _page_of(request: PlaywrightRequest) -> Any:
        try:
            return request.frame.page
        except Exception:
            return None

    def _answered(self, response: PlaywrightResponse) -> None:
        if response.request in self.held and 300 <= response.status < 400:
            self._redirecting.add(response.request)

    def _finished(self, request: PlaywrightRequest) -> None:
        if request in self._redirecting:
            # Chromium sends the next hop itself (the route does not see it): `_sent` moves the slot
            # to it; one second gives the slot back if no hop follows (a redirect to a non-web address).
            asyncio.get_running_loop().call_later(1.0, self.give_back, request)
            return
        self.give_back(request)

    def _sent(self, request: PlaywrightRequest) -> None:
        previous = request.redirected_from
        if previous is None or previous not in self.held:
            return
        page = self._page.get(previous)
        old_host = self.held[previous]
        self.held.pop(previous)
        token = self.tokens.pop(previous, None)
        self._page.pop(previous, None)
        self._redirecting.discard(previous)
        host = host_of(request.url) if request.url.startswith(("http:", "https:")) else ""
        if host != old_host:
            self.slots.release(old_host)
            if token is not None and self.remote is not None:
                self.remote.release(old_host, token)
                token = None
            if not host:
                return
            self.slots.take_now(host)  # already sent: counted, and later requests to that host wait
            if self.remote is not None:
                token = self.remote.take_now(host)
        if token is not None:
            self.tokens[request] = token
        self.held[request] = host
        asyncio.get_running_loop().call_later(self.bound, self.give_back, request)
        if page is not None:
            self._page[request] = page

    def _page_closed(self, page: Page) -> None:
        self._watched.discard(id(page))
        self._started.discard(id(page))
        for request in [r for r, p in self._page.items() if p is page]:
            self.give_back(request)
