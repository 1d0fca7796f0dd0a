"""Reading every page as a browser would, in bounded time (issue 8, items 4, 5 and 8): unclosed <a> tags
parsed by the HTML5 rules, linear scans over hostile pages, huge pages cut with the cut said, and the
reading notes carried into the evidence. The time bounds are loose (a loaded CI runner must pass them);
bench/reading.py measures the real figures."""

from __future__ import annotations

import base64
import time
from datetime import date

import pytest

from crawler._html import parse_html
from crawler.bounds import MAX_HTML_BYTES, bound_html
from crawler.columns import discover_columns, site_scope
from crawler.extract import extract_page
from crawler.linkcheck import page_title, soft_404_reason, visible_text
from crawler.render import challenge_script, list_script, render_reason, script_texts
from rules.checks.content import stale_columns
from rules.observations import ColumnObs, SiteObs, reading_notes
from rules.profile import load_profile

REF = date(2023, 11, 20)
HOME = "http://www.xx.gov.cn/"
MENU = [("zwgk", "政务公开"), ("gzdt", "工作动态"), ("tzgg", "通知公告"), ("zcwj", "政策文件"), ("bsfw", "办事服务"),
        ("hdjl", "互动交流"), ("ldxx", "县长信箱")]


def old_template_home(closed: bool) -> str:
    """An old county template: menu items `<li><a href=…>name` with neither </a> nor </li>, news rows
    the same way; browsers show every link, libxml2 nests each link inside the one before."""
    end = "</a></li>" if closed else ""
    menu = "".join(f'<li><a href="/{p}/" target="_blank">{n}{end}' for p, n in MENU)
    rows = "".join(f'<li><a href="/gzdt/202311/t2023111{k}_{k}.html" title="县政府召开第{k}次常务会议研究部署冬季工作">'
                   f'县政府召开第{k}次常务会议研究部署冬季工作{end}<span class="date">2023-11-1{k}</span>'
                   for k in range(6))
    return (f'<html><head><title>某某县人民政府</title></head><body><div class="top"><ul class="menu">{menu}</ul>'
            f'</div><div class="main"><div class="news"><ul class="list">{rows}</ul></div></div>'
            '<div class="footer">版权所有 某某县人民政府</div></body></html>')


# -- item 5: unclosed <a> ------------------------------------------------------------------------------


def test_unclosed_links_read_as_a_browser_shows_them() -> None:
    clean, faulty = (extract_page(old_template_home(c), HOME, REF) for c in (True, False))
    assert [(e.title, e.date) for e in faulty.items] == [(e.title, e.date) for e in clean.items]
    assert len(faulty.items) == 6 and faulty.latest_date == date(2023, 11, 15)
    names = [c.name for c in discover_columns(faulty.root, HOME, site_scope(HOME))]
    assert names == [c.name for c in discover_columns(clean.root, HOME, site_scope(HOME))]
    assert names[:7] == [n for _, n in MENU]
    # no link holds another: each shows its own name only
    assert not faulty.root.xpath("//a[ancestor::a]")


def test_pages_with_well_formed_links_keep_the_tolerant_parse() -> None:
    root = parse_html(old_template_home(True))
    assert root is not None and not root.xpath("//a[ancestor::a]")
    # the tolerant parser's own forgiveness (a stray </html> closing the document early) stays
    late = parse_html("<html><body><p>一</p></html><p><a href='/x.html'>二</a></p></body></html>")
    assert [a.text for a in late.iter("a")] == ["二"]


# -- item 8: bounded scans ----------------------------------------------------------------------------


def _seconds(func, *args):
    start = time.process_time()
    result = func(*args)
    return result, time.process_time() - start


def test_cookie_scripts_are_scanned_in_linear_time() -> None:
    # 600 KB of cookie assignments with no reload: the lazy `.*?` took tens of seconds here
    html = "<html><body>" + "<script>document.cookie='a=b; path=/';</script>" * 13000 + "</body></html>"
    assert len(html) > 600_000
    reason, seconds = _seconds(render_reason, 200, html, None)
    assert reason is None and seconds < 2
    challenge = "<html><body><script>document.cookie='k=1';location.reload();</script></body></html>"
    assert render_reason(200, challenge, None) == "challenge page"


@pytest.mark.parametrize("hostile", [
    "<" * 1_000_000,  # one tag opening a million times, never closed
    "<script>" * 120_000,  # scripts that never close
    "<p>政务" + "<title>" * 100_000,  # titles that never close
    "<style>a{}" * 100_000,
], ids=["lt", "script", "title", "style"])
def test_hostile_markup_costs_one_pass(hostile: str) -> None:
    for func in (visible_text, soft_404_reason, page_title, script_texts):
        _, seconds = _seconds(func, hostile)
        assert seconds < 2, func.__name__
    _, seconds = _seconds(render_reason, 200, hostile, None)
    assert seconds < 2


def test_linear_scans_read_what_the_old_patterns_read() -> None:
    html = ("<html><head><title> 页面 不存在 </title><style>p{}</style></head><body><p>正文</p>"
            "<script type='text/javascript'>var a = '<p>';</script><p>二</p></body></html>")
    assert visible_text(html) == "页面不存在正文二"
    assert page_title(html) == "页面不存在"
    assert script_texts(html) == ["var a = '<p>';"]
    assert visible_text("<p>一</p><script>hidden") == "一"  # an unclosed script hides the rest, as in a browser
    assert challenge_script("document.cookie = 'x'; window.location = '/'")
    assert not challenge_script("window.location = '/'; document.cookie = 'x'")
    assert list_script("$.ajax({url: '/list'})") and list_script("el.innerHTML = rows")
    assert list_script("new  Vue({el: '#app'})") and not list_script("var prefetch = 1; $.gets")


def test_a_10_mb_single_line_page_is_cut_and_the_cut_recorded() -> None:
    rows = "".join(f'<li><a href="/a/{i}.html">关于做好第{i}项重点工作落实情况的通知</a><span>2023-11-{i + 1:02d}</span></li>'
                   for i in range(18))
    data = ",".join(f'{{"id":{i},"v":"{i * 7919 % 100000}"}}' for i in range(420_000))  # inline JSON
    html = f"<html><head><title>大页面</title></head><body><ul>{rows}</ul><script>var d=[{data}];</script></body></html>"
    assert len(html.encode()) > 10 * 1024 * 1024 and "\n" not in html
    page, seconds = _seconds(extract_page, html, HOME, REF)
    assert page.cut == f"页面内容约 {len(html.encode()) / 1048576:.1f} MB，只读取了前 2.0 MB"
    assert page.latest_date == date(2023, 11, 18) and len(page.items) == 18
    assert seconds < 10
    reason, seconds = _seconds(render_reason, 200, html, page)
    assert reason is None and seconds < 5


def test_inline_images_are_dropped_before_the_cut() -> None:
    image = base64.b64encode(bytes(range(256)) * 20000).decode()  # 6.8 MB of base64
    html = f'<html><body><img src="data:image/png;base64,{image}"><p>发布日期：2023-11-18</p><p>正文</p></body></html>'
    text, cut = bound_html(html)
    assert cut is None and '<img src="data:,">' in text and "发布日期：2023-11-18" in text
    assert extract_page(html, HOME, REF).page_date == date(2023, 11, 18)


def test_the_cut_falls_before_a_tag_and_small_pages_are_untouched() -> None:
    small = "<p>政务公开</p>" * 1000
    assert bound_html(small) == (small, None)
    text, cut = bound_html("<p>政务公开</p>" * 200_000)
    assert cut and text.endswith("</p>") and len(text.encode()) <= MAX_HTML_BYTES


# -- item 4: the repair reaches the evidence -------------------------------------------------------------


def test_reading_notes_reach_the_column_evidence() -> None:
    records = {"reading": [{"url": HOME + "zcwj/", "found_on": None, "role": "column",
                            "notes": ["1 个字节无法按 GBK 解码，已替换"]}]}
    notes = reading_notes(records)
    column = ColumnObs("政策文件", HOME + "zcwj/", "policy", 1, date(2023, 1, 5), 5, 0, False,
                       reading=notes.get(HOME + "zcwj/"))
    obs = SiteObs(HOME, "某某县", None, 1, "ok", None, REF, HOME, REF, (column,), records=records)
    profile = load_profile("national-2019")
    [finding] = stale_columns(obs, REF, profile.indicator("W-D3"), profile)
    assert finding.evidence[0]["reading"] == "1 个字节无法按 GBK 解码，已替换"


def test_only_big_pages_are_parsed_in_a_thread(monkeypatch) -> None:
    from twisted.internet import defer

    from crawler.bounds import THREAD_MIN_CHARS
    from crawler.spiders import site

    threaded: list[int] = []

    def in_thread(func, *args):
        threaded.append(len(args[0]))
        return defer.succeed(func(*args))

    def run(coro):
        try:
            coro.send(None)
        except StopIteration as done:
            return done.value
        raise AssertionError("the call did not complete")

    monkeypatch.setattr(site, "deferToThread", in_thread)
    monkeypatch.setattr(site, "maybe_deferred_to_future", lambda deferred: deferred)  # no reactor in this test
    small, big = "<p>一</p>", "<p>一</p>" * (THREAD_MIN_CHARS // 8 + 1)
    assert run(site._off_reactor(len, len(small), small)) == len(small) and threaded == []
    assert run(site._off_reactor(len, len(big), big)) == len(big) and threaded == [len(big)]
