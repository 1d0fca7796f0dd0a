"""How a link answered, in the words the findings use: ok, broken, soft-404, timeout; and what the
link is (a page link, an image, an attachment), so a finding can say 图片无法显示 or 附件无法下载."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

import yaml
from scrapy import exceptions
from twisted.internet import error as twisted_error
from twisted.python.failure import Failure

from config.vocabulary import reason

HTML_TYPES = ("text/html", "application/xhtml")
# Linear over any page (crawler/bounds.py): a tag is a run without '<' or '>', so "<<<<" costs one
# pass, not one pass per '<'; script and style bodies are skipped with str.find, not a lazy match
# retried from every unclosed <script>.
TAG = re.compile(r"<[^<>]+>")
RAW_OPEN = re.compile(r"<(script|style)\b", re.I)
TITLE_OPEN = re.compile(r"<title[^<>]{0,500}>", re.I)
TITLE_CLOSE = re.compile(r"</title", re.I)
WHITESPACE = re.compile(r"\s+")
SOFT_404_MAX_CHARS = 1024 * 1024  # a "not found" page is small; a bigger one is judged by its title only
TEXT_TYPES = ("text/", "xml", "json", "javascript")
# What 政府网站 publish as 附件 (WPS/ET: Kingsoft Office, OFD: the national fixed-layout format).
ATTACHMENT_EXTENSIONS = frozenset(
    "pdf doc docx xls xlsx wps et ppt pptx ofd zip rar 7z".split())
LINK_KINDS = ("link", "image", "attachment")


def visible_text(html: str) -> str:
    """The page's text without tags, scripts, styles or whitespace: cheap, for short-page tests.
    An unclosed <script> or <style> hides the rest of the page, as in a browser."""
    parts: list[str] = []
    pos = 0
    low: str | None = None
    while (mt := RAW_OPEN.search(html, pos)) is not None:
        parts.append(html[pos:mt.start()])
        if low is None:
            low = html.lower()
        end = low.find("</" + mt.group(1).lower(), mt.end())
        close = html.find(">", end) if end != -1 else -1
        pos = len(html) if close == -1 else close + 1
    parts.append(html[pos:])
    return WHITESPACE.sub("", TAG.sub(" ", "".join(parts)))


def page_title(html: str) -> str:
    """The text of the first <title>, whitespace removed ("" without one)."""
    start = TITLE_OPEN.search(html)
    if start is None:
        return ""
    end = TITLE_CLOSE.search(html, start.end())
    return WHITESPACE.sub("", html[start.end():end.start()]) if end is not None else ""


@lru_cache(maxsize=1)
def _soft404() -> dict:
    return yaml.safe_load(resources.files("crawler").joinpath("data/soft404.yaml").read_text("utf-8"))


def soft_404_reason(text: str) -> str | None:
    """The phrase that marks a 200 page as "not found", or None for a real page."""
    rules = _soft404()
    title = page_title(text)
    for phrase in rules["title_phrases"]:
        if phrase in title:
            return f"title says {title[:60]!r}"
    if len(text) > SOFT_404_MAX_CHARS:
        return None
    visible = visible_text(text)
    if len(visible) <= rules["max_text_chars"]:
        for phrase in rules["phrases"]:
            if phrase.replace(" ", "") in visible:
                return f"page says {phrase!r}"
    return None


PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".shtm", ".xhtml", ".asp", ".aspx", ".jsp", ".php", ".do", ".action")


def looks_like_page(url: str) -> bool:
    """A link to a web page by its path (a folder, no extension, or a page script): its check needs
    the body (a soft 404) anyway, so it starts with GET; a HEAD first would only add a round trip,
    which on a slow server doubles the wait for that link."""
    from urllib.parse import urlsplit

    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return "." not in last or last.lower().endswith(PAGE_SUFFIXES)


def is_html(content_type: str | None) -> bool:
    return bool(content_type) and any(t in content_type.lower() for t in HTML_TYPES)


def is_attachment(url: str) -> bool:
    """A link to a document or archive, by the extension of its path (…/附件.pdf, …/t2023_1.docx)."""
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[1].lower() in ATTACHMENT_EXTENSIONS


def headers_suffice(content_type: str | None, body_length: object, limit: int) -> bool:
    """Whether a link check may stop reading once the headers are in: the answer is a file (an image,
    a PDF, an archive: not textual) or larger than a page can be, so its status says all. Only
    textual answers are read (an HTML page may be a soft 404, an error page a WAF's); a 64 MiB
    attachment then costs its headers, not its download."""
    kind = (content_type or "").lower()
    if not any(t in kind for t in HTML_TYPES + TEXT_TYPES):
        return True
    return isinstance(body_length, int) and body_length > limit


def failure_outcome(failure: Failure) -> tuple[str, str]:
    """(outcome, error text) for a request that got no HTTP answer."""
    from crawler.hostlimit import HostPaused

    exc = failure.value
    name = type(exc).__name__
    if failure.check(HostPaused):
        return "blocked", str(exc)
    if failure.check(twisted_error.TimeoutError, twisted_error.TCPTimedOutError, exceptions.DownloadTimeoutError):
        return "timeout", reason("timeout")
    if failure.check(twisted_error.ConnectionRefusedError, exceptions.DownloadConnectionRefusedError):
        return "broken", reason("refused")
    if failure.check(twisted_error.DNSLookupError, exceptions.CannotResolveHostError):
        return "broken", reason("dns")
    if failure.check(exceptions.IgnoreRequest) and "redirection" in str(exc):
        return "broken", reason("redirect_loop")
    if "SSL" in name or "TLS" in name or "certificate" in str(exc).lower():
        return "broken", reason("tls", error=str(exc)[:300])
    return "broken", plain_failure(failure)


def plain_failure(failure: Failure) -> str:
    """The rest in the words users read (issue 8, item 14), never "DownloadCancelledError:
    DownloadCancelledError", "HttpError: Ignoring non-200 response" or a Twisted failure's repr."""
    exc = failure.value
    name = type(exc).__name__
    request = getattr(failure, "request", None)
    meta = getattr(request, "meta", None) or {}
    if name == "HttpError" and getattr(exc, "response", None) is not None:
        return redirect_elsewhere(exc.response) or reason("status", status=exc.response.status)
    if name in ("DownloadCancelledError", "DownloadCancelled") or "maxsize" in str(exc).lower():
        limit = meta.get("download_maxsize") or 20 * 1024 * 1024
        return reason("too_large", mb=f"{limit / 1024 / 1024:g}")
    if failure.check(twisted_error.ConnectionLost, twisted_error.ConnectionDone, twisted_error.ConnectionAborted,
                     twisted_error.ConnectError) or name in ("ResponseNeverReceived", "ResponseFailed",
                                                            "PotentialDataLoss", "DownloadFailedError",
                                                            "ResponseDataLossError"):
        return reason("reset")
    if name == "UnsupportedURLSchemeError" or failure.check(exceptions.NotSupported) \
            or "unsupported url scheme" in str(exc).lower():
        target = getattr(request, "url", "") or ""
        return reason("not_web_address", target=target).strip()
    message = str(exc).strip()
    if name == "ValueError" and message.startswith("Missing scheme in request url"):
        return reason("not_a_link", target=message.rsplit(":", 1)[-1].strip() or message)
    if not message or message == name or message.startswith("[<twisted.python.failure"):
        return reason("read_failed", name=name)
    return reason("read_failed_detail", name=name, message=message)[:500]


def redirect_elsewhere(response: object) -> str | None:
    """A redirect Scrapy would not follow (to file://, ftp:, javascript:): where it leads, not "HTTP 302"."""
    status = getattr(response, "status", 0)
    headers = getattr(response, "headers", None)
    if not 300 <= status < 400 or headers is None:
        return None
    location = (headers.get(b"Location") or b"").decode("latin-1").strip()
    if location and not location.lower().startswith(("http:", "https:", "/")) and ":" in location.split("/")[0]:
        return reason("not_web_address", target=location)
    return None


def status_outcome(status: int) -> str:
    """429 Too Many Requests says the server refused us for now, not that the page is gone."""
    if status == 429:
        return "blocked"
    return "ok" if status < 400 else "broken"
