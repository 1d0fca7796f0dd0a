"""Ctrl-C and SIGTERM during a crawl: stop within seconds, with what was seen stored.

Twisted's own handlers stop the reactor at once: the storage pipeline's open transaction then holds
SQLite's write lock while the runs are closed from outside (30 s of "database is locked"), and no
run learns it was cut short. Instead, at the signal, the storage pipeline commits every observation
made so far and closes the open runs as interrupted (with their counts), then the reactor stops.
Pages still under way are not waited for: Scrapy's own graceful close waits for every request
handed to the downloader, which includes those queued for a host's slot (crawler/hostlimit.py) and
can take minutes. `CrawlInterrupted` then tells the caller which signal it was (exit status
128 + signal, README "Exit status").
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from storage.interrupted import signal_reason

log = logging.getLogger(__name__)
SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Set at the signal: work in threads beside the crawl (the reactor waits for its threads as it stops)
# checks it and ends early.
stopping = threading.Event()


class CrawlInterrupted(BaseException):
    """The crawl was stopped by a signal; its runs are stored and marked interrupted. A BaseException,
    like KeyboardInterrupt: no `except Exception` takes it for a failure to recover from."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal_reason(signum))
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class Stopper:
    """Installs the crawl's SIGINT/SIGTERM handlers while the reactor runs; `signum` says what stopped it."""

    def __init__(self, reactor: Any, crawler: Any) -> None:
        self.reactor, self.crawler = reactor, crawler
        self.signum: int | None = None
        self._previous = {sig: signal.getsignal(sig) for sig in SIGNALS}

    def install(self) -> None:
        """Called once the reactor runs (after Twisted installed its own handlers, which these replace)."""
        for sig in SIGNALS:
            signal.signal(sig, self._on_signal)

    def restore(self) -> None:
        """The handlers from before the crawl: Ctrl-C after the crawl is the caller's again."""
        for sig, handler in self._previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)

    def _on_signal(self, signum: int, _frame: object) -> None:
        # A signal handler may run in the middle of anything: only hand the work to the reactor.
        self.reactor.callFromThread(self._stop, signum)

    def _stop(self, signum: int) -> None:
        if self.signum is not None or not self.reactor.running:
            return
        self.signum = signum
        stopping.set()
        log.warning("signal %s: stopping the crawl, storing what was seen", signum)
        if getattr(self.crawler, "engine", None) is not None and getattr(self.crawler, "spider", None) is not None:
            from crawler.pipelines import close_storage

            try:
                close_storage(self.crawler, signal_reason(signum))
            except Exception:
                log.exception("storing the last observations of the interrupted crawl")
        self.reactor.stop()
