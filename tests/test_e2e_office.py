"""The office's frictions, end to end through the real `govwatch` command and local test sites:
a mistyped URL registers nothing, a fresh crawl is not judged at an earlier T0, crawled titles are
plain text, and the demo never enters the user's registry."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from govwatch.demo.sites.server import _closed_port_url, serve_test_sites
from tests.cli_support import govwatch


def test_bare_url_recheck_that_reads_nothing_fails_and_registers_nothing(tmp_path: Path) -> None:
    url = _closed_port_url()
    result = govwatch(tmp_path, "recheck", url, "--as-of", "2023-11-20")
    assert result.code != 0 and "无法读取" in result.stderr and "未登记" in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert govwatch(tmp_path, "sites", "list", "--json").json() == []
    assert govwatch(tmp_path, "evaluate", "--site", url).code != 0  # not stored either


def test_fresh_crawl_is_not_judged_at_an_earlier_time_point(tmp_path: Path) -> None:
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    with serve_test_sites(today) as sites:
        site = sites[0]
        earlier = (today - timedelta(days=200)).isoformat()
        result = govwatch(tmp_path, "recheck", site.url, "--as-of", earlier, "--json")
    assert result.code == 3, result.stderr[-2000:]
    assert "监测时间点之后的信息" in result.stderr
    refused = result.json()  # no verdict: with --json, the refusal itself as JSON (issue 17, item 4)
    assert refused["error"] == "refused" and refused["code"] == 3 and "监测时间点之后的信息" in refused["message"]
    # the crawl is stored: judged at the crawl date it gives a verdict
    judged = govwatch(tmp_path, "evaluate", "--site", site.url, "--as-of", today.isoformat(), "--json")
    assert judged.code == 0 and judged.json()[0]["verdict"] in ("pass", "fail")


def test_crawled_markup_and_escapes_are_shown_as_plain_text(tmp_path: Path) -> None:
    hostile = "云溪县[/]人民政府[bold red]红[/bold red]\x1b[31m\u202egnp.exe"
    sites = tmp_path / "sites.csv"
    sites.write_text(f"网站名称,首页网址\n\"{hostile}\",http://www.yunxi.gov.cn/\n", encoding="utf-8")
    assert govwatch(tmp_path, "sites", "import", str(sites)).code == 0
    listed = govwatch(tmp_path, "sites", "list", env={"COLUMNS": "120"})
    assert listed.code == 0 and "MarkupError" not in listed.stderr, listed.stderr
    assert "[/]" in listed.stdout and "[bold red]" in listed.stdout
    assert "\x1b" not in listed.stdout and "\u202e" not in listed.stdout
    evaluated = govwatch(tmp_path, "evaluate", "--as-of", "2023-11-20", env={"COLUMNS": "80"})
    assert evaluated.code == 0 and "[/]" in evaluated.stdout and "\x1b" not in evaluated.stdout, evaluated.stderr
    assert "未检查：监测时间点前从未抓取" in evaluated.stdout.replace("\n", "").replace(" ", "")


def test_extract_prints_a_hostile_page_as_plain_text(tmp_path: Path) -> None:
    page = tmp_path / "list.html"
    rows = "".join(f"<li><a href='/a/{i}.html'>[/]通知[bold red]{i}\x1b[31m\u202e</a><span>2023-11-{10 + i}</span></li>"
                   for i in range(5))
    page.write_text(f"<html><head><title>[/]云溪县[link=file:///etc]</title></head><body><ul>{rows}</ul></body></html>",
                    encoding="utf-8")
    result = govwatch(tmp_path, "extract", str(page), "--url", "http://www.yunxi.gov.cn/tzgg/", "--as-of", "2023-11-20",
                      env={"COLUMNS": "80"})
    assert result.code == 0, result.stderr[-2000:]
    assert "[/]云溪县" in result.stdout and "[bold red]" in result.stdout
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
