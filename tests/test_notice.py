"""`govwatch report` and `govwatch due` from stored evaluations: the notice's files read back.

Website evaluations are the real `evaluate()` output of seed 000's department units (tests/test_scoring.py
builds their observations), stored as `govwatch evaluate` stores them; account evaluations follow the
issue-9 JSON contract, laid out like seed 002's 附件2.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from reports.notice import parse_period, pass_rate
from reports.verdict import verdict_json
from rules.engine import evaluate
from rules.observations import SiteObs
from storage.db import Database
from storage.media import AccountEvaluation, Post
from storage.media_repo import to_utc, upsert_account
from storage.models import Column, CrawlRun, ListItem, Site
from storage.repo import save_evaluation, upsert_site, utcnow
from tests.cli_support import govwatch
from tests.test_scoring import HENAN, HOST, T0, compliant, published, site, unit

SEED_000_ORDER = ["市发改委", "市体育局", "市城管局", "市资源规划局", "市退役军人局", "市民政局"]


def _db(home: Path) -> Database:
    home.mkdir(parents=True, exist_ok=True)
    return Database(f"sqlite:///{(home / 'govwatch.db').resolve()}")


def _store(session, obs: SiteObs, *, name: str, unit_name: str, group: str, kind: str, url: str,
           as_of: date = T0, run: CrawlRun | None = None) -> Site:
    row, _ = upsert_site(session, url=url, name=name, unit=unit_name, group=group)
    row.kind = kind
    ev = evaluate(obs, as_of, HENAN)
    if run is not None:
        run.site_id = row.id
        session.flush()
    save_evaluation(session, row, run, verdict_json(ev))
    return row


def _run_with_items(session) -> CrawlRun:
    """A stored crawl whose lists hold items published in 2023Q1 and before it (seed 001's counts)."""
    placeholder, _ = upsert_site(session, url="http://placeholder.invalid/", registered=False)
    run = CrawlRun(site_id=placeholder.id, started_at=utcnow(), reference_date=T0, status="ok")
    session.add(run)
    session.flush()
    seen = utcnow()
    for name, days in (("工作动态", [2, 5, 9]), ("通知公告", [30, 400])):
        col = Column(run_id=run.id, name=name, url=f"http://hq.xinxiang.gov.cn/{name}/", category="news",
                     category_source="keyword")
        session.add(col)
        session.flush()
        for n, age in enumerate(days):
            session.add(ListItem(run_id=run.id, site_id=placeholder.id, column_id=col.id, title=f"{name}{n}",
                                 url=f"http://hq.xinxiang.gov.cn/{name}/{n}.html", published=T0 - timedelta(days=age),
                                 position=n, first_seen_at=seen))
    session.add(ListItem(run_id=run.id, site_id=placeholder.id, column_id=None, title="首页", position=0,
                         url="http://hq.xinxiang.gov.cn/工作动态/0.html", published=T0 - timedelta(days=2),
                         first_seen_at=seen))  # the same item on the home page is counted once
    return run


def _seed_000(home: Path) -> None:
    db = _db(home)
    with db.session() as session:
        _store(session, site(compliant(), name="红旗区"), name="红旗区人民政府", unit_name="红旗区", group="县区",
               kind="portal", url="http://hq.xinxiang.gov.cn/", run=_run_with_items(session))
        for n, name in enumerate(SEED_000_ORDER):
            _store(session, unit(name), name=f"{name}网站", unit_name=name, group="市直部门", kind="department",
                   url=f"http://d{n}.xinxiang.gov.cn/")
        dead = SiteObs(HOST + "/", "市统计局", None, 99, "failed", "home page answered HTTP 500", T0, None, None)
        _store(session, dead, name="市统计局网站", unit_name="市统计局", group="市直部门", kind="department",
               url="http://tjj.xinxiang.gov.cn/")
    db.dispose()


def _sheet_rows(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _tables(doc: Document) -> list[list[list[str]]]:
    out = []
    for table in doc.tables:
        rows = []
        for row in table.rows:
            cells, seen = [], set()
            for cell in row.cells:  # a merged cell appears once per grid column: keep it once
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                cells.append(cell.text)
            rows.append(cells)
        out.append(rows)
    return out


@pytest.fixture(scope="module")
def seed_000(tmp_path_factory) -> tuple[Path, Path]:
    home = tmp_path_factory.mktemp("notice000")
    _seed_000(home)
    out = home / "out"
    result = govwatch(home, "report", "--period", "2023Q1", "--as-of", T0.isoformat(), "--profile", "henan",
                      "--out", str(out), "--office", "新乡市人民政府办公室", "--date", "2023-02-28",
                      "--deadline", "2023-03-15", "--tables", "all", "--json")
    assert result.code == 0, result.stderr
    return home, out


def test_period_and_rate_words() -> None:
    assert pass_rate(47, 49) == "95.9%" and pass_rate(154, 155) == "99.3%" and pass_rate(43, 43) == "100%"
    q = parse_period("2023Q4")
    assert (q.first, q.last, q.words) == (date(2023, 10, 1), date(2023, 12, 31), "2023年第四季度")
    p = parse_period("2023-08..2023-10")
    assert (p.first, p.last, p.month_keys) == (date(2023, 8, 1), date(2023, 10, 31), ["2023-08", "2023-09", "2023-10"])


def test_report_writes_every_format_with_the_same_rows(seed_000) -> None:
    home, out = seed_000
    names = sorted(p.name for p in out.iterdir())
    assert "通报-2023Q1.docx" in names and "通报-2023Q1-附件.xlsx" in names and "通报-2023Q1.json" in names
    data = json.loads((out / "通报-2023Q1.json").read_text("utf-8"))
    # 7 sites judged (1 portal + 6 departments), 2 vetoed; 市统计局 could not be read: apart, not counted.
    assert data["totals"]["sites"] == {"total": 8, "judged": 7, "pass": 5, "fail": 2, "unknown": 1,
                                       "pass_rate": "71.4%"}
    dept = next(t for t in data["tables"] if t["key"] == "sites_departments")
    assert dept["title"] == "2023年第一季度各部门政府网站检查情况"
    assert dept["headers"] == ["编号", "部门", "评分", "结果", "主要问题"]
    rows = dept["sections"][0]["rows"]
    want = published()
    assert [r[1] for r in rows] == SEED_000_ORDER  # by score, the vetoed last: the notice's order
    for _number, name, score, verdict, problems in rows:  # 评分 is a number now (issue 18), words stay words
        assert (str(score), verdict, problems) == want[name], name

    book = load_workbook(out / "通报-2023Q1-附件.xlsx")
    sheet = next(ws for ws in book.worksheets if "各部门" in ws.title)
    cells = _sheet_rows(sheet)
    assert cells[0][0] == "附件2" and cells[1][0] == "2023年第一季度各部门政府网站检查情况"
    assert list(cells[2]) == ["编号", "部门", "评分", "结果", "主要问题"]
    for row, expected in zip(cells[3:], rows, strict=True):
        merged = ["不合格", ""] if expected[2] == "" else expected[2:4]  # one merged cell reads 不合格
        assert [row[0], row[1], row[2] or "", row[3] or "", row[4]] == [*expected[:2], *merged, expected[4]]
    vetoed = [str(r) for r in sheet.merged_cells.ranges if r.min_row > 3]
    assert vetoed == ["C8:D8", "C9:D9"]  # 评分 and 结果 share one cell "不合格" (seed 000 附件2)
    assert sheet["C8"].value == "不合格" and sheet.freeze_panes == "A4"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    widths = [sheet.column_dimensions[c].width for c in "ABCDE"]
    assert widths[4] >= 40 and widths[0] < 10  # 主要问题 is wide, 编号 narrow
    unknown = next(ws for ws in book.worksheets if "无法核验" in ws.title)
    assert _sheet_rows(unknown)[3][1:3] == ["市统计局网站", "市统计局"]

    tables = {t["key"]: t for t in data["tables"]}
    assert tables["published_1"]["title"] == "2023年第一季度网站信息公开情况统计表(县区)"
    assert tables["published_1"]["headers"] == ["单位", "主动公开信息条数"]
    assert tables["published_1"]["sections"][0]["rows"] == [["红旗区", 4]]
    assert tables["published_columns"]["sections"][0]["rows"] == [["红旗区人民政府", "工作动态", 3],
                                                                  ["红旗区人民政府", "通知公告", 1]]
    assert data["totals"]["published"]["sites"] == 4
    with (out / "通报-2023Q1-2-sites_departments.csv").open(encoding="utf-8-sig") as fh:
        csv_rows = list(csv.reader(fh))
    assert csv_rows[0] == ["编号", "部门", "评分", "结果", "主要问题"]
    assert [r[1:] for r in csv_rows[1:]] == [[str(r[1]), str(r[2]), r[3], r[4]] for r in rows]

    doc = Document(str(out / "通报-2023Q1.docx"))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == "〔　　〕　号"  # the 文号 line, left for the office to fill (issue 18)
    assert text[1].replace("\n", "") == "关于2023年第一季度全市政府网站与政务新媒体检查情况的通报"  # in two lines
    assert any("豫政办明电〔2019〕28号" in t and "国办秘函〔2019〕19号" in t for t in text)  # 依据 from the profile
    sentence = next(t for t in text if t.startswith("（一）政府网站方面："))
    assert ("全市正在运行的政府网站共8个，其中合格5个，不合格2个，无法核验1个，按已核验的7个计，合格率为71.4%。"
            "市退役军人局和市民政局网站不合格。") in sentence
    assert "市统计局网站无法核验，请人工核查" in sentence
    problems = "\n".join(text[text.index("二、存在的问题"):])
    # Issue 18: units named once per kind with the problem's words; the columns are left to the 附件.
    assert "（一）空白栏目。市退役军人局网站存在2个空白栏目" in problems
    assert "市民政局网站政务服务链接错误" in problems and "属于单项否决项" in problems
    assert "请存在问题的单位于2023年3月15日前完成整改，并将整改情况报新乡市人民政府办公室。" in text
    first_attachment = text.index("附件1")  # the body ends with the 落款; the attachments follow
    assert [t for t in text[:first_attachment] if t][-2:] == ["新乡市人民政府办公室", "2023年2月28日"]
    word = _tables(doc)
    dept_word = word[[t["key"] for t in data["tables"]].index("sites_departments")]
    assert dept_word[0] == ["编号", "部门", "评分", "结果", "主要问题"]
    assert dept_word[5] == ["5", "市退役军人局", "不合格", "没有咨询建言(单否);空白栏目-10"]
    assert dept_word[1] == ["1", "市发改委", "94", "合格", "历史信件展示、统计-6"]


def _account(session, name: str, unit_name: str, group: str, platform: str, months: list[str],
             as_of: date) -> None:
    acc, _ = upsert_account(session, name=name, platform=platform, unit=unit_name, group=group)
    verdict = "fail" if "fail" in months else "pass"
    mons = [{"month": m, "verdict": v, "posting_days": 3 if v == "fail" else 10,
             "reason": "当月更新4天，少于8天" if v == "fail" else ""}
            for m, v in zip(["2023-08", "2023-09", "2023-10"], months, strict=True)]
    result = {"account": {"name": name, "platform": platform, "type": None, "account_id": None, "url": None,
                          "unit": unit_name, "group": group},
              "as_of": as_of.isoformat(), "profile": "national-2019", "period": {"from": "2023-08-01",
                                                                                "to": "2023-10-31"},
              "verdict": verdict, "latest_post": "2023-11-18T10:00:00+08:00", "vetoes": [], "problems": [],
              "months": mons, "coverage": [], "posts": [{"title": f"p{n}"} for n in range(12)]}
    session.add(AccountEvaluation(account_id=acc.id, as_of=as_of, period_from=date(2023, 8, 1),
                                  period_to=date(2023, 10, 31), profile="national-2019", verdict=verdict,
                                  result=result, created_at=utcnow()))


SEED_002 = [  # 名称, 主办单位, 分组, 平台, 8月, 9月, 10月
    ("黔东南州生态环境局", "黔东南州生态环境局", "州直部门", "weibo", "fail", "pass", "pass"),
    ("黔东南民政", "黔东南州民政局", "州直部门", "weibo", "pass", "pass", "pass"),
    ("黔东南民政", "黔东南州民政局", "州直部门", "wechat", "pass", "fail", "pass"),
    ("黔东南财政", "黔东南州财政局", "州直部门", "wechat", "pass", "pass", "pass"),
    ("岑巩县政务微博", "岑巩县人民政府", "县(市)", "weibo", "fail", "pass", "pass"),
    ("锦屏县政府", "锦屏县人民政府", "县(市)", "wechat", "pass", "pass", "fail"),
]


def test_seed_002_monthly_layout_and_account_totals(tmp_path) -> None:
    home = tmp_path / "g"
    db = _db(home)
    with db.session() as session:
        for name, unit_name, group, platform, *months in SEED_002:
            _account(session, name, unit_name, group, platform, months, date(2023, 11, 20))
    db.dispose()
    out = tmp_path / "out"
    result = govwatch(home, "report", "--period", "2023-08..2023-10", "--as-of", "2023-11-20", "--out", str(out),
                      "--title", "关于2023年第四季度全州政府网站和政务新媒体检查情况的通报", "--region", "全州",
                      "--tables", "accounts_units,accounts_months", "--format", "xlsx,docx,json")
    assert result.code == 0, result.stderr
    book = load_workbook(out / "通报-202308-202310-附件.xlsx")
    sheet = next(ws for ws in book.worksheets if "抽查新媒体" in ws.title)
    cells = _sheet_rows(sheet)
    assert list(cells[2]) == ["序号", "名称", "主办单位", "8月更新情况", "9月更新情况", "10月更新情况"]
    assert cells[3][0] == "（一）州直部门政务微博更新情况"
    assert list(cells[4]) == [1, "黔东南州生态环境局", "黔东南州生态环境局", "不合格", "合格", "合格"]
    assert list(cells[5]) == [2, "黔东南民政", "黔东南州民政局", "合格", "合格", "合格"]
    assert cells[6][0] == "（二）州直部门政务微信更新情况"
    assert list(cells[7]) == [1, "黔东南民政", "黔东南州民政局", "合格", "不合格", "合格"]
    assert cells[9][0] == "（三）县(市)政务微博更新情况" and cells[11][0] == "（四）县(市)政务微信更新情况"
    assert list(cells[12]) == [1, "锦屏县政府", "锦屏县人民政府", "合格", "合格", "不合格"]
    doc = Document(str(out / "通报-202308-202310.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[1].text.replace("\n", "") == "关于2023年第四季度全州政府网站和政务新媒体检查情况的通报"
    assert ("本次检查政务新媒体6个，合格2个，不合格4个，合格率为33.3%。不合格的政务新媒体分别是：黔东南州生态环境局(政务微博)、"
            "黔东南民政(政务微信)、岑巩县政务微博(政务微博)、锦屏县政府(政务微信)。") in text
    # Issue 18: one clause per account, its month and posting days (seed 002's words), detail in the 附件.
    assert ("（一）信息更新不及时。政务新媒体方面，黔东南州生态环境局（政务微博）8月更新3天；"
            "黔东南民政（政务微信）9月更新3天；岑巩县政务微博（政务微博）8月更新3天") in text
    assert "此次检查范围为：全州纳入监管的6个政务新媒体，统计时间：2023年8月1日—2023年10月31日。" in text
    units = json.loads((out / "通报-202308-202310.json").read_text("utf-8"))
    by_unit = next(t for t in units["tables"] if t["key"] == "accounts_units")["sections"][0]["rows"]
    # Issue 18: one row per county (its short name), then the departments as 州直单位 (a 州 notice), seed 000's order.
    assert by_unit[0] == [1, "岑巩县", 1, 0, 1, "0%", ""]
    assert by_unit[2] == [3, "州直单位", 4, 2, 2, "50%", ""]


def test_recheck_one_fixed_one_still_open(tmp_path) -> None:
    home = tmp_path / "r"
    db = _db(home)
    first = unit("市民政局")  # 首页布局混乱 (veto) and 政务服务网链接错误
    r = compliant()
    r["portal_link"] = first.records["portal_link"]  # the wrong link stays; the 飘窗 was removed
    fixed = replace(first, records=r)
    with db.session() as session:
        row = _store(session, first, name="市民政局网站", unit_name="市民政局", group="市直部门", kind="department",
                     url="http://mzj.xinxiang.gov.cn/", as_of=date(2023, 2, 3))
        save_evaluation(session, row, None, verdict_json(evaluate(fixed, T0, HENAN)))
    db.dispose()
    out = tmp_path / "out"
    result = govwatch(home, "report", "--period", "2023Q1", "--as-of", T0.isoformat(), "--profile", "henan",
                      "--compare-with", "2023-02-05", "--out", str(out), "--format", "json,docx")
    assert result.code == 0, result.stderr
    assert "已整改 1，仍未整改 1，复查新发现 0" in result.stdout
    data = json.loads((out / "通报-2023Q1.json").read_text("utf-8"))
    states = {(x["problem"], x["state"]) for x in data["recheck"]}
    assert states == {("首页布局混乱", "已整改"), ("政务服务链接错误", "仍未整改")}
    # Issue 18: one earlier check is not "多次提醒" (that needs `notice.repeat_after` = 2 earlier notices).
    assert data["totals"]["repeat_units"] == []
    table = next(t for t in data["tables"] if t["key"] == "recheck")
    assert [r[5] for r in table["sections"][0]["rows"]] == ["仍未整改", "已整改"]
    text = [p.text for p in Document(str(out / "通报-2023Q1.docx")).paragraphs]
    assert text[1].replace("\n", "") == "关于2023年第一季度全市政府网站与政务新媒体检查及整改情况的通报"
    assert "三、问题整改情况" in text
    assert any("市民政局网站在初查过程中存在政务服务链接错误的问题，复查仍未整改" in t for t in text)
    assert not any("多次提醒" in t for t in text)
    assert not any("已按要求完成整改" in t for t in text)  # one problem is still open: no praise


def test_due_lists_columns_and_accounts_about_to_break_their_window(tmp_path) -> None:
    home = tmp_path / "d"
    db = _db(home)
    with db.session() as session:
        _store(session, site(compliant(), name="红旗区"), name="红旗区人民政府", unit_name="红旗区", group="县区",
               kind="portal", url="http://hq.xinxiang.gov.cn/")  # 工作动态 last updated T0−2 (news: 14 days)
        acc, _ = upsert_account(session, name="红旗民政", platform="wechat", unit="红旗区民政局", group="县区")
        for n, when in enumerate([datetime(2023, 1, 30, 9), datetime(2022, 12, 1, 9)]):
            session.add(Post(account_id=acc.id, post_key=f"k{n}", published_at=to_utc(when), title="t",
                             pinned=n == 1, source="import", first_seen_at=utcnow()))
    db.dispose()
    result = govwatch(home, "due", "--within", "14", "--as-of", T0.isoformat(), "--profile", "henan", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    due = {(d["kind"], d["name"]): d for d in data["due"]}
    assert due[("column", "工作动态")]["breaks_on"] == (T0 - timedelta(days=2) + timedelta(days=15)).isoformat()
    assert due[("column", "工作动态")]["days_left"] == 13 and due[("column", "工作动态")]["window"] == "14天"
    assert due[("account", "红旗民政")]["breaks_on"] == "2023-02-14"  # 01-30 + 14 days, stale from the 15th day
    assert data["account_window"]["window"] == {"days": 14}
    assert ("column", "通知公告") not in due  # 6 months from T0−30: not within 14 days
    text = govwatch(home, "due", "--within", "3", "--as-of", T0.isoformat(), "--profile", "henan")
    assert text.code == 0 and "没有临期" in text.stdout


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: "
                    "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui to render the notice to PDF")
def test_the_notice_renders_to_a4_pdf(seed_000, tmp_path) -> None:
    """Word and Excel files LibreOffice renders on A4 with Chinese fonts embedded."""
    _, out = seed_000
    for name in ("通报-2023Q1.docx", "通报-2023Q1-附件.xlsx"):
        proc = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                               "--convert-to", "pdf", "--outdir", str(tmp_path), str(out / name)],
                              capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stderr
        pdf = tmp_path / (Path(name).stem + ".pdf")
        assert pdf.stat().st_size > 5000
        if shutil.which("pdfinfo"):
            info = subprocess.run(["pdfinfo", "-l", "99", str(pdf)], capture_output=True, text=True).stdout
            sizes = [line for line in info.splitlines() if "size:" in line and "Page" in line]
            assert sizes and all("(A4)" in s for s in sizes), sizes  # A4, portrait or landscape
        if shutil.which("pdffonts"):
            fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
            assert "WenQuanYi" in fonts or "Hei" in fonts or "Song" in fonts or "CID" in fonts, fonts


def test_an_account_recheck_pairs_months(tmp_path) -> None:
    """Issue 18: the earlier check is the evaluation of the same profile and period (the stored ones are
    national-2019's), its months paired by account and month; one earlier check is not 多次提醒."""
    from reports.notice import OfficeWords, build_notice
    from rules.profile import load_profile

    db = _db(tmp_path / "a")
    with db.session() as session:
        _account(session, "红旗民政", "红旗区民政局", "县区", "wechat", ["fail", "fail", "pass"], date(2023, 11, 5))
        _account(session, "红旗民政", "红旗区民政局", "县区", "wechat", ["pass", "fail", "pass"], date(2023, 11, 20))
        notice = build_notice(session, load_profile("national-2019"), parse_period("2023-08..2023-10"),
                              date(2023, 11, 20), OfficeWords(), compare_with="2023-11-05")
    db.dispose()
    assert {(r.subject, r.state) for r in notice.recheck} == {("8月", "已整改"), ("9月", "仍未整改")}
    assert notice.totals["repeat_units"] == []
    assert notice.totals["accounts"]["fail"] == 1  # the newest evaluation only


def test_periods_as_offices_name_them() -> None:
    """Issue 18: the office's words, and a profile's quarters (贵州's 第四季度 is 8–10月, seed 002)."""
    from reports.notice import parse_period as notice_period
    from rules.profile import load_profile

    assert (parse_period("2023年第三季度").first, parse_period("2023年第三季度").last) == (date(2023, 7, 1),
                                                                                    date(2023, 9, 30))
    assert parse_period("2023年8月至10月").month_keys == ["2023-08", "2023-09", "2023-10"]
    q4 = notice_period("2023年第四季度", load_profile("guizhou"))
    assert (q4.first, q4.last, q4.words) == (date(2023, 8, 1), date(2023, 10, 31), "2023年第四季度")
    assert notice_period("2023-08..2023-10", load_profile("guizhou")).quarter == 4
    assert notice_period("2023-08..2023-10", load_profile("guizhou"), "2023年四季度").words == "2023年四季度"


def test_report_refuses_what_it_cannot_say(seed_000, tmp_path) -> None:
    """Issue 18: a period still running at --as-of, sites judged only under another profile, English usage
    errors — each refused in a Chinese sentence that says what to do; a GBK --requirements file is read."""
    home, _ = seed_000
    out = tmp_path / "o"
    running = govwatch(home, "report", "--period", "2023Q4", "--as-of", "2023-11-20", "--profile",
                       "national-2019", "--out", str(out))
    assert running.code == 2 and "之后才结束" in running.stderr and "--as-of" in running.stderr
    never = govwatch(home, "report", "--period", "2023年第四季度", "--as-of", "2023-11-20", "--profile", "guizhou",
                     "--out", str(out))
    assert never.code == 2 and "都没有按 guizhou 的判定" in never.stderr
    other = govwatch(home, "report", "--period", "2023-01-01..2023-02-09", "--as-of", T0.isoformat(), "--profile",
                     "national-2019", "--out", str(out))
    assert other.code == 2 and "govwatch evaluate --profile national-2019 --as-of 2023-02-10" in other.stderr
    usage = govwatch(home, "report", "--as-of", T0.isoformat())
    assert usage.code == 2 and "用法：" in usage.stderr and "report [选项]" in usage.stderr
    assert "缺少选项 --period" in usage.stderr
    assert "Usage" not in usage.stderr and "Error" not in usage.stderr
    helped = govwatch(home, "due", "-h")
    assert "显示本帮助并退出" in helped.stdout and "Show this" not in helped.stdout
    text = tmp_path / "要求.txt"
    text.write_bytes("各单位要高度重视。\n\n请按期整改。\n".encode("gbk"))
    ok = govwatch(home, "report", "--period", "2023Q1", "--as-of", T0.isoformat(), "--profile", "henan",
                  "--out", str(out), "--requirements", str(text), "--format", "json")
    assert ok.code == 0, ok.stderr
    body = [p["text"] for p in json.loads((out / "通报-2023Q1.json").read_text("utf-8"))["body"]]
    assert "各单位要高度重视。" in body and "请按期整改。" in body


def test_due_lists_what_is_already_overdue(tmp_path) -> None:
    home = tmp_path / "o"
    db = _db(home)
    with db.session() as session:
        acc, _ = upsert_account(session, name="红旗民政", platform="wechat", unit="红旗区民政局", group="县区")
        session.add(Post(account_id=acc.id, post_key="k", published_at=to_utc(datetime(2023, 1, 10, 9)), title="t",
                         source="import", first_seen_at=utcnow()))
    db.dispose()
    data = govwatch(home, "due", "--within", "3", "--as-of", T0.isoformat(), "--profile", "henan", "--json").json()
    assert [(d["name"], d["days_left"]) for d in data["overdue"]] == [("红旗民政", -16)]
    assert data["due"] == []
    text = govwatch(home, "due", "--within", "3", "--as-of", T0.isoformat(), "--profile", "henan").stdout
    assert "已超期" in text and "16天" in text


def test_collection_reasons_read_as_causes() -> None:
    from rules.reasons import collection_reason

    assert collection_reason("error 11") == "平台返回错误代码 11（未说明原因）"
    assert collection_reason("home page answered HTTP 503") == "首页返回 HTTP 503"
    assert collection_reason("遇到验证码页面，未能读取") == "遇到验证码页面，未能读取"
