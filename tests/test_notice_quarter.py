"""A 州 office's quarter end to end (issue 18): registry and accounts from the office's own xlsx (a title
row), a GB18030 posts file for 8–10月, eight sites (two unreachable), the check at 2023-11-20, a registry
in which two sites moved their 首页网址, the recheck at 2023-12-05 and a second recheck, each notice written
by `govwatch report` to docx, xlsx and json, read back, and rendered with LibreOffice where it is installed.

The body compared with the seeds, paragraph by paragraph (../shared/seeds):
- 文号 and 标题: seed 003 puts 汴政办〔2021〕42号 above the title; ours is --doc-number (a 〔　　〕　号 space
  when not given). Title as seed 002: 关于2023年第四季度全州政府网站和政务新媒体检查(及整改)情况的通报.
- 主送: seed 002's "各县(市)人民政府办公室，州政府各部门、各直属机构办公室：" for 全州 (seed 000's for 全市).
- 依据: seed 002 cites 国办秘函〔2019〕19号 and 黔府办函〔2018〕14号; ours comes from the profile (the national
  documents first, as seeds 000/003 do).
- 一、总体情况: seed 000's "全市正在运行的政府网站共49个，其中合格47个，不合格2个，合格率为95.9%。市退役军人事务局和
  市民政局网站不合格。"; ours adds 无法核验 apart ("按已核验的N个计") because what was not read is not judged.
  Seed 002's counts by group ("县(市)级政府网站16个，州直部门政府网站34个") are our "其中：" sentence.
- 二、存在的问题: seed 003 "祥符区、禹王台区、鼓楼区、顺河回族区、龙亭区等县区网站未公开办事统计数据" — ours
  "石桥县、岑巩县、锦屏县等3个网站未公开办事统计数据": units grouped, named once per kind, problem words (not
  indicator titles); columns counted ("州生态环境局（2个）、州水务局（2个）网站存在空白栏目", seed 003 "存在1个空白
  栏目"), never listed (the 附件 has them). Accounts one clause each, seed 002's rule quoted ("未能按照连续5个工作日
  更新不少于2天…的要求进行更新"). Vetoes as seed 000 ("…属于单项否决项，网站不合格").
- 问题整改情况: seed 003 "对今年第二季度…通报指出的问题…仍有部分单位未严格落实整改任务…仍未公开办事统计数据"; seed
  000 "…复查仍未整改". Ours: the counts, the 首页网址 change said, per unit "在初查过程中存在…的问题，复查仍未整改";
  "多次提醒后仍然不整改" only for a problem open in `notice.repeat_after` (2) earlier notices; "已按要求完成整改"
  only for units with nothing open and not 不合格.
- 下一步要求 and 整改期限: the office's text (seed 002 "请于2023年11月28日前将整改情况…报州政府政务信息中心").
- 附件 list and 落款: seed 002 sends 1.抽查网站名单及问题曝光情况 2.抽查新媒体名单及问题曝光情况 (titles without the
  period); the 贵州 profile lists those two, then the 复查 and 无法核验 tables when they have rows.
Not produced (the seeds have them from sources we do not observe): seed 000's 找错 replies, seed 001's 信箱 counts,
seed 003's 门户网站运行保障 and 创新典型 sections, seed 004's praise of named units (never praise for nothing).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook

from reports.verdict import verdict_json
from rules.engine import evaluate
from rules.profile import load_profile
from storage.db import Database
from storage.models import Site
from storage.repo import save_evaluation
from tests.cli_support import govwatch
from tests.notice_quarter_data import CHECK, RECHECK, observed, unreachable

GUIZHOU = load_profile("guizhou")
STEM = "通报-2023Q4"  # 贵州's 第四季度 is 8–10月
# 网站名称, 标识码, 首页网址 at the check, at the recheck, 主办单位, 网站类型, 分组, 简称, problems at check, at recheck
SITES = [
    ("黔东南州生态环境局网站", "5226000001", "http://sthjj.qdn.gov.cn", "https://sthjj.qdn.gov.cn", "黔东南州生态环境局",
     "部门", "州直部门", "", dict(blank_columns=2, error_report=False), dict(blank_columns=2, error_report=False)),
    ("黔东南州水务局网站", "5226000002", "http://shuiwu.qdn.gov.cn", "https://shuiwu.jyh.qdn.gov.cn/sw", "黔东南州水务局",
     "部门", "州直部门", "", dict(blank_columns=2, consult=False, error_report=False),
     dict(blank_columns=2, consult=False)),
    ("黔东南州财政局网站", "5226000003", "http://czj.qdn.gov.cn", "http://czj.qdn.gov.cn", "黔东南州财政局",
     "部门", "州直部门", "", dict(error_report=False), {}),
    ("黔东南州发展和改革委员会网站", "5226000004", "http://fgw.qdn.gov.cn", "http://fgw.qdn.gov.cn",
     "黔东南州发展和改革委员会", "部门", "州直部门", "州发展改革委", {}, {}),
    ("黔东南州统计局网站", "5226000005", "http://tjj.qdn.gov.cn", "http://tjj.qdn.gov.cn", "黔东南州统计局",
     "部门", "州直部门", "", None, None),
    ("石桥县人民政府网", "5226000011", "http://www.sqx.gov.cn", "http://www.sqx.gov.cn", "石桥县人民政府办公室",
     "门户", "县(市)", "", dict(service_stats=False), dict(service_stats=False)),
    ("岑巩县人民政府网", "5226000012", "http://www.cengong.gov.cn", "http://www.cengong.gov.cn", "岑巩县人民政府",
     "门户", "县(市)", "", dict(service_stats=False), dict(service_stats=False)),
    ("锦屏县人民政府网", "5226000013", "http://www.jinping.gov.cn", "http://www.jinping.gov.cn", "锦屏县人民政府办公室",
     "门户", "县(市)", "", dict(service_stats=False), dict(service_stats=False)),
    ("施秉县人民政府网", "5226000014", "http://www.shibing.gov.cn", "http://www.shibing.gov.cn", "施秉县人民政府",
     "门户", "县(市)", "", None, None),
]
UNREACHABLE = {"5226000005": "home page answered HTTP 503", "5226000014": "timed out after 15 seconds"}
# 账号名称, 平台, 主办单位, 分组, the months with few posts (posting days there)
ACCOUNTS = [
    ("黔东南民政", "新浪微博", "黔东南州民政局", "州直部门", {8: 6}),
    ("黔东南民政", "微信公众号", "黔东南州民政局", "州直部门", {}),
    ("黔东南财政", "微信公众号", "黔东南州财政局", "州直部门", {}),
    ("岑巩县政务微博", "新浪微博", "岑巩县人民政府", "县(市)", {}),
    ("岑巩教育", "微信公众号", "岑巩县教育局", "县(市)", {}),
    ("锦屏县政府", "微信公众号", "锦屏县人民政府办公室", "县(市)", {10: 5}),
]
ENGLISH = re.compile(r"[A-Za-z]{3,}")


def _xlsx(path: Path, title: str, headers: list[str], rows: list[list[str]]) -> Path:
    """The office's file: a title row above the header, as the 信息报送系统 exports it."""
    book = Workbook()
    ws = book.active
    ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def _registry(folder: Path, recheck: bool) -> Path:
    rows = [[str(n), name, code, new if recheck else old, owner, kind, "正常", group, short]
            for n, (name, code, old, new, owner, kind, group, short, *_problems) in enumerate(SITES, 1)]
    return _xlsx(folder / f"sites-{'recheck' if recheck else 'check'}.xlsx", "黔东南州政府网站基本信息表",
                 ["序号", "网站名称", "网站标识码", "首页网址", "主办单位", "网站类型", "网站状态", "分组", "简称"], rows)


def _posts(path: Path) -> Path:
    """A GB18030 posts file for 8–10月: every day, except the few days of a month an account fell short."""
    lines = ["平台,账号,发布时间,标题"]
    for name, platform, _owner, _group, short in ACCOUNTS:
        day = date(2023, 8, 1)
        while day <= date(2023, 10, 31):
            if day.month not in short or day.day <= short[day.month]:
                lines.append(f"{platform},{name},{day.isoformat()} 10:00,{name}工作动态{day:%m%d}")
            day += timedelta(days=1)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def _store(home: Path, as_of: date, recheck: bool) -> None:
    db = Database(f"sqlite:///{(home / 'govwatch.db').resolve()}")
    with db.session() as session:
        for _name, code, old, new, owner, _kind, group, _short, at_check, at_recheck in SITES:
            row = session.query(Site).filter(Site.code == code).one()
            host = new if recheck else old
            problems = at_recheck if recheck else at_check
            obs = unreachable(owner, code, host, as_of, UNREACHABLE[code]) if problems is None else \
                observed(owner, code, host, as_of, group=group, **problems)
            save_evaluation(session, row, None, verdict_json(evaluate(obs, as_of, GUIZHOU)))
    db.dispose()


def _ok(home: Path, *args: str) -> str:
    result = govwatch(home, *args)
    assert result.code == 0, result.stdout + result.stderr
    return result.stdout


def _report(home: Path, out: Path, as_of: date, *more: str) -> dict:
    _ok(home, "report", "--period", "2023年第四季度", "--as-of", as_of.isoformat(), "--profile", "guizhou",
        "--region", "全州", "--office", "州政府政务信息中心", "--deadline", "2023-11-28", "--out", str(out),
        "--format", "docx,xlsx,json", *more)
    return json.loads((out / f"{STEM}.json").read_text("utf-8"))


def _texts(out: Path) -> tuple[list[str], list[str]]:
    """Every paragraph and table cell of the docx, and every cell of the xlsx."""
    doc = Document(str(out / f"{STEM}.docx"))
    words = [p.text for p in doc.paragraphs]
    words += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    cells = [str(v) for ws in load_workbook(out / f"{STEM}-附件.xlsx").worksheets
             for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    return words, cells


def _no_english(texts: list[str]) -> None:
    for text in texts:
        bare = re.sub(r"https?://\S+|HTTP \d{3}|IPv6", "", text)
        assert not ENGLISH.search(bare), text


@pytest.fixture(scope="module")
def quarter(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("quarter")
    files = home / "files"
    files.mkdir()
    _ok(home, "sites", "import", str(_registry(files, recheck=False)))
    accounts = _xlsx(files / "accounts.xlsx", "黔东南州政务新媒体台账", ["账号名称", "平台", "主办单位", "分组", "状态"],
                     [[name, platform, owner, group, "正常"] for name, platform, owner, group, _ in ACCOUNTS])
    _ok(home, "accounts", "import", str(accounts))
    _ok(home, "posts", "import", str(_posts(files / "posts.csv")), "--from", "2023-08-01", "--to", "2023-10-31")
    _store(home, CHECK, recheck=False)
    _ok(home, "evaluate", "--accounts", "--profile", "guizhou", "--period", "2023年第四季度", "--as-of",
        CHECK.isoformat())
    first = _report(home, home / "check", CHECK, "--doc-number", "黔东南府办通〔2023〕12号")
    _ok(home, "sites", "import", str(_registry(files, recheck=True)))
    _store(home, RECHECK, recheck=True)
    _ok(home, "evaluate", "--accounts", "--profile", "guizhou", "--period", "2023年第四季度", "--as-of",
        RECHECK.isoformat())
    second = _report(home, home / "recheck", RECHECK, "--compare-with", CHECK.isoformat())
    third = _report(home, home / "again", RECHECK + timedelta(days=1), "--compare-with", "2")
    listed = json.loads(_ok(home, "notices", "--json"))["notices"]
    return {"home": home, "check": first, "recheck": second, "again": third, "notices": listed}


def test_the_check_names_units_short_once_per_kind_in_problem_words(quarter) -> None:
    data, out = quarter["check"], quarter["home"] / "check"
    words, cells = _texts(out)
    body = words[: words.index("附件1")] if "附件1" in words else words
    assert body[0] == "黔东南府办通〔2023〕12号"
    assert body[1].split("\n") == ["关于2023年第四季度全州政府网站与", "政务新媒体检查情况的通报"]  # broken after 与
    assert body[2] == "各县(市)人民政府办公室，州政府各部门、各直属机构办公室："
    sites = data["totals"]["sites"]
    assert (sites["total"], sites["unknown"], sites["fail"]) == (9, 2, 1)  # 州水务局: no 咨询建言 (veto)
    sentence = next(t for t in body if t.startswith("（一）政府网站方面："))
    assert ("全州正在运行的政府网站共9个，其中合格6个，不合格1个，无法核验2个，按已核验的7个计，合格率为85.7%。"
            "州水务局网站不合格。州统计局、施秉县网站无法核验，请人工核查") in sentence
    accounts = next(t for t in body if t.startswith("（二）政务新媒体方面："))
    assert "本次检查政务新媒体6个，合格4个，不合格2个，合格率为66.6%。" in accounts
    assert "全部6个账号监测时间点前14天（11月7日—11月20日）无法核验（发布记录未覆盖），在本期之外，未计入本期判定" in accounts
    problems = body[body.index("二、存在的问题") + 1: body.index("三、下一步要求")]
    text = "\n".join(problems)
    assert "石桥县、岑巩县、锦屏县等3个网站未公开办事统计数据" in text
    assert "（二）空白栏目。州生态环境局（2个）和州水务局（2个）网站存在空白栏目" in text
    assert "州生态环境局、州水务局、州财政局等3个网站未设置“我为政府网站找错”入口" in text
    assert "黔东南民政（政务微博）8月更新6天；锦屏县政府（政务微信）10月更新5天，未能按照“连续5个工作日更新不少于2天" in text
    assert "州水务局网站无咨询建言渠道，属于单项否决项，网站不合格" in text
    for paragraph in problems:  # each unit named once per problem kind
        for unit in ("州生态环境局", "州水务局", "州财政局", "石桥县", "岑巩县", "锦屏县", "黔东南民政（政务微博）"):
            assert paragraph.count(unit) <= 1, (unit, paragraph)
    assert "人民政府办公室" not in text and "黔东南州生态环境局" not in text  # short names, not 主办单位
    assert "办事统计" not in text.replace("办事统计数据", "")  # problem words, not indicator titles
    attachments = next(p["text"] for p in data["body"] if p["style"] == "attachments")
    assert attachments == "附件：1.抽查网站名单及问题曝光情况\n2.抽查新媒体名单及问题曝光情况\n3.无法核验的网站和政务新媒体名单（请人工核查）"
    assert [t["key"] for t in data["tables"]] == ["sites_list", "accounts_months", "unknown"]
    listing = data["tables"][0]["sections"]
    assert [s["title"] for s in listing] == ["州直部门网站", "县(市)政府网站"]  # 州直 before 县(市), seed 002
    assert listing[0]["rows"][3][1] == "州发展改革委"  # the registry's 简称 wins
    assert [r[1] for r in listing[1]["rows"]] == ["石桥县", "岑巩县", "锦屏县", "施秉县"]
    months = data["tables"][1]["sections"]
    assert [s["title"] for s in months] == ["（一）州直部门政务微博更新情况", "（二）州直部门政务微信更新情况",
                                            "（三）县(市)政务微博更新情况", "（四）县(市)政务微信更新情况"]
    assert months[0]["rows"][0] == [1, "黔东南民政", "黔东南州民政局", "不合格", "合格", "合格"]
    unknown = {r[1]: r[4] for r in data["tables"][2]["sections"][0]["rows"]}
    assert unknown == {"黔东南州统计局网站": "无法访问：首页返回 HTTP 503", "施秉县人民政府网": "无法访问：连接超时"}
    assert {s["name"]: s["reason_text"] for s in data["sites"] if s["verdict"] == "unknown"} == unknown
    _no_english(words + cells)


def test_the_recheck_never_calls_an_unchanged_problem_fixed(quarter) -> None:
    data, out = quarter["recheck"], quarter["home"] / "recheck"
    states = {(r["unit"], r["problem"]): r["state"] for r in data["recheck"]}
    subjects = {(r["unit"], r["problem"]): r["subject"] for r in data["recheck"]}
    # The two moved sites: same 网站标识码, same column names, so their blank columns are still open.
    for unit in ("州生态环境局", "州水务局"):
        assert states[(unit, "空白栏目")] == "仍未整改"
        assert subjects[(unit, "空白栏目")] == "栏目“人事信息”、栏目“规划计划”"  # one row per site and problem
    assert states[("州水务局", "未设置“我为政府网站找错”入口")] == "已整改"
    assert states[("州财政局", "未设置“我为政府网站找错”入口")] == "已整改"
    assert len(data["recheck"]) == len(states)
    assert not [k for k, v in states.items() if v == "复查新发现" and k[0] in ("州生态环境局", "州水务局")]
    assert {(m["unit"], m["before"], m["now"]) for m in data["moved"]} == {
        ("州生态环境局", "http://sthjj.qdn.gov.cn/", "https://sthjj.qdn.gov.cn/"),
        ("州水务局", "http://shuiwu.qdn.gov.cn/", "https://shuiwu.jyh.qdn.gov.cn/sw/")}
    words, cells = _texts(out)
    body = words[: words.index("附件1")]
    assert body[0] == "〔　　〕　号" and body[1].endswith("检查及整改情况的通报")
    section = "\n".join(body[body.index("三、问题整改情况"): body.index("四、下一步要求")])
    assert "州生态环境局和州水务局网站的首页网址在两次检查之间有变更" in section
    assert "州生态环境局网站在初查过程中存在空白栏目、未设置“我为政府网站找错”入口的问题，复查仍未整改" in section
    assert "多次提醒" not in "\n".join(words + cells)  # one notice and one recheck: not 多次
    praised = next(t for t in body if t.endswith("已按要求完成整改。"))
    assert praised == "州财政局网站已按要求完成整改。"  # 州水务局 fixed one thing but is still 不合格
    accounts = next(t for t in body if t.startswith("（二）政务新媒体方面："))
    assert "合格4个，不合格2个，合格率为66.6%" in accounts  # the period's months kept; the recheck window apart
    assert "监测时间点前14天（11月22日—12月5日）无法核验（发布记录未覆盖）" in accounts
    assert [t["key"] for t in data["tables"]] == ["sites_list", "accounts_months", "recheck", "unknown"]
    _no_english(words + cells)


def test_repeated_non_compliance_needs_two_earlier_notices(quarter) -> None:
    listed = quarter["notices"]
    assert [(n["id"], n["as_of"], n["compare_with"]) for n in listed] == [
        (3, "2023-12-06", 2), (2, "2023-12-05", 1), (1, "2023-11-20", None)]
    assert listed[2]["doc_number"] == "黔东南府办通〔2023〕12号"
    data = quarter["again"]
    repeated = {(r["unit"], r["problem"]) for r in data["recheck"] if r["repeated"]}
    assert ("州生态环境局", "空白栏目") in repeated and ("州水务局", "无咨询建言渠道") in repeated
    assert data["totals"]["repeat_units"] == ["州生态环境局", "州水务局", "石桥县", "岑巩县", "锦屏县", "州民政局"]
    text = "\n".join(p["text"] for p in data["body"])
    assert "多次提醒后仍然不整改" in text


def test_numbers_are_numbers_and_the_docx_has_page_numbers(quarter) -> None:
    out = quarter["home"] / "check"
    book = load_workbook(out / f"{STEM}-附件.xlsx")
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "附件1" and sheet["A4"].value == "州直部门网站"
    assert sheet["A5"].value == 1 and sheet["A3"].font.bold
    doc = Document(str(out / f"{STEM}.docx"))
    footer = doc.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "—" in footer
    assert doc.tables[0].rows[0].cells[0].paragraphs[0].runs[0].bold


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: run "
                    "`make libreoffice` (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)")
def test_the_quarter_renders(quarter, tmp_path) -> None:
    out = quarter["home"] / "recheck"
    for name in (f"{STEM}.docx", f"{STEM}-附件.xlsx"):
        proc = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                               "--convert-to", "pdf", "--outdir", str(tmp_path), str(out / name)],
                              capture_output=True, text=True, timeout=240)
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / (Path(name).stem + ".pdf")).stat().st_size > 5000
    keep = os.environ.get("NOTICE_IMAGES")  # `make notice-images`: the page images for docs/
    if keep and shutil.which("pdftoppm"):
        for name, prefix in ((STEM, "body"), (f"{STEM}-附件", "attachment")):
            subprocess.run(["pdftoppm", "-r", "70", "-png", str(tmp_path / f"{name}.pdf"), str(Path(keep) / prefix)],
                           check=True, timeout=120)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / f"{STEM}.pdf"), "-"], capture_output=True,
                              text=True).stdout
        assert re.search(r"—\s*1\s*—", text) and "州财政局网站已按要求完成整改" in text.replace("\n", "")
