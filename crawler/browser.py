"""One Chromium per crawl process; it sends nothing more to a host that asked for a long pause.

Scrapy builds one download handler per URL scheme, so plain scrapy-playwright would launch a browser
for http and another for https. This handler is built once per crawler and serves both schemes.
A host that answered a long Retry-After (crawler/hostlimit.py) gets no request from Chromium either,
and every request Chromium sends waits for a slot of its host (hostlimit.BrowserSlots), so a rendered
page never pushes a host past CONCURRENT_REQUESTS_PER_DOMAIN.
Every context it makes refuses downloads and closes popups, whatever its name (crawler/chromium.py).

The same browser serves the account collection running beside the crawl (crawler/media/chromium.py):
`running_handler()` finds it, `lend_browser()` hands it out (launching it if no page has needed it yet),
and `hold()` keeps it open past the crawl's end until that collection is done.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawler.chromium import SAFE_CONTEXT_OPTIONS, guard_context, sandbox_note
from crawler.hostlimit import BrowserSlots, host_of, shared_slots
from crawler.redis_politeness import shared_remote_slots

if TYPE_CHECKING:
    from playwright.async_api import Request as PlaywrightRequest
    from playwright.async_api import Route

logger = logging.getLogger(__name__)
_running: list[SharedPlaywrightHandler] = []  # this process's crawl browser handlers, not yet closing


class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        shared = getattr(crawler, "_govwatch_browser_handler", None)
        if shared is None:
            shared = cls(crawler)
            shared._closing = None
            shared._host_slots = shared_slots(crawler)
            shared._browser_slots = BrowserSlots(shared._host_slots,
                                                 2 * crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 30.0),
                                                 remote=shared_remote_slots(crawler))
            shared._holds = 0
            shared._idle = asyncio.Event()
            shared._idle.set()
            shared.loop = _reactor_loop()
            shared.loop_thread = threading.get_ident()
            crawler._govwatch_browser_handler = shared
            logger.info(sandbox_note())
            _running.append(shared)
        return shared

    async def close(self) -> None:
        if self._closing is None:  # the second scheme's close finds the browser already closed
            self._closing = True
            await self._idle.wait()  # the account collection beside the crawl still renders pages
            if self in _running:
                _running.remove(self)
            await super().close()

    async def _aborted(self, playwright_request: PlaywrightRequest) -> bool:
        if not self.abort_request:
            return False
        answer = self.abort_request(playwright_request)
        return bool(await answer) if inspect.isawaitable(answer) else bool(answer)

    async def _create_browser_context(self, name: str, context_kwargs: dict | None,
                                      spider: Spider | None = None) -> Any:
        wrapper = await super()._create_browser_context(name, {**(context_kwargs or {}), **SAFE_CONTEXT_OPTIONS},
                                                        spider)
        guard_context(wrapper.context)
        return wrapper

    def hold(self) -> Callable[[], None]:
        """Keep the browser open until the returned release is called (in the reactor thread)."""
        self._holds += 1
        self._idle.clear()
        released = []

        def release() -> None:
            if not released:
                released.append(True)
                self._holds -= 1
                if self._holds == 0:
                    self._idle.set()

        return release

    async def lend_browser(self) -> Any:
        """The crawl's Chromium, launched now if no page has needed it yet."""
        for _ in range(600):  # the handler starts its Playwright at engine start
            if getattr(getattr(self, "browser_provider", None), "browser_type", None) is not None:
                break
            await asyncio.sleep(0.05)
        await self._maybe_launch_browser()
        return self.browser

    def _make_request_handler(self, *args: Any, **kwargs: Any) -> Any:
        inner = super()._make_request_handler(*args, **kwargs)

        async def _polite(route: Route, playwright_request: PlaywrightRequest) -> None:
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


def running_handler() -> SharedPlaywrightHandler | None:
    """The browser handler of the crawl running in this process, if any."""
    return _running[-1] if _running else None


def hold_browser(crawler: Crawler) -> Callable[[], None]:
    """Keep the crawl's browser (if it has one) open until the returned release is called."""
    handler = getattr(crawler, "_govwatch_browser_handler", None)
    return handler.hold() if handler is not None else (lambda: None)


def _reactor_loop() -> asyncio.AbstractEventLoop:
    from twisted.internet import reactor

    loop = getattr(reactor, "_asyncioEventloop", None)
    return loop if loop is not None else asyncio.get_event_loop()
