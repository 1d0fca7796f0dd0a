"""Results and site panels read completely at 80 and 120 columns, and crawled text is plain text."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from rich.console import Console

from reports.plain import plain, wrap_lines
from reports.verdict import summary_table, verdict_panel
from rules.engine import evaluate
from rules.observations import ColumnObs, LinkObs, SiteObs
from rules.profile import load_profile

T0 = date(2023, 11, 20)
PROFILE = load_profile("national-2019")
HOSTILE = "云溪县[/]人民政府[bold red]红字[/bold red]\x1b[31m\x1b]0;pwned\x07\u202eexe.txt"


def col(name: str, category: str, age: int, blank: bool = False) -> ColumnObs:
    return ColumnObs(name, f"http://yx.gov.cn/{len(name)}{category}{age}/", category, 1, T0 - timedelta(days=age),
                     0 if blank else 10, 0, blank, "placeholder: 暂无信息" if blank else None, "list", 200, None)


def failing_site(name: str = "云溪县人民政府办公室政务公开专栏网站") -> SiteObs:
    columns = [col(f"通知公告栏目{i}", "notice", 200 + i) for i in range(5)] + [col("政策文件", "policy", 400),
                                                                              col("空栏目", "news", 3, blank=True)]
    links = tuple(LinkObs(f"http://yx.gov.cn/dead/{i}.html", "http://yx.gov.cn/", 404, "broken", "HTTP 404")
                  for i in range(3))
    return SiteObs("http://www.yunxi.gov.cn/", name, "4307000012", 1, "ok", None, T0, "http://www.yunxi.gov.cn/",
                   T0 - timedelta(days=40), tuple(columns), links)


def render(thing, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(thing)
    return console.file.getvalue()


def lines_of(text: str) -> list[str]:
    return [line for line in text.splitlines()]


@pytest.mark.parametrize("width", [80, 120])
def test_results_and_panel_are_never_cut(width: int) -> None:
    ev = evaluate(failing_site(), T0, PROFILE)
    assert ev.verdict == "fail" and ev.vetoes
    table = render(summary_table([ev, evaluate(failing_site("甲"), T0, PROFILE)]), width)
    panel = render(verdict_panel(ev), width)
    for text in (table, panel):
        assert "…" not in text
        assert all(len(line) <= width for line in lines_of(text))  # nothing printed past the edge
        assert "不合格" in text and "national-2019" in text
    flat = lambda t: re.sub(r"[│╭╮╰╯─\s]+", "", t)  # noqa: E731 - the text a person reads across wrapped lines
    assert flat(ev.problems) in flat(table)
    # Every veto's detail, with its count and threshold, is printed whole, each number on one line.
    for f in ev.vetoes:
        assert flat(f.detail) in flat(panel)
        for number in re.findall(r"\d+", f.detail):
            assert any(re.search(rf"(?<!\d){number}(?!\d)", line) for line in lines_of(panel)), number
    assert "共2个网站：合格0，不合格2，无法核验0" in flat(table)
    # overdue columns are marked in the column table
    assert "超期未更新" in panel


def test_narrow_terminal_gets_one_block_per_site() -> None:
    ev = evaluate(failing_site(), T0, PROFILE)
    narrow, wide = render(summary_table([ev]), 80), render(summary_table([ev]), 160)
    assert "1. 云溪县" in narrow and "结论 不合格" in narrow
    assert "┃" in wide or "│" in wide  # a table when there is room


def test_crawled_text_is_plain_and_sanitised() -> None:
    obs = failing_site(HOSTILE)
    ev = evaluate(obs, T0, PROFILE)
    for width in (80, 200):
        for text in (render(summary_table([ev]), width), render(verdict_panel(ev), width)):
            assert "[/]" in text and "[bold red]" in text  # shown as written, not read as markup
            assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert plain("a\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\b\x9b31m\u2066c\u0000d\n e") == "alinkbcd  e"


def test_wrapping_keeps_numbers_whole() -> None:
    text = "通知公告、政策文件等栏目超过180天未更新共12个（达到10个即单项否决）" * 3
    for width in range(10, 40):
        lines = wrap_lines(text, width)
        assert all(len(line) * 2 >= 0 for line in lines)
        joined = "".join(lines)
        assert joined == text
        for line in lines:
            assert not re.match(r"^\d", line) or re.match(r"^(180|12|10)", line)


def test_unread_site_shows_its_reason_and_never_crawled_differs() -> None:
    down = SiteObs("http://a.gov.cn/", "甲", None, 3, "failed", "home page http://a.gov.cn/ could not be fetched: "
                   "timeout: no answer in time", T0, None, None)
    never = SiteObs("http://b.gov.cn/", "乙", None, None, "none",
                    "no crawl of this site on or before the monitoring time point", None, None, None)
    ev_down, ev_never = evaluate(down, T0, PROFILE), evaluate(never, T0, PROFILE)
    assert ev_down.problems == "无法访问：连接超时" and ev_down.notice["主要问题"] == "无法访问：连接超时"
    assert ev_never.problems.startswith("未检查") and ev_never.problems != ev_down.problems
    text = render(summary_table([ev_down, ev_never]), 80)
    assert "无法访问：连接超时" in text and "未检查：监测时间点前从未抓取" in text
    cert = SiteObs("http://c.gov.cn/", "丙", None, 4, "failed", "home page https://c.gov.cn/ could not be fetched: "
                   "TLS error: [<twisted.python.failure.Failure OpenSSL.SSL.Error: [('SSL routines', '', "
                   "'certificate verify failed')]>]", T0, None, None)
    assert evaluate(cert, T0, PROFILE).problems == "无法访问：网站证书或加密连接有问题（浏览器会提示不安全）"


def test_progress_names_the_sites_in_flight_and_totals() -> None:
    from govwatch.cli.progress import in_flight

    names = {1: "甲县人民政府", 2: "乙局[/]", 3: "丙", 4: "丁", 5: "戊"}
    assert in_flight(names, set()) == "共 5 个，已完成 0 个；抓取中 5 个：甲县人民政府、乙局[/]、丙等"
    assert in_flight(names, {1, 2, 3, 4}, "丁") == "共 5 个，已完成 4 个；抓取中 1 个：戊；刚完成：丁"


def test_certificate_failure_of_a_link_is_one_plain_sentence() -> None:
    from reports.verdict import link_reason

    dump = ("TLS error: [<twisted.python.failure.Failure OpenSSL.SSL.Error: [('SSL routines', '', "
            "'certificate verify failed')]>]")
    assert link_reason(dump) == "网站证书或加密连接有问题（浏览器会提示不安全）"
    assert link_reason("HTTP 404") == "HTTP 404"
