"""`govwatch worker`: a SiteSpider that takes its site jobs from Redis (scrapy-redis), and account jobs.

Jobs are JSON (crawler/workqueue.py) pushed by a coordinator (`govwatch crawl --workers`, the
nightly scheduler). The worker keeps Scrapy's local scheduler: a site's requests stay in the worker
that took the site, because SiteSpider keeps each site's state in memory. A job moves to this
worker's processing list when taken (LMOVE) and leaves it when its `RunFinished` has been stored;
a heartbeat key tells coordinators the worker is alive. At most `worker_sites` sites are crawled at
once; a new job is taken as soon as one finishes, or as soon as one waits only for its evidence
screenshots (those come last, and do not keep the next site waiting).

An account job (政务新媒体, `kind: account`) is collected in a thread beside the crawl, one at a time, in
the crawl's Chromium (crawler/media/chromium.py), and acknowledged once its collection is stored.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.spiders import RedisSpider
from twisted.python.failure import Failure

from config.settings import Settings
from crawler.items import RunFinished, finished_runs
from crawler.spiders.site import SiteSpider
from crawler.workqueue import Job, WorkQueue, connect, requeue, requeue_accounts, worker_name


class WorkerSpider(RedisSpider, SiteSpider):
    name = "site-worker"

    def __init__(self, worker_sites: int = 8, lease: float = 60.0, exit_when_idle: bool = False,
                 worker_id: str | None = None, govwatch_settings: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.govwatch_settings = govwatch_settings
        self.worker_sites = max(1, int(worker_sites))
        self.lease = float(lease)
        self.exit_when_idle = bool(exit_when_idle)
        self.worker_id = worker_id or worker_name()
        self.taken: dict[str, str] = {}  # Job.lease_key -> raw job, for the ack
        self._account_lock = None  # one account collected at a time (a DeferredLock, made on first use)
        self._collector = None  # the accounts' Collector of the night (per-platform spacing, captcha stops)
        self._collector_night: str | None = None
        self.finished_count = 0
        self._stop = threading.Event()
        self._last_work = time.monotonic()

    # -- scrapy-redis ------------------------------------------------------------------------

    def setup_redis(self, crawler: Crawler | None = None) -> None:
        settings = (crawler or self.crawler).settings
        self.redis_key = f"{settings.get('GOVWATCH_REDIS_PREFIX', 'govwatch')}:jobs"
        super().setup_redis(crawler)
        self.server = connect(settings.get("GOVWATCH_REDIS_URL"))
        # scrapy-redis pops jobs with LRANGE+LTRIM; a worker takes them with LMOVE so none is lost.
        self.fetch_data = self._take_jobs
        self.count_size = self._queued
        self.queue = WorkQueue(self.server, settings.get("GOVWATCH_REDIS_PREFIX", "govwatch"))
        self.max_idle_time = settings.getint("MAX_IDLE_TIME_BEFORE_CLOSE", 0) if self.exit_when_idle else 0
        crawler = crawler or self.crawler
        crawler.signals.connect(self._item_done, signal=signals.item_scraped)
        crawler.signals.connect(self._item_done, signal=signals.item_dropped)
        crawler.signals.connect(self._item_done, signal=signals.item_error)
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    def _busy_sites(self) -> int:
        """Sites still being read: one left waiting only for its evidence screenshots (last in Scrapy's
        queue) gives its place to the next site, up to twice `worker_sites` sites held at once."""
        waiting_for_screenshots = sum(1 for s in self.sites.values() if 0 < s.pending <= s.capturing)
        return max(len(self.taken) - waiting_for_screenshots, len(self.taken) - self.worker_sites)

    def _has_room(self, taking: int = 0) -> bool:
        return self._busy_sites() + taking < self.worker_sites

    def _take_jobs(self, redis_key: str, batch_size: int) -> list[str]:
        """Take jobs while this worker has room; each one moves to our processing list."""
        raws = []
        while self._has_room(len(raws)):
            taken = self.queue.take(self.worker_id)
            if taken is None:
                break
            raws.append(taken[1])
        return raws

    def _queued(self, redis_key: str) -> int:
        return int(self.server.llen(redis_key))

    def make_request_from_data(self, data: bytes | str) -> scrapy.Request | None:
        """A job from Redis becomes the site's first request (SiteSpider.start_site)."""
        raw = data.decode() if isinstance(data, bytes) else data
        job = Job.loads(raw)
        if job.kind == "account":
            self._start_account(job, raw)
            return None
        if not self._run_is_open(job.run_id):
            # The coordinator gave this run up (timed out, superseded): nothing to crawl.
            self.logger.info("run %s is no longer open; skipping its job", job.run_id)
            self.queue.ack(self.worker_id, raw, job.run_id)
            return None
        self.taken[job.lease_key] = raw
        self._last_work = time.monotonic()
        self.logger.info("worker %s took site %s (run %s, attempt %s)", self.worker_id, job.url, job.run_id,
                         job.attempt)
        return self.start_site(job.as_spider_job())

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.next_requests():
            yield request

    def spider_idle(self) -> None:
        self.schedule_next_requests()
        if self.taken or self.count_size(self.redis_key) > 0:
            self._last_work = time.monotonic()
        if self.exit_when_idle and time.monotonic() - self._last_work >= max(self.max_idle_time, 1):
            self.logger.info("worker %s idle for %ss: exiting", self.worker_id, self.max_idle_time)
            return
        raise DontCloseSpider

    # -- bookkeeping -------------------------------------------------------------------------

    def _run_is_open(self, run_id: int) -> bool:
        from crawler.pipelines import database
        from storage.models import CrawlRun

        with database(self.settings.get("GOVWATCH_DATABASE")).session() as session:
            run = session.get(CrawlRun, run_id)
            return run is not None and run.finished_at is None

    def _item_done(self, item: Any, **kwargs: Any) -> None:
        for finished in finished_runs(item):
            self._site_done(finished)

    def _site_done(self, item: RunFinished) -> None:
        if str(item.run_id) not in self.taken:
            return
        raw = self.taken.pop(str(item.run_id))
        self.queue.ack(self.worker_id, raw, item.run_id)
        self.sites.pop(item.run_id, None)  # a long-lived worker keeps no finished site in memory
        self.finished_count += 1
        self._last_work = time.monotonic()
        if self._has_room():
            self.schedule_next_requests()

    # -- accounts ----------------------------------------------------------------------------

    def _start_account(self, job: Job, raw: str) -> None:
        """Collect the account in a thread (the crawl goes on); ack once its collection is stored."""
        from twisted.internet import defer, threads

        from crawler.browser import hold_browser

        self.taken[job.lease_key] = raw
        self._last_work = time.monotonic()
        self.logger.info("worker %s took account %s (attempt %s)", self.worker_id, job.account_id, job.attempt)
        release = hold_browser(self.crawler)  # the crawl's Chromium stays open for it
        if self._account_lock is None:
            self._account_lock = defer.DeferredLock()
        work = self._account_lock.run(threads.deferToThread, self._collect_account, job)

        def done(result: Any) -> None:
            release()
            self.taken.pop(job.lease_key, None)
            if isinstance(result, Failure):  # nothing stored: the account goes back to the queue
                self.logger.error("worker %s: account %s not collected: %s", self.worker_id, job.account_id,
                                  result.getErrorMessage())
                self.queue.push(requeue_accounts(self._db(), [job]), front=True)
            else:
                self.finished_count += 1
            self.queue.ack(self.worker_id, raw, job.lease_key)
            self._last_work = time.monotonic()

        work.addBoth(done)

    def _collect_account(self, job: Job) -> None:
        """In a thread: one collection stored (none when the account was already collected tonight)."""
        from crawler.media.collect import Collector, collect_accounts

        settings = self.govwatch_settings
        if settings is None:
            from config.settings import load_settings

            settings = self.govwatch_settings = load_settings()
        if self._collector is None or self._collector_night != job.reference_date:
            if self._collector is not None:
                self._collector.close()
            self._collector, self._collector_night = Collector(settings), job.reference_date
        collect_accounts(settings, self._db(), [job.account_id], once_per_night=not job.force,
                         collector=self._collector)

    def _db(self) -> Any:
        from crawler.pipelines import database

        return database(self.settings.get("GOVWATCH_DATABASE"))

    def unfinished_runs(self) -> list:
        """Nothing for the storage pipeline to close: unfinished sites are queued again (`_closed`)."""
        return []

    def _heartbeat(self) -> None:
        interval = max(0.2, self.lease / 4)
        while not self._stop.wait(interval):
            try:
                self.queue.beat(self.worker_id, self.lease)
            except Exception:
                self.logger.warning("worker %s: heartbeat failed", self.worker_id, exc_info=True)

    def _top_up(self) -> None:
        """Take new jobs while there is room (Scrapy's idle signal alone comes only every 5 s)."""
        if self._has_room():
            try:
                self.schedule_next_requests()
            except Exception:
                self.logger.warning("worker %s: could not take jobs", self.worker_id, exc_info=True)

    def _opened(self, spider: scrapy.Spider) -> None:
        from twisted.internet import task

        self.queue.beat(self.worker_id, self.lease)
        threading.Thread(target=self._heartbeat, name="govwatch-heartbeat", daemon=True).start()
        self._poller = task.LoopingCall(self._top_up)
        self._poller.start(0.5, now=False)
        self.logger.info("worker %s ready: jobs from %s, %s sites at once", self.worker_id, self.redis_key,
                         self.worker_sites)

    def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        self._stop.set()
        if getattr(self, "_poller", None) is not None and self._poller.running:
            self._poller.stop()
        from crawler.pipelines import database, flush_storage

        flush_storage(self.crawler)  # what was seen is stored before the runs are marked interrupted
        held = self.queue.held(self.worker_id)
        if held:

            self.logger.warning("worker %s stopping (%s) with %d unfinished site(s): queueing them again",
                                self.worker_id, reason, len(held))
            db = database(self.settings.get("GOVWATCH_DATABASE"))
            self.queue.take_orphans(self.worker_id)
            requeue(db, self.queue, held, f"worker {self.worker_id} stopped ({reason})")
        self.queue.retire(self.worker_id)
        if self._collector is not None:
            self._collector.close()


def run_worker(settings: Settings, *, exit_when_idle: bool = False, idle_seconds: int = 30,
               worker_id: str | None = None, log_file: Path | None = None) -> int:
    """Run one worker process until stopped (SIGTERM/SIGINT: unfinished sites are queued again) or,
    with `exit_when_idle`, until the queue has been empty for `idle_seconds`. Returns sites crawled."""
    import logging

    from scrapy.crawler import CrawlerProcess

    from crawler.settings import scrapy_settings

    local = scrapy_settings(settings)
    conf = local | {
        "REDIS_URL": settings.redis_url,
        "GOVWATCH_REDIS_URL": settings.redis_url,
        "GOVWATCH_REDIS_PREFIX": settings.redis_prefix,
        "MAX_IDLE_TIME_BEFORE_CLOSE": int(idle_seconds) if exit_when_idle else 0,
        "DOWNLOADER_MIDDLEWARES": local["DOWNLOADER_MIDDLEWARES"]
        | {"crawler.redis_politeness.RedisHostSlotsMiddleware": 930},  # before the local slots: see its docstring
        "GOVWATCH_REDIS_HOST_SLOTS": True,  # Chromium's requests count in Redis too (crawler/hostlimit.py)
        "CONCURRENT_REQUESTS": max(32, settings.worker_sites * settings.concurrent_per_host),
    }
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        conf |= {"LOG_FILE": str(log_file), "LOG_FILE_APPEND": True}
    process = CrawlerProcess(conf)
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    crawler = process.create_crawler(WorkerSpider)
    process.crawl(crawler, worker_sites=settings.worker_sites, lease=settings.worker_lease,
                  exit_when_idle=exit_when_idle, worker_id=worker_id, govwatch_settings=settings,
                  max_columns=settings.max_columns, max_links=settings.max_links, site_timeout=settings.site_timeout)
    process.start()
    return getattr(crawler.spider, "finished_count", 0)
