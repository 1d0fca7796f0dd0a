"""One Chromium per crawl process.

Scrapy builds one download handler per URL scheme, so plain scrapy-playwright would launch a browser
for http and another for https. This handler is built once per crawler and serves both schemes.
"""

from __future__ import annotations

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from twisted.internet.defer import Deferred, succeed


class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        shared = getattr(crawler, "_govwatch_browser_handler", None)
        if shared is None:
            shared = cls(crawler)
            shared._closing = None
            crawler._govwatch_browser_handler = shared
        return shared

    def close(self) -> Deferred:
        if self._closing is None:
            self._closing = super().close()
            return self._closing
        return succeed(None)
