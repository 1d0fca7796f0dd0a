"""Evidence capture for the site spider: the HTML of pages as fetched, and screenshots of the pages
a finding may rest on (home page, blank or stale columns, pages carrying a broken link)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.evidence import EvidenceStore
from crawler.items import EvidenceTaken
from crawler.render import snapshot
from crawler.spiders.state import SiteCrawl, close_page


class EvidenceCapture:
    """Mixed into SiteSpider; uses its request bookkeeping (`_request`, `_step`, `_state`)."""

    evidence: EvidenceStore | None = None
    browser: bool = False

    def _html_evidence(self, state: SiteCrawl, url: str, body: bytes, status: int | None,
                       elapsed: float | None, reason: str, rendered: bool = False) -> Iterator[EvidenceTaken]:
        if self.evidence is None or not body:
            return
        # hashed, compressed and written by the storage pipeline's writer thread, not here
        yield EvidenceTaken(state.run_id, url, "html", reason, body, ".html", True, status, elapsed, rendered)

    def _screenshot_evidence(self, state: SiteCrawl, url: str, shot: bytes | None, status: int | None,
                             reason: str, rendered: bool = True) -> Iterator[EvidenceTaken]:
        if self.evidence is None or not shot:
            return
        state.captured.add(url)
        yield EvidenceTaken(state.run_id, url, "screenshot", reason, shot, ".png", False, status, None, rendered)

    def _capture(self, state: SiteCrawl, url: str, reason: str) -> Iterator[scrapy.Request]:
        """A screenshot of a page that a finding may rest on (once per page)."""
        if not self.browser or self.evidence is None or url in state.captured or not self._may_request(state):
            return
        state.captured.add(url)
        state.capturing += 1
        # Last in line (below every page and link of every site), and not counted as the site's work
        # when a worker decides whether it has room for another site (WorkerSpider._busy_sites).
        yield self._browser_request(state, url, self.capture_evidence, self.capture_failed, priority=-10,
                                    evidence_reason=reason, evidence_url=url)

    async def capture_evidence(self, response: Response) -> AsyncIterator[Any]:
        state = self._state(response)
        state.capturing -= 1
        # The page was read without a browser (one that needed it was screenshotted when it was rendered):
        # the navigation's load event is enough, no wait for the network to fall quiet.
        shot = await snapshot(response.meta["playwright_page"], screenshot=True, layout=False, idle=False)
        for item in self._step(state, self._screenshot_evidence(state, response.meta["evidence_url"], shot.screenshot,
                                                                 response.status, response.meta["evidence_reason"])):
            yield item

    async def capture_failed(self, failure: Failure) -> AsyncIterator[Any]:
        state = self._state(failure.request)
        state.capturing -= 1
        await close_page(failure)
        for item in self._step(state, iter(())):
            yield item
