"""One page through the crawler's eyes (crawler/extract.py), on small synthetic snippets: every list
layout, CMS quirk, trap and rule of the extractor has a case here."""

from __future__ import annotations

import time
from datetime import date

import pytest

from crawler.extract import PageExtract, extract_page

REF = date(2023, 11, 22)
URL = "http://www.example.gov.cn/xxgk/tzgg/index.html"

NAV = """<div class="nav"><ul>
<li><a href="/">网站首页</a></li><li><a href="/xxgk/">政务公开信息</a></li>
<li><a href="/bsfw/">办事服务大厅</a></li><li><a href="/hdjl/">互动交流平台</a></li></ul></div>"""
FOOTER = """<div class="footer"><p>主办单位：某某市人民政府办公室 © 2019 版权所有</p>
<a href="/wzsm/201709/t20170912_719157.html">网站声明说明</a>
<a href="/lxwm/201709/t20170912_719159.html">联系我们方式</a></div>"""


def doc(body: str, head: str = "", title: str = "通知公告") -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title>{head}</head><body>{NAV}{body}{FOOTER}</body></html>"


def extract(body: str, head: str = "", url: str = URL, reference: date = REF) -> PageExtract:
    return extract_page(doc(body, head), url, reference)


# ---- dated list items ----------------------------------------------------------------------------


def test_li_with_date_span_after_the_link() -> None:
    page = extract("""<ul class="list">
<li><a href="./202311/t20231118_1.html">关于开展安全生产大检查的通知</a><span class="date">2023-11-18</span></li>
<li><a href="./202311/t20231110_2.html">关于做好冬季防火工作的通知</a><span>2023-11-10</span></li>
</ul>""")
    assert page.kind == "list"
    assert [(e.title, e.date, e.date_source) for e in page.items] == [
        ("关于开展安全生产大检查的通知", date(2023, 11, 18), "text"),
        ("关于做好冬季防火工作的通知", date(2023, 11, 10), "text"),
    ]
    assert page.items[0].url == "http://www.example.gov.cn/xxgk/tzgg/202311/t20231118_1.html"
    assert [e.position for e in page.items] == [0, 1]
    assert page.latest_date == date(2023, 11, 18)
    assert page.items[0].date_text == "2023-11-18"
    assert not page.blank


def test_date_before_the_link_in_brackets() -> None:
    page = extract("""<ul>
<li><span>[2018-12-19]</span><a href="/a/1.html" title="北京市住房和城乡建设委员会关于通报的通知">关于**的通知</a></li>
<li><span>[2018-12-18]</span><a href="/a/2.html">关于绿色建筑评价标识项目的公示</a></li></ul>""",
                   reference=date(2018, 12, 19))
    assert [e.date for e in page.items] == [date(2018, 12, 19), date(2018, 12, 18)]
    assert page.items[0].date_text == "[2018-12-19]"
    # masked or cut visible text: the title attribute is the whole title
    assert page.items[0].title == "北京市住房和城乡建设委员会关于通报的通知"


def test_truncated_text_takes_the_title_attribute() -> None:
    page = extract("""<ul><li><a title="关于公示报名住房公积金个人贷款二手房评估机构核验合格名单的公告"
href="/a/1.pdf">关于公示报名住房公积金个人贷...</a> <SPAN>2018-10-08</SPAN></li>
<li><a href="/a/2.pdf">住房公积金结息对账公告</a> <span>2018-07-09</span></li></ul>""", reference=date(2018, 10, 9))
    assert page.items[0].title == "关于公示报名住房公积金个人贷款二手房评估机构核验合格名单的公告"
    assert page.items[1].title == "住房公积金结息对账公告"


def test_date_inside_the_link_text() -> None:
    page = extract("""<ul class="center_list_contlist">
<li><a href="./202001/t20200109_1.html"><span class="cont_tit"><font class="cont_tit03">2019年12月份居民消费价格同比上涨4.5%</font>
<font class="cont_tit02">2020-01-09</font></span></a></li>
<li><a href="./202001/t20200106_2.html">2019年12月下旬流通领域重要生产资料市场价格变动情况 2020-01-06</a></li>
</ul>""", reference=date(2020, 1, 10))
    assert [(e.title, e.date) for e in page.items] == [
        ("2019年12月份居民消费价格同比上涨4.5%", date(2020, 1, 9)),
        ("2019年12月下旬流通领域重要生产资料市场价格变动情况", date(2020, 1, 6)),
    ]


def test_table_rows_with_date_cells() -> None:
    page = extract("""<table class="gl_list">
<tr><td><img src="ico.jpg"></td><td><a href="./202009/t20200903_1.html">鄂尔多斯市2019年政府信息公开工作年度报告</a></td>
<td>2020-09-03</td></tr>
<tr><td><img src="ico.jpg"></td><td><a href="./202005/t20200506_2.html">恩格贝生态示范区召开年度工作会议</a></td>
<td>2020-05-06</td></tr></table>""", reference=date(2020, 9, 4))
    assert [e.date for e in page.items] == [date(2020, 9, 3), date(2020, 5, 6)]
    assert page.kind == "list"


def test_table_row_with_two_dates_takes_the_publication_column() -> None:
    page = extract("""<table>
<tr><th>名称</th><th>索引号</th><th>成文日期</th><th>发布日期</th></tr>
<tr><td><a href="/a/1.html">关于印发某某实施方案的通知</a></td><td>000014348/2020-35428</td>
<td>2020-07-28</td><td>2020-08-05</td></tr>
<tr><td><a href="/a/2.html">关于成立某某领导小组的通知</a></td><td>000014348/2020-35411</td>
<td>2020-07-20</td><td>2020-07-22</td></tr></table>""", reference=date(2020, 8, 6))
    assert [e.date for e in page.items] == [date(2020, 8, 5), date(2020, 7, 22)]


def test_links_loose_in_a_container_with_dates_after_them() -> None:
    page = extract("""<div class="newslist">
<a href="/a/1.html">关于开展安全生产大检查的通知</a> (2023-11-18)<br>
<a href="/a/2.html">关于做好冬季防火工作的通知</a> <span class="date">2023-11-10</span><br>
</div>""")
    assert [e.date for e in page.items] == [date(2023, 11, 18), date(2023, 11, 10)]


def test_chinese_date_formats_and_labels_in_rows() -> None:
    page = extract("""<ul>
<li><a href="/a/1.html">关于开展安全生产大检查的通知</a><span>2023年11月18日</span></li>
<li><a href="/a/2.html">关于做好冬季防火工作的通知</a><span>发布日期：2023/11/10</span></li>
<li><a href="/a/3.html">关于冬季供暖工作的情况通报</a><span>2023.11.01</span></li>
</ul>""")
    assert [e.date for e in page.items] == [date(2023, 11, 18), date(2023, 11, 10), date(2023, 11, 1)]


def test_summary_paragraph_dates_are_events_not_publication_dates() -> None:
    page = extract("""<div class="news">
<div class="top-news"><h3><a href="/a/1.html">北京市推进生态文明建设成就新闻发布会</a></h3>
<p>2017年6月13日，北京市人民政府新闻办公室组织召开的系列发布会，本场发布会主题是生态文明建设成就，
市环保局、市园林绿化局等单位负责人出席并回答记者提问。</p></div>
<ul><li><a href="/a/2.html">十三五民用建筑节能发展规划新闻发布会</a><span class="fr">2017-05-12</span></li>
<li><a href="/a/3.html">百年京张百年梦想探访京张高铁建设</a><span class="fr">2017-05-11</span></li></ul></div>""",
                   reference=date(2018, 12, 19))
    assert [e.title for e in page.items] == ["十三五民用建筑节能发展规划新闻发布会", "百年京张百年梦想探访京张高铁建设"]


def test_date_only_element_wins_over_dates_in_a_summary() -> None:
    page = extract("""<div class="item"><div class="newsTt">
<h4><a href="/a/1.shtml" title="严允：加速打造国家级新能源产业重要集聚区">严允：加速打造国家级新能源产业重要集聚区</a></h4>
<p>10月9日至10日，市委书记严允深入到万载、宜丰、奉新实地调研…<span class="fr">10-11</span></p></div>
<ul><li><h4><a href="/a/2.shtml">市政协召开五届十次常委会议</a><span class="time">10-10</span></h4></li></ul></div>""",
                   reference=date(2023, 10, 11))
    assert [(e.title, e.date) for e in page.items] == [
        ("严允：加速打造国家级新能源产业重要集聚区", date(2023, 10, 11)),
        ("市政协召开五届十次常委会议", date(2023, 10, 10)),
    ]


def test_definition_list_rows() -> None:
    page = extract("""<dl class="news"><dt><a href="/a/1.html">关于开展安全生产大检查的通知</a></dt><dd>2023-11-18</dd>
<dt><a href="/a/2.html">关于做好冬季防火工作的通知</a></dt><dd>2023-11-10</dd></dl>""")
    assert [e.date for e in page.items] == [date(2023, 11, 18), date(2023, 11, 10)]


def test_link_wrapping_the_whole_row() -> None:
    page = extract("""<div class="cards">
<a href="/a/1.html"><div class="t">关于开展安全生产大检查的通知</div><div class="d">2023-11-18</div></a>
<a href="/a/2.html"><div class="t">关于做好冬季防火工作的通知</div><div class="d">2023-11-10</div></a></div>""")
    assert [(e.title, e.date) for e in page.items] == [
        ("关于开展安全生产大检查的通知", date(2023, 11, 18)), ("关于做好冬季防火工作的通知", date(2023, 11, 10))]


def test_date_written_at_the_start_of_the_link_text() -> None:
    page = extract("""<ul><li><a href="/a/1.html">[2023-11-18] 关于开展安全生产大检查的通知</a></li>
<li><a href="/a/2.html">[2023-11-10] 关于做好冬季防火工作的通知</a></li></ul>""")
    assert [(e.title, e.date, e.date_text) for e in page.items] == [
        ("关于开展安全生产大检查的通知", date(2023, 11, 18), "[2023-11-18]"),
        ("关于做好冬季防火工作的通知", date(2023, 11, 10), "[2023-11-10]"),
    ]


def test_a_date_inside_a_title_is_not_the_entry_date() -> None:
    page = extract("""<ul><li><a href="/a/202311/t20231102_1.html">关于自2024年1月1日起施行新收费标准的通知</a></li>
<li><a href="/a/202310/t20231020_2.html">关于调整办公时间自11月1日起</a></li></ul>""")
    assert [(e.date, e.date_source) for e in page.items] == [(date(2023, 11, 2), "url"), (date(2023, 10, 20), "url")]


def test_attachment_and_category_links_in_a_row() -> None:
    page = extract("""<ul>
<li><a href="/col/tzgg/">[通知公告]</a><a href="/a/1.html">关于开展安全生产大检查的通知</a><a href="/a/1.pdf">附件下载</a>
<span>2023-11-18</span></li>
<li><a href="/col/tzgg/">[通知公告]</a><a href="/a/2.html">关于做好冬季防火工作的通知</a><a href="/a/2.html#jd">[解读]</a>
<span>2023-11-10</span></li></ul>""")
    assert [(e.title, e.date) for e in page.items] == [
        ("关于开展安全生产大检查的通知", date(2023, 11, 18)), ("关于做好冬季防火工作的通知", date(2023, 11, 10))]


# ---- year-less dates -----------------------------------------------------------------------------


def test_year_less_dates_are_inferred_against_the_reference() -> None:
    page = extract("""<ul>
<li><a href="/a/1.html">关于开展安全生产大检查的通知</a><span>[01-03]</span></li>
<li><a href="/a/2.html">关于做好冬季防火工作的通知</a><span>[12-28]</span></li>
<li><a href="/a/3.html">关于冬季供暖工作的情况通报</a><span>11月30日</span></li>
</ul>""", reference=date(2024, 1, 5))
    assert [e.date for e in page.items] == [date(2024, 1, 3), date(2023, 12, 28), date(2023, 11, 30)]
    assert page.latest_date == date(2024, 1, 3)


def test_year_less_text_takes_the_year_of_an_agreeing_url_date() -> None:
    page = extract("""<table><tr><td><a href='/art/2016/2/5/art_6866_45304.html' title='商务部：外贸形势不那么乐观'>
商务部：外贸形势...</a></td><td>02-05</td></tr>
<tr><td><a href='/art/2018/3/16/art_6864_74580.html'>中远海运建造的转驳船命名交付</a></td><td>03-16</td></tr>
<tr><td><a href='/art/2018/3/19/art_6864_74600.html'>日期与链接不一致的一条新闻</a></td><td>03-18</td></tr></table>""",
                   reference=date(2018, 3, 20))
    assert [e.date for e in page.items] == [date(2016, 2, 5), date(2018, 3, 16), date(2018, 3, 18)]
    assert all(e.date_source == "text" for e in page.items)


# ---- dates from URLs ------------------------------------------------------------------------------


def test_url_dates_when_the_list_shows_none() -> None:
    page = extract("""<ul class="list">
<li><a href="./202311/t20231118_1.html">关于开展安全生产大检查的通知</a></li>
<li><a href="./202311/t20231110_2.html">关于做好冬季防火工作的通知</a></li>
<li><a href="./202310/t20231009_3.html">关于冬季供暖工作的情况通报</a></li></ul>""")
    assert [(e.date, e.date_source) for e in page.items] == [
        (date(2023, 11, 18), "url"), (date(2023, 11, 10), "url"), (date(2023, 10, 9), "url")]
    assert page.items[0].date_text.endswith("t20231118_1.html")


def test_a_lone_navigation_tile_with_a_dated_url_is_not_an_item() -> None:
    page = extract("""<ul class="zfxx">
<li><a href="http://zfxxgk.beijing.gov.cn/110016/zfxxgkzn/2017-10/09/content_b41b4ea6.shtml">政府信息公开指南</a></li>
<li><a href="http://zfxxgk.beijing.gov.cn/110016/jgzz12j/list.shtml">政府信息公开目录</a></li>
<li><a href="http://zfxxgk.beijing.gov.cn/110016/zfxxgknb/list.shtml">政府信息公开年报</a></li></ul>""")
    assert page.items == []


def test_a_link_farm_with_dated_urls_is_not_a_list() -> None:
    page = extract("""<div class="bmlj"><ul>
<li><a href="http://www.gov.cn/guoqing/2018-05/03/content_5287353.htm">退役军人事务部</a></li>
<li><a href="http://www.gov.cn/guoqing/2005-12/26/content_2652073.htm">国务院研究室</a></li>
<li><a href="http://www.moa.gov.cn/">农业农村部网站</a></li></ul></div>""")
    assert page.items == []


def test_text_date_replaces_a_url_date_for_the_same_entry() -> None:
    page = extract("""<div id="Roll"><ul>
<li><a title="中远海运建造的原油转驳船命名交付" href="/art/2018/3/16/art_1.html"><img src="a.jpg"></a></li>
<li><a title="孙家康会见威仕集团首席执行官" href="/art/2018/3/15/art_2.html"><img src="b.jpg"></a></li></ul></div>
<table><tr><td><a href='/art/2018/3/16/art_1.html' title='中远海运建造的原油转驳船命名交付'>中远海运建造的...</a></td>
<td>03-16</td></tr></table>""", reference=date(2018, 3, 20))
    assert [(e.title, e.date_source, e.position) for e in page.items] == [
        ("中远海运建造的原油转驳船命名交付", "text", 0), ("孙家康会见威仕集团首席执行官", "url", 1)]


# ---- what is not an item --------------------------------------------------------------------------


def test_navigation_footer_and_more_links_are_not_items() -> None:
    page = extract("""<div class="box"><div class="box-title">通知公告<a href="/tzgg/" class="more">更多&gt;&gt;</a>
<a href="/tzgg/index_1.html">查看更多</a></div>
<ul><li><a href="/a/1.html">关于开展安全生产大检查的通知</a><span>2023-11-18</span></li></ul></div>""")
    assert [e.title for e in page.items] == ["关于开展安全生产大检查的通知"]
    # the footer's 网站声明 has a TRS URL dated 2017: chrome, not content
    assert all("wzsm" not in e.url for e in page.items)


def test_short_links_and_script_links_are_not_items() -> None:
    page = extract("""<ul><li><a href="/a/1.html">通知</a><span>2023-11-18</span></li>
<li><a href="javascript:void(0)">关于做好冬季防火工作的通知</a><span>2023-11-10</span></li>
<li><a href="#top">关于冬季供暖工作的情况通报</a><span>2023-11-01</span></li></ul>""")
    assert page.items == []


def test_duplicates_are_listed_once() -> None:
    row = '<li><a href="/a/1.html">关于开展安全生产大检查的通知</a><span>2023-11-18</span></li>'
    page = extract(f'<ul class="recent">{row}</ul><ul class="tab1">{row}<li><a href="/a/2.html">关于做好冬季防火工作的通知'
                   f"</a><span>2023-11-10</span></li></ul>")
    assert [e.title for e in page.items] == ["关于开展安全生产大检查的通知", "关于做好冬季防火工作的通知"]


def test_hidden_tabs_count() -> None:
    page = extract("""<div id="tab_0" style="display:block"><ul>
<li><a href="/a/1.html">关于开展安全生产大检查的通知</a><span>2023-10-18</span></li></ul></div>
<div id="tab_1" style="display:none"><ul>
<li><a href="/a/2.html">关于做好冬季防火工作的通知</a><span>2023-11-20</span></li></ul></div>""")
    assert page.latest_date == date(2023, 11, 20)
    assert len(page.items) == 2


def test_undated_rows_are_counted_not_listed() -> None:
    page = extract("""<ul class="list">
<li><a href="/a/1.html">关于开展安全生产大检查的通知</a><span>2023-11-18</span></li>
<li><a href="/a/2.html">关于做好冬季防火工作的通知</a></li>
<li><a href="/a/3.html">关于冬季供暖工作的情况通报</a></li></ul>""")
    assert [e.title for e in page.items] == ["关于开展安全生产大检查的通知"]
    assert page.undated_count == 2


# ---- pinned -----------------------------------------------------------------------------------------


def test_pinned_rows() -> None:
    page = extract("""<ul>
<li><a href="/a/1.html">【置顶】关于开展安全生产大检查的通知</a><span>2022-03-18</span></li>
<li class="top"><a href="/a/2.html">关于做好冬季防火工作的通知</a><span>2022-11-10</span></li>
<li><img src="/images/top.gif"><a href="/a/3.html">关于冬季供暖工作的情况通报</a><span>2023-11-01</span></li>
<li><a href="/a/4.html">关于征集意见建议的公告</a><span class="zhiding">置顶</span><span>2023-01-01</span></li>
<li><a href="/a/5.html">关于调整办公时间的通告</a><span>2023-11-20</span></li></ul>""")
    assert [(e.title, e.pinned) for e in page.items] == [
        ("关于开展安全生产大检查的通知", True),
        ("关于做好冬季防火工作的通知", True),
        ("关于冬季供暖工作的情况通报", True),
        ("关于征集意见建议的公告", True),
        ("关于调整办公时间的通告", False),
    ]


# ---- script-built lists ---------------------------------------------------------------------------

HANWEB = """<div id="34701"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=12&columnid=1201"></a>]]></nextgroup>
<recordset>
<record><![CDATA[
<li><a href="/art/2023/11/18/art_1201_5001.html" title="市生态环境局召开重点行业治理推进会" target="_blank">市生态环境局召开重点行业治理推进会</a><span>2023-11-18</span></li>
]]></record>
<record><![CDATA[
<li><a href="/art/2023/11/9/art_1201_5002.html" title="清江市开展入河排污口排查整治" target="_blank">【置顶】清江市开展入河排污口排查整治</a><span>[11-09]</span></li>
]]></record>
</recordset>
</datastore></script></div>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script>$('#34701').jpage({perPage: 15, totalRecord: 32});</script>"""


def test_hanweb_datastore_records_are_the_list() -> None:
    page = extract(HANWEB, url="http://sthjj.example.gov.cn/col/col1201/index.html")
    assert page.kind == "list"
    assert [(e.title, e.date, e.pinned) for e in page.items] == [
        ("市生态环境局召开重点行业治理推进会", date(2023, 11, 18), False),
        ("清江市开展入河排污口排查整治", date(2023, 11, 9), True),
    ]
    assert page.items[0].url == "http://sthjj.example.gov.cn/art/2023/11/18/art_1201_5001.html"
    assert "http://sthjj.example.gov.cn/art/2023/11/9/art_1201_5002.html" in page.links
    assert page.page_count == 3


def test_empty_hanweb_datastore_reads_blank() -> None:
    page = extract("""<div class="main-right"><div class="list-title">规划计划</div>
<div id="34709"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/x"></a>]]></nextgroup>
<recordset>
</recordset></datastore></script></div></div>""")
    assert page.items == []
    assert page.blank
    assert page.blank_reason == "empty list"


def test_document_write_list() -> None:
    page = extract("""<div class="list"><script language="javascript">
document.write("<ul><li><a href=\\"/a/1.html\\">关于开展安全生产大检查的通知</a><span>2023-11-18</span></li>");
document.write('<li><a href="/a/2.html">关于做好冬季防火工作的通知</a><span>2023-11-10</span></li></ul>');
</script></div>""")
    assert [e.date for e in page.items] == [date(2023, 11, 18), date(2023, 11, 10)]


def test_pager_scripts_are_not_expanded_into_items() -> None:
    page = extract("""<ul><li><a href="/a/1.html">关于开展安全生产大检查的通知</a><span>2023-11-18</span></li></ul>
<script language="javascript">var countPage = 56; var currentPage = 0;
document.write("<a href=\\"index.html\\">首页</a>");
for (var i = 0; i < countPage; i++) document.write("<a href=\\"index_" + i + ".html\\">" + (i + 1) + "</a>");
</script>""")
    assert len(page.items) == 1
    assert page.page_count == 56


# ---- pagination -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ('<script>createPageHTML(120, 0, "index", "html");</script>', 120),
        ('<script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}'
         'createPageHTML(7,0,"index","shtml");</script>', 7),
        ("<script>var countPage = 56//共多少页</script>", 56),
        ("<div class='fenye'>共25页&nbsp;&nbsp;<span>1</span></div>", 25),
        ("<div>共计&nbsp;<font color='red'>2&nbsp;</font>页</div>", 2),
        ("<script>$('#p').getLinkStr({pagecount:436, curPage:1});</script>", 436),
        ("<div>no pager here 共同推进</div>", None),
    ],
)
def test_page_count(snippet: str, expected: int | None) -> None:
    assert extract(snippet).page_count == expected


# ---- meta, title, refresh, links ------------------------------------------------------------------


def test_column_meta_is_read_case_insensitively() -> None:
    head = """<meta name="SiteName" content="邯郸市人民政府"><meta name="sitedomain" content="www.hd.gov.cn">
<META NAME="SiteIDCode" CONTENT="1304000009"><meta name="ColumnName" content="通知公告">
<meta name="columntype" content="通知公告"><meta name="ColumnDescription" content="发布通知公告">
<meta name="Keywords" content="通知"><meta name="contentSource" content="市政府办公室">
<meta name="ColumnKeywords" content="ignored"><meta name="Description" content="">"""
    page = extract("<p>正文</p>", head=head)
    assert page.meta == {
        "SiteName": "邯郸市人民政府", "SiteDomain": "www.hd.gov.cn", "SiteIDCode": "1304000009",
        "ColumnName": "通知公告", "ColumnType": "通知公告", "ColumnDescription": "发布通知公告",
        "Keywords": "通知", "ContentSource": "市政府办公室",
    }
    assert page.title == "通知公告"


def test_title_falls_back_to_article_title_meta() -> None:
    html = "<html><head><meta name='ArticleTitle' content='关于做好冬季防火工作的通知'></head><body><p>x</p></body></html>"
    assert extract_page(html, URL, REF).title == "关于做好冬季防火工作的通知"


def test_refresh_url() -> None:
    page = extract("", head='<meta http-equiv="refresh" content="0; URL=\'/ycsrmzf/index.shtml\'">')
    assert page.refresh_url == "http://www.example.gov.cn/ycsrmzf/index.shtml"
    page = extract("", head='<meta http-equiv="Refresh" content="0;url=http://www.other.gov.cn/">')
    assert page.refresh_url == "http://www.other.gov.cn/"


def test_links_in_page_order_resolved_and_deduplicated() -> None:
    html = """<html><head><base href="http://cdn.example.gov.cn/site/"></head><body>
<a href="a.html">相对链接</a><a href="/b.html">根相对</a><a href="https://x.gov.cn/c.html#part">锚点</a>
<a href="a.html">重复</a><a href="#top">顶部</a><a href="javascript:void(0)">脚本</a>
<a href="mailto:x@gov.cn">邮件</a><a href="tel:12345">电话</a><a href=" ../d.html ">空白</a>
<iframe src="/col/col6877/index.html"></iframe><a href="ftp://x/y">ftp</a><area href="e.html">
<a href="HTTP://Y.GOV.CN/f.html">大写</a><a href="http://[::1">坏地址</a></body></html>"""
    page = extract_page(html, "http://www.example.gov.cn/p/q.html", REF)
    assert page.links == [
        "http://cdn.example.gov.cn/site/a.html",
        "http://cdn.example.gov.cn/b.html",
        "https://x.gov.cn/c.html",
        "http://cdn.example.gov.cn/d.html",
        "http://cdn.example.gov.cn/col/col6877/index.html",
        "http://cdn.example.gov.cn/site/e.html",
        "HTTP://Y.GOV.CN/f.html",
    ]


def test_template_junk_in_base_href_is_ignored() -> None:
    html = '<html><head><base href="<%=basePath%>"></head><body><a href="x/1.html">一个链接</a></body></html>'
    page = extract_page(html, "http://gjj.example.gov.cn/web/index.html", REF)
    assert page.links == ["http://gjj.example.gov.cn/web/x/1.html"]


def test_stray_closing_html_tag_does_not_end_the_page() -> None:
    html = ("<html><head><title>t</title></head><body><div class='header'>头部</div></body></html>\n"
            "<div class='list'><ul><li><a href='/a/1.html'>关于开展安全生产大检查的通知</a><span>2023-11-18</span></li>"
            "<li><a href='/a/2.html'>关于做好冬季防火工作的通知</a><span>2023-11-10</span></li></ul></div></body></html>")
    assert len(extract_page(html, URL, REF).items) == 2


# ---- the page's own date and kind -----------------------------------------------------------------


def test_article_with_pubdate_meta() -> None:
    head = '<meta name="ArticleTitle" content="关于做好冬季防火工作的通知"><meta name="PubDate" content="2023年11月02日">'
    page = extract('<div id="zoom"><p>正文内容。</p></div>', head=head)
    assert page.kind == "article"
    assert page.page_date == date(2023, 11, 2)
    assert page.latest_date == date(2023, 11, 2)
    assert page.page_date_source == "meta"
    assert not page.blank


def test_labelled_date_near_the_title_and_footer_year_trap() -> None:
    page = extract("""<div class="article"><h1>关于做好冬季防火工作的通知</h1>
<div class="info">来源：市应急管理局　发布时间：2023年11月20日 10:30　浏览次数：123</div>
<div class="TRS_Editor"><p>各县（市、区）人民政府，市直各部门：为切实做好今冬明春火灾防控工作，现将有关事项通知如下。
一、提高思想认识。二、强化隐患排查。三、加强宣传教育。四、严格值班值守。请认真贯彻执行。</p></div></div>""")
    assert page.kind == "article"
    assert page.page_date == date(2023, 11, 20)
    assert page.page_date_source == "text"


def test_first_published_time_beats_page_generation_time() -> None:
    head = ('<meta name="others" content="页面生成时间 2023-10-23 11:23:36">'
            '<meta name="firstpublishedtime" content="2007-08-20-23:59:59">')
    page = extract('<div class="pages_content" id="UCAP-CONTENT"><p>决议正文。</p></div>', head=head,
                   reference=date(2023, 10, 23))
    assert page.page_date == date(2007, 8, 20)
    assert page.kind == "article"


def test_date_in_an_attribute_is_not_the_page_date() -> None:
    page = extract("""<div class="detail"><h2>山西品牌丝路行正式启动</h2>
<span alt="时间：2017-11-08 20:26"><i>时间：</i>2019-09-18 06:23</span>
<div class="TRS_Editor"><p>跨越千山万水，行程近两万公里，山西品牌丝路行首次登陆巴西，刷新走出去的最远纪录。当地时间9月16日下午，
活动在圣保罗举行。举办此次活动是积极主动融入一带一路建设、加快构建内陆地区对外开放新高地的具体举措。</p></div></div>""",
                   reference=date(2019, 9, 19))
    assert page.page_date == date(2019, 9, 18)


def test_wechat_timestamp_and_relative_date() -> None:
    body = ('<em id="publish_time" class="rich_media_meta">昨天</em><div class="rich_media_content" id="js_content">'
            "<p>" + "今天凌晨，三星在美国旧金山举行发布会，正式发布旗下新一代旗舰手机。" * 5 + "</p></div>"
            '<script>var ct = "1581517074";</script>')
    # the timestamp is 2020-02-12 22:17 in China, whatever the reference
    assert extract(body, reference=date(2020, 3, 1)).page_date == date(2020, 2, 12)
    without_ct = body.replace('var ct = "1581517074";', "")
    assert extract(without_ct, reference=date(2020, 2, 13)).page_date == date(2020, 2, 12)


def test_kind_other_for_a_link_directory() -> None:
    rows = "".join(f'<li><a href="/bm/{i}/">市{name}局信息公开</a></li>' for i, name in
                   enumerate(["教育", "公安", "民政", "司法", "财政", "商务"]))
    page = extract(f'<div class="scroll_con"><ul>{rows}</ul></div>')
    assert page.kind == "other"
    assert page.items == []
    assert not page.blank
    assert page.latest_date is None


def test_one_dated_row_in_a_table_is_a_list() -> None:
    page = extract("""<table><tr><th>名称</th><th>发布日期</th></tr>
<tr><td><a href="/a/1.html">邯郸市教育局关于印发考核办法的通知</a></td><td>2020-08-05</td></tr></table>""",
                   reference=date(2020, 8, 6))
    assert page.kind == "list"


def test_article_with_a_related_list_stays_an_article_without_entries() -> None:
    head = '<meta name="ArticleTitle" content="统计公报"><meta name="PubDate" content="2023-08-16 10:33:59">'
    page = extract("""<div class="article-reldocuments"><ul class="common_newslist">
<li><a href="/a/1.shtml">图文解读：《万载县2022年统计公报》</a><span class="time">2023-07-12</span></li>
<li><a href="/a/2.shtml">一图读懂：《万载县2022年统计公报》</a><span class="time">2023-07-13</span></li></ul></div>
<div class="article-content"><ucapcontent><p>2022年，全县上下坚持稳中求进工作总基调，经济社会持续健康发展。</p></ucapcontent></div>""",
                   head=head)
    assert page.kind == "article"
    assert page.latest_date == date(2023, 8, 16)
    assert page.items == []  # the 关联稿件 are other documents, not entries of this page


def test_article_with_an_empty_related_list_is_not_blank() -> None:
    head = '<meta name="ArticleTitle" content="统计公报"><meta name="PubDate" content="2023-05-16 12:34:05">'
    page = extract('<ul class="common_newslist"></ul><div id="zoom"><p>全年实现生产总值。</p></div>', head=head)
    assert page.kind == "article"
    assert not page.blank


# ---- blank pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "placeholder",
    ["暂无信息", "暂无内容", "暂无数据", "正在建设中", "栏目建设中", "信息正在更新", "没有记录", "无相关信息"],
)
def test_placeholder_reads_blank(placeholder: str) -> None:
    page = extract(f'<div class="main"><div class="title">规划计划</div><div class="list"><p>{placeholder}！</p></div></div>')
    assert page.blank
    assert page.blank_reason.startswith("placeholder: ")
    assert placeholder.rstrip("！") in page.blank_reason or page.blank_reason.endswith(placeholder[:2])
    assert page.kind == "other"


def test_zero_record_pager_reads_blank() -> None:
    page = extract('<table class="listtable"></table><div>共 <b>0</b> 篇文章　首页 上一页 下一页 尾页</div>')
    assert page.blank
    assert page.blank_reason == "placeholder: 共 0 篇"


def test_empty_list_next_to_a_side_menu_reads_blank() -> None:
    page = extract("""<div class="left"><ul class="left_list"><li><a href="../tzgg/">通知公告</a></li>
<li><a href="../zcwj/">政策文件</a></li><li><a href="../rsxx/">人事信息</a></li><li><a href="../ghjh/">规划计划</a></li></ul></div>
<div class="right"><div class="right_title">统计信息</div><ul class="list">
</ul><script>createPageHTML(0, 0, "index", "html");</script></div>""")
    assert page.blank
    assert page.blank_reason == "empty list"


def test_a_dated_column_page_without_entries_can_still_read_blank() -> None:
    page = extract('<div class="main"><div class="info">更新时间：2023-11-01</div><ul class="list"><li>暂无信息</li></ul></div>')
    assert page.page_date == date(2023, 11, 1)
    assert page.blank
    assert page.blank_reason == "placeholder: 暂无信息"


def test_content_in_frames_is_not_judged_blank() -> None:
    page = extract_page('<frameset><frame src="/top.html"><frame src="list.html"></frameset>', URL, REF)
    assert not page.blank
    assert page.links == ["http://www.example.gov.cn/top.html", "http://www.example.gov.cn/xxgk/tzgg/list.html"]
    page = extract('<div class="main"><iframe src="/col/col1201/list.html"></iframe></div>')
    assert not page.blank
    assert "http://www.example.gov.cn/col/col1201/list.html" in page.links


def test_future_dates_do_not_make_a_column_fresh() -> None:
    page = extract("""<ul><li><a href="/a/1.html">关于2024年度招标工作的公告（截止日期）</a><span>2024-03-01</span></li>
<li><a href="/a/2.html">关于做好冬季防火工作的通知</a><span>2023-10-10</span></li></ul>""")
    assert len(page.items) == 2
    assert page.latest_date == date(2023, 10, 10)


def test_tiny_page_reads_blank() -> None:
    page = extract('<div class="main"><h2>专题</h2></div>')
    assert page.blank
    assert page.blank_reason == "no content"


def test_navigation_and_footer_do_not_make_a_page_look_non_blank() -> None:
    # the nav and footer of doc() carry plenty of text and links; the main area says 暂无
    page = extract('<div class="main"><div class="list-title">财政预决算</div><ul class="list"><li>暂无信息</li></ul></div>')
    assert page.blank
    # a placeholder inside navigation is not the page's
    page = extract('<div class="menu"><span>暂无信息</span></div><div class="main"><ul class="list">'
                   '<li><a href="/a/1.html">关于开展安全生产大检查的通知</a><span>2023-11-18</span></li></ul></div>')
    assert not page.blank


def test_pages_with_dated_items_or_a_body_are_never_blank() -> None:
    page = extract('<div class="list"><p>暂无数据</p></div><ul><li><a href="/a/1.html">关于开展安全生产大检查的通知</a>'
                   '<span>2023-11-18</span></li></ul>')
    assert not page.blank
    page = extract('<div id="zoom"><p>' + "本机构负责全市生态环境保护工作，主要职责如下。" * 12 + "</p></div>")
    assert page.kind == "article"
    assert not page.blank


def test_empty_input() -> None:
    page = extract_page("", URL, REF)
    assert page.blank and page.blank_reason == "empty page"
    page = extract_page("   \n", URL, REF)
    assert page.kind == "other"


def test_xml_declaration_and_jsp_residue() -> None:
    html = ('<?xml version="1.0" encoding="utf-8"?>\n<%@ page contentType="text/html;charset=UTF-8" %>\n'
            "<html><head><title>标题</title></head><body><ul><li><a href='/a/1.html'>关于开展安全生产大检查的通知</a>"
            "<span>2023-11-18</span></li></ul></body></html>")
    page = extract_page(html, URL, REF)
    assert page.title == "标题"
    assert len(page.items) == 1


# ---- speed -------------------------------------------------------------------------------------------


def big_page(target: int = 100_000) -> str:
    """A 100 KB (UTF-8) column page as dense as they come: hundreds of dated rows in tabs."""
    parts: list[str] = []
    size = 0
    i = 0
    while size < target - 1500:
        m, d = (i % 11) + 1, (i % 28) + 1
        row = (f'<li><a href="./2023{m:02d}/t2023{m:02d}{d:02d}_{i}.html" title="关于开展第{i}批安全生产大检查工作的通知">'
               f'关于开展第{i}批安全生产大检查工作的通知</a><span class="date">2023-{m:02d}-{d:02d}</span></li>\n')
        if i % 20 == 19:
            row += '</ul><div class="tab"><p>' + "栏目介绍文字。" * 30 + '</p></div><ul class="list">'
        parts.append(row)
        size += len(row.encode("utf-8"))
        i += 1
    return doc('<div class="main"><ul class="list">' + "".join(parts) + "</ul></div>")


@pytest.mark.serial
def test_a_100_kb_page_extracts_in_well_under_100_ms() -> None:
    html = big_page()
    assert 95_000 <= len(html.encode("utf-8")) <= 105_000
    extract_page(html, URL, REF)  # warm-up (regex compilation, lxml)
    timings = []
    for _ in range(7):
        start = time.process_time()
        page = extract_page(html, URL, REF)
        timings.append(time.process_time() - start)
    assert len(page.items) > 350
    # CPU time, best of 7: 11-35 ms on the 2-core machines seen here (they differ from session to
    # session). A guard against a blow-up (a quadratic scan costs seconds), not a speed target: those
    # are in bench/ (bench/reading.py)
    assert min(timings) < 0.100


# ---- real-page shapes (issue 8 item 6) ------------------------------------------------------------

HANWEB_URL = "http://www.example.gov.cn/col/col1201/index.html"


def test_rows_whose_links_open_their_page_in_onclick_are_list_items() -> None:
    # Real list templates write rows as <a href="javascript:;" onclick="…"> with the URL in the script.
    page = extract("""<ul class="list">
<li><a href="javascript:;" onclick="window.open('/art/2023/11/18/art_1201_1.html')">关于开展安全生产大检查的通知</a>
<span>2023-11-18</span></li>
<li><a href="javascript:void(0)" onclick="location.href='/art/2023/11/10/art_1201_2.html'">关于做好冬季防火工作的通知</a>
<span>2023-11-10</span></li>
<li><a href="javascript:;" onclick="openArticle('art_1201_3.html', 'detail')">关于公布第二批市级非遗名录的公告</a>
<span>2023-11-02</span></li>
<li><a href="#" onclick="window.location.href = &quot;http://www.example.gov.cn/art/2023/10/30/art_1201_4.html&quot;;
return false;">关于征求意见建议的公告（第二期）</a><span>2023-10-30</span></li>
<li><a href="javascript:window.open('/art/2023/10/20/art_1201_5.html')">市政府召开第十二次常务会议</a>
<span>2023-10-20</span></li>
</ul>""", url=HANWEB_URL)
    assert page.kind == "list" and not page.blank
    assert [(e.url, e.date) for e in page.items] == [
        ("http://www.example.gov.cn/art/2023/11/18/art_1201_1.html", date(2023, 11, 18)),
        ("http://www.example.gov.cn/art/2023/11/10/art_1201_2.html", date(2023, 11, 10)),
        ("http://www.example.gov.cn/col/col1201/art_1201_3.html", date(2023, 11, 2)),
        ("http://www.example.gov.cn/art/2023/10/30/art_1201_4.html", date(2023, 10, 30)),
        ("http://www.example.gov.cn/art/2023/10/20/art_1201_5.html", date(2023, 10, 20)),
    ]
    assert page.items[0].title == "关于开展安全生产大检查的通知"
    # the link checks see them too
    assert "http://www.example.gov.cn/art/2023/11/18/art_1201_1.html" in page.links


def test_script_links_that_go_nowhere_are_not_items() -> None:
    page = extract("""<ul class="list">
<li><a href="javascript:;" onclick="showDetail(this, 1201)">关于开展安全生产大检查的通知</a><span>2023-11-18</span></li>
<li><a href="javascript:;" onclick="window.open('/art/' + id + '.html')">关于做好冬季防火工作的通知</a><span>2023-11-10</span></li>
<li><a href="#" onclick="this.style.behavior='url(#default#homepage)';this.setHomePage('http://www.example.gov.cn/');">
把本站设为首页吧</a><span>2023-11-09</span></li>
<li><a href="mailto:xxgk@example.gov.cn" onclick="window.open('/art/x.html')">政务公开信箱地址</a><span>2023-11-08</span></li>
</ul>""")
    assert page.items == []
    assert not any("/art/" in link for link in page.links)


TABS = """<div class="tab-box"><ul class="tab-title"><li class="on">通知公告</li><li>政策文件</li><li>人事信息</li>
<li>规划计划</li></ul>
<div class="tab-con on" id="con_1"><ul class="list">{rows1}</ul></div>
<div class="tab-con" id="con_2" style="display:none"><ul class="list">{rows2}</ul></div>
<div class="tab-con" id="con_3" style="display:none"><ul class="list">{rows3}</ul></div>
<div class="tab-con" id="con_4" style="display:none"><ul class="list"><li class="nodata">暂无数据</li></ul></div></div>"""


def _tab_rows(tab: int, dated: bool) -> str:
    titles = ["关于开展安全生产大检查的通知", "关于做好冬季防火工作的通知", "关于公布第二批市级名录的公告"]
    return "".join(
        f"<li><a href=\"javascript:;\" onclick=\"window.open('/zwgk/{tab}/{n}.html')\">"
        f"{title}（{tab}）</a>" + (f"<span>2023-11-{10 + n}</span>" if dated else "") + "</li>"
        for n, title in enumerate(titles))


def test_one_empty_tab_of_four_does_not_make_the_page_blank() -> None:
    body = TABS.format(rows1=_tab_rows(1, True), rows2=_tab_rows(2, True), rows3=_tab_rows(3, True))
    page = extract(body, url=HANWEB_URL)
    assert len(page.items) == 9
    assert page.latest_date == date(2023, 11, 12)
    assert not page.blank
    # even where the filled tabs show no dates, their rows are content: not a blank column
    page = extract(TABS.format(rows1=_tab_rows(1, False), rows2=_tab_rows(2, False), rows3=_tab_rows(3, False)),
                   url=HANWEB_URL)
    assert page.items == []
    assert not page.blank and page.blank_reason is None
    # all four tabs empty: blank
    empty = '<li class="nodata">暂无数据</li>'
    page = extract(TABS.format(rows1=empty, rows2=empty, rows3=empty), url=HANWEB_URL)
    assert page.blank and page.blank_reason == "placeholder: 暂无数据"


def test_a_placeholder_beside_a_side_menu_still_reads_blank() -> None:
    page = extract("""<div class="left"><ul class="left_list"><li><a href="../tzgg/">通知公告栏目</a></li>
<li><a href="../zcwj/">政策文件栏目</a></li><li><a href="../rsxx/">人事信息栏目</a></li></ul></div>
<div class="right"><div class="right_title">统计信息</div><ul class="list"><li>暂无数据</li></ul></div>""")
    assert page.blank and page.blank_reason == "placeholder: 暂无数据"


REGENERATED = '<meta name="others" content="页面生成时间 2024-05-06 10:11:12">'
ARTICLE_BODY = ('<div id="zoom"><p>' + "为进一步做好全市防汛工作，现将有关事项通知如下，请认真贯彻落实。" * 4 + "</p></div>")


def test_a_pubdate_that_is_the_regeneration_time_yields_to_the_visible_date() -> None:
    head = '<meta name="ArticleTitle" content="关于做好防汛工作的通知"><meta name="PubDate" content="2024-05-06 10:11:12">'
    shown = '<div class="article"><h1>关于做好防汛工作的通知</h1><div class="info">发布日期：2023-04-18　来源：市水利局</div>'
    page = extract(shown + ARTICLE_BODY + "</div>", head=head + REGENERATED, reference=date(2024, 5, 7))
    assert (page.page_date, page.page_date_source, page.latest_date) == (date(2023, 4, 18), "text", date(2023, 4, 18))
    # a plain 日期： label is a visible date too
    page = extract(shown.replace("发布日期", "日期") + ARTICLE_BODY + "</div>", head=head + REGENERATED,
                   reference=date(2024, 5, 7))
    assert page.page_date == date(2023, 4, 18)
    # without the regeneration meta, PubDate is the publication
    page = extract(shown + ARTICLE_BODY + "</div>", head=head, reference=date(2024, 5, 7))
    assert (page.page_date, page.page_date_source) == (date(2024, 5, 6), "meta")
    # a PubDate that differs from the regeneration time is the publication, whatever the page shows
    other = head.replace("2024-05-06 10:11:12", "2023-04-20 09:00")
    page = extract(shown + ARTICLE_BODY + "</div>", head=other + REGENERATED, reference=date(2024, 5, 7))
    assert page.page_date == date(2023, 4, 20)
    # the page shows no date: PubDate is all there is
    page = extract(ARTICLE_BODY, head=head + REGENERATED, reference=date(2024, 5, 7))
    assert (page.page_date, page.page_date_source) == (date(2024, 5, 6), "meta")


def test_hanweb_maketime_is_a_regeneration_time_and_a_shown_regeneration_time_is_no_date() -> None:
    head = ('<meta name="ArticleTitle" content="关于做好防汛工作的通知"><meta name="PubDate" content="2024-05-06 10:11">'
            '<meta name="Maketime" content="2024-05-06 10:11:12">')
    page = extract('<div class="info">发布时间：2023-04-18</div>' + ARTICLE_BODY, head=head, reference=date(2024, 5, 7))
    assert page.page_date == date(2023, 4, 18)
    page = extract('<div class="info">页面生成时间：2024-05-06 10:11:12</div>' + ARTICLE_BODY, reference=date(2024, 5, 7))
    assert page.page_date is None


def test_neighbouring_links_of_an_article_are_not_entries() -> None:
    page = extract("""<div class="article"><h1>关于做好防汛工作的通知</h1>
<div class="info">来源：<a href="http://www.slj.example.gov.cn/">某某市水利局</a>　发布时间：2023-11-20</div>"""
                   + ARTICLE_BODY + """
<div class="page-turn"><p>上一篇：<a href="/art/2023/11/18/art_1_101.html">关于开展安全生产大检查的通知</a></p>
<p>下一篇：<a href="/art/2023/11/21/art_1_103.html">关于公布第二批市级非遗名录的公告</a></p></div>
<div class="xgwz"><div class="xgwz-title">您可能感兴趣的文章</div><ul>
<li><a href="/art/2023/11/10/art_1_90.html">关于做好冬季防火工作的通知</a><span>2023-11-10</span></li>
<li><a href="/art/2023/11/02/art_1_80.html">市政府召开第十二次常务会议</a><span>2023-11-02</span></li></ul></div>
<div class="related"><h3>相关阅读</h3><ul>
<li><a href="/art/2023/10/30/art_1_70.html">图解：全市防汛工作要点一览</a><span>2023-10-30</span></li>
<li><a href="/art/2023/10/20/art_1_60.html">解读：关于做好防汛工作的通知</a><span>2023-10-20</span></li></ul></div></div>""")
    assert page.kind == "article"
    assert page.page_date == date(2023, 11, 20) and page.latest_date == date(2023, 11, 20)
    assert page.items == []
    # the links are still links (link checks)
    assert "http://www.example.gov.cn/art/2023/11/18/art_1_101.html" in page.links


def test_an_undated_article_with_a_related_list_is_not_a_list() -> None:
    page = extract(ARTICLE_BODY + """<div class="box"><div class="box-title">相关文章</div><ul>
<li><a href="/art/2023/11/10/art_1_90.html">关于做好冬季防火工作的通知</a><span>2023-11-10</span></li>
<li><a href="/art/2023/11/02/art_1_80.html">市政府召开第十二次常务会议</a><span>2023-11-02</span></li></ul></div>""")
    assert page.kind == "article"
    assert page.items == [] and page.latest_date is None


def test_search_results_list_each_document_once_with_its_date() -> None:
    results = "".join(f"""<div class="result-item">
<h3><a href="http://www.example.gov.cn/art/2023/11/{d}/art_1_{d}.html" target="_blank">{title}</a></h3>
<p class="summary">为进一步做好相关工作，现将有关事项通知如下……</p>
<p class="source">来源：<a href="http://www.example.gov.cn/">某某市人民政府</a>
<a href="http://www.example.gov.cn/art/2023/11/{d}/art_1_{d}.html">http://www.example.gov.cn/art/2023/11/{d}/art_1_{d}.html</a>
<span>2023-11-{d}</span></p></div>""" for d, title in (("18", "关于开展安全生产大检查的通知"), ("10", "关于做好冬季防火工作的通知"),
                                                          ("02", "关于公布第二批市级非遗名录的公告")))
    page = extract(f'<div class="search-list">{results}</div>', url="http://www.example.gov.cn/search/index.html?q=通知")
    assert [(e.title, e.date) for e in page.items] == [
        ("关于开展安全生产大检查的通知", date(2023, 11, 18)),
        ("关于做好冬季防火工作的通知", date(2023, 11, 10)),
        ("关于公布第二批市级非遗名录的公告", date(2023, 11, 2)),
    ]
    assert all(e.date_source == "text" for e in page.items)


def test_the_browser_is_needed_only_where_a_script_writes_what_the_raw_page_lacks() -> None:
    from crawler.render import render_reason

    badge = ('<script type="text/javascript">document.write(unescape("%3Cspan id=\'_ideConac\' %3E%3C/span%3E'
             '%3Cscript src=\'http://dcs.conac.cn/js/33/000/0000/60429971/CA330000000604299710001.js\' '
             'type=\'text/javascript\'%3E%3C/script%3E"));</script>')
    html = doc('<div class="main"><ul class="list"><li>暂无信息</li></ul></div>' + badge)
    page = extract_page(html, URL, REF)
    assert page.blank and render_reason(200, html, page) is None  # a blank column, as the browser shows too
    built = doc('<div class="main"><ul class="list" id="list"></ul></div><script>for (var i = 0; i < rows.length; i++) '
                '{ document.write("<li><a href=\'" + rows[i].url + "\'>" + rows[i].title + "</a></li>"); }</script>')
    assert render_reason(200, built, extract_page(built, URL, REF)) == "list built by script"
    # an article is read without its frames (share widgets, a saved sub-frame)
    article = doc('<iframe src="/share.html"></iframe>', head='<meta name="ArticleTitle" content="通知">'
                  '<meta name="PubDate" content="2023-11-20">')
    assert render_reason(200, article, extract_page(article, URL, REF)) is None


@pytest.mark.parametrize("block", [
    '<div class="box"><span>相关链接：</span><a href="/art/2023/11/10/art_1_90.html">关于做好冬季防火工作的通知</a>'
    '<span>2023-11-10</span><br><a href="/art/2023/11/02/art_1_80.html">市政府召开第十二次常务会议</a><span>2023-11-02</span>'
    "</div>",
    '<div class="box">相关文章：<ul><li><a href="/art/2023/11/10/art_1_90.html">关于做好冬季防火工作的通知</a>'
    '<span>2023-11-10</span></li><li><a href="/art/2023/11/02/art_1_80.html">市政府召开第十二次常务会议</a>'
    "<span>2023-11-02</span></li></ul></div>",
])
def test_related_reading_in_other_shapes(block: str) -> None:
    head = '<meta name="ArticleTitle" content="关于做好防汛工作的通知"><meta name="PubDate" content="2023-11-20">'
    page = extract(ARTICLE_BODY + block, head=head)
    assert page.kind == "article" and page.items == []


def test_a_related_heading_on_a_list_page_keeps_its_entries() -> None:
    # a column page's own list under a heading such as 相关政策 stays its list
    page = extract("""<div class="box"><h3>相关政策</h3><ul>
<li><a href="/art/2023/11/10/art_1_90.html">关于做好冬季防火工作的通知</a><span>2023-11-10</span></li>
<li><a href="/art/2023/11/02/art_1_80.html">市政府召开第十二次常务会议</a><span>2023-11-02</span></li></ul></div>""")
    assert page.kind == "list" and len(page.items) == 2


def test_a_search_result_crediting_its_site_without_a_label_is_one_entry() -> None:
    results = "".join(f"""<li class="search-item"><a class="title" href="/art/2023/11/{d}/art_1_{d}.html">{title}</a>
<div class="info"><a class="site" href="http://www.example.gov.cn/index.html">某某市人民政府门户网站</a>
<span class="time">2023-11-{d}</span></div></li>""" for d, title in (("18", "关于开展安全生产大检查的通知"),
                                                                    ("10", "关于做好冬季防火工作的通知")))
    page = extract(f'<ul class="search-list">{results}</ul>', url="http://www.example.gov.cn/search/?q=通知")
    assert [(e.title, e.date, e.date_source) for e in page.items] == [
        ("关于开展安全生产大检查的通知", date(2023, 11, 18), "text"),
        ("关于做好冬季防火工作的通知", date(2023, 11, 10), "text"),
    ]


def test_a_search_result_linking_its_document_again_beside_its_date_is_one_entry() -> None:
    # 开普云 site search (scjg.gansu.gov.cn, corpus page 32): the title link, a summary, then the 来源 line whose
    # link (the publishing body's name) goes to the same document, beside the date: one entry per result
    results = "".join(f"""<div class="wordGuide"><div class="bigTit"><span class="columnLabel">业务公告</span>
<a href="/scjg/c110159/2023{d}/{d}7.shtml" class="titleFont" title="{title}">{title}</a></div>
<div class="listInfoCon"><div class="listIntro"><p class="summaryFont">为进一步做好相关工作，现将有关事项通知如下……</p>
<p class="time"><a class="sourceDateFont" href="/scjg/c110159/2023{d}/{d}7.shtml">某某省市场监督管理局</a>
<span class="sourceDateFont">2023-{d}-08</span></p></div></div></div>""" for d, title in (
        ("11", "关于开展安全生产大检查的通知"), ("10", "关于做好冬季防火工作的通知"), ("09", "关于公布第二批名录的公告")))
    page = extract(results, url="https://www.example.gov.cn/guestweb4/s?searchWord=通知")
    assert [(e.title, e.date) for e in page.items] == [
        ("关于开展安全生产大检查的通知", date(2023, 11, 8)),
        ("关于做好冬季防火工作的通知", date(2023, 10, 8)),
        ("关于公布第二批名录的公告", date(2023, 9, 8)),
    ]


def test_a_single_page_app_shell_needs_the_browser_and_is_not_blank() -> None:
    # www.lottery.gov.cn (corpus page 39): an empty mount point, a <noscript> asking for JavaScript and a
    # script; the browser shows a whole home page, the raw page nothing
    from crawler.render import render_reason

    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title></title><script>var _0x=['aGVhZA==','c2NyaXB0'];"
            "(function(){var s=document.createElement(atob(_0x[1]));s.src='/js/app.3f2a.js';"
            "document.getElementsByTagName(atob(_0x[0]))[0].appendChild(s)})();</script></head><body>"
            "<noscript><strong>We're sorry but tcweb doesn't work properly without JavaScript enabled. Please enable it "
            "to continue.</strong></noscript><div id=\"app\"></div></body></html>")
    page = extract_page(html, "https://www.example.gov.cn/", REF)
    assert page.script_list is not None and not page.blank
    assert render_reason(None, html, page) is not None
    # a page with links of its own is read as it is, whatever its <noscript> says
    plain = doc('<noscript>请启用 JavaScript</noscript><div id="app"></div><ul class="list"><li>'
                '<a href="./202311/t20231118_1.html">关于开展安全生产大检查的通知</a><span>2023-11-18</span></li></ul>')
    assert extract_page(plain, URL, REF).script_list is None


def test_rows_clicked_open_without_a_link_one_ul_per_row() -> None:
    # 国家法律法规数据库 home page (flk.npc.gov.cn, corpus page 41): each row is its own <ul>, the title a
    # <p onclick="window.open(…)"> and the date the next <li>; a browser user clicks the title like a link
    rows = "".join(f"""<ul class="list"><li><img src="/images/home-point.png"></li>
<li><p onclick="window.open('./detail2.html?{k}', '_blank')" title="{title}" class="list-wen"> {title} </p></li>
<li class="list-time"><p> [2025-0{m}-0{d}] </p></li></ul>""" for k, title, m, d in (
        ("ZmY4MDgx1", "滁州市养老服务促进条例", 6, 3), ("ZmY4MDgx2", "河南省母婴保健条例", 5, 3),
        ("ZmY4MDgx3", "河南省统计管理条例", 5, 1)))
    page = extract(f'<div class="c-left"><ul class="c-top1"><li class="c-title1">新法速递</li>'
                   f'<li class="c-more" onclick="changeLast()">更多</li></ul><div id="xfsd">{rows}</div></div>',
                   url="https://flk.npc.gov.cn/", reference=date(2025, 6, 18))
    assert [(e.title, e.date) for e in page.items] == [
        ("滁州市养老服务促进条例", date(2025, 6, 3)), ("河南省母婴保健条例", date(2025, 5, 3)),
        ("河南省统计管理条例", date(2025, 5, 1))]
    assert page.items[0].url == "https://flk.npc.gov.cn/detail2.html?ZmY4MDgx1"
    assert page.latest_date == date(2025, 6, 3)


def test_a_date_followed_by_an_issue_number_in_a_child_is_the_row_date() -> None:
    # 中国政府网站内搜索 (sousuo.www.gov.cn, corpus pages 44–45): 公报 results close with
    # <span class="sourceTime">发刊时间：2013-5-10 <span>2013年第13号 （总号：1444）</span></span>
    item = """<div class="item"><a class="title" href="http://www.gov.cn/gongbao/content/2013/content_2396614.htm">
<span class="type_title">国务院公报</span>电子招标投标办法</a><div class="description"><p>为了规范电子招标投标活动，
促进电子招标投标健康发展，现予发布，自2013年5月1日起施行。</p></div><a href="url" class="source">14</a>
<span class="sourceTime">发刊时间：2013-5-10
            <span> 2013年第13号 （总号：1444）</span>
            </span></div>"""
    page = extract(f'<div class="basic_result_content">{item}</div>',
                   url="https://sousuo.www.gov.cn/sousuo/search.shtml?searchWord=x", reference=date(2025, 6, 23))
    assert [(e.title, e.date) for e in page.items] == [("国务院公报电子招标投标办法", date(2013, 5, 10))]
    # a search answering with one result is a list of one: its date is the page's latest
    assert page.kind == "list" and page.latest_date == date(2013, 5, 10)


def test_a_recommendation_block_without_dates_beside_dated_results_is_not_the_list() -> None:
    # 九江市智能检索 (TRS IRS, corpus page 47): results closing with 发布时间, then a 您可能感兴趣 block whose
    # links show no date (their URLs carry one): recommendations, not entries of the page
    results = "".join(f"""<div class="result"><a href="https://www.example.gov.cn/zwgk/2025{m}/t2025{m}05_{m}.html">{t}</a>
<p>为进一步做好相关工作……</p><span>某某县人民政府 发布时间：2025-{m}-05 16:28:36</span></div>"""
                      for m, t in (("11", "棉花种植面积核实种植户公示"), ("10", "南义镇召开冬种油菜种植推进会")))
    also = "".join(f'<li><a href="https://www.example.gov.cn/zdgk/2025{m}/t2025{m}20_9{m}.html">{t}</a></li>'
                   for m, t in (("10", "2025年外出务工就业一次性交通补贴发放统计表（第五批）"),
                                ("09", "2025年外出务工就业一次性交通补贴发放统计表（第四批）")))
    page = extract(f'<div class="search-result">{results}</div><div class="like"><h3>您可能感兴趣</h3><ul>{also}</ul></div>',
                   url="https://www.example.gov.cn/irs-c-web/search.shtml?searchWord=种植", reference=date(2025, 12, 1))
    assert [e.title for e in page.items] == ["棉花种植面积核实种植户公示", "南义镇召开冬种油菜种植推进会"]
