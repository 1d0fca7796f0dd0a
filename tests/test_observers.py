"""The page observers' readers on hand-written pages: letters of message boards (tables with headers,
list rows with a status, labelled dates, a letter's own page, pagination), service guide elements,
footers, search forms, IPv6 checks, channel names; and one crawl of a site on an IPv6 address, where
the IPv6 check runs in a thread beside the crawl."""

from __future__ import annotations

import socket
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawler.columns import parse_html
from crawler.observers import DEFAULT_OBSERVERS
from crawler.observers.interaction import InteractionObserver
from crawler.observers.ipv6 import check_ipv6
from crawler.observers.letters import next_page, parse_letters, read_letter, statistics
from crawler.observers.publishing import read_footer, search_form
from crawler.observers.services import guide_elements

T0 = date(2023, 11, 20)
URL = "http://www.xx.gov.cn/hdjl/xzxx/index.html"


def test_default_observers_are_the_three_families() -> None:
    assert [p.rsplit(".", 1)[1] for p in DEFAULT_OBSERVERS] == ["InteractionObserver", "ServicesObserver",
                                                                "PublishingObserver"]


@pytest.mark.parametrize(("name", "types"), [
    ("县长信箱", ["consult", "mailbox"]),
    ("我要留言", ["consult"]),
    ("网上信访", ["petition"]),
    ("纪检监察举报", ["discipline"]),
    ("书记信箱", ["consult", "mailbox"]),
    ("意见征集", ["survey"]),
    ("在线访谈", ["interview"]),
    ("信件统计", ["statistics"]),
    ("12345热线", ["consult"]),
    ("咨询新生儿医保办理流程的有关问题请回复", []),  # an article title, too long to be a channel
    ("工作动态", []),
])
def test_channel_names(name: str, types: list[str]) -> None:
    assert InteractionObserver().channel_types(name) == types


def test_board_table_with_headers_gives_ask_and_reply_dates() -> None:
    html = """<html><body><div class="nav"><a href="/">首页</a><a href="/hdjl/">互动交流</a></div>
    <table class="xxlist"><tr><th>信件标题</th><th>来信时间</th><th>回复时间</th><th>办理状态</th></tr>
    <tr><td><a href="./1.html">关于城东路路灯不亮的问题</a></td><td>2023-11-18</td><td>—</td><td>办理中</td></tr>
    <tr><td><a href="./2.html">咨询新生儿医保办理流程</a></td><td>2023-11-14</td><td>2023-11-17</td><td>已回复</td></tr>
    </table><div class="xjtj">信件统计：2023年共收到来信186件，已办结185件</div></body></html>"""
    letters = parse_letters(html, URL, T0)
    assert [(x.title, x.asked, x.replied, x.status) for x in letters] == [
        ("关于城东路路灯不亮的问题", date(2023, 11, 18), None, "pending"),
        ("咨询新生儿医保办理流程", date(2023, 11, 14), date(2023, 11, 17), "answered"),
    ]
    assert letters[1].url == "http://www.xx.gov.cn/hdjl/xzxx/2.html"
    assert statistics(html).startswith("信件统计：2023年共收到来信186件")


def test_board_rows_in_a_script_datastore_with_a_status_and_no_reply_date() -> None:
    html = """<div id="1"><script type="text/xml"><datastore><recordset>
    <record><![CDATA[<li><a href="/art/2023/11/19/art_1211_1.html">关于化工园区夜间异味的投诉</a><span>2023-11-19</span>
    <em>未回复</em></li>]]></record>
    <record><![CDATA[<li><a href="/art/2023/11/16/art_1211_2.html">咨询建设项目环评审批时限</a><span>2023-11-16</span>
    <em>已回复</em></li>]]></record></recordset></datastore></script></div>"""
    letters = parse_letters(html, "http://sthjj.qj.gov.cn/col/col1211/index.html", T0)
    assert [(x.asked, x.replied, x.status) for x in letters] == [
        (date(2023, 11, 19), None, "pending"), (date(2023, 11, 16), None, "answered")]
    assert statistics(html) is None


def test_board_rows_with_labelled_dates_and_a_td_header() -> None:
    html = """<table><tr><td></td><td>留言标题</td><td>留言时间</td><td>状态</td></tr>
    <tr><td><img src="a.gif"></td><td><a href="Show.asp?ID=1">关于村口路灯维修的建议</a></td><td>2023/10/11</td>
    <td>已回复</td></tr></table>
    <ul><li><a href="/x/9.html">反映河道垃圾问题</a> 留言时间：2023-09-01 回复时间：2023-09-05</li></ul>"""
    letters = parse_letters(html, "http://www.sq.gov.cn/GuestBook/Index.asp", T0)
    assert [(x.title, x.asked, x.replied, x.status) for x in letters] == [
        ("关于村口路灯维修的建议", date(2023, 10, 11), None, "answered"),
        ("反映河道垃圾问题", date(2023, 9, 1), date(2023, 9, 5), "answered"),
    ]
    assert letters[0].url == "http://www.sq.gov.cn/GuestBook/Show.asp?ID=1"


def test_navigation_and_undated_links_are_not_letters() -> None:
    html = """<ul class="left_list"><li><a href="/a/">县长信箱</a></li><li><a href="/b/">意见征集</a></li></ul>
    <ul><li><a href="/c/">我要写信给县长</a></li></ul>"""
    assert parse_letters(html, URL, T0) == []


def test_a_letters_own_page() -> None:
    answered = "<table><tr><th>来信时间</th><td>2023-10-21</td></tr><tr><th>回复时间</th><td>2023-10-30</td></tr></table>"
    assert read_letter(answered, T0) == (date(2023, 10, 21), date(2023, 10, 30), "answered")
    pending = "<p>留言时间：2023/7/23</p><p>状态：未回复</p>"
    assert read_letter(pending, T0) == (date(2023, 7, 23), None, "pending")
    undated_reply = "<p>来信时间：2023-07-01</p><p>答复内容：已转交有关部门办理。</p>"
    assert read_letter(undated_reply, T0) == (date(2023, 7, 1), None, "answered")


def test_next_page_of_a_board() -> None:
    assert next_page("", "http://x.gov.cn/hdjl/xzxx/index.html", 3, 1) == "http://x.gov.cn/hdjl/xzxx/index_1.html"
    assert next_page("", "http://x.gov.cn/hdjl/xzxx/index_1.html", 3, 2) == "http://x.gov.cn/hdjl/xzxx/index_2.html"
    assert next_page("", "http://x.gov.cn/hdjl/xzxx/index_2.html", 3, 3) is None
    html = '<div>共 6 条留言 <a href="Index.asp?page=2">下一页</a> <a href="Index.asp?page=2">尾页</a></div>'
    assert next_page(html, "http://x.gov.cn/GuestBook/Index.asp", None, 1) == "http://x.gov.cn/GuestBook/Index.asp?page=2"
    assert next_page("<div>首页 上一页 下一页 尾页</div>", "http://x.gov.cn/a/", None, 1) is None


def test_guide_elements_stand_as_labels() -> None:
    table = ("<table>" + "".join(f"<tr><th>{n}</th><td>内容</td></tr>" for n in (
        "事项名称", "实施依据", "受理条件", "申请材料", "办理地点", "实施机构", "收费标准", "承诺时限", "咨询电话")) + "</table>")
    present, missing = guide_elements(table)
    assert missing == ["办理流程"] and len(present) == 9
    prose = "<p>办理依据、申请材料、办理流程、办理时限和收费标准详见本页。受理地点：政务服务中心一楼。</p>"
    present, missing = guide_elements(prose)
    assert present == ["办理地点"]
    numbered = "<div><h3>一、事项名称</h3><p>x</p><h3>（二）办理流程：</h3><p>申请—受理</p></div>"
    assert guide_elements(numbered)[0] == ["事项名称", "办理流程"]
    footer = '<div class="main"><p>事项名称：x</p></div><div class="footer"><p>联系电话：0799-1</p></div>'
    assert "联系电话" in guide_elements(footer)[1]  # the footer's phone is the site's, not the guide's


def test_footer_identity_marks() -> None:
    html = """<html><head><meta name="SiteIDCode" content="4107000001"></head><body><div class="main">x</div>
    <div class="footer"><span id="_ideConac"><img src="/red.png"></span>
    <p>主办单位：新乡市人民政府办公室　网站标识码：4107000001</p>
    <p>豫ICP备05012345号-2　豫公网安备 41070202000123号</p></div></body></html>"""
    footer = read_footer(parse_html(html), {"SiteIDCode": "4107000001"})
    assert (footer["site_code"], footer["icp"], footer["police"], footer["party_mark"]) == (
        "4107000001", "豫ICP备05012345号-2", "豫公网安备 41070202000123号", True)
    assert footer["sponsor"] == "新乡市人民政府办公室"
    bare = read_footer(parse_html('<div id="bottom">版权所有：某局　网站标识码：4107000002</div>'), {})
    assert (bare["site_code"], bare["icp"], bare["police"], bare["party_mark"]) == ("4107000002", None, None, False)
    conac = read_footer(parse_html('<div class="foot"><a href="https://bszs.conac.cn/sitename?x=1">标识</a></div>'), {})
    assert conac["party_mark"] is True


def test_search_forms() -> None:
    page = "http://www.xx.gov.cn/index.html"
    trs = ('<form action="/was5/web/search" method="get"><input type="hidden" name="channelid" value="1">'
           '<input type="text" name="searchword" value="请输入"><input type="submit" value="搜索"></form>')
    form = search_form(parse_html(trs), page)
    assert form["action"] == "http://www.xx.gov.cn/was5/web/search" and form["param"] == "searchword"
    assert form["hidden"] == [("channelid", "1")] and not form["scripted"]
    scripted = search_form(parse_html('<form action="javascript:;"><input name="q"><input type="submit" value="搜索">'
                                      "</form>"), page)
    assert scripted["scripted"]
    login = '<form action="/login.do" method="post"><input name="user"><input type="password" name="pw"></form>'
    assert search_form(parse_html(login), page) is None


def test_ipv6_check_without_touching_the_network() -> None:
    assert check_ipv6("127.0.0.1", 80)["lookup"] == "skipped"

    def no_record(*args):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    assert check_ipv6("www.x.gov.cn", 80, resolver=no_record)["lookup"] == "none"

    def failing(*args):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    assert check_ipv6("www.x.gov.cn", 80, resolver=failing)["lookup"] == "error"

    def found(*args):
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("240e:1::1", 80, 0, 0))]

    result = check_ipv6("www.x.gov.cn", 80, resolver=found, route=lambda address: False)
    assert (result["lookup"], result["aaaa"], result["fetch"]) == ("found", ["240e:1::1"], "not_testable")
    assert "没有IPv6" in result["reason"]


class _V6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True


class _Home(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path != "/":
            self.send_error(404)
            return
        body = ("<html><head><meta charset='utf-8'><title>测试县人民政府</title></head><body>"
                "<div class='nav'><a href='/a/'>工作动态</a></div><ul><li><a href='/a/1.html'>县政府召开常务会议</a>"
                "<span>2023-11-19</span></li></ul><div class='footer'>网站标识码：3600000001</div></body></html>")
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_HEAD(self) -> None:
        self.send_response(200 if self.path == "/" else 404)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_the_ipv6_check_runs_in_a_thread_during_a_real_crawl(tmp_path) -> None:
    """A site on [::1]: no DNS is needed, the check still goes through `PageContext.in_thread` and a
    real fetch over IPv6, while the crawl goes on."""
    import json
    import sqlite3

    from tests.cli_support import govwatch

    server = _V6Server(("::1", 0), _Home)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://[::1]:{server.server_address[1]}/"
        result = govwatch(tmp_path, "recheck", url, "--as-of", T0.isoformat(), "--json",
                          env={"GOVWATCH_BROWSER": "0"})
    finally:
        server.shutdown()
        server.server_close()
    assert result.code == 0, result.stderr[-2000:]
    db = sqlite3.connect(tmp_path / "govwatch.db")
    [(data,)] = db.execute("select data from observations where kind = 'ipv6'").fetchall()
    record = json.loads(data)
    assert (record["lookup"], record["aaaa"], record["fetch"], record["status"]) == ("found", ["::1"], "ok", 200)
    w16 = next(i for i in result.json()["indicators"] if i["id"] == "W-D16")
    assert w16["status"] == "pass"
