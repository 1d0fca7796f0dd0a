"""`govwatch extract` on a real government page, as an inspector runs it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.cli_support import govwatch

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-pages"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the real-page corpus is not beside the checkout ({CORPUS})")
def test_extract_a_trs_list_page(tmp_path) -> None:
    page = CORPUS / "06_yzq_zwyw_trs_list.html"
    result = govwatch(tmp_path, "extract", str(page), "--url", "http://www.yzq.gov.cn/zwgk/zwdt/zwyw/",
                      "--as-of", "2017-10-21", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert (data["kind"], data["latest_date"], data["blank"], data["page_count"]) == ("list", "2017-10-20", False, 120)
    assert len(data["items"]) == 25 and [i["position"] for i in data["items"]] == list(range(25))
    first = data["items"][0]
    assert first["title"].startswith("袁州区财政局掀起学习贯彻") and first["date"] == "2017-10-20"
    assert first["url"].startswith("http://www.yzq.gov.cn/")
    table = govwatch(tmp_path, "extract", str(page), "--url", "http://www.yzq.gov.cn/zwgk/zwdt/zwyw/",
                     "--as-of", "2017-10-21")
    assert "最新日期 2017-10-20" in table.stdout and "带日期的条目（25）" in table.stdout


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the real-page corpus is not beside the checkout ({CORPUS})")
def test_extract_reads_year_less_dates_against_the_time_point(tmp_path) -> None:
    page = CORPUS / "09_yichun_home_kpy.html"
    early = govwatch(tmp_path, "extract", str(page), "--url", "http://www.yichun.gov.cn/", "--as-of", "2023-10-11",
                     "--json").json()
    assert early["latest_date"] == "2023-10-11"
    # The same MM-DD text read a year later still belongs to 2023, not to the new year.
    later = govwatch(tmp_path, "extract", str(page), "--url", "http://www.yichun.gov.cn/", "--as-of", "2024-02-01",
                     "--json").json()
    assert later["latest_date"] == "2023-10-11"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the real-page corpus is not beside the checkout ({CORPUS})")
def test_extract_says_a_script_built_page_needs_the_browser_instead_of_calling_it_blank(tmp_path) -> None:
    # 08: data.stats.gov.cn fills its table by AJAX; the raw HTML holds only empty containers
    from govwatch.cli.extract import extract_source

    page, url = CORPUS / "08_data_stats_easyquery.html", "http://data.stats.gov.cn/easyquery.htm?cn=A01"
    data = extract_source(str(page), url, date(2020, 1, 10))  # what --json prints
    assert data["render"] == {"needed": True, "reason": "列表由脚本生成，原始网页中没有", "code": "list built by script"}
    assert data["blank"] is None and "浏览器" in data["blank_reason"]
    table = govwatch(tmp_path, "extract", str(page), "--url", url, "--as-of", "2020-01-10")
    assert table.code == 0, table.stderr
    assert "空白 未知（需浏览器）" in table.stdout and "浏览器渲染 需要：列表由脚本生成" in table.stdout
    assert "空白 是" not in table.stdout


def test_render_decision_in_json_and_table(tmp_path) -> None:
    from io import StringIO

    from rich.console import Console

    from govwatch.cli.extract import extract_source, print_extract

    script_list = tmp_path / "ajax.html"
    script_list.write_text("""<html><head><title>通知公告</title></head><body><div class="main"><h2>通知公告</h2>
<ul class="list" id="list"></ul></div><script>$.ajax({url: '/api/list?col=12', success: function (rows) {
document.getElementById('list').innerHTML = rows.map(r => '<li>' + r.title + '</li>').join('');}});</script>
</body></html>""", encoding="utf-8")
    plain_list = tmp_path / "list.html"
    plain_list.write_text("""<html><head><title>通知公告</title></head><body><ul class="list">
<li><a href="/a/1.html">关于开展安全生产大检查的通知</a><span>2023-11-18</span></li>
<li><a href="/a/2.html">关于做好冬季防火工作的通知</a><span>2023-11-10</span></li></ul></body></html>""",
                          encoding="utf-8")
    when = date(2023, 11, 20)
    needed = extract_source(str(script_list), "http://www.example.gov.cn/tzgg/", when)
    assert needed["render"]["needed"] is True and needed["render"]["code"] == "list built by script"
    assert needed["blank"] is None  # the raw page reads "empty list"; the browser decides
    not_needed = extract_source(str(plain_list), "http://www.example.gov.cn/tzgg/", when)
    assert not_needed["render"] == {"needed": False, "reason": None, "code": None}
    assert not_needed["blank"] is False
    out = StringIO()
    print_extract(Console(file=out, width=80), needed)
    assert "空白 未知（需浏览器）" in out.getvalue() and "浏览器渲染 需要" in out.getvalue()
    out = StringIO()
    print_extract(Console(file=out, width=80), not_needed)
    assert "浏览器渲染 不需要" in out.getvalue() and "空白 否" in out.getvalue()
