"""Per-host politeness across workers: at most `concurrent_per_host` requests at once to one host,
counted in Redis over every `govwatch worker` process.

Each request in flight holds a slot: a member of the sorted set `{prefix}:host:{hostname}` scored
with its expiry time (Redis's own clock). A request waits before download until a slot is free and
gives it back on its response or exception. A slot expires on its own soon after the
download timeout, so the slots of a killed worker come back without anyone cleaning up.

The middleware sits just before the local host slots (priority 930, crawler/hostlimit.py at 940):
redirects and retries are new requests that queue for a new slot. A request takes its Redis slot
first and only then waits for a local one, never the other way round: a request holding a local slot
while it waited for Redis could wait for requests that wait for that local slot.

A browser page's own Scrapy request holds no slot here, as in the local slots: every request Chromium
sends for it (navigation, scripts, XHR, images) takes a Redis slot, then a local one, in the page's route
handler (crawler/hostlimit.py BrowserSlots), so link checks and rendering pages of every worker count
against one limit per host.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.httpobj import urlparse_cached

META_KEY = "govwatch_host_slot"

_ACQUIRE = """
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now + ttl, ARGV[3])
  redis.call('EXPIRE', key, math.ceil(ttl) + 5)
  return 1
end
return 0
"""


def connect(url: str) -> redis.Redis:
    """The one way govwatch opens Redis: the work queue, the host slots."""
    return redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=30, health_check_interval=30)


_TAKE_NOW = """
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1]), ARGV[2])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1])) + 5)
return 1
"""


class HostSlots:
    """The slot bookkeeping, usable without Scrapy.

    Inside the crawl's event loop every Redis call is asynchronous (redis.asyncio, one client per
    loop): taking a slot is awaited, giving one back or counting a hop already sent is sent without
    waiting (`settled()` waits for those), so the reactor thread never blocks on a Redis round trip.
    Outside a loop (tests, scripts) the same calls are made synchronously."""

    def __init__(self, client: redis.Redis, prefix: str, limit: int, ttl: float) -> None:
        self.redis = client
        self.prefix = prefix.rstrip(":")
        self.limit = max(1, int(limit))
        self.ttl = float(ttl)
        self._acquire = client.register_script(_ACQUIRE)
        self._take = client.register_script(_TAKE_NOW)
        self._async: Any = None  # (loop, redis.asyncio client, acquire script, take script)
        self._pending: set[asyncio.Task[Any]] = set()

    def _aio(self) -> tuple[Any, Any, Any] | None:
        """The asyncio client of the running loop, or None outside one."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        if self._async is None or self._async[0] is not loop:
            from redis import asyncio as aioredis

            pool = self.redis.connection_pool
            client = aioredis.Redis(connection_pool=aioredis.ConnectionPool(
                connection_class=aioredis.UnixDomainSocketConnection
                if pool.connection_class.__name__ == "UnixDomainSocketConnection" else aioredis.Connection,
                **pool.connection_kwargs))
            self._async = (loop, client, client.register_script(_ACQUIRE), client.register_script(_TAKE_NOW))
        return self._async[1:]

    def _later(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def settled(self) -> None:
        """Wait until every slot given back or taken without waiting has reached Redis."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    def key(self, host: str) -> str:
        return f"{self.prefix}:host:{host.lower()}"

    def try_acquire(self, host: str) -> str | None:
        token = secrets.token_hex(8)
        if self._acquire(keys=[self.key(host)], args=[self.limit, self.ttl, token]):
            return token
        return None

    def take_now(self, host: str) -> str:
        """Count a request already sent (a redirect hop Chromium follows by itself), whatever the limit."""
        token = secrets.token_hex(8)
        aio = self._aio()
        if aio is None:
            self._take(keys=[self.key(host)], args=[self.ttl, token])
        else:
            self._later(aio[2](keys=[self.key(host)], args=[self.ttl, token]))
        return token

    async def acquire(self, host: str) -> tuple[str, bool]:
        """Wait for a slot of the host (polling Redis, never blocking the loop): (token, waited)."""
        delay, waited = 0.02, False
        aio = self._aio()
        while True:
            token = secrets.token_hex(8)
            if aio is None:
                taken = self._acquire(keys=[self.key(host)], args=[self.limit, self.ttl, token])
            else:
                taken = await aio[1](keys=[self.key(host)], args=[self.limit, self.ttl, token])
            if taken:
                return token, waited
            waited = True
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.05)

    def release(self, host: str, token: str) -> None:
        aio = self._aio()
        if aio is None:
            self.redis.zrem(self.key(host), token)
        else:
            self._later(aio[0].zrem(self.key(host), token))


    def in_use(self, host: str) -> int:
        return int(self.redis.zcard(self.key(host)))


def shared_remote_slots(crawler: Crawler) -> HostSlots | None:
    """The crawler's one set of Redis host slots (workers mode, `GOVWATCH_REDIS_HOST_SLOTS`), shared by the
    middleware and the browser's request counting; None in a local crawl."""
    settings = crawler.settings
    if not settings.getbool("GOVWATCH_REDIS_HOST_SLOTS", False):
        return None
    slots = getattr(crawler, "_govwatch_redis_host_slots", None)
    if slots is None:
        limit = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 4)
        # A slot is held from before the local download slot (which may space requests by the delay)
        # until the answer, and a download never outlives its timeout.
        ttl = settings.getfloat("DOWNLOAD_TIMEOUT", 15.0) + limit * settings.getfloat("DOWNLOAD_DELAY", 0.0) * 1.5 + 2
        slots = HostSlots(connect(settings.get("GOVWATCH_REDIS_URL")),
                          settings.get("GOVWATCH_REDIS_PREFIX", "govwatch"), limit, ttl)
        crawler._govwatch_redis_host_slots = slots
    return slots


class RedisHostSlotsMiddleware:
    def __init__(self, slots: HostSlots, stats: StatsCollector | None = None, browser_counts: bool = False) -> None:
        self.slots = slots
        self.stats = stats
        self.browser_counts = browser_counts  # Chromium's requests take their Redis slots one by one

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisHostSlotsMiddleware:
        slots = shared_remote_slots(crawler)
        if slots is None:
            raise ValueError("RedisHostSlotsMiddleware needs GOVWATCH_REDIS_HOST_SLOTS (the workers' settings)")
        return cls(slots, crawler.stats, crawler.settings.getbool("GOVWATCH_BROWSER", False))

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        if not host or request.meta.get(META_KEY):
            return None
        if self.browser_counts and request.meta.get("playwright"):
            return None  # the page holds no slot; what Chromium sends for it is counted (BrowserSlots)
        token, waited = await self.slots.acquire(host)
        if waited and self.stats is not None:
            self.stats.inc_value("govwatch/host_slot_waits")
        request.meta[META_KEY] = (host, token)
        return None

    def _release(self, request: Request) -> None:
        held = request.meta.pop(META_KEY, None)
        if held:
            self.slots.release(*held)

    def process_response(self, request: Request, response: Response) -> Any:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        self._release(request)
        return None
