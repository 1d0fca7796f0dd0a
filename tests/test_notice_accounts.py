"""The notice's new-media tables come from the accounts judged for exactly the notice's period, from
their stored posts (issue 9's judging, issue 11's notice), whatever was evaluated before."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from govwatch.cli import app

MEDIA = Path(__file__).resolve().parents[1] / "govwatch" / "demo" / "media"


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_report_judges_accounts_for_its_own_period(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GOVWATCH_HOME", str(tmp_path / "home"))
    _run("accounts", "import", str(MEDIA / "accounts.csv"))
    _run("posts", "import", str(MEDIA / "posts.csv"))
    # An evaluation of another period is stored first; the notice must not report it in its place.
    _run("evaluate", "--accounts", "--as-of", "2023-11-20", "--profile", "guizhou", "--period", "2023-07..2023-09")
    out = tmp_path / "notice"
    _run("report", "--period", "2023-08..2023-10", "--as-of", "2023-11-20", "--profile", "guizhou",
         "--format", "csv", "--out", str(out))
    [months_file] = out.glob("*accounts_months.csv")
    rows = list(csv.reader(months_file.read_text("utf-8-sig").splitlines()))
    assert rows[0][-3:] == ["8月更新情况", "9月更新情况", "10月更新情况"]
    by_name = {r[2]: r[-3:] for r in rows[1:]}
    assert by_name["示例市政务服务"] == ["合格", "不合格", "合格"]  # 服务号: 3 posting days in September
    assert by_name["示例县文旅"] == ["合格", "合格", "不合格"]
    assert by_name["示例县应急管理"] == ["无法核验"] * 3  # never collected: not counted as 不合格
