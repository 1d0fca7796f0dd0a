"""The office's registry: the 信息报送系统 .xlsx imports in one command, 网站类型 changes the scoring,
网站状态 keeps closed sites uncrawled, and the registry can be exported, disabled, replaced, removed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from inspection.registry.sites import SitesFileError, read_sites
from rules.engine import evaluate
from rules.observations import ColumnObs, SiteObs
from rules.profile import load_profile
from tests.cli_support import govwatch

T0 = date(2023, 11, 20)
HEADERS = ["序号", "网站名称", "网站标识码", "首页网址", "主办单位", "网站类型", "网站状态"]
ROWS = [
    [1, "云溪县人民政府", "4307000001", "http://www.yunxi.gov.cn/", "云溪县人民政府办公室", "政府门户网站", "正常"],
    [2, "云溪县民政局", "4307000012", "mzj.yunxi.gov.cn", "云溪县民政局", "部门网站", "正常"],
    [3, "云溪县旧农业网", "4307000020", "http://nyj.yunxi.gov.cn/", "云溪县农业局", "部门网站", "关停"],
    [4, "云溪县统计局", "4307000033", "http://tjj.yunxi.gov.cn/", "云溪县统计局", "部门", "注销"],
]


def xlsx(path: Path, rows=ROWS, headers=HEADERS, title: str | None = "全国政府网站基本信息（导出）") -> Path:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_in_the_reporting_system_shape(tmp_path: Path) -> None:
    read = read_sites(xlsx(tmp_path / "sites.xlsx"))
    assert [(e.code, e.kind, e.status) for e in read.entries] == [
        ("4307000001", "portal", "normal"), ("4307000012", "department", "normal"),
        ("4307000020", "department", "closed"), ("4307000033", "department", "cancelled")]
    assert read.header_line == 2 and read.entries[0].line == 3
    assert read.used["网站类型"] == "kind" and read.used["网站状态"] == "status" and "序号" in read.ignored


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "gb18030"])
def test_tab_separated_and_unicode_text_copies(tmp_path: Path, encoding: str) -> None:
    text = "\t".join(HEADERS) + "\n" + "\n".join("\t".join(str(c) for c in r) for r in ROWS) + "\n"
    path = tmp_path / "sites.txt"
    path.write_bytes(text.encode(encoding))
    assert [e.kind for e in read_sites(path).entries] == ["portal", "department", "department", "department"]


@pytest.mark.parametrize(("cell", "message"), [
    ("http://a.gov.cn/ http://b.gov.cn/", r"line 3: 一个单元格里有多个网址"),
    ("http://a.gov.cn/；http://b.gov.cn/", r"line 3: 一个单元格里有多个网址"),
    ("http://www。yunxi.gov.cn/", r"line 3: .*全角字符“。”"),
])
def test_bad_url_cells_are_refused_with_file_and_line(tmp_path: Path, cell: str, message: str) -> None:
    rows = [[1, "甲", "4307000001", cell, "甲", "门户", "正常"]]
    with pytest.raises(SitesFileError, match=rf"sites.xlsx, {message}"):
        read_sites(xlsx(tmp_path / "sites.xlsx", rows))


def test_code_turned_into_scientific_notation_gets_the_hint(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("网站名称,网站标识码,首页网址\n甲,3.69925E+09,http://a.gov.cn/\n", encoding="utf-8")
    with pytest.raises(SitesFileError, match=r"sites.csv, line 2: .*科学计数法.*设置为“文本”格式"):
        read_sites(path)


def _site(name: str, kind: str | None) -> SiteObs:
    cols = tuple(ColumnObs(f"栏目{i}", f"http://a.gov.cn/{i}/", "news", 1, T0, 10, 0, False, None, "list", 200, None)
                 for i in range(3))
    return SiteObs("http://a.gov.cn/", name, None, 1, "ok", None, T0, "http://a.gov.cn/", T0, cols, site_kind=kind)


def test_site_kind_decides_whether_the_site_is_scored_as_a_portal() -> None:
    profile = load_profile("national-2019")
    assert evaluate(_site("云溪县人民政府", None), T0, profile).scoring["scored"]  # by name, as before
    assert not evaluate(_site("云溪县人民政府", "department"), T0, profile).scoring["scored"]
    assert evaluate(_site("云溪县民政局", "portal"), T0, profile).scoring["scored"]
    assert "网站类型：部门" in evaluate(_site("云溪县人民政府", "department"), T0, profile).scoring["why_not_scored"]


def test_import_list_disable_export_replace_remove(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = govwatch(home, "sites", "import", str(xlsx(tmp_path / "sites.xlsx")))
    assert result.code == 0, result.stderr
    assert "新增 4 个网站" in result.stdout and "关停/注销 2 个" in result.stdout
    assert "使用的列" in result.stdout and "序号" in result.stdout
    listed = {r["code"]: r for r in govwatch(home, "sites", "list", "--json").json()}
    assert listed["4307000001"]["kind"] == "portal" and listed["4307000020"]["status"] == "closed"

    assert govwatch(home, "sites", "disable", "4307000012").code == 0
    assert not {r["code"]: r for r in govwatch(home, "sites", "list", "--json").json()}["4307000012"]["enabled"]
    assert govwatch(home, "sites", "disable", "nosuchsite").code != 0

    exported = tmp_path / "out.xlsx"
    assert govwatch(home, "sites", "export", str(exported)).code == 0
    again = read_sites(exported)
    assert [(e.code, e.kind, e.status, e.enabled) for e in again.entries][:2] == [
        ("4307000001", "portal", "normal", True), ("4307000012", "department", "normal", False)]
    assert govwatch(home, "sites", "enable", "4307000012").code == 0

    smaller = xlsx(tmp_path / "smaller.xlsx", ROWS[:1])
    result = govwatch(home, "sites", "import", "--replace", str(smaller))
    assert result.code == 0 and "停用 3 个" in result.stdout, result.stdout
    listed = {r["code"]: r for r in govwatch(home, "sites", "list", "--json").json()}
    assert len(listed) == 4 and [c for c, r in listed.items() if r["enabled"]] == ["4307000001"]

    assert govwatch(home, "sites", "remove", "4307000033").code != 0  # needs --yes
    assert govwatch(home, "sites", "remove", "4307000033", "--yes").code == 0
    assert "4307000033" not in {r["code"] for r in govwatch(home, "sites", "list", "--json").json()}


def test_bad_file_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    rows = [*ROWS[:2], [3, "丙", "4307000040", "http://a.gov.cn/ http://b.gov.cn/", "丙", "部门", "正常"]]
    result = govwatch(home, "sites", "import", str(xlsx(tmp_path / "bad.xlsx", rows)))
    assert result.code != 0 and "bad.xlsx, line 5" in result.stderr
    assert govwatch(home, "sites", "list", "--json").json() == []


def test_evaluate_with_nothing_registered_says_so(tmp_path: Path) -> None:
    result = govwatch(tmp_path, "evaluate")
    assert result.code != 0 and "登记册中没有要评价的网站" in result.stderr and "--site 网址" in result.stderr


def test_info_and_version_print_the_data_folder(tmp_path: Path) -> None:
    assert str(tmp_path) in govwatch(tmp_path, "--version").stdout
    info = govwatch(tmp_path, "info", "--json").json()
    assert info["home"] == str(tmp_path.resolve()) and not info["settings_file"].startswith(str(tmp_path))
    names = [p["id"] for p in govwatch(tmp_path, "profiles", "--json").json()]
    assert {"national-2019", "henan", "guangdong"} <= set(names)


def test_help_is_chinese_with_flags_shown_as_flags(tmp_path: Path) -> None:
    top = govwatch(tmp_path, "-h", env={"COLUMNS": "80"})
    assert top.code == 0 and "复查一个网站" in top.stdout and "--version" in top.stdout and "-q, --quiet" in top.stdout
    assert "--install-completion" in top.stdout
    sub = govwatch(tmp_path, "evaluate", "-h", env={"COLUMNS": "80"})
    assert sub.code == 0 and "--json  " in sub.stdout and "<bool>" not in sub.stdout and "监测时间点" in sub.stdout
    assert govwatch(tmp_path, "-q", "evaluate").code == 1  # the global options are accepted before a command
