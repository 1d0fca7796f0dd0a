"""What every platform adapter shares: failure pages recognised by their text, the span a list covers
completely, the fetched response kept as evidence, polite spacing between requests."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from config.clock import BEIJING
from crawler.evidence import EvidenceStore
from storage.media_repo import CollectionResult, PostSeen

USER_AGENT = ("Mozilla/5.0 (Linux; Android 12; Pixel 6) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/124.0 Mobile Safari/537.36")

# (status, reason, markers): an HTTP-200 page carrying one of the markers is that failure, not "no posts".
FAILURE_PAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("captcha", "平台要求人机验证（验证码页），未能读取发布列表", (
        "seccodeImage", "需要您协助验证", "访问过于频繁", "antispider", "验证码", "captcha-verify", "安全验证")),
    ("blocked", "平台提示当前环境异常（风控拦截），未能读取发布列表", ("当前环境异常", "环境异常", "访问受限")),
    ("not_found", "链接已过期，页面不含发布信息", ("链接已过期",)),
    ("deleted", "账号已注销或内容已被删除", (
        "该帐号已注销", "该账号已注销", "此帐号已被屏蔽", "此帐号已自主注销", "该内容已被发布者删除", "用户不存在",
        "该账号因违反", "此内容因违规无法查看")),
    ("login_required", "平台要求登录后才能查看发布列表", ("请先登录", "登录后查看", "passport.weibo.cn/signin",
                                                          "扫码登录")),
)


def failure_of(text: str) -> tuple[str, str] | None:
    """(status, reason) when a page is one of the platforms' failure pages."""
    for status, reason, markers in FAILURE_PAGES:
        if any(marker in text for marker in markers):
            return status, reason
    return None


def from_unix(seconds: float | int | str) -> datetime:
    """A unix time (seconds, or milliseconds when it is that large) as an aware Beijing time."""
    value = float(seconds)
    if value > 1e11:
        value /= 1000.0
    return datetime.fromtimestamp(value, UTC).astimezone(BEIJING)


def covered_span(posts: Iterable[PostSeen], *, complete: bool,
                 seen_at: datetime) -> tuple[datetime | None, datetime | None]:
    """The span a list covers completely. Pinned posts do not count: an old pinned post first never stretches
    the span back (nor makes the account look stale). A complete list (its end was reached) covers from its
    oldest post; a list stopped at a page limit covers from the oldest unpinned post it read to the moment
    it was read, which is exactly what it saw without gaps."""
    times = [p.published_at for p in posts if not p.pinned]
    if not times:
        return (None, seen_at) if complete else (None, None)
    oldest = min(times)
    return oldest, seen_at


@dataclass
class Fetcher:
    """One HTTP client per platform: its own spacing (seconds, jittered), evidence kept for every answer."""

    evidence: EvidenceStore | None = None
    spacing: float = 0.0
    jitter: float = 0.0
    timeout: float = 20.0
    cookies: dict[str, str] = field(default_factory=dict)
    _last: float = 0.0
    kept: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.client = httpx.Client(headers={"User-Agent": USER_AGENT, "Accept-Language": "zh-CN,zh;q=0.9"},
                                   timeout=self.timeout, follow_redirects=True)

    def wait(self) -> None:
        if self.spacing <= 0 and self.jitter <= 0:
            return
        pause = self.spacing + random.uniform(0, self.jitter) - (time.monotonic() - self._last)
        if pause > 0:
            time.sleep(pause)

    def get(self, url: str, **params: object) -> httpx.Response:
        self.wait()
        try:
            self.client.cookies.update(self.cookies)
            response = self.client.get(url, params=params or None)
        finally:
            self._last = time.monotonic()
        self.keep(response)
        return response

    def keep(self, response: httpx.Response) -> None:
        if self.evidence is None:
            return
        content_type = response.headers.get("content-type", "")
        suffix = ".json" if "json" in content_type else ".xml" if "xml" in content_type else ".html"
        stored = self.evidence.put(response.content, suffix, compress=True)
        self.kept.append({"kind": "response", "url": str(response.request.url), "status": response.status_code,
                          "path": stored.path, "sha256": stored.sha256})

    def close(self) -> None:
        self.client.close()


def failed(source: str, status: str, reason: str, url: str | None, fetcher: Fetcher | None,
           **detail: object) -> CollectionResult:
    """A collection that covers nothing: its status, its reason, the responses kept."""
    return CollectionResult(source=source, status=status, reason=reason, url=url, detail=detail or None,
                            evidence=list(fetcher.kept) if fetcher else None)


def evidence_store(root: Path | None) -> EvidenceStore | None:
    return EvidenceStore(root) if root else None
