"""Running crawls in this process: several sites at once, each in its own spider, so one failing
site never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scrapy.utils.reactor import install_reactor

from govwatch.settings import Settings


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
    parallel_sites: int = 4,
    site_timeout: float = 900.0,
    on_done: Callable[[CrawlJob], None] | None = None,
    log_file: Path | None = None,
) -> None:
    """Crawl every job; returns when all have finished, failed or timed out.

    Twisted's reactor runs once per process, so this is called at most once per process.
    """
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from scrapy.crawler import CrawlerRunner
    from scrapy.utils.log import configure_logging
    from twisted.internet import defer, reactor

    from crawler.settings import scrapy_settings
    from crawler.spiders.site import SiteSpider

    scrapy_conf = scrapy_settings(settings, site_timeout=site_timeout)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        scrapy_conf |= {"LOG_FILE": str(log_file), "LOG_FILE_APPEND": True}
    configure_logging(scrapy_conf, install_root_handler=True)
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    runner = CrawlerRunner(scrapy_conf)
    semaphore = defer.DeferredSemaphore(max(1, parallel_sites))

    def crawl(job: CrawlJob) -> defer.Deferred:
        d = runner.crawl(
            SiteSpider,
            run_id=job.run_id,
            site_url=job.url,
            reference_date=reference_date.isoformat(),
            max_columns=settings.max_columns,
            max_links=settings.max_links,
        )

        def finished(result):  # noqa: ANN001, ANN202
            if on_done is not None:
                on_done(job)
            return result

        return d.addBoth(finished)

    deferreds = [semaphore.run(crawl, job) for job in jobs]
    done = defer.DeferredList(deferreds, consumeErrors=True)
    done.addBoth(lambda _: reactor.stop())
    reactor.run(installSignalHandlers=True)
