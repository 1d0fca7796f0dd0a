"""Scrapy's per-request and per-item DEBUG records, built only when DEBUG is logged.

Scrapy builds a "Crawled (200) <GET …>" and a "Scraped from …" record for every response and item
and hands them to logging, which throws them away at the INFO level govwatch runs at; at thousands
of pages a minute that is measurable. Returning None skips the record (Scrapy's documented contract).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter

_scrapy_log = logging.getLogger("scrapy.core.engine")
_scraper_log = logging.getLogger("scrapy.core.scraper")


class QuietLogFormatter(LogFormatter):
    def crawled(self, *args: Any, **kwargs: Any) -> Any:
        return super().crawled(*args, **kwargs) if _scrapy_log.isEnabledFor(logging.DEBUG) else None

    def scraped(self, *args: Any, **kwargs: Any) -> Any:
        return super().scraped(*args, **kwargs) if _scraper_log.isEnabledFor(logging.DEBUG) else None
