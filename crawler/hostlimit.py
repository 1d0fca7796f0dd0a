"""The per-host limit, held by govwatch itself in every local crawl.

With the asyncio reactor (which scrapy-playwright needs), Scrapy 2.19's downloader hands every queued
request of a slot to `loop.create_task` before any of them marks the slot busy, so
CONCURRENT_REQUESTS_PER_DOMAIN=4 let 26-34 requests reach one host at once
(tests/test_host_limit.py keeps the plain-Scrapy reproduction). This middleware sits last before the
downloader: a request waits for one of the host's `limit` slots and gives it back on its answer or
failure; redirects and retries are new requests that wait again. Browser pages hold the same slots
for every request Chromium makes to the host (crawler/browser.py), the page's own included.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from scrapy.utils.httpobj import urlparse_cached

META_KEY = "govwatch_local_host_slot"


class LocalHostSlots:
    """At most `limit` requests in flight per host name, counted in this process."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, int(limit))
        self._slots: dict[str, asyncio.Semaphore] = {}
        self.in_flight: dict[str, int] = {}
        self.most: dict[str, int] = {}

    def _semaphore(self, host: str) -> asyncio.Semaphore:
        if host not in self._slots:
            self._slots[host] = asyncio.Semaphore(self.limit)
        return self._slots[host]

    async def acquire(self, host: str) -> None:
        await self._semaphore(host).acquire()
        self.in_flight[host] = self.in_flight.get(host, 0) + 1
        self.most[host] = max(self.most.get(host, 0), self.in_flight[host])

    def release(self, host: str) -> None:
        self.in_flight[host] -= 1
        self._semaphore(host).release()


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
    def __init__(self, slots: LocalHostSlots) -> None:
        self.slots = slots

    @classmethod
    def from_crawler(cls, crawler) -> HostLimitMiddleware:  # noqa: ANN001
        return cls(shared_slots(crawler))

    async def process_request(self, request):  # noqa: ANN001, ANN201
        if request.meta.get("playwright") or request.meta.get(META_KEY):
            return None  # a browser page counts each of its requests itself (crawler/browser.py)
        parts = urlparse_cached(request)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        host = parts.hostname.lower()
        await self.slots.acquire(host)
        request.meta[META_KEY] = host
        return None

    def _release(self, request) -> None:  # noqa: ANN001
        host = request.meta.pop(META_KEY, None)
        if host:
            self.slots.release(host)

    def process_response(self, request, response):  # noqa: ANN001, ANN201
        self._release(request)
        return response

    def process_exception(self, request, exception):  # noqa: ANN001, ANN201
        self._release(request)
        return None
