"""Column discovery from navigation and classification by the keyword table."""

from __future__ import annotations

import pytest

from crawler.columns import classify, discover_columns, normalize_url, parse_html, same_site, site_scope
from crawler.linkcheck import soft_404_reason

HOME = """<html><head><title>某某县人民政府</title></head><body>
<div class="header"><a href="/">网站首页</a><a href="/en/">English</a></div>
<div class="nav"><ul>
  <li><a href="/">首页</a></li>
  <li><a href="/xwzx/zwyw/index.html">政务要闻</a></li>
  <li><a href="./xwzx/bmdt/">部门动态</a></li>
  <li><a href="/col/col1234/index.html">通知公告</a></li>
  <li><a href="http://other.example.com/zcwj/">政策文件</a></li>
  <li><a href="/zwgk/202311/t20231118_123456.html">一篇文章</a></li>
  <li><a href="/files/a.pdf">下载文件</a></li>
</ul></div>
<div class="box"><div class="box-hd"><span>人事信息</span><a href="/zwgk/rsxx/">更多&gt;&gt;</a></div>
  <ul><li><a href="/zwgk/rsxx/202311/t20231101_1.html">关于某某同志任职的通知</a><span>2023-11-01</span></li></ul>
</div>
<div class="footer"><a href="/lxwm/">联系我们</a><a href="/wzdt/">网站地图</a></div>
</body></html>"""


def test_navigation_and_more_links_become_columns() -> None:
    base = "http://www.mmx.gov.cn/"
    links = discover_columns(parse_html(HOME), base, site_scope(base))
    assert [(link.name, link.url, link.source) for link in links] == [
        ("政务要闻", "http://www.mmx.gov.cn/xwzx/zwyw/index.html", "nav"),  # fetched as the site links it
        ("部门动态", "http://www.mmx.gov.cn/xwzx/bmdt/", "nav"),
        ("通知公告", "http://www.mmx.gov.cn/col/col1234/index.html", "nav"),
        ("人事信息", "http://www.mmx.gov.cn/zwgk/rsxx/", "more"),
    ]
    assert links[0].key == "http://www.mmx.gov.cn/xwzx/zwyw/"


OLD_TABLE_HOME = """<html><body><table><tr><td><img src="/top.jpg"></td></tr>
<tr><td bgcolor="#0066CC"><a href="/">首页</a> | <a href="/Article/ShowClass.asp?ClassID=1"><font>工作动态</font></a> |
<a href="/Article/ShowClass.asp?ClassID=3">通知公告</a> | <a href="/About.asp?ID=1">镇情简介</a> |
<a href="/GuestBook/Index.asp">镇长信箱</a></td></tr></table>
<table><tr><td><b>工作动态</b></td><td><a href="/Article/ShowClass.asp?ClassID=1">更多&gt;&gt;</a></td></tr>
<tr><td>·<a href="/Article/ShowArticle.asp?ArticleID=1204">石桥镇召开村两委干部述职评议会</a></td><td>2023/10/29</td></tr>
<tr><td>·<a href="/Article/ShowArticle.asp?ArticleID=1205">石桥镇开展农村人居环境整治集中行动</a></td><td>2023/10/25</td></tr>
</table><table><tr><td>友情链接：<a href="http://www.gov.cn/">中国政府网</a><a href="http://www.henan.gov.cn/">河南省政府</a>
</td></tr></table></body></html>"""


def test_unmarked_navigation_bars_are_found_by_their_shape() -> None:
    base = "http://127.0.0.1:8001/"
    links = discover_columns(parse_html(OLD_TABLE_HOME), base, site_scope(base))
    assert [(link.name, link.url.removeprefix(base.rstrip("/"))) for link in links] == [
        ("工作动态", "/Article/ShowClass.asp?ClassID=1"),
        ("通知公告", "/Article/ShowClass.asp?ClassID=3"),
        ("镇情简介", "/About.asp?ID=1"),
        ("镇长信箱", "/GuestBook/Index.asp"),
    ]


def test_site_scope_spans_subdomains_of_a_gov_cn_domain() -> None:
    scope = site_scope("http://www.xinxiang.gov.cn/")
    assert scope == "xinxiang.gov.cn"
    assert same_site("http://xxgk.xinxiang.gov.cn/col/", scope)
    assert not same_site("http://www.henan.gov.cn/", scope)
    ip_scope = site_scope("http://127.0.0.1:8001/")
    assert same_site("http://127.0.0.1:8001/a/", ip_scope) and not same_site("http://127.0.0.1:8002/a/", ip_scope)


def test_normalize_url_treats_index_pages_as_folders() -> None:
    assert normalize_url("http://a.gov.cn/x/index.html#top") == "http://a.gov.cn/x/"
    assert normalize_url("http://a.gov.cn/x/index.shtml") == "http://a.gov.cn/x/"
    assert normalize_url("http://a.gov.cn/x/list_2.html") == "http://a.gov.cn/x/list_2.html"


@pytest.mark.parametrize(
    ("name", "category"),
    [("政务要闻", "news"), ("乡镇动态", "news"), ("通知公告", "notice"), ("公示公告", "notice"),
     ("政策文件", "policy"), ("政策解读", "policy"), ("人事信息", "should_update"), ("规划计划", "should_update"),
     ("财政预决算", "should_update"), ("机构职能", "static"), ("领导信息", "static"), ("县长信箱", "interaction"),
     ("意见征集", "interaction"), ("办事指南", "service"), ("网上办事", "service"), ("专题专栏", "other")],
)
def test_keyword_table_classifies_column_names(name: str, category: str) -> None:
    assert classify(name) == (category, "keyword" if category != "other" else "default")


def test_column_type_meta_wins() -> None:
    assert classify("信息列表", "通知公告") == ("notice", "meta")


def test_soft_404_needs_a_not_found_message_on_a_short_page() -> None:
    assert soft_404_reason("<title>提示</title><body><p>您访问的页面不存在！</p></body>")
    assert soft_404_reason("<title>404 页面不存在</title><body>...</body>")
    long_page = "<title>关于整治的通知</title><body>" + "正文内容。" * 600 + "页面不存在</body>"
    assert soft_404_reason(long_page) is None
