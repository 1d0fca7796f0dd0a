"""The per-host limit, held by govwatch itself in every local crawl.

With the asyncio reactor (which scrapy-playwright needs), Scrapy 2.19's downloader hands every queued
request of a slot to `loop.create_task` before any of them marks the slot busy, so
CONCURRENT_REQUESTS_PER_DOMAIN=4 let 26-34 requests reach one host at once
(tests/test_host_limit.py keeps the plain-Scrapy reproduction). This middleware sits last before the
downloader: a request waits for one of the host's `limit` slots and gives it back on its answer or
failure; redirects and retries are new requests that wait again. A browser page's navigation holds
one slot; the requests Chromium makes from the page (scripts, XHR, images) are not counted yet: holding
them in these slots made script-built and challenge pages miss their render time (see the report of
issue 8).
"""

from __future__ import annotations

import asyncio
import heapq
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

META_KEY = "govwatch_local_host_slot"


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
    """At most `limit` requests in flight per host name, counted in this process. A browser page's
    requests go first (`urgent`): a page waits on its scripts and XHR within its render time, while
    queued link checks can wait."""

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

    async def acquire(self, host: str, urgent: bool = False) -> None:
        waiting = self._waiting.setdefault(host, [])
        if self.in_flight.get(host, 0) < self.limit and not waiting:
            self._take(host)
            return
        self._seq += 1
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(waiting, (0 if urgent else 1, self._seq, future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release(host)  # granted just as the waiter was cancelled: pass it on
            raise

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


def shared_slots(crawler) -> LocalHostSlots:  # noqa: ANN001
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

    def __init__(self, slots: LocalHostSlots, retry_after_max: float = 30.0) -> None:
        self.slots = slots
        self.retry_after_max = retry_after_max
        self.resume_at: dict[str, float] = {}  # host -> monotonic time its pause ends
        self.stopped = slots.stopped

    @classmethod
    def from_crawler(cls, crawler) -> HostLimitMiddleware:  # noqa: ANN001
        return cls(shared_slots(crawler), crawler.settings.getfloat("GOVWATCH_RETRY_AFTER_MAX", 30.0))

    async def process_request(self, request):  # noqa: ANN001, ANN201
        parts = urlparse_cached(request)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        host = parts.hostname.lower()
        if host in self.stopped:
            raise HostPaused(self.stopped[host])
        while (wait := self.resume_at.get(host, 0.0) - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        if request.meta.get(META_KEY):
            return None
        await self.slots.acquire(host, urgent=bool(request.meta.get("playwright")))
        request.meta[META_KEY] = host
        return None

    def _pause(self, request, response) -> None:  # noqa: ANN001
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

    def _release(self, request) -> None:  # noqa: ANN001
        host = request.meta.pop(META_KEY, None)
        if host:
            self.slots.release(host)

    def process_response(self, request, response):  # noqa: ANN001, ANN201
        self._release(request)
        self._pause(request, response)
        return response

    def process_exception(self, request, exception):  # noqa: ANN001, ANN201
        self._release(request)
        return None
