"""Issue 17: pages read from the tree a browser builds, lists a script fills, page kinds, and
widget dates. The pages in tests/corpus/cases/ are rebuilt from the shapes of real old-CMS, TRS and
district-portal templates (realistic markup, invented content)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.extract import extract_page
from crawler.render import render_reason

CASES = Path(__file__).with_name("corpus") / "cases"
REF = date(2023, 11, 22)


def case(name: str) -> str:
    return (CASES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("closed_links", [True, False])
def test_old_cms_home_page_shows_its_six_news_rows(closed_links: bool) -> None:
    # <li>, <span>, <div>, <ul> never closed, the news block inside the menu's last <li>, a stray
    # </html> mid-page, an unclosed comment at the end; and, the second time, no </a> either
    html = case("oldcms_home.html")
    if not closed_links:
        html = html.replace("</a>\n", "\n")
    page = extract_page(html, "http://www.qingshan.gov.cn/", REF)
    assert [(e.title, e.date) for e in page.items] == [
        ("县政府召开第三十次常务会议", date(2023, 11, 20)),
        ("全县安全生产工作推进会召开", date(2023, 11, 18)),
        ("县领导督导检查秋冬季森林防火工作", date(2023, 11, 16)),
        ("我县开展“宪法宣传周”系列活动", date(2023, 11, 14)),
        ("青山县召开2023年第四季度经济运行分析会", date(2023, 11, 10)),
        ("县人大常委会调研乡村振兴工作", date(2023, 11, 8)),
    ]
    assert page.latest_date == date(2023, 11, 20)
    assert not page.blank
    assert page.page_kind == "home"


def test_a_list_filled_by_script_needs_the_browser_and_is_not_judged_from_the_raw_page() -> None:
    # empty <tbody id="dataList">, the server rows in a comment, hidden page/pageSize inputs, xxgkList.js
    html = case("xxgk_script_list.html")
    page = extract_page(html, "http://www.songlin.gov.cn/zwgk/zcwj/", REF)
    reason = render_reason(200, html, page)
    assert reason is not None and reason == page.script_list
    assert "原始网页中列表为空" in reason
    assert page.latest_date is None and page.items == []
    assert page.page_kind == "column"


@pytest.mark.parametrize("signal", [
    '<script src="/js/newsList.min.js"></script>',
    '<input type="hidden" name="pageSize" value="20">',
    '<!-- <script>createPageHTML(8, 0, "index", "html");</script> -->',
    '<!-- <li><a href="./202311/t20231117_1.html">关于做好冬季防火工作的通知</a><span>2023-11-17</span></li>'
    '<li><a href="./202311/t20231109_2.html">关于开展安全生产大检查的通知</a><span>2023-11-09</span></li> -->',
    '<script>$.ajax({url: "/api/article/list", data: {channelId: 12, page: 1}, success: render});</script>',
])
def test_each_sign_of_a_script_list_beside_an_empty_container(signal: str) -> None:
    html = (f'<html><head><title>通知公告</title></head><body><div class="main"><ul class="list" id="list"></ul>'
            f'</div>{signal}</body></html>')
    page = extract_page(html, "http://www.example.gov.cn/tzgg/", REF)
    assert page.script_list is not None
    assert render_reason(200, html, page) in (page.script_list, "list built by script")  # XHR: the older code


def test_a_filled_list_beside_a_list_script_is_read_as_it_stands() -> None:
    # the browser's tree: the script has run and the container holds its rows
    rows = "".join(f'<tr><td><a href="./202311/t202311{d}_{d}.html">关于做好第{d}项工作的通知</a></td><td>2023-11-{d}</td></tr>'
                   for d in ("17", "09"))
    html = case("xxgk_script_list.html").replace('<tbody id="dataList"></tbody>', f'<tbody id="dataList">{rows}</tbody>')
    page = extract_page(html, "http://www.songlin.gov.cn/zwgk/zcwj/", REF)
    assert page.script_list is None and render_reason(200, html, page) is None
    assert page.latest_date == date(2023, 11, 17)


def test_the_cli_calls_a_script_list_unknown_not_blank() -> None:
    from govwatch.cli.extract import extract_source

    data = extract_source(str(CASES / "xxgk_script_list.html"), "http://www.songlin.gov.cn/zwgk/zcwj/", REF)
    assert data["render"]["needed"] is True
    assert data["blank"] is None and data["latest_date"] is None


def test_a_home_page_whose_lists_scripts_write_is_not_dated_from_its_static_links() -> None:
    html = case("homelist_home.html")
    page = extract_page(html, "http://www.meichuan.gov.cn/", REF)
    assert {e.date_source for e in page.items} == {"url"}  # the guide and the flow chart, dated by URL only
    assert page.latest_date is None
    assert not page.blank and page.page_kind == "home"
    reason = render_reason(200, html, page)
    assert reason is not None and "homelist" in reason


def test_a_home_list_written_beside_its_call_reads_as_a_list() -> None:
    rows = "".join(f'<li><a href="/mcyw/202311/t202311{d}_{d}.html">梅川区召开第{d}次常务会议</a><span>2023-11-{d}</span></li>'
                   for d in ("20", "16", "12"))
    html = case("homelist_home.html").replace('<script>homelist("mcyw", 8, 30, "yyyy-MM-dd");</script>',
                                              f'<script>homelist("mcyw", 8, 30, "yyyy-MM-dd");</script><ul>{rows}</ul>')
    html = html.replace('<script>homelistTz("tzgg", 6, 26);</script>', "<ul>" + rows.replace("mcyw", "tzgg") + "</ul>")
    html = html.replace('<script>homelist("zcwj", 6, 26, "MM-dd");</script>', "<ul>" + rows.replace("mcyw", "zcwj") + "</ul>")
    page = extract_page(html, "http://www.meichuan.gov.cn/", REF)
    assert page.script_list is None and page.latest_date == date(2023, 11, 20)


def test_a_gateway_is_not_a_blank_column_and_leads_to_the_site() -> None:
    page = extract_page(case("gateway.html"), "http://www.baihe.gov.cn/", REF)
    assert page.page_kind == "gateway"
    assert not page.blank and page.blank_reason is None
    assert page.entry_url == "http://www.baihe.gov.cn/portal/index.html"
    # the same few links as a column page deeper in the site are a column, and may read blank
    column = extract_page('<html><body><div class="main"><ul class="list"><li>暂无信息</li></ul></div></body></html>',
                          "http://www.baihe.gov.cn/zwgk/tzgg/", REF)
    assert column.page_kind == "column" and column.blank


def test_calendar_weather_and_today_dates_are_never_item_dates_or_the_latest() -> None:
    page = extract_page(case("calendar_home.html"), "http://www.qingxi.gov.cn/", REF)
    assert page.latest_date == date(2023, 11, 20)
    titles = [e.title for e in page.items]
    assert "全市重点项目集中开工仪式" not in titles and "市人大常委会第十五次会议" not in titles
    assert all(e.date <= date(2024, 1, 5) for e in page.items)


def test_dates_after_the_crawl_are_never_the_latest() -> None:
    html = ('<html><body><div class="main"><ul class="list">'
            '<li><a href="/a/1.html">关于2024年度招标工作的公告</a><span>2024-03-01</span></li>'
            '<li><a href="/a/2.html">关于召开2024年工作会议的通知</a><span>2024-02-01</span></li></ul></div></body></html>')
    page = extract_page(html, "http://www.example.gov.cn/tzgg/", REF)
    assert len(page.items) == 2 and page.latest_date is None


def test_a_date_after_the_crawl_itself_is_never_an_entry_date() -> None:
    # read today against today's date: a row dated next month is an event, not a publication
    from datetime import timedelta

    today = date.today()
    later, earlier = today + timedelta(days=40), today - timedelta(days=3)
    html = ('<html><body><div class="main"><ul class="list">'
            f'<li><a href="/a/1.html">全市重点项目集中开工仪式安排</a><span>{later.isoformat()}</span></li>'
            f'<li><a href="/a/2.html">关于做好冬季防火工作的通知</a><span>{earlier.isoformat()}</span></li>'
            f'<li><a href="/a/3.html">关于开展安全生产大检查的通知</a><span>{earlier.isoformat()}</span></li>'
            '</ul></div></body></html>')
    page = extract_page(html, "http://www.example.gov.cn/tzgg/", today)
    assert [e.title for e in page.items] == ["关于做好冬季防火工作的通知", "关于开展安全生产大检查的通知"]
    assert page.latest_date == earlier


def test_blank_once_the_browsers_tree_shows_the_script_list_empty() -> None:
    # what the browser shows after xxgkList.js ran and found nothing: the placeholder row and a 0-count pager
    html = case("xxgk_script_list.html").replace(
        '<tbody id="dataList"></tbody>', '<tbody id="dataList"><tr><td colspan="4">暂无信息</td></tr></tbody>')
    page = extract_page(html, "http://www.songlin.gov.cn/zwgk/zcwj/", REF)
    assert page.script_list is None and render_reason(200, html, page) is None
    assert page.blank and page.blank_reason == "placeholder: 暂无信息"
    # and the raw page, before the script ran: an empty list is a blank column only as far as the tree
    # goes; the render reason tells every reader (the CLI: blank unknown) that a browser must decide
    raw = extract_page(case("xxgk_script_list.html"), "http://www.songlin.gov.cn/zwgk/zcwj/", REF)
    assert raw.blank and render_reason(200, case("xxgk_script_list.html"), raw) == raw.script_list
