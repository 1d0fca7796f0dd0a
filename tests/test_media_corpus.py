"""Every real new-media payload parses to the hand-labelled posts, or to its failure status."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from crawler.media import intercept, sogou, wechat, weibo
from crawler.media.common import BEIJING
from govwatch.demo.media import CORPUS

LABELS = yaml.safe_load((Path(__file__).parent / "media_corpus_labels.yaml").read_text(encoding="utf-8"))
SEEN = datetime(2019, 6, 16, 12, 0, tzinfo=BEIJING)


def _weibo_objects(text: str) -> dict[str, dict]:
    found = {}
    for m in re.finditer(r"let (\w+) = ", text):
        try:
            found[m[1]] = json.JSONDecoder().raw_decode(text[m.end():])[0]
        except json.JSONDecodeError:
            continue
    return found


def _parse(name: str, parser: str):
    path = CORPUS / name
    text = path.read_text(encoding="utf-8")
    if parser == "article":
        hit = wechat.classify(text)
        return hit, [p for p in [wechat.parse_article(text)] if p]
    if parser == "history":
        return wechat.classify(text), wechat.parse_history(text)
    if parser == "getmsg":
        return None, wechat.parse_getmsg([json.loads(line) for line in text.splitlines() if line.strip()])
    if parser == "sogou":
        return wechat.classify(text), sogou.parse_article_results(text)
    if parser == "weibo":
        return None, weibo.posts_from_cards(_weibo_objects(text)["cards1"], SEEN)
    if parser == "bilibili":
        return None, intercept.parse_bilibili(json.loads(text))
    raise AssertionError(parser)


pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="new-media corpus not on this machine")


@pytest.mark.parametrize("name", sorted(LABELS))
def test_corpus_file(name: str) -> None:
    label = LABELS[name]
    hit, posts = _parse(name, label["parser"])
    if "status" in label:
        assert hit is not None and hit[0] == label["status"]
        assert not posts
        return
    assert hit is None
    if "posts" in label:
        got = [(p.published_at.isoformat(), p.title if "title" in want else p.post_id, p.pinned)
               for p, want in zip(posts, label["posts"], strict=True)]
        assert got == [(w["at"], w.get("title", w.get("id")), w.get("pinned", False)) for w in label["posts"]]
    if "count" in label:
        assert len(posts) == label["count"]
        newest = max(posts, key=lambda p: p.published_at)
        assert newest.published_at.isoformat() == label["newest"]["at"]
        if "title" in label["newest"]:
            assert newest.title == label["newest"]["title"]
        if "id" in label["newest"]:
            assert newest.post_id == label["newest"]["id"]
        assert min(p.published_at for p in posts).isoformat() == label["oldest"] if "oldest" in label else True
    if "days_times" in label:
        assert len({p.published_at for p in posts}) == label["days_times"]
    if "pinned" in label:
        assert sum(p.pinned for p in posts) == label["pinned"]
    if label["parser"] == "weibo":
        objects = _weibo_objects((CORPUS / name).read_text(encoding="utf-8"))
        assert weibo.weibo_containerid(objects["userInfo"], "1669879400") == label["containerid"]
        show = objects["retweet01"]["data"]
        assert show["mid"] == label["show_mid"]["id"]
        assert weibo.time_from_mid(show["mid"]) == weibo.parse_created_at(show["created_at"], SEEN)


@pytest.mark.parametrize(("text", "expected"), [
    ("Sat Jun 15 11:44:46 +0800 2019", "2019-06-15T11:44:46+08:00"),
    ("06-14", "2019-06-14T00:00:00+08:00"),
    ("12-30", "2018-12-30T00:00:00+08:00"),  # year-less after the reading moment: last year
    ("2018-05-02", "2018-05-02T00:00:00+08:00"),
    ("昨天 10:00", "2019-06-15T10:00:00+08:00"),
    ("今天 08:05", "2019-06-16T08:05:00+08:00"),
    ("3小时前", "2019-06-16T09:00:00+08:00"),
    ("27分钟前", "2019-06-16T11:33:00+08:00"),
    ("刚刚", "2019-06-16T12:00:00+08:00"),
])
def test_weibo_created_at_forms(text: str, expected: str) -> None:
    assert weibo.parse_created_at(text, SEEN).isoformat() == expected


def test_mid_beats_display_text() -> None:
    post = weibo.post_from_mblog({"mid": "4383411844046171", "created_at": "06-15", "isTop": 1}, SEEN)
    assert post.published_at.isoformat() == "2019-06-15T11:44:46+08:00"
    assert post.pinned
    assert weibo.post_from_mblog({"mid": "x", "created_at": "昨天 09:10", "mblogtype": 2}, SEEN).pinned


def test_sogou_links_are_unescaped_once_and_account_search_rows_need_a_match() -> None:
    from crawler.media import sogou

    text = (CORPUS / "wechat_sogou_article_search_2017.html").read_text(encoding="utf-8")
    posts = sogou.parse_article_results(text)
    assert all("×tamp" not in (p.url or "") for p in posts)
    assert any("&timestamp=1500052504&ver=1&signature=" in (p.url or "") for p in posts)
    # an article search page has no account rows; a captcha page neither (its status comes from the page)
    assert sogou.parse_accounts(text) == [] and sogou.parse_accounts("") == []
    assert sogou.parse_accounts("\x00\x01") == []
    rows = [sogou.SogouAccount("山东高考指南", "sdgkzn", None), sogou.SogouAccount(None, None, None)]
    assert sogou.matching(rows, "山东", None) is None and sogou.matching(rows, None, "SDGKZN") is rows[0]
