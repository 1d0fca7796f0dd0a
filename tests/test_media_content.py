"""crawler/media/content.py and M-V1: new-media posts' title and text read by the same content scanner as pages,
judged "需人工确认" until an inspector confirms (then as the profile says), every number masked.

Real payloads: tests/data/new-media/ (copied from shared/corpus/new-media, README there). The crafted posts are
the demo platform's account 1007 (govwatch/demo/media.py TEXTS).
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from crawler.media import intercept, wechat, weibo
from crawler.media.common import BEIJING
from crawler.media.content import scan_post, scan_posts
from crawler.observers.words import scanner
from govwatch.demo.media import TEXTS, serve_media
from rules.accounts import evaluate_accounts
from rules.period import Period
from rules.profile import load_profile
from storage.content import review
from storage.db import Database
from storage.media import Post
from storage.media_repo import CollectionResult, PostSeen, record_collection, upsert_account
from tests.cli_support import govwatch

DATA = Path(__file__).parent / "data" / "new-media"
RAW_ID = "11010519491231002X"
MASKED_ID = "1101************2X"
JUNE = Period(date(2024, 6, 1), date(2024, 6, 30))


def _weibo_objects(text: str) -> dict[str, dict]:
    found = {}
    for m in re.finditer(r"let (\w+) = ", text):
        try:
            found[m[1]] = json.JSONDecoder().raw_decode(text[m.end():])[0]
        except json.JSONDecodeError:
            continue
    return found


# -- what each platform's real payload gives as text --------------------------------------------------------


def test_real_payloads_carry_the_posts_text() -> None:
    bili = intercept.parse_bilibili(json.loads((DATA / "bilibili_space_wbi_arc_search_example_2025.json").read_text()))
    assert bili[0].title == "和朋友去西藏拍样片日记……" and bili[0].text.startswith("这一次，我们的样片日记首次来到了西藏")
    top = intercept.parse_bilibili(json.loads((DATA / "bilibili_space_top_arc_example.json").read_text()))
    assert top[0].pinned and top[0].text == "各品牌的手机铃声大合奏，毫无违和感~"
    lines = [json.loads(line) for line in (DATA / "wechat_profile_ext_getmsg_gqtzy_2019.jsonl").read_text().splitlines()
             if line.strip()]
    digests = [p.text for p in wechat.parse_getmsg(lines) if p.text]
    assert "每晚9:30\n陪你青听" in digests  # the digest's escaped line break undone
    article = wechat.parse_article((DATA / "wechat_article_changjiangribao_2018.html").read_text())
    assert article.title == "语音 | 早安武汉〔2018.3.19 周一〕"
    assert "决定李克强为中华人民共和国国务院总理" in article.text and "var ct" not in article.text
    cards = _weibo_objects((DATA / "weibo_mweibocn_getIndex_107603_2019.js").read_text())["cards1"]
    posts = weibo.posts_from_cards(cards, datetime(2019, 6, 16, 12, tzinfo=BEIJING))
    assert posts[0].title == "搬完这块砖，就可以吃好吃的了" and posts[0].text.startswith(posts[0].title)


def test_real_posts_are_scanned_without_a_false_certain_hit() -> None:
    """A 2018 article calls 李克强 国务院总理 (right then): 2018 is before his title ended, so no finding later
    either; nothing 确定 in any real post."""
    lines = [json.loads(line) for line in (DATA / "wechat_profile_ext_getmsg_gqtzy_2019.jsonl").read_text().splitlines()
             if line.strip()]
    posts = [*wechat.parse_getmsg(lines), wechat.parse_article((DATA / "wechat_article_changjiangribao_2018.html")
                                                                .read_text()),
             *intercept.parse_bilibili(json.loads((DATA / "bilibili_space_wbi_arc_search_example_2025.json")
                                                  .read_text()))]
    scan_posts(posts)
    assert all(p.content is not None for p in posts)
    certain = [(p.title, r["wrong"] if "wrong" in r else r["masked"]) for p in posts for r in p.content
               if r["grade"] == "确定"]
    assert certain == []
    article = posts[len(posts) - 3]
    assert len(article.text) <= scanner().dicts.settings["post_text_max"]


def test_a_crafted_post_is_found_masked_and_capped() -> None:
    post = PostSeen(datetime(2024, 6, 14, 9, tzinfo=BEIJING), title=TEXTS[("1007", 0)][:120], text=TEXTS[("1007", 0)])
    scan_post(post, scanner())
    kinds = {(r["record"], r["kind"], r["grade"], r["where"]) for r in post.content}
    assert ("content_hit", "leader_title", "确定", "title") in kinds
    assert ("personal_data", "id", "确定", "text") in kinds  # only in the text: the title stops before it
    [found] = [r for r in post.content if r["kind"] == "id"]
    assert found["masked"] == MASKED_ID and found["offset"] == TEXTS[("1007", 0)].index(RAW_ID)
    assert RAW_ID not in json.dumps(post.content, ensure_ascii=False) and RAW_ID not in post.text
    assert MASKED_ID in post.text
    long = PostSeen(datetime(2024, 6, 14, tzinfo=BEIJING), title="长文", text="县攻府" + "字" * 9000)
    scan_post(long, scanner())
    assert len(long.text) == scanner().dicts.settings["post_text_max"] and long.content[0]["wrong"] == "攻府"
    same = PostSeen(datetime(2024, 6, 14, tzinfo=BEIJING), title="县攻府开会", text="县攻府开会")  # 抖音 desc
    scan_post(same, scanner())
    assert same.text is None and [r["where"] for r in same.content] == ["title"]


# -- judged: 需人工确认, confirmed as the profile says ----------------------------------------------------------


def _stored(tmp_path) -> tuple[Database, int]:
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    posts = [PostSeen(datetime(2024, 6, 14 - i, 9, tzinfo=BEIJING), title=TEXTS[("1007", i)][:120],
                      text=TEXTS[("1007", i)], url=f"https://m.weibo.cn/status/B{i}", post_id=str(i)) for i in range(3)]
    posts.append(PostSeen(datetime(2024, 5, 2, tzinfo=BEIJING), title="县攻府五月会议", post_id="old"))  # before June
    scan_posts(posts)
    with db.session() as session:
        account, _ = upsert_account(session, name="示范县发布", platform="weibo", account_id="1007", unit="示范县政府")
        record_collection(session, account, CollectionResult(source="weibo", status="ok", posts=posts,
                                                             covered_from=datetime(2024, 5, 1, tzinfo=BEIJING),
                                                             covered_to=datetime(2024, 6, 20, tzinfo=BEIJING)))
        return db, account.id


def _judge(db: Database, account_id: int) -> dict:
    [result] = evaluate_accounts(db, [account_id], date(2024, 6, 20), load_profile("national-2019"), JUNE)
    return result.data


def test_hits_wait_for_an_inspector_then_count_as_the_profile_says(tmp_path) -> None:
    db, account_id = _stored(tmp_path)
    data = _judge(db, account_id)
    hits = {f["evidence"][0]["hit"]: f for f in data["content"]}
    assert set(hits) == {"leader_title", "personal_data", "typo"}  # May's post is outside the period
    assert all("需人工确认" in f["detail"] and f["kind"] == "observation" for f in hits.values())
    assert data["verdict"] == "pass"  # nothing counts before a person looks
    title = hits["leader_title"]["evidence"][0]
    assert title["post"]["published_at"] == "2024-06-14T09:00:00+08:00"
    assert title["url"] == "https://m.weibo.cn/status/B0" and title["offset"] == 16 and "习近平总理" in title["sentence"]
    assert MASKED_ID in hits["personal_data"]["detail"]
    m_v1 = next(i for i in data["indicators"] if i["indicator"] == "M-V1")
    assert "3处需人工确认" in m_v1["detail"]

    with db.session() as session:
        review(session, None, hits["typo"]["evidence"][0]["key"], "confirm", "张三", account_id=account_id)
    data = _judge(db, account_id)
    assert data["verdict"] == "pass"  # a typo confirmed is listed (observation), not a veto
    assert any(f.get("manual") and "错别字" in f["detail"] for f in data["content"])

    with db.session() as session:
        review(session, None, title["key"], "confirm", "张三", "已核实", account_id=account_id)
        review(session, None, hits["personal_data"]["evidence"][0]["key"], "dismiss", "张三", "测试数据",
               account_id=account_id)
    data = _judge(db, account_id)
    assert data["verdict"] == "fail"
    assert [v["indicator"] for v in data["vetoes"]] == ["M-V1"] and "习近平总理" in data["vetoes"][0]["detail"]
    assert [f.get("overridden", {}).get("decision") for f in data["content"]
            if f["evidence"][0]["hit"] == "personal_data"] == ["dismiss"]


def test_a_site_decision_never_holds_for_an_account(tmp_path) -> None:
    db, account_id = _stored(tmp_path)
    key = next(f["evidence"][0]["key"] for f in _judge(db, account_id)["content"])
    with db.session() as session, pytest.raises(ValueError):
        review(session, None, key, "confirm", "张三")
    with db.session() as session:
        posts = session.query(Post).filter(Post.account_id == account_id).all()
        assert all(RAW_ID not in (p.text or "") + (p.title or "") + json.dumps(p.content, ensure_ascii=False)
                   for p in posts)


# -- end to end: the simulated Weibo, collected and judged by the command a user runs ---------------------------


def _env(base: str) -> dict[str, str]:
    return {"GOVWATCH_WEIBO_BASE": base, "GOVWATCH_MEDIA_SPACING": "0", "GOVWATCH_MEDIA_JITTER": "0"}


def test_e2e_a_posts_wrong_title_confirmed_makes_the_account_fail(tmp_path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    db = Database(f"sqlite:///{(home / 'govwatch.db').resolve()}")
    with db.session() as session:
        upsert_account(session, name="示范县发布", platform="weibo", account_id="1007", unit="示范县人民政府")
    with serve_media() as base:
        first = govwatch(home, "recheck", "1007", "--as-of", "2024-06-20", "--json", env=_env(base))
    assert first.code == 0, first.stderr
    [data] = first.json()["verdict"]
    hits = {f["evidence"][0]["hit"]: f for f in data["content"]}
    assert {"leader_title", "personal_data", "typo"} <= set(hits) and data["verdict"] == "pass"
    assert not any(f["evidence"][0].get("wrong") in ("李强", "口交") for f in data["content"])  # false friends
    with serve_media() as base:
        shown = govwatch(home, "recheck", "1007", "--as-of", "2024-06-20", env=_env(base))
    assert "需人工确认" in shown.stdout and MASKED_ID in shown.stdout and RAW_ID not in shown.stdout

    key = hits["leader_title"]["evidence"][0]["key"]
    confirmed = govwatch(home, "findings", "confirm", "1007", key, "--reason", "已核实", "--by", "张三")
    assert confirmed.code == 0 and "已确认" in confirmed.stdout, confirmed.stderr
    dismissed = govwatch(home, "findings", "dismiss", "示范县发布", hits["typo"]["evidence"][0]["key"], "--json")
    assert dismissed.code == 0 and dismissed.json()["decision"] == "dismiss"
    with serve_media() as base:
        again = govwatch(home, "recheck", "1007", "--as-of", "2024-06-20", "--json", env=_env(base))
    [data] = again.json()["verdict"]
    assert data["verdict"] == "fail" and "习近平总理" in data["vetoes"][0]["detail"]
    assert [f["overridden"]["decision"] for f in data["content"] if f["evidence"][0]["hit"] == "typo"] == ["dismiss"]

    with sqlite3.connect(home / "govwatch.db") as con:
        dump = "\n".join(con.iterdump())
    assert RAW_ID not in dump and MASKED_ID in dump
    assert RAW_ID not in first.stdout + again.stdout


def test_an_imported_posts_file_is_scanned_with_its_text_column(tmp_path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    db = Database(f"sqlite:///{(home / 'govwatch.db').resolve()}")
    with db.session() as session:
        upsert_account(session, name="示范县发布", platform="weibo", account_id="1007", unit="示范县人民政府")
    posts = tmp_path / "发布记录.csv"
    posts.write_text("平台,账号,发布时间,标题,正文\n"
                     f"微博,1007,2024-06-14 09:00,学习会议,全县干部收看习近平总理重要讲话。报名人身份证号{RAW_ID}\n"
                     "微博,1007,2024-06-12 10:00,防汛部署,县攻府召开常务会议\n", encoding="utf-8")
    result = govwatch(home, "posts", "import", str(posts), "--from", "2024-06-01", "--to", "2024-06-19")
    assert result.code == 0, result.stderr
    with db.session() as session:
        stored = {p.title: p for p in session.query(Post).all()}
        assert MASKED_ID in stored["学习会议"].text and RAW_ID not in stored["学习会议"].text
        assert {r["kind"] for r in stored["学习会议"].content} == {"leader_title", "id"}
        assert [r["wrong"] for r in stored["防汛部署"].content] == ["攻府"]
    judged = {f["evidence"][0]["hit"] for f in _judge(db, 1)["content"]}
    assert judged == {"leader_title", "personal_data", "typo"}  # imported posts judged like collected ones
