"""Running crawls in this process: several sites at once, each in its own spider, so one failing
site never stops the others."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.reactor import install_reactor
from twisted.python.failure import Failure

from config.settings import Settings
from crawler.stopping import CrawlInterrupted, Stopper


class CrawlError(RuntimeError):
    """The crawl itself could not run (not one site failing: those are stored as failed runs)."""


@dataclass(frozen=True, slots=True)
class CrawlJob:
    site_id: int
    run_id: int
    url: str
    label: str


def run_crawls(
    settings: Settings,
    jobs: Sequence[CrawlJob],
    reference_date: date,
    *,
    site_timeout: float = 900.0,
    on_done: Callable[[CrawlJob], None] | None = None,
    log_file: Path | None = None,
    side_work: Callable[[threading.Event], object] | None = None,
) -> None:
    """Crawl every job in one spider; returns when all have finished, failed or timed out. Ctrl-C or
    SIGTERM stops it within seconds, what was seen stored, and raises CrawlInterrupted (crawler/stopping.py).

    `side_work(stopping)` (the account collection of `govwatch crawl`) runs in a thread while the crawl runs,
    using the crawl's browser (crawler/media/chromium.py); `stopping` is set when the crawl is cut short
    (Ctrl-C, SIGTERM, its time limit), for the side work to stop soon. This returns when both are done.
    Twisted's reactor runs once per process, so this is called at most once per process.
    """
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from scrapy import signals
    from scrapy.crawler import CrawlerRunner
    from scrapy.utils.log import configure_logging
    from twisted.internet import reactor

    from crawler.items import finished_runs
    from crawler.settings import scrapy_settings
    from crawler.spiders.site import SiteSpider

    scrapy_conf = scrapy_settings(settings)
    if len(jobs) == 1:
        # A recheck is interactive: whatever happens, it ends (the site's own deadline stops new
        # requests; this also bounds the requests already under way).
        scrapy_conf["CLOSESPIDER_TIMEOUT"] = site_timeout + 2 * settings.timeout + 60
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        scrapy_conf |= {"LOG_FILE": str(log_file), "LOG_FILE_APPEND": True}
    configure_logging(scrapy_conf | {"LOG_INSTALL_ROOT_HANDLER": True})
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    runner = CrawlerRunner(scrapy_conf)
    by_run = {job.run_id: job for job in jobs}
    spider_jobs = [{"run_id": j.run_id, "url": j.url, "reference_date": reference_date.isoformat()} for j in jobs]

    def site_closed(item: Any, response: Response, spider: Spider) -> None:
        for finished in finished_runs(item):
            if on_done is not None and finished.run_id in by_run:
                on_done(by_run[finished.run_id])

    crawler = runner.create_crawler(SiteSpider)
    crawler.signals.connect(site_closed, signal=signals.item_scraped)
    if side_work is not None:
        side_started, side_done = _start_beside(crawler, side_work)
    d = runner.crawl(crawler, jobs=spider_jobs, max_columns=settings.max_columns, max_links=settings.max_links,
                     site_timeout=site_timeout)
    outcome: list = []

    def finished(result: Any) -> None:
        outcome.append(result)
        # A crawl that fails at once (say, a bad observer path) ends before the reactor has started.
        if reactor.running:
            reactor.stop()
        else:
            reactor.callWhenRunning(reactor.stop)

    if side_work is not None:
        d = _beside(crawler, d, side_started, side_done)
    d.addBoth(finished)
    stopper = Stopper(reactor, crawler)
    reactor.callWhenRunning(stopper.install)
    try:
        reactor.run(installSignalHandlers=True)
    finally:
        stopper.restore()
    if stopper.signum is not None:
        raise CrawlInterrupted(stopper.signum)
    if outcome and isinstance(outcome[0], Failure):
        raise CrawlError(f"the crawl could not run: {outcome[0].getErrorMessage()}") from outcome[0].value


def _start_beside(crawler: Crawler, side_work: Callable[[threading.Event], object]) -> Any:
    """At the crawl's start, run `side_work` in a thread, the crawl's browser kept open until it is done
    (a failing side work is logged, never the crawl's failure); a crawl cut short sets its `stopping`."""
    from scrapy import signals
    from twisted.internet import defer, threads

    from crawler.browser import hold_browser
    from crawler.stopping import stopping  # set at Ctrl-C/SIGTERM too: the reactor's stop waits for this thread

    started: list[bool] = []
    done = defer.Deferred()

    def start() -> None:
        started.append(True)
        release = hold_browser(crawler)
        work = threads.deferToThread(side_work, stopping)
        work.addErrback(lambda f: logging.getLogger(__name__).error("side work failed: %s", f.getTraceback()))
        work.addBoth(lambda _: (release(), done.callback(None)))

    def closed(spider: Spider, reason: str) -> None:
        if reason != "finished":
            stopping.set()

    crawler.signals.connect(start, signal=signals.engine_started, weak=False)
    crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
    return started, done


def _beside(crawler: Crawler, crawl_done: Any, started: list[bool], side_done: Any) -> Any:
    """Fires with the crawl's own result once both the crawl and the side work are done."""
    from twisted.internet import defer

    def crawl_over(result: Any) -> Any:
        if not started and not side_done.called:  # the crawl ended before it started: no side work runs
            side_done.callback(None)
        return result

    crawl_done.addBoth(crawl_over)
    both = defer.DeferredList([crawl_done, side_done], consumeErrors=True)
    return both.addCallback(lambda results: results[0][1])
