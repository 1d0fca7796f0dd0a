"""Collect accounts (政务新媒体): for each account, the adapter its platform and registry row call for, one
collection stored with its posts. Used alike by `govwatch collect`, `govwatch crawl`, `recheck` of an account
and the nightly job. A failing account never stops the others; the first captcha of a platform stops that
platform for the rest of the run; the nightly run collects an account at most once a night."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from crawler.media import platforms
from crawler.media.access import Access, install_log_mask
from crawler.media.chromium import CrawlBrowser, PrivateBrowser, browser_runner
from crawler.media.common import BEIJING, Fetcher, evidence_store
from crawler.media.content import scan_posts
from storage.db import Database
from storage.media import Account, Collection
from storage.media_repo import CollectionResult, record_collection

log = logging.getLogger(__name__)


def sessions_of(settings: Settings) -> Access:
    """The office's sessions: the settings' values, else the environment's (crawler/media/access.py)."""
    return Access.from_mapping({k: getattr(settings, k, "") for k in ("wechat_session", "weibo_cookie",
                                                                       "bilibili_cookie")}).merged(Access.from_env())


class Collector:
    """One run's shared state: one fetcher per platform (its spacing), the process's one browser, the platforms
    stopped."""

    def __init__(self, settings: Settings, access: Access | None = None) -> None:
        self.settings = settings
        self.access = access or sessions_of(settings)
        install_log_mask(self.access)
        self.evidence = evidence_store(settings.evidence_dir)
        self.fetchers: dict[str, Fetcher] = {}
        self.stopped: dict[str, str] = {}
        self._browsers: CrawlBrowser | PrivateBrowser | None = None
        self.seen_at = datetime.now(UTC).astimezone(BEIJING)  # of the account being collected

    def fetcher(self, platform: str) -> Fetcher:
        if platform not in self.fetchers:
            self.fetchers[platform] = Fetcher(evidence=self.evidence, spacing=self.settings.media_spacing,
                                              jitter=self.settings.media_jitter, timeout=self.settings.timeout,
                                              secrets=self.access.secrets())
        fetcher = self.fetchers[platform]
        fetcher.kept = []
        return fetcher

    def browsers(self) -> CrawlBrowser | PrivateBrowser:
        """The process's one Chromium: the website crawl's when one runs beside us, else our own for the run."""
        if self._browsers is None:
            self._browsers = browser_runner(self.settings.chromium())
        return self._browsers

    def base(self, key: str) -> str:
        """Where a platform's host lives: `GOVWATCH_<KEY>_BASE` (tests, mirrors, a proxy), else its own address."""
        return platforms.base_of(self.settings, key)

    def collect(self, account: Account) -> CollectionResult:
        self.seen_at = datetime.now(UTC).astimezone(BEIJING)
        target = platforms.target_for(account, self.settings, self.access)
        if target is None:
            return CollectionResult(source="crawler", status="error", url=account.url,
                                    reason=platforms.unroutable(account))
        host = platforms.host_of(target)
        if host in self.stopped:
            return CollectionResult(source=target.kind, status="captcha", url=account.url,
                                    reason=f"本轮采集中该平台已出现验证码（{self.stopped[host]}），暂停访问，未采集",
                                    detail={"skipped": True})
        try:
            result = platforms.adapter_for(target)(target, self)
        except Exception as exc:  # one account's failure is its collection, not the run's end
            log.warning("collecting %s failed: %s", account.name, type(exc).__name__)
            kept = [e for f in self.fetchers.values() for e in f.kept]
            result = CollectionResult(source=target.kind, status="error", url=account.url, evidence=kept or None,
                                      reason=f"采集出错（{type(exc).__name__}），已保留取得的回答")
        if result.status == "captcha":
            self.stopped[host] = account.name
        scan_posts(result.posts)  # title and text scanned and masked before anything is stored
        return result

    def close(self) -> None:
        for fetcher in self.fetchers.values():
            fetcher.close()
        if self._browsers is not None:
            self._browsers.close()


def collected_tonight(session: Session, account_id: int, now: datetime | None = None) -> bool:
    """True when a crawler collection of this account already started in the last 20 hours."""
    return collected_since(session, account_id, (now or datetime.now(UTC)) - timedelta(hours=20))


def collected_since(session: Session, account_id: int, since: datetime) -> bool:
    """True when a crawler collection of this account started at `since` or later."""
    since = since.astimezone(UTC).replace(tzinfo=None) if since.tzinfo else since
    rows = session.scalars(select(Collection.source).where(
        Collection.account_id == account_id, Collection.started_at >= since)).all()
    return any(platforms.collected_by_crawler(src) for src in rows)


def collect_accounts(settings: Settings, db: Database, account_ids: Iterable[int], *,
                     on_done: Callable[[Account, Collection], None] | None = None,
                     once_per_night: bool = False, collector: Collector | None = None,
                     stop: threading.Event | None = None) -> dict[int, int]:
    """Collect each account once; returns {account id: collection id}. Accounts already collected tonight
    are left alone when `once_per_night` (the nightly job). A `collector` given (a worker's, kept across
    jobs) is left open. Once `stop` is set (the crawl beside was cut short), no further account is begun."""
    results: dict[int, int] = {}
    own = collector is None
    collector = collector or Collector(settings)
    try:
        for account_id in account_ids:
            if stop is not None and stop.is_set():
                log.warning("account collection stopped: the crawl was cut short")
                break
            with db.session() as session:
                account = session.get(Account, account_id)
                if account is None or (once_per_night and collected_tonight(session, account_id)):
                    continue
                started = datetime.now(UTC).replace(tzinfo=None)
                result = collector.collect(account)
                result.started_at = result.started_at or started
                collection = record_collection(session, account, result)
                results[account_id] = collection.id
                if on_done is not None:
                    on_done(account, collection)
    finally:
        if own:
            collector.close()
    return results
