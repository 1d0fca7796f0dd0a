"""One Chromium per crawl process, holding the per-host limit for every request it makes.

Scrapy builds one download handler per URL scheme, so plain scrapy-playwright would launch a browser
for http and another for https. This handler is built once per crawler and serves both schemes.
Each request Chromium makes (the page, its scripts, frames, XHR ...) waits for one of the host's
slots (crawler/hostlimit.py) and gives it back when it finishes or fails, so a rendered page never
pushes a host past CONCURRENT_REQUESTS_PER_DOMAIN.
"""

from __future__ import annotations

import asyncio

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawler.hostlimit import host_of, shared_slots


class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        shared = getattr(crawler, "_govwatch_browser_handler", None)
        if shared is None:
            shared = cls(crawler)
            shared._closing = None
            shared._host_slots = shared_slots(crawler)
            shared._held = {}
            shared._watched = set()
            shared._pages = {}
            shared._slot_bound = 2 * crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 30.0)
            crawler._govwatch_browser_handler = shared
        return shared

    async def close(self) -> None:
        if self._closing is None:  # the second scheme's close finds the browser already closed
            self._closing = True
            await super().close()

    def _give_back(self, playwright_request) -> None:  # noqa: ANN001
        self._pages.pop(playwright_request, None)
        host = self._held.pop(playwright_request, None)
        if host is not None:
            self._host_slots.release(host)

    def _watch(self, playwright_request) -> None:  # noqa: ANN001
        """Slots come back on the context's requestfinished/requestfailed, whichever page it was, and
        all of a page's at once when the page is closed (a snapshot does not wait for every image)."""
        try:
            page = playwright_request.frame.page
        except Exception:  # noqa: BLE001 - a service worker's request has no frame: the bound gives it back
            return
        if id(page.context) not in self._watched:
            self._watched.add(id(page.context))
            page.context.on("requestfinished", self._give_back)
            page.context.on("requestfailed", self._give_back)
        if id(page) not in self._watched:
            self._watched.add(id(page))
            page.on("close", self._page_closed)
        self._pages[playwright_request] = page

    def _page_closed(self, page) -> None:  # noqa: ANN001
        self._watched.discard(id(page))
        for request in [r for r, p in self._pages.items() if p is page]:
            self._give_back(request)

    def _make_request_handler(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        inner = super()._make_request_handler(*args, **kwargs)

        async def _limited(route, playwright_request) -> None:  # noqa: ANN001
            host = host_of(playwright_request.url) if playwright_request.url.startswith("http") else ""
            if not host:
                await inner(route, playwright_request)
                return
            await self._host_slots.acquire(host)
            self._held[playwright_request] = host
            self._watch(playwright_request)
            # Never a lost slot: a request whose end is not reported gives it back after the bound.
            asyncio.get_running_loop().call_later(self._slot_bound, self._give_back, playwright_request)
            try:
                await inner(route, playwright_request)
            except BaseException:
                self._give_back(playwright_request)
                raise

        return _limited
