"""One Chromium per crawl process; it sends nothing more to a host that asked for a long pause.

Scrapy builds one download handler per URL scheme, so plain scrapy-playwright would launch a browser
for http and another for https. This handler is built once per crawler and serves both schemes.
A host that answered a long Retry-After (crawler/hostlimit.py) gets no request from Chromium either,
and every request Chromium sends waits for a slot of its host (hostlimit.BrowserSlots), so a rendered
page never pushes a host past CONCURRENT_REQUESTS_PER_DOMAIN.
"""

from __future__ import annotations

import inspect

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawler.hostlimit import BrowserSlots, host_of, shared_slots


class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        shared = getattr(crawler, "_govwatch_browser_handler", None)
        if shared is None:
            shared = cls(crawler)
            shared._closing = None
            shared._host_slots = shared_slots(crawler)
            shared._browser_slots = BrowserSlots(shared._host_slots,
                                                 2 * crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 30.0))
            crawler._govwatch_browser_handler = shared
        return shared

    async def close(self) -> None:
        if self._closing is None:  # the second scheme's close finds the browser already closed
            self._closing = True
            await super().close()

    async def _aborted(self, playwright_request) -> bool:  # noqa: ANN001
        if not self.abort_request:
            return False
        answer = self.abort_request(playwright_request)
        return bool(await answer) if inspect.isawaitable(answer) else bool(answer)

    def _make_request_handler(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        inner = super()._make_request_handler(*args, **kwargs)

        async def _polite(route, playwright_request) -> None:  # noqa: ANN001
            if host_of(playwright_request.url) in self._host_slots.stopped:
                await route.abort()  # the host asked for a long pause: nothing more is sent
                return
            if not await self._aborted(playwright_request):  # one the inner handler aborts needs no slot
                await self._browser_slots.enter(playwright_request)
            try:
                await inner(route, playwright_request)
            except BaseException:
                self._browser_slots.give_back(playwright_request)
                raise

        return _polite
