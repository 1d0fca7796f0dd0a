"""Pictures and attachments are link checks (issue 8, item 7): found on the page, checked under the same
per-site cap, with their kind; a GET of a file stops at its headers. No network: the spider's own
bookkeeping on small pages, and the headers_received decision on given headers."""

from __future__ import annotations

import time
from datetime import date

import pytest
from scrapy.exceptions import StopDownload
from scrapy.http import Headers, Request

from crawler.columns import site_scope
from crawler.extract import extract_page
from crawler.linkcheck import headers_suffice, is_attachment
from crawler.spiders.site import SiteSpider
from crawler.spiders.state import SiteCrawl

HOME = "http://www.x.gov.cn/"
PAGE = ("<html><body><img src='/img/logo.png'><img src='data:image/gif;base64,R0lGOD'>"
        "<a href='/a.html'>正文</a><a href='/f/附件1.PDF'>附件</a><a href='/f/b.xlsx?v=2'>表格</a>"
        "<a href='/down.jsp?file=c.pdf'>下载</a><img src='/img/logo.png'><img src='/img/tu.jpg'></body></html>")


def _spider_and_state(max_links: int) -> tuple[SiteSpider, SiteCrawl]:
    spider = SiteSpider(max_links=max_links)
    state = SiteCrawl(run_id=1, site_url=HOME, reference=date(2023, 11, 20), scope=site_scope(HOME),
                      deadline=time.monotonic() + 60)
    spider.sites[1] = state
    return spider, state


def test_pictures_and_attachments_are_found_and_named() -> None:
    extract = extract_page(PAGE, HOME, date(2023, 11, 20))
    assert extract.images == [HOME + "img/logo.png", HOME + "img/tu.jpg"]  # once each, no data: images
    assert [u for u in extract.links if is_attachment(u)] == [HOME + "f/附件1.PDF", HOME + "f/b.xlsx?v=2"]
    assert not is_attachment(HOME + "down.jsp?file=c.pdf") and not is_attachment(HOME + "a.html")


def test_every_kind_is_checked_once_with_its_kind_under_one_cap() -> None:
    spider, state = _spider_and_state(max_links=100)
    extract = extract_page(PAGE, HOME, date(2023, 11, 20))
    requests = [r for r in spider._check_links(state, extract, HOME) if isinstance(r, Request)]
    assert {r.meta["link"]: state.link_kinds[r.meta["link"]] for r in requests} == {
        HOME + "a.html": "link", HOME + "f/附件1.PDF": "attachment", HOME + "f/b.xlsx?v=2": "attachment",
        HOME + "down.jsp?file=c.pdf": "link", HOME + "img/logo.png": "image", HOME + "img/tu.jpg": "image"}
    # A link to a page is read with one GET (its body may be a soft 404; a file behind it stops at the
    # headers); pictures, attachments and other links start with HEAD.
    assert {r.meta["link"]: r.method for r in requests if r.method == "GET"} == {
        HOME + "a.html": "GET", HOME + "down.jsp?file=c.pdf": "GET"}

    spider, state = _spider_and_state(max_links=3)
    requests = [r for r in spider._check_links(state, extract, HOME) if isinstance(r, Request)]
    assert len(requests) == 3  # pictures count against GOVWATCH_MAX_LINKS like links


@pytest.mark.parametrize(("content_type", "length", "stop"), [
    ("application/pdf", 64 * 2**20, True),
    ("image/jpeg", 2048, True),
    ("application/zip", None, True),  # no length: would be read to the end
    (None, None, True),
    ("text/html; charset=utf-8", 9000, False),  # may be a soft 404: read it
    ("text/html", 64 * 2**20, True),  # no soft-404 page is that large
    ("text/plain", 300, False),  # an error page may be a WAF's
])
def test_a_link_check_reads_only_what_it_judges(content_type, length, stop: bool) -> None:
    assert headers_suffice(content_type, length, 2 * 2**20) is stop
    spider, _ = _spider_and_state(100)
    headers = Headers({"Content-Type": content_type} if content_type else {})
    get = Request(HOME + "f/a.pdf", meta={"link": HOME + "f/a.pdf"})
    if stop:
        with pytest.raises(StopDownload) as stopped:
            spider.link_headers_received(headers, length, get, spider)
        assert stopped.value.fail is False  # the answer still reaches the check, without its body
    else:
        spider.link_headers_received(headers, length, get, spider)
    page = Request(HOME + "big.html")  # not a link check: the page is read whatever its type
    spider.link_headers_received(headers, length, page, spider)


def test_failures_are_stored_in_the_words_users_read() -> None:
    """Issue 8, item 14: no "DownloadCancelledError: DownloadCancelledError" or Failure repr in a reason."""
    from scrapy import Request
    from scrapy.exceptions import DownloadCancelledError, UnsupportedURLSchemeError
    from scrapy.http import Response
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure
    from twisted.web._newclient import ResponseNeverReceived

    from crawler.linkcheck import failure_outcome
    from reports.verdict import link_reason

    def reason(exc: BaseException, url: str = "http://a.gov.cn/x", **meta) -> str:
        failure = Failure(exc)
        failure.request = Request(url, meta=meta)
        return failure_outcome(failure)[1]

    assert reason(DownloadCancelledError("DownloadCancelledError")) == "页面超过20 MB，未下载完"
    assert reason(DownloadCancelledError(), download_maxsize=2 * 1024 * 1024) == "页面超过2 MB，未下载完"
    assert reason(ResponseNeverReceived([])) == "连接被重置，没有收到完整应答"
    response = Response("http://a.gov.cn/x", status=503, request=Request("http://a.gov.cn/x"))
    assert reason(HttpError(response, "Ignoring non-200 response")) == "网站返回 HTTP 503"
    assert reason(UnsupportedURLSchemeError("Unsupported URL scheme 'file'"), "file:///etc/passwd") == \
        "重定向到非网页地址 file:///etc/passwd"
    assert reason(RuntimeError("RuntimeError")) == "读取失败（RuntimeError）"
    # what older crawls stored reads in Chinese too
    assert link_reason("connection refused") == "连接被拒绝"
    assert link_reason("HttpError: Ignoring non-200 response") == "网站返回错误状态码"
    assert link_reason("timeout: no answer in time") == "连接超时"
