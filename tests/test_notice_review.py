"""The notice's 信息审核 part (reports/notice_body.py, from stored JSON through rules.checks.content_words
`review_rows`): a confirmed typo or wrong title is printed in seed 001's words with the unit named, for a
site and for an account; a hit still 需人工确认 (or dismissed) is in no part of the notice.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

from docx import Document
from openpyxl import load_workbook

from crawler.media.content import scan_posts
from reports.verdict import verdict_json
from rules.accounts import evaluate_accounts
from rules.checks.content_words import hit_key
from rules.engine import evaluate
from rules.period import Period
from rules.profile import load_profile
from storage.content import review
from storage.db import Database
from storage.media import Account
from storage.media_repo import BEIJING, CollectionResult, PostSeen, record_collection, upsert_account
from storage.repo import save_evaluation, upsert_site
from tests.cli_support import govwatch
from tests.test_scoring import HOST, T0, compliant, site

NATIONAL = load_profile("national-2019")
PAGE = HOST + "/zwgk/a.html"
TYPO = {"url": PAGE, "kind": "typo", "grade": "确定", "wrong": "攻府", "correct": "政府", "offset": 12,
        "sentence": "市发改委会同县攻府各部门", "role": "article", "where": "body"}
TITLE = {"url": PAGE, "kind": "leader_title", "grade": "确定", "wrong": "习近平总理", "title": "总理",
         "correct": "习近平（中共中央总书记、国家主席、中央军委主席）", "offset": 40, "sentence": "收看习近平总理讲话",
         "role": "article", "where": "body"}
CONFIRMED = {"decision": "confirm", "reason": "已核实", "entered_by": "张三", "entered_at": "2023-02-10T09:00:00Z"}


def _home(tmp_path, decisions: dict[str, dict]) -> tuple:
    home = tmp_path / "home"
    home.mkdir()
    db = Database(f"sqlite:///{(home / 'govwatch.db').resolve()}")
    obs = site(compliant(), name="市发改委")
    obs = replace(obs, records={**obs.records, "content_hit": [TYPO, TITLE]}, reviews=decisions)
    with db.session() as session:
        row, _ = upsert_site(session, url=HOST + "/", name="新乡市发展和改革委员会", unit="市发改委", group="市直部门")
        row.kind = "department"
        save_evaluation(session, row, None, verdict_json(evaluate(obs, T0, NATIONAL)))
    return home, db


def _report(home, out, *extra: str):
    result = govwatch(home, "report", "--period", "2022-11..2023-01", "--as-of", T0.isoformat(), "--profile",
                      "national-2019", "--out", str(out), *extra)
    assert result.code == 0, result.stderr
    [docx] = out.glob("*.docx")
    [notice] = out.glob("*.json")
    return [p.text for p in Document(docx).paragraphs], json.loads(notice.read_text("utf-8"))


def test_a_confirmed_typo_is_printed_with_the_unit_named(tmp_path) -> None:
    home, _ = _home(tmp_path, {hit_key("typo", PAGE, "攻府"): CONFIRMED})
    out = tmp_path / "out"
    paragraphs, data = _report(home, out, "--tables", "sites_departments,sites_problems")
    [said] = [p for p in paragraphs if "信息审核不严格" in p]
    assert said.startswith("（一）信息审核不严格。部分单位出现了错别字和领导职务称呼、固定提法等表述错误，"
                           "如市发改委网站“攻府”（应为“政府”）。")  # then 具体问题详见附件N (the last paragraph)
    assert "习近平总理" not in "\n".join(paragraphs)  # the wrong title was not confirmed: not the notice's
    assert "需人工确认" not in json.dumps(data, ensure_ascii=False)
    # the attachment lists it too (seed 003's 存在问题的网站名单: 问题栏目 · 问题类型)
    [xlsx] = out.glob("*.xlsx")
    book = load_workbook(xlsx)
    rows = [[c.value for c in r] for ws in book.worksheets for r in ws.iter_rows()]
    assert any(r[-1] == "错别字" and r[3] == PAGE for r in rows if len(r) == 5), rows
    doc_rows = [[c.text for c in r.cells] for docx in out.glob("*.docx") for t in Document(docx).tables for r in t.rows]
    assert any(r[-1] == "错别字" for r in doc_rows)


def test_a_confirmed_wrong_title_is_a_veto_and_listed(tmp_path) -> None:
    home, _ = _home(tmp_path, {hit_key("leader_title", PAGE, "习近平总理"): CONFIRMED})
    paragraphs, data = _report(home, tmp_path / "out")
    text = "\n".join(paragraphs)
    assert "如市发改委网站“习近平总理”（应为“习近平（中共中央总书记、国家主席、中央军委主席）”）。" in text
    assert "市发改委网站存在安全、泄密事故等严重问题，属于单项否决项，网站不合格" in text
    assert "攻府" not in text
    assert data["totals"]["sites"]["fail"] == 1


def test_a_quarter_without_a_confirmed_hit_prints_none(tmp_path) -> None:
    dismissed = {**CONFIRMED, "decision": "dismiss"}
    home, _ = _home(tmp_path, {hit_key("typo", PAGE, "攻府"): dismissed})  # the title hit waits, the typo is put away
    paragraphs, data = _report(home, tmp_path / "out", "--tables", "sites_departments,sites_problems")
    text = "\n".join(paragraphs)
    assert "信息审核" not in text and "攻府" not in text and "习近平总理" not in text
    assert "安全、泄密事故" not in text  # hits waiting for an inspector were printed as W-V1 problems before
    assert data["totals"]["sites"]["fail"] == 0


def test_an_accounts_confirmed_typo_is_printed_with_the_account_named(tmp_path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    db = Database(f"sqlite:///{(home / 'govwatch.db').resolve()}")
    period = Period(date(2022, 11, 1), date(2023, 1, 31))
    posts = [PostSeen(datetime(2023, 1, 10, 9, tzinfo=BEIJING), title="县攻府召开常务会议", post_id="1",
                      url="https://m.weibo.cn/status/X1"),
             PostSeen(datetime(2023, 2, 8, 9, tzinfo=BEIJING), title="春耕备耕有序", post_id="2")]
    scan_posts(posts)
    with db.session() as session:
        account, _ = upsert_account(session, name="示范县发布", platform="weibo", account_id="1007", unit="示范县人民政府")
        record_collection(session, account, CollectionResult(
            source="weibo", status="ok", posts=posts, covered_from=datetime(2022, 12, 1, tzinfo=BEIJING),
            covered_to=datetime(2023, 2, 10, tzinfo=BEIJING)))
        account_id = account.id
    [before] = evaluate_accounts(db, [account_id], T0, NATIONAL, period, save=False)
    [typo] = [f for f in before.data["content"] if f["evidence"][0]["hit"] == "typo"]
    with db.session() as session:
        review(session, None, typo["evidence"][0]["key"], "confirm", "张三", account_id=account_id)
        assert session.get(Account, account_id).name == "示范县发布"
    evaluate_accounts(db, [account_id], T0, NATIONAL, period)
    paragraphs, data = _report(home, tmp_path / "out")
    [said] = [p for p in paragraphs if "信息审核不严格" in p]
    assert "如示范县发布（政务微博）“攻府”（应为“政府”）。" in said
    assert "政务新媒体其他问题" not in "\n".join(paragraphs)  # said once, in 信息审核
    [line] = data["accounts"]
    assert line["verdict"] == "pass" and [r["原文"] for r in line["review"]] == ["攻府"]
