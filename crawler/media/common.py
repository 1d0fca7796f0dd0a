"""What every platform adapter shares: failure pages recognised by their text, the span a list covers
completely, the fetched response kept as evidence, polite spacing between requests."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from crawler.evidence import EvidenceStore
from storage.media_repo import CollectionResult, PostSeen

BEIJING = ZoneInfo("Asia/Shanghai")
USER_AGENT = ("Mozilla/5.0 (Linux; Android 12; Pixel 6) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/124.0 Mobile Safari/537.36")

# (status, reason, markers): an HTTP-200 page carrying one of the markers is that failure, not "no posts".
FAILURE_PAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("captcha", "平台要求人机验证（验证码页），未能读取发布列表", (
        "seccodeImage", "需要您协助验证", "访问过于频繁", "antispider", "验证码", "captcha-verify", "安全验证",
        "wappoc_appmsgcaptcha", "完成验证后即可继续访问")),
    ("blocked", "平台提示当前环境异常（风控拦截），未能读取发布列表", ("当前环境异常", "环境异常", "访问受限")),
    ("not_found", "链接已过期，页面不含发布信息", ("链接已过期", "临时链接已失效", "链接已失效")),
    ("deleted", "账号已注销、被屏蔽或内容已被删除", (
        "该帐号已注销", "该账号已注销", "此帐号已被屏蔽", "此账号已被屏蔽", "该账号已被屏蔽", "该帐号已被屏蔽",
        "此帐号已自主注销", "此账号已自主注销", "该内容已被发布者删除", "用户不存在", "该账号因违反", "该帐号因违反",
        "此内容因违规无法查看")),
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
    secrets: list[str] = field(default_factory=list)  # masked in every URL kept as evidence
    halted: tuple[str, str] | None = None  # (status, reason): the platform refused for the rest of the run
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        self.client = httpx.Client(headers={"User-Agent": self.user_agent, "Accept-Language": "zh-CN,zh;q=0.9"},
                                   timeout=self.timeout, follow_redirects=True)

    def wait(self) -> None:
        if self.spacing <= 0 and self.jitter <= 0:
            return
        pause = self.spacing + random.uniform(0, self.jitter) - (time.monotonic() - self._last)
        if pause > 0:
            time.sleep(pause)

    def get(self, url: str, *, headers: dict[str, str] | None = None, **params: object) -> httpx.Response:
        """One GET as the platform's own client sends it (`headers`), spaced; the answer kept as evidence."""
        self.wait()
        try:
            self.client.cookies.update(self.cookies)
            response = self.client.get(url, params=params or None, headers=headers)
        finally:
            self._last = time.monotonic()
        self.keep(response)
        return response

    def masked(self, text: str) -> str:
        from crawler.media.access import mask

        return mask(text, self.secrets)

    def keep(self, response: httpx.Response) -> None:
        if self.evidence is None:
            return
        content_type = response.headers.get("content-type", "")
        suffix = ".json" if "json" in content_type else ".xml" if "xml" in content_type else ".html"
        stored = self.evidence.put(response.content, suffix, compress=True)
        self.kept.append({"kind": "response", "url": self.masked(str(response.request.url)),
                          "status": response.status_code, "path": stored.path, "sha256": stored.sha256})

    def close(self) -> None:
        self.client.close()


def failed(source: str, status: str, reason: str, url: str | None, fetcher: Fetcher | None,
           **detail: object) -> CollectionResult:
    """A collection that covers nothing: its status, its reason, the responses kept."""
    if fetcher is not None:
        url = fetcher.masked(url) if url else url
        reason = fetcher.masked(reason)
    return CollectionResult(source=source, status=status, reason=reason, url=url, detail=detail or None,
                            evidence=(list(fetcher.kept) or None) if fetcher else None)


def connection_reason(exc: BaseException, where: str = "平台") -> str:
    """A network failure in the words users read."""
    if isinstance(exc, httpx.TimeoutException):
        return f"连接{where}失败：等待回答超时"
    if isinstance(exc, httpx.ConnectError):
        return f"连接{where}失败：无法建立连接"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"连接{where}失败：重定向次数过多"
    return f"连接{where}失败：{type(exc).__name__}"


def guarded(source: str, url: str | None, fetcher: Fetcher | None, work: Callable[[], CollectionResult],
            where: str = "平台") -> CollectionResult:
    """Run one collector: a network error or an answer that does not parse becomes the collection's status
    and Chinese reason, with what was fetched kept; never a traceback."""
    try:
        return work()
    except httpx.HTTPError as exc:
        return failed(source, "error", connection_reason(exc, where), url, fetcher)
    except Exception as exc:
        return failed(source, "error", f"{where}的回答无法解析（{type(exc).__name__}），已保留取得的回答", url, fetcher)


def single_page(source: str, posts: list[PostSeen], url: str | None, fetcher: Fetcher, reason: str,
                **detail: object) -> CollectionResult:
    """Posts read from a page that is not the account's list (an article, a search entry, an album): stored
    as posts, covering no span."""
    return CollectionResult(source=source, status="ok", posts=posts, url=fetcher.masked(url) if url else url,
                            evidence=list(fetcher.kept) or None, reason=reason, detail=detail or None)


def evidence_store(root: Path | None) -> EvidenceStore | None:
    return EvidenceStore(root) if root else None
