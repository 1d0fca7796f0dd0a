"""One Chromium per crawl process.

Scrapy builds one download handler per URL scheme, so plain scrapy-playwright would launch a browser
for http and another for https. This handler is built once per crawler and serves both schemes.
"""

from __future__ import annotations

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler


class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        shared = getattr(crawler, "_govwatch_browser_handler", None)
        if shared is None:
            shared = cls(crawler)
            shared._closing = None
            crawler._govwatch_browser_handler = shared
        return shared

    async def close(self) -> None:
        if self._closing is None:  # the second scheme's close finds the browser already closed
            self._closing = True
            await super().close()
