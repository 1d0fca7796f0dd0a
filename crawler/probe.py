"""Availability probes (W-V2 站点无法访问): is a site's home page there, whole, within 15 seconds?

A probe is one GET of the home page, redirects followed, the HTML body read to the end, all within
one total limit (`probe_timeout`, 15 s: connect + first byte + full body). It fails on a timeout
(exactly at the limit counts against the site: "超过（含）15秒"), a DNS error, a refused or broken
connection, a TLS error, an HTTP status of 400 or more, or an answer that is not HTML. Many sites are
probed at once, bounded by `probe_concurrency`. Probes only observe; the rules judge the share of
failures over a week.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

import httpx

from config.vocabulary import reason
from crawler.linkcheck import is_html
from crawler.settings import USER_AGENT
from storage.db import Database
from storage.repo import utcnow

BODY_LIMIT = 20 * 1024 * 1024  # bytes read at most; a bigger home page counts as arrived


@dataclass(slots=True)
class ProbeResult:
    site_id: int | None
    url: str
    probed_at: datetime
    ok: bool
    status: int | None
    elapsed_ms: float
    error_class: str | None  # timeout | dns | refused | tls | http-5xx | http-4xx | not-html | connection | error
    error: str | None
    final_url: str | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["probed_at"] = self.probed_at.isoformat(timespec="seconds") + "Z"
        return data


def _chain(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend([current.__cause__, current.__context__])


def classify_error(exc: BaseException) -> tuple[str, str]:
    """(error_class, message) for an exception raised while probing."""
    message = f"{exc.__class__.__name__}: {exc}".strip().rstrip(":")
    chain = list(_chain(exc))
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, (TimeoutError, asyncio.TimeoutError, httpx.TimeoutException)) for e in chain):
        return "timeout", message
    if any(isinstance(e, socket.gaierror) for e in chain) or "name or service not known" in text or (
        "nodename nor servname" in text or "temporary failure in name resolution" in text
    ):
        return "dns", message
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "connection refused" in text:
        return "refused", message
    if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in text or "certificate" in text:
        return "tls", message
    if any(isinstance(e, (httpx.TransportError, OSError)) for e in chain):
        return "connection", message
    return "error", message


async def probe_url(client: httpx.AsyncClient, url: str, *, timeout: float = 15.0,
                    site_id: int | None = None) -> ProbeResult:
    """Probe one URL: the whole answer must arrive within `timeout` seconds."""
    probed_at = utcnow()
    start = time.monotonic()
    status: int | None = None
    final_url: str | None = None
    content_type: str | None = None

    def elapsed() -> float:
        return round((time.monotonic() - start) * 1000, 1)

    try:
        async with asyncio.timeout(timeout):
            async with client.stream("GET", url) as response:
                status, final_url = response.status_code, str(response.url)
                content_type = response.headers.get("content-type")
                size = 0
                async for chunk in response.aiter_raw():
                    size += len(chunk)
                    if size >= BODY_LIMIT:
                        break
    except Exception as exc:
        error_class, message = classify_error(exc)
        if error_class == "timeout":
            message = (reason("probe_incomplete_status", limit=timeout, status=status) if status
                   else reason("probe_incomplete", limit=timeout))
        return ProbeResult(site_id, url, probed_at, False, status, elapsed(), error_class, message, final_url)
    took = elapsed()
    if took >= timeout * 1000:  # "超过（含）15秒": exactly at the limit counts against the site
        return ProbeResult(site_id, url, probed_at, False, status, took, "timeout",
                           reason("probe_slow", took=took / 1000, limit=timeout), final_url)
    if status >= 500:
        return ProbeResult(site_id, url, probed_at, False, status, took, "http-5xx", f"HTTP {status}", final_url)
    if status >= 400:
        return ProbeResult(site_id, url, probed_at, False, status, took, "http-4xx", f"HTTP {status}", final_url)
    if content_type and not is_html(content_type):
        return ProbeResult(site_id, url, probed_at, False, status, took, "not-html",
                           reason("probe_not_html", content_type=content_type), final_url)
    return ProbeResult(site_id, url, probed_at, True, status, took, None, None, final_url)


def make_client(timeout: float = 15.0, concurrency: int = 20) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=10,
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=0),
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                 "Accept-Language": "zh-CN,zh;q=0.9"},
        trust_env=False,
    )


async def probe_many(targets: Sequence[tuple[int | None, str]], *, timeout: float = 15.0,
                     concurrency: int = 20) -> list[ProbeResult]:
    """Probe every (site_id, url) once, at most `concurrency` at a time; results in input order."""
    semaphore = asyncio.Semaphore(concurrency)
    async with make_client(timeout, concurrency) as client:

        async def one(site_id: int | None, url: str) -> ProbeResult:
            async with semaphore:
                return await probe_url(client, url, timeout=timeout, site_id=site_id)

        return list(await asyncio.gather(*(one(s, u) for s, u in targets)))


def probe_sites(db: Database, site_ids: Sequence[int] | None = None, *, timeout: float = 15.0,
                concurrency: int = 20) -> list[ProbeResult]:
    """Probe the registered sites (or the given ones) once and store every result."""
    from sqlalchemy import select

    from storage.models import Probe, Site

    with db.session() as session:
        query = select(Site.id, Site.url).order_by(Site.id)
        query = query.where(Site.id.in_(list(site_ids))) if site_ids is not None else query.where(
            Site.registered.is_(True))
        targets = [(row.id, row.url) for row in session.execute(query)]
    if not targets:
        return []
    results = asyncio.run(probe_many(targets, timeout=timeout, concurrency=concurrency))
    with db.session() as session:
        session.add_all(Probe(site_id=r.site_id, url=r.url, probed_at=r.probed_at, ok=r.ok, status=r.status,
                              elapsed_ms=r.elapsed_ms, error_class=r.error_class, error=r.error) for r in results)
    return results
