"""The content scan on its own: dictionary hits and their false friends, personal data (validated and
masked), hidden links, attachment text, the real-page corpus without a false 确定 hit, and the rules
that keep every hit "需人工确认" until an inspector decides."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from crawler.columns import parse_html
from crawler.encoding import decode_html
from crawler.observers._common import visible_text
from crawler.observers.darklinks import hidden_links
from crawler.observers.personal import attachment_text, find_personal, id_valid, luhn, mask_all
from crawler.observers.words import load, scanner
from rules.checks.content_words import hit_key, information_review, information_review_sentence
from rules.engine import evaluate
from rules.observations import SiteObs
from rules.profile import load_profile
from tests.sites.content import ID_NUMBER, pdf_with_text

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-pages"
T0 = date(2023, 11, 20)

# (text, expected hits as (kind, grade, wrong)); an empty set is a false friend that must stay quiet.
CASES = [
    ("会议传达学习习近平总理重要讲话精神", {("leader_title", "确定", "习近平总理")}),
    ("李强副总理出席", {("leader_title", "疑似", "李强副总理")}),
    ("根据《中华人民共合国道路交通安全法》", {("fixed_phrase", "确定", "中华人民共合国")}),
    ("县攻府各部门要加强管理", {("typo", "确定", "攻府")}),
    ("代表委员共商国事", {("fixed_phrase", "疑似", "共商国事")}),
    ("原环境保护部印发通知", {("agency", "疑似", "环境保护部")}),
    ("赵乐际、李强、习近平出席会议", {("leader_order", "疑似", "赵乐际、李强、习近平")}),
    ("各路口交通高峰时段开展整治", set()),
    ("国务院总理李强主持召开国务院常务会议", set()),
    ("习近平总书记强调", set()),
    ("国家主席习近平、国务院总理李强出席", set()),
    ("市委书记李强调研秸秆禁烧工作", set()),
    ("各级环境保护部门要履职尽责", set()),
    ("农业部门和文化部门联合检查", set()),
    ("进攻府城", set()),
    ("严厉打击网络赌博违法犯罪", set()),
    ("习近平、李强、赵乐际、王沪宁、韩正、蔡奇、丁薛祥、李希等出席会议", set()),
    ("李克强总理指出", {("leader_former", "疑似", "李克强总理")}),  # the rules keep it only on pages dated later
    # the titles verified on 2026-12-08 (crawler/data/content/leaders.yaml, each with its source)
    ("全国人大常委会委员长赵乐际出席会议", set()),
    ("赵乐际总理出席会议", {("leader_title", "确定", "赵乐际总理")}),
    ("全国政协主席王沪宁出席", set()),
    ("王沪宁委员长主持会议", {("leader_title", "确定", "王沪宁委员长")}),
    ("国家副主席韩正出席开幕式", set()),
    ("韩正总理出席开幕式", {("leader_title", "疑似", "韩正总理")}),  # a common name: only 疑似
    ("副总理韩正出席会议", {("leader_former", "疑似", "韩正副总理")}),  # right until 2023-03-12 (韩正副总理: jieba cuts 韩|正副)
    ("中央纪委书记李希主持会议", set()),
    ("蔡奇总理出席", {("leader_title", "疑似", "蔡奇总理")}),
]


@pytest.mark.parametrize(("text", "want"), CASES, ids=[c[0][:10] for c in CASES])
def test_dictionary_hits_and_false_friends(text: str, want: set) -> None:
    got = {(h.kind, h.grade, h.wrong) for h in scanner().scan(text)}
    assert got == want


def test_every_entry_has_a_source_and_a_correct_form() -> None:
    dicts = load()
    assert dicts.entries
    for e in dicts.entries:
        assert e.source.strip(), e
        if e.kind in ("fixed_phrase", "typo", "agency"):
            assert e.correct and e.correct != e.needle, e
    assert dicts.as_of["crawler/data/content/leaders.yaml"] == "2023-03-12"


def test_office_dictionary_extends_the_bundled_one(tmp_path: Path) -> None:
    own = tmp_path / "office"
    own.mkdir()
    (own / "local.yaml").write_text("kind: typo\nentries:\n  - {wrong: 示范悬, correct: 示范县, grade: 确定, "
                                    "source: 本办2023年第三季度通报}\n", encoding="utf-8")
    hits = scanner((str(own),)).scan("示范悬人民政府")
    assert [(h.wrong, h.correct, h.source) for h in hits] == [("示范悬", "示范县", "本办2023年第三季度通报")]
    (own / "bad.yaml").write_text("kind: typo\nentries:\n  - {wrong: 甲, correct: 乙}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no source"):
        load((str(own / "bad.yaml"),))


def test_personal_data_is_validated_and_masked() -> None:
    assert id_valid(ID_NUMBER) and not id_valid("110105194912310021")
    assert luhn("6222021234567890128") and not luhn("6222021234567890127")
    text = f"张三 身份证号 {ID_NUMBER}，电话 13812345678，开户银行卡号 6222021234567890128；文号 110105194912310021"
    hits = find_personal(text)
    assert [(h.kind, h.grade, h.masked) for h in hits] == [
        ("id", "确定", "1101************2X"), ("mobile", "疑似", "138****5678"), ("card", "疑似", "6222***********0128")]
    for h in hits:
        assert ID_NUMBER not in h.sentence and "13812345678" not in h.sentence and "6222021234567890128" not in h.sentence
    assert "13812345678" not in mask_all(text) and ID_NUMBER not in mask_all(text)


def _attachments() -> dict[str, bytes]:
    import docx
    import openpyxl

    document = docx.Document()
    document.add_paragraph(f"补贴发放名单 李四 {ID_NUMBER}")
    buf = io.BytesIO()
    document.save(buf)
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号"])
    book.active.append(["王五", ID_NUMBER])
    xbuf = io.BytesIO()
    book.save(xbuf)
    return {".pdf": pdf_with_text([f"ID {ID_NUMBER}"]), ".docx": buf.getvalue(), ".xlsx": xbuf.getvalue()}


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".xlsx"])
def test_attachment_text_finds_the_id_number(suffix: str) -> None:
    read = attachment_text(_attachments()[suffix], suffix, max_pages=5, max_seconds=5)
    assert [h.masked for h in find_personal(read.text) if h.kind == "id"] == ["1101************2X"]


def test_attachment_reading_is_bounded() -> None:
    read = attachment_text(pdf_with_text(["one"]), ".pdf", max_pages=0, max_seconds=5)
    assert read.note and read.text == ""


HIDDEN = """<html><head><style>.xx{position:absolute;left:-9999px} #k{font-size:0px}</style></head><body>
<div style="display:none"><a href="http://bet.example.com/">百家乐</a></div>
<div class="xx"><a href="http://a.example.com/">a</a></div>
<p id="k"><a href="http://b.example.com/">b</a></p>
<div style="background-color:#ffffff"><a style="color:#fff" href="http://c.example.com/">c</a></div>
<div style="width:0;height:0;overflow:hidden"><a href="http://d.example.com/">d</a></div>
<script>document.write('<a href="http://e.example.com/">e</a>')</script>
<div style="display:none"><a href="http://www.beian.gov.cn/">备案</a><a href="/local.html">本站</a></div>
<div class="footer"><a href="http://www.people.com.cn/">人民网</a></div>
</body></html>"""


def test_hidden_links_say_how_they_are_hidden() -> None:
    root = lxml.html.fromstring(HIDDEN)
    found = {d.href: d.how for d in hidden_links(root, "http://www.example.gov.cn/", [".gov.cn"])}
    assert found == {
        "http://bet.example.com/": ["display:none"],
        "http://a.example.com/": ["移出屏幕（left:-9999px）"],
        "http://b.example.com/": ["字号过小（font-size:0px）"],
        "http://c.example.com/": ["文字颜色与背景相同（#ffffff）"],
        "http://d.example.com/": ["零尺寸（width:0，overflow:hidden）"],
        "http://e.example.com/": ["由脚本写入"],
    }


def _obs(records: dict, reviews: dict | None = None, previous: dict | None = None) -> SiteObs:
    return SiteObs("http://x.gov.cn/", "示范县人民政府", "9900000001", 1, "ok", None, T0, "http://x.gov.cn/", T0,
                   records=records, reviews=reviews or {}, previous=previous or {})


def _w_v1(obs: SiteObs):
    ev = evaluate(obs, T0, load_profile("national-2019"))
    return ev, ev.indicator("W-V1")


DARK = {"url": "http://x.gov.cn/", "found_on": "http://x.gov.cn/", "href": "http://bet.example.com/", "text": "百家乐",
        "how": ["display:none"], "snippet": "<a href=...>", "words": ["百家乐"], "category": "赌博"}


def test_a_dark_link_waits_for_confirmation_then_vetoes() -> None:
    ev, r = _w_v1(_obs({"dark_link": [DARK]}))
    assert r.status == "problem" and "W-V1" not in {f.indicator for f in ev.vetoes}
    [f] = r.problems
    assert "需人工确认" in f.detail and f.evidence[0]["how"] == ["display:none"]
    key = hit_key("dark_link", DARK["url"], DARK["href"])
    assert f.subjects == [key]
    confirmed = {key: {"decision": "confirm", "entered_by": "张三", "entered_at": "2023-11-21T00:00:00Z", "id": 1}}
    ev, r = _w_v1(_obs({"dark_link": [DARK]}, confirmed))
    assert r.status == "fail" and ev.verdict == "fail" and "W-V1" in {f.indicator for f in ev.vetoes}
    dismissed = {key: {**confirmed[key], "decision": "dismiss"}}
    ev, r = _w_v1(_obs({"dark_link": [DARK]}, dismissed))
    assert "W-V1" not in {f.indicator for f in ev.vetoes} and all(not f.active for f in r.problems)


def test_quiet_by_default_on_what_cries_wolf() -> None:
    """A hidden off-site link without a suspect word (a drop-down menu), two contact mobiles on a page,
    and 李克强总理 on a page written while he held the title are not put before an inspector."""
    menu = {**DARK, "href": "http://www.people.com.cn/", "words": [], "category": None}
    mobiles = [{"url": "http://x.gov.cn/a.html", "kind": "mobile", "grade": "疑似", "masked": m, "sentence": ""}
               for m in ("138****5678", "139****1234")]
    former = {"url": "http://x.gov.cn/b.html", "kind": "leader_former", "grade": "疑似", "wrong": "李克强总理",
              "correct": "", "until": "2023-03-11", "page_date": "2021-05-01", "sentence": ""}
    _, r = _w_v1(_obs({"dark_link": [menu], "personal_data": mobiles, "content_hit": [former]}))
    assert r.problems == [] and r.status == "manual"
    _, r = _w_v1(_obs({"content_hit": [{**former, "page_date": "2023-11-01"}]}))
    assert [f.label for f in r.problems] == ["领导职务称呼已过时"]


def test_defacement_against_the_last_snapshot() -> None:
    before = {"home_fingerprint": [{"url": "http://x.gov.cn/", "run_id": 7, "lines": [f"{n:012d}" for n in range(20)]}]}
    same = {"home_fingerprint": [{"url": "http://x.gov.cn/", "lines": [f"{n:012d}" for n in range(2, 22)]}]}
    _, r = _w_v1(_obs(same, previous=before))
    assert r.problems == []
    changed = {"home_fingerprint": [{"url": "http://x.gov.cn/", "lines": [f"{n:012d}" for n in range(15, 40)]}]}
    _, r = _w_v1(_obs(changed, previous=before))
    assert [f.label for f in r.problems] == ["首页内容大面积变化（疑似被篡改）"]


def test_typos_and_titles_for_the_notice() -> None:
    hits = [{"url": "http://x.gov.cn/a.html", "kind": "typo", "grade": "确定", "wrong": "攻府", "correct": "政府",
             "sentence": "县攻府各部门"},
            {"url": "http://x.gov.cn/b.html", "kind": "leader_title", "grade": "确定", "wrong": "习近平总理",
             "correct": "习近平（总书记）", "sentence": "习近平总理主持"}]
    ev, _ = _w_v1(_obs({"content_hit": hits}))
    rows = information_review(ev, unit="示范县人民政府办公室")
    assert [(r["单位"], r["问题"], r["原文"], r["确认"]) for r in rows] == [
        ("示范县人民政府办公室", "错别字", "攻府", "待确认"), ("示范县人民政府办公室", "领导职务称呼错误", "习近平总理", "待确认")]
    sentence = information_review_sentence(rows)
    assert sentence.startswith("信息审核不严格。") and "“攻府”（应为“政府”）" in sentence


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real-page corpus not found at {CORPUS}")
def test_real_pages_without_a_false_certain_hit() -> None:
    scan = scanner()
    certain = []
    pages = [p for p in sorted(CORPUS.iterdir()) if p.suffix in (".html", ".htm")]
    assert pages
    for path in pages:
        root = parse_html(decode_html(path.read_bytes()).text)
        text = visible_text(root)
        certain += [(path.name, h.wrong) for h in scan.scan(text) if h.grade == "确定"]
        certain += [(path.name, h.masked) for h in find_personal(text) if h.grade == "确定"]
        for link in hidden_links(root, "http://corpus.example.gov.cn/", [".gov.cn"]):
            words = [h for h in scan.scan(f"{link.text} {link.href} {link.snippet}", links_only=True)
                     if h.kind == "sensitive"]
            certain += [(path.name, link.href)] if words else []
    print(f"\n{len(pages)} real pages scanned, false 确定 hits: {len(certain)}")
    assert certain == []


MEDIA = CORPUS.parent / "new-media"


@pytest.mark.skipif(not MEDIA.is_dir(), reason=f"new-media corpus not found at {MEDIA}")
def test_real_posts_without_a_false_certain_hit() -> None:
    """Post text as the platforms serve it (公众号 articles, 微博/B站 JSON): the same scanner, no 确定 hit."""
    scan = scanner()
    certain = []
    for path in sorted(p for p in MEDIA.iterdir() if p.suffix in (".html", ".json", ".jsonl")):
        raw = path.read_text("utf-8", errors="replace")
        text = visible_text(parse_html(raw)) if path.suffix == ".html" else raw
        certain += [(path.name, h.wrong) for h in scan.scan(text) if h.grade == "确定"]
        certain += [(path.name, h.masked) for h in find_personal(text) if h.grade == "确定"]
    assert certain == []
