"""One Chromium per crawl process; it sends nothing more to a host that asked for a long pause.

Scrapy builds one download handler per URL scheme, so plain scrapy-playwright would launch a browser
for http and another for https. This handler is built once per crawler and serves both schemes.
A host that answered a long Retry-After (crawler/hostlimit.py) gets no request from Chromium either.
Every context it makes refuses downloads and closes popups, whatever its name (crawler/chromium.py).
"""

from __future__ import annotations

import logging

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawler.chromium import SAFE_CONTEXT_OPTIONS, guard_context, sandbox_note
from crawler.hostlimit import host_of, shared_slots

logger = logging.getLogger(__name__)


class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        shared = getattr(crawler, "_govwatch_browser_handler", None)
        if shared is None:
            shared = cls(crawler)
            shared._closing = None
            shared._host_slots = shared_slots(crawler)
            crawler._govwatch_browser_handler = shared
            logger.info(sandbox_note())
        return shared

    async def close(self) -> None:
        if self._closing is None:  # the second scheme's close finds the browser already closed
            self._closing = True
            await super().close()

    async def _create_browser_context(self, name, context_kwargs, spider=None):  # noqa: ANN001, ANN202
        wrapper = await super()._create_browser_context(name, {**(context_kwargs or {}), **SAFE_CONTEXT_OPTIONS},
                                                        spider)
        guard_context(wrapper.context)
        return wrapper

    def _make_request_handler(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        inner = super()._make_request_handler(*args, **kwargs)

        async def _polite(route, playwright_request) -> None:  # noqa: ANN001
            if host_of(playwright_request.url) in self._host_slots.stopped:
                await route.abort()  # the host asked for a long pause: nothing more is sent
                return
            await inner(route, playwright_request)

        return _polite
