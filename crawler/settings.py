"""Scrapy settings for a govwatch crawl, built from govwatch's own settings."""

from __future__ import annotations

import logging

from govwatch.settings import Settings

USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 "
    "govwatch/0.1 (+government website inspection)"
)


def scrapy_settings(settings: Settings) -> dict:
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    return {
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
        "GOVWATCH_DATABASE": settings.database,
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
        },
        "DNS_TIMEOUT": 10,
    }
