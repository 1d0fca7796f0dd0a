"""Scrapy settings for a govwatch crawl, built from govwatch's own settings."""

from __future__ import annotations

import logging

from scrapy import Request

from config.settings import Settings

# CHROMIUM_ARGS carry no --no-sandbox: crawler/chromium.py decides the sandbox per machine, and says why.
from crawler.chromium import CHROMIUM_ARGS, SAFE_CONTEXT_OPTIONS, launch_options

USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 "
    "govwatch/0.1 (+government website inspection)"
)


# The one browser context, created on first use (no browser starts for a crawl that never renders).
# Downloads are refused and popups blocked (crawler/chromium.py says why, and when the sandbox is on).
BROWSER_CONTEXT = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN", "ignore_https_errors": True,
                   **SAFE_CONTEXT_OPTIONS}
__all__ = ["BROWSER_CONTEXT", "CHROMIUM_ARGS", "USER_AGENT", "browser_settings", "scrapy_settings"]
UNNEEDED_RESOURCES = {"media", "font"}


def abort_unneeded(request: Request) -> bool:
    """Media and fonts are never needed to read a list or to show Chinese text (system fonts are)."""
    return request.resource_type in UNNEEDED_RESOURCES


def browser_settings(settings: Settings) -> dict:
    """scrapy-playwright, used only by requests that ask for it (meta `playwright`)."""
    chromium = settings.chromium()
    if not chromium or not settings.browser:
        return {"GOVWATCH_BROWSER": False}
    return {
        "GOVWATCH_BROWSER": True,
        "DOWNLOAD_HANDLERS": {
            "http": "crawler.browser.SharedPlaywrightHandler",
            "https": "crawler.browser.SharedPlaywrightHandler",
        },
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        # Sandboxed where the machine allows it; `--no-sandbox` only as root or without user namespaces.
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch_options(chromium),
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": settings.browser_pages,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": int(settings.timeout * 1000),
        # a navigation that turns out to be a (refused) download waits no longer than a page would
        "PLAYWRIGHT_DOWNLOAD_TIMEOUT": int(settings.timeout * 1000),
        "PLAYWRIGHT_ABORT_REQUEST": abort_unneeded,
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
    }


def scrapy_settings(settings: Settings) -> dict:
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    return browser_settings(settings) | {
        "GOVWATCH_EVIDENCE_DIR": str(settings.evidence_dir.resolve()),
        "BOT_NAME": "govwatch",
        "USER_AGENT": USER_AGENT,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ROBOTSTXT_OBEY": False,  # inspection of public government pages, as an inspector's browser does
        "REMOTE_CONTROL_ENABLED": False,  # Scrapy 2.19's code-executing endpoint: never on
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": settings.concurrent_per_host,
        "DOWNLOAD_DELAY": settings.download_delay,
        "RANDOMIZE_DOWNLOAD_DELAY": True,
        "DOWNLOAD_TIMEOUT": settings.timeout,
        "DOWNLOAD_MAXSIZE": 20 * 1024 * 1024,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 1,  # a link is called broken only after a second try
        "REDIRECT_MAX_TIMES": 10,
        "COOKIES_ENABLED": True,
        "ITEM_PIPELINES": {"crawler.pipelines.StoragePipeline": 300},
        # One item per callback (crawler/items.py PageItems) and a pipeline that only queues rows: a few
        # items at once are plenty; Scrapy's default (100) starts 100 tasks for every response.
        "CONCURRENT_ITEMS": 8,
        "LOG_FORMATTER": "crawler.logformat.QuietLogFormatter",
        # Not used by an inspection, and each is a pass over every callback's output: depth (the spider
        # keeps its own levels) and URL length (a long link is checked like any other; the filter would
        # drop its request silently and leave the site waiting). Referer stays: sites that protect
        # their images and files from other sites' pages refuse a request without it.
        "SPIDER_MIDDLEWARES": {
            "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
            "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
        },
        # Scrapy's own per-domain slots do not hold under the asyncio reactor: crawler/hostlimit.py does.
        "DOWNLOADER_MIDDLEWARES": {"crawler.hostlimit.HostLimitMiddleware": 940},
        "GOVWATCH_DATABASE": settings.database,
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
        },
        "DNS_TIMEOUT": 10,
    }
