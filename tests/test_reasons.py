"""Every reason users read is Chinese (issue 17, item 5): each template of config/vocabulary.py REASONS,
filled in, is a Chinese sentence with no English word of its own, and every way a request fails in the
crawler ends in one of them (never "could not be fetched", "not an HTML page" or an exception's repr)."""

from __future__ import annotations

import re
import string

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as twisted_error
from twisted.python.failure import Failure

from config.vocabulary import REASONS, reason
from crawler.linkcheck import failure_outcome
from rules.reasons import reason_words

# Words a Chinese office reads as they are: protocol and file-format names.
ALLOWED = {"HTTP", "Content", "Type", "MB", "KB", "PDF", "ZIP", "PNG", "GIF", "JPEG", "Office", "doc", "xls",
           "gzip", "RAR", "application", "pdf"}
NUMBERS = {"status": 503, "offset": 18, "size": 1024, "limit": 15.0, "took": 16.2, "attempts": 3}  # the rest: 某值


def english_words(text: str) -> set[str]:
    """English words of the sentence itself: addresses (which are what they are) left out."""
    text = re.sub(r"(?:https?|file|javascript):\S*", " ", text)
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED}


@pytest.mark.parametrize("key", sorted(REASONS))
def test_every_reason_template_reads_as_chinese(key: str) -> None:
    fields = {name for _, name, _, _ in string.Formatter().parse(REASONS[key]) if name}
    text = reason(key, **{name: NUMBERS.get(name, "某值") for name in fields})
    assert re.search(r"[\u4e00-\u9fff]", text), text
    assert english_words(text) == set(), text


def _failure(exc: BaseException, url: str = "http://www.example.gov.cn/a.html") -> Failure:
    failure = Failure(exc)
    failure.request = Request(url)
    return failure


def _http_error(status: int, headers: dict[str, str] | None = None) -> HttpError:
    request = Request("http://www.example.gov.cn/a.html")
    return HttpError(Response(request.url, status=status, headers=headers or {}, request=request), "Ignoring non-200")


@pytest.mark.parametrize(("exc", "words"), [
    (twisted_error.TimeoutError(), "超时"),
    (twisted_error.ConnectionRefusedError(), "连接被拒绝"),
    (twisted_error.DNSLookupError(), "域名无法解析"),
    (IgnoreRequest("max redirections reached"), "重定向"),
    (twisted_error.ConnectionLost(), "连接被重置"),
    (_http_error(503), "网站返回 HTTP 503"),
    (_http_error(302, {"Location": "file:///etc/passwd"}), "重定向到非网页地址 file:///etc/passwd"),
    (ValueError("Missing scheme in request url: javascript:alert"), "链接不是网页地址"),
    (RuntimeError("something odd"), "读取失败（RuntimeError）"),
])
def test_every_failure_of_a_request_is_stored_in_chinese(exc: BaseException, words: str) -> None:
    _, text = failure_outcome(_failure(exc))
    assert words in text, text
    assert not {"could", "not", "fetched", "Missing", "scheme"} & english_words(text), text


def test_stored_reasons_read_the_same_in_the_notices_words() -> None:
    """The site's 无法访问 reason, from the new Chinese reasons and from older English ones alike."""
    assert reason_words(reason("home_status", url="http://x.gov.cn/", status=503)) == "首页返回 HTTP 503"
    assert reason_words("home page http://x.gov.cn/ answered HTTP 503") == "首页返回 HTTP 503"
    assert reason_words(reason("home_unreachable", url="http://x.gov.cn/", error=reason("timeout"))) == "连接超时"
    assert reason_words(reason("home_not_html", url="http://x.gov.cn/", content_type="application/pdf")) == "首页不是网页"
    assert reason_words("home page http://x.gov.cn/ is not an HTML page (Content-Type: application/pdf)") == "首页不是网页"
