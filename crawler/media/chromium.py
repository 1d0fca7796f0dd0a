"""The Chromium the account adapters render in: one browser per process.

The adapters' browser code is async Playwright taking a Browser (`work(browser)`); a runner runs it:

- `CrawlBrowser`: a website crawl runs in this process (crawler/browser.py). The collection runs in a
  thread beside it and submits `work` to the reactor's asyncio loop, using the crawl's own Chromium.
- `PrivateBrowser`: no crawl here (`govwatch collect`, `recheck ACCOUNT`, the nightly job alone). The
  collection runs `work` on a loop of its own with a Chromium of its own, launched on first use.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from crawler.chromium import launch_options

T = TypeVar("T")
Work = Callable[[Any], Awaitable[T]]


class CrawlBrowser:
    """The crawl's browser, used from a thread other than the reactor's."""

    shared = True

    def __init__(self, handler: Any, timeout: float = 180.0) -> None:
        self.handler = handler
        self.timeout = timeout

    def run(self, work: Work[T]) -> T:
        if threading.get_ident() == self.handler.loop_thread:
            raise RuntimeError("account collection beside a crawl must run in a thread (deferToThread)")

        async def go() -> T:
            return await work(await self.handler.lend_browser())

        return asyncio.run_coroutine_threadsafe(go(), self.handler.loop).result(self.timeout)

    def close(self) -> None:
        """The crawl closes its own browser."""


class PrivateBrowser:
    """A browser of the collection's own, on a loop of its own (no crawl in this process)."""

    shared = False

    def __init__(self, executable: str | None) -> None:
        self.executable = executable
        self.loop: asyncio.AbstractEventLoop | None = None
        self._playwright = None
        self._browser = None

    async def _launch(self) -> Any:
        if self._browser is None or not self._browser.is_connected():
            from playwright.async_api import async_playwright

            if self._playwright is None:
                self._playwright = await async_playwright().start()
            if not self.executable:
                raise RuntimeError("未找到 Chromium（设置 GOVWATCH_CHROMIUM）")
            # sandboxed where the machine allows it, popups blocked (crawler/chromium.py)
            self._browser = await self._playwright.chromium.launch(**launch_options(self.executable))
        return self._browser

    def run(self, work: Work[T]) -> T:
        if self.loop is None:
            self.loop = asyncio.new_event_loop()

        async def go() -> T:
            return await work(await self._launch())

        return self.loop.run_until_complete(go())

    def close(self) -> None:
        if self.loop is None:
            return

        async def shut() -> None:
            if self._browser is not None:
                await self._browser.close()
            if self._playwright is not None:
                await self._playwright.stop()

        try:
            self.loop.run_until_complete(shut())
        finally:
            self.loop.close()
            self.loop = None


def browser_runner(executable: str | None) -> CrawlBrowser | PrivateBrowser:
    """The crawl's browser when a crawl runs in this process (and we are not on its loop), else our own."""
    from crawler.browser import running_handler

    handler = running_handler()
    if handler is not None and threading.get_ident() != handler.loop_thread:
        return CrawlBrowser(handler)
    return PrivateBrowser(executable)
