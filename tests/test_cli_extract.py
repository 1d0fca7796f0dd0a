"""`govwatch extract` on a real government page, as an inspector runs it."""

from __future__ import annotations

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
