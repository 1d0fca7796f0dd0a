"""Running crawls in this process: several sites at once, each in its own spider, so one failing
site never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scrapy.utils.reactor import install_reactor
from twisted.python.failure import Failure

from crawler.stopping import CrawlInterrupted, Stopper
from govwatch.settings import Settings


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
) -> None:
    """Crawl every job in one spider; returns when all have finished, failed or timed out. Ctrl-C or
    SIGTERM stops it within seconds, what was seen stored, and raises CrawlInterrupted (crawler/stopping.py).

    Twisted's reactor runs once per process, so this is called at most once per process.
    """
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from scrapy import signals
    from scrapy.crawler import CrawlerRunner
    from scrapy.utils.log import configure_logging
    from twisted.internet import reactor

    from crawler.items import RunFinished
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

    def site_closed(item, response, spider) -> None:  # noqa: ANN001
        if isinstance(item, RunFinished) and on_done is not None and item.run_id in by_run:
            on_done(by_run[item.run_id])

    crawler = runner.create_crawler(SiteSpider)
    crawler.signals.connect(site_closed, signal=signals.item_scraped)
    d = runner.crawl(crawler, jobs=spider_jobs, max_columns=settings.max_columns, max_links=settings.max_links,
                     site_timeout=site_timeout)
    outcome: list = []

    def finished(result):  # noqa: ANN001, ANN202
        outcome.append(result)
        # A crawl that fails at once (say, a bad observer path) ends before the reactor has started.
        if reactor.running:
            reactor.stop()
        else:
            reactor.callWhenRunning(reactor.stop)

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
