"""Sites registry files: CSV and YAML, Chinese headers, and errors that name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspection.registry.sites import SitesFileError, read_sites_file


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_with_chinese_headers_in_gbk(tmp_path: Path) -> None:
    path = write(tmp_path, "sites.csv", "网站标识码,网站名称,网址,主办单位,分组\n"
                 "4107000001,新乡市人民政府,www.xinxiang.gov.cn,新乡市人民政府办公室,市政府\n"
                 "4107000012,新乡市民政局,http://mzj.xinxiang.gov.cn/,新乡市民政局,市直部门\n", "gb18030")
    entries = read_sites_file(path)
    assert [e.code for e in entries] == ["4107000001", "4107000012"]
    assert entries[0].url == "http://www.xinxiang.gov.cn" and entries[1].group == "市直部门"


def test_yaml_list_and_sites_key(tmp_path: Path) -> None:
    path = write(tmp_path, "sites.yaml", "sites:\n  - code: '1234000001'\n    name: 甲\n    url: http://a.gov.cn/\n"
                 "  - name: 乙\n    url: https://b.gov.cn/\n    group: 县区\n")
    entries = read_sites_file(path)
    assert [(e.name, e.line) for e in entries] == [("甲", 2), ("乙", 5)]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.csv", "name,url\n甲,http://a.gov.cn/\n乙,\n", r"a.csv, line 3: 没有首页网址"),
        ("b.csv", "name,home_page\n甲,http://a.gov.cn/\n", r"b.csv: 前10行中找不到表头"),
        ("c.csv", "name,url\n甲,http://a.gov.cn/,extra\n", r"c.csv, line 2: 比表头多出 1 个单元格"),
        ("d.csv", "code,url\n12 34,http://a.gov.cn/\n", r"d.csv, line 2: 网站标识码 '12 34'"),
        ("e.csv", "url\nhttp://a.gov.cn/\nhttp://a.gov.cn/\n", r"e.csv, line 3: http://a.gov.cn/ 与第 2 行重复"),
        ("f.yaml", "- url: http://a.gov.cn/\n- url: [\n", r"f.yaml, line 3: 不是有效的 YAML"),
        ("g.yaml", "- url: http://a.gov.cn/\n- just text\n", r"g.yaml, line 2: 每个网站应写成"),
        ("h.yaml", "- name: 无网址\n", r"h.yaml, line 1: 没有首页网址"),
        ("i.txt", "url\nnot a site\n", r"i.txt, line 2: 'not a site' 不是网站地址"),
        ("j.json", "[]", r"不认识的文件类型 '.json'"),
    ],
)
def test_bad_files_name_file_and_line(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(SitesFileError, match=message):
        read_sites_file(write(tmp_path, name, text))
