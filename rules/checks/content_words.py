"""W-V1 from the content records (crawler/observers/content.py): wrong leader titles, broken fixed
phrasings, sensitive words, dark links, cloaking, defacement, personal data; and the typos and wrong
titles the notice lists under 信息审核.

An automatic content hit is never a veto by itself: it is shown "需人工确认" until an inspector
confirms it (`govwatch findings confirm SITE KEY`) or dismisses it; a confirmed hit then counts as the
profile's `content.confirmed_as` says (veto, or an observation listed for the notice). Which hits are put
before an inspector at all is the profile's too (`grades`, `show`), so a profile can stay quiet on
what it does not want to see.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from config.vocabulary import CONTENT_CONFIRMED, CONTENT_PENDING, REVIEW_SENTENCE, REVIEW_STATES, REVIEW_TITLE
from rules.findings import Finding
from rules.observations import SiteObs
from rules.profile import Indicator, Profile

# Which part of W-V1 each kind of hit is about (1 严重表述错误, 3 发布或链接色情等内容, 4 被挂马、篡改).
TRIGGERS = {"leader_title": "1", "leader_order": "1", "leader_former": "1", "fixed_phrase": "1", "typo": "1",
            "agency": "1", "sensitive": "3", "dark_link": "3", "cloaking": "4", "defacement": "4",
            "personal_data": "2"}
KIND_WORDS = {"leader_title": "领导职务称呼错误", "leader_order": "领导排序错误", "leader_former": "领导职务称呼已过时",
              "fixed_phrase": "固定提法错误", "typo": "错别字", "agency": "使用已撤销机构名称", "sensitive": "敏感词",
              "dark_link": "暗链", "cloaking": "对搜索引擎展示不同内容（疑似被篡改）",
              "defacement": "首页内容大面积变化（疑似被篡改）", "personal_data": "泄露个人信息"}
PERSONAL_WORDS = {"id": "身份证号码", "mobile": "手机号码", "card": "银行卡号"}
# The kinds the notice's 信息审核 part lists (错别字、称呼、提法).
REVIEW_KINDS = ("typo", "fixed_phrase", "leader_title", "leader_order", "leader_former", "agency")


@dataclass
class Records:
    """Content records that are not a site's crawl: an account's posts (rules/accounts.py). Read like
    `SiteObs` (`of_kind`, `evidence`, `previous`), so one `candidates` serves both."""

    by_kind: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)
    previous: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return self.by_kind.get(kind, [])


def hit_key(kind: str, url: str | None, what: str) -> str:
    """A hit's key, stable across crawls (same kind, same page, same words): what decisions hold to."""
    return hashlib.sha1(f"{kind}|{url or ''}|{what}".encode()).hexdigest()[:16]


def candidates(obs: SiteObs | Records, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every content hit worth an inspector's look, each {kind, key, grade, what, url, evidence}: a site's
    crawl records, or an account's posts' (`Records`, each record with its `post`)."""
    show = params.get("show", {})
    grades = set(params.get("grades", ["确定", "疑似"]))
    out: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(kind: str, url: str | None, what: str, grade: str, detail: str, evidence: dict[str, Any]) -> None:
        k = hit_key(kind, url, what)
        if k in seen or grade not in grades:
            return
        seen.add(k)
        shot = obs.evidence.get(url or "", {}).get("screenshot") or obs.evidence.get(evidence.get("found_on") or "",
                                                                                      {}).get("screenshot")
        if evidence.get("post") is None:
            evidence.pop("post", None)
        crop = obs.evidence.get(url or "", {}).get(f"crop:{evidence['wrong']}") if evidence.get("wrong") else None
        if crop:
            evidence = {**evidence, "crop": crop}  # the words where the rendered page shows them
        out.append({"kind": kind, "key": k, "grade": grade, "what": what, "url": url, "detail": detail,
                    "evidence": {"key": k, "hit": kind, "url": url, "grade": grade, "screenshot": shot, **evidence}})

    # words of a page's dark links are shown with the link, not again as the page's sensitive words
    in_links = {(r["url"], w) for r in obs.of_kind("dark_link") for w in r.get("words") or []}
    for r in obs.of_kind("content_hit"):
        kind = r["kind"]
        if kind == "sensitive" and (r["url"], r["wrong"]) in in_links:
            continue
        if kind == "leader_former":
            if not r.get("page_date") or not r.get("until") or r["page_date"] <= r["until"]:
                continue  # written while the title was held (or undated): right at the time
        if kind == "sensitive" and not show.get("sensitive_in_text", True):
            continue
        right = f"，应为“{r['correct']}”" if r.get("correct") else ""
        add(kind, r["url"], r["wrong"], r["grade"], f"“{r['wrong']}”{right}",
            {"wrong": r["wrong"], "correct": r.get("correct"), "sentence": r.get("sentence"), "offset": r.get("offset"),
             "role": r.get("role"), "where": r.get("where"), "source": r.get("source"), "category": r.get("category"),
             "page_date": r.get("page_date"), "post": r.get("post")})
    for r in obs.of_kind("dark_link"):
        words = r.get("words") or []
        if not words and not show.get("dark_link_without_words", False):
            continue
        how = "、".join(r.get("how", []))
        label = f"（{r['category']}：{'、'.join(words)}）" if words else ""
        add("dark_link", r["url"], r["href"], "确定" if words else "疑似", f"{r['href']}{label}，隐藏方式：{how}",
            {"href": r["href"], "text": r.get("text"), "how": r.get("how"), "snippet": r.get("snippet"),
             "words": words, "category": r.get("category"), "found_on": r["url"]})
    for r in obs.of_kind("cloaking"):
        flagged = [x for x in r.get("links", []) if x.get("words")]
        if not flagged and not r.get("words") and not show.get("cloaking_without_words", False):
            continue
        hrefs = "、".join(x["href"] for x in (flagged or r.get("links", []))[:5])
        words = sorted({w for x in flagged for w in x["words"]} | set(r.get("words", [])))
        add("cloaking", r["url"], hrefs or "、".join(words), "确定" if flagged or r.get("words") else "疑似",
            f"以搜索引擎身份（{r.get('user_agent', '')[:40]}…）访问时多出{len(r.get('links', []))}个外部链接"
            + (f"，含“{'、'.join(words)}”" if words else "") + (f"：{hrefs}" if hrefs else ""),
            {"links": r.get("links"), "words": r.get("words"), "user_agent": r.get("user_agent")})
    _personal(obs, show, add)
    _defacement(obs, params, add)
    return out


def _personal(obs: SiteObs, show: dict[str, Any], add: Callable[..., None]) -> None:
    by_page: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in obs.of_kind("personal_data"):
        by_page[(r["url"], r["kind"])].append(r)
    minimum = {"id": int(show.get("ids_per_page", 1)), "mobile": int(show.get("mobiles_per_page", 3)),
               "card": int(show.get("cards_per_page", 1))}
    for (url, kind), rows in by_page.items():
        masked = sorted({r["masked"] for r in rows})
        if len(masked) < minimum.get(kind, 1):
            continue
        grade = "确定" if any(r["grade"] == "确定" for r in rows) else "疑似"
        where = "附件" if rows[0].get("attachment") else "发布内容" if rows[0].get("post") else "页面"
        shown = "、".join(masked[:3]) + ("…" if len(masked) > 3 else "")
        add("personal_data", url, kind, grade, f"{where}中有{PERSONAL_WORDS[kind]}{len(masked)}个（{shown}）",
            {"personal": kind, "masked": masked[:20], "count": len(masked), "sentence": rows[0].get("sentence"),
             "attachment": bool(rows[0].get("attachment")), "found_on": rows[0].get("found_on"),
             "offset": rows[0].get("offset"), "where": rows[0].get("where"), "post": rows[0].get("post")})


def _defacement(obs: SiteObs | Records, params: dict[str, Any], add: Callable[..., None]) -> None:
    share = float(params.get("defacement_share", 0.6))
    minimum = int(params.get("defacement_min_lines", 10))
    now = obs.of_kind("home_fingerprint")
    before = obs.previous.get("home_fingerprint", [])
    if not now or not before:
        return
    new, old = set(now[-1]["lines"]), set(before[-1]["lines"])
    if len(old) < minimum:
        return
    gone = len(old - new) / len(old)
    if gone >= share:
        add("defacement", now[-1]["url"], f"run{before[-1]['run_id']}", "疑似",
            f"首页与上次抓取（第{before[-1]['run_id']}号）相比，{gone:.0%}的固定内容（不含带日期的列表）已不同",
            {"changed_share": round(gone, 3), "previous_run": before[-1]["run_id"], "lines_before": len(old),
             "lines_now": len(new)})


def content_findings(found: list[dict[str, Any]], reviews: dict[str, dict], ind: Indicator,
                     params: dict[str, Any], owner: str = "网站") -> list[Finding]:
    """Each hit its own finding (keyed, so each is confirmed or dismissed alone): "需人工确认" (an
    observation) until an inspector's decision; confirmed, it counts as `confirmed_as` says; dismissed, it is
    shown put away. Sites (W-V1) and accounts (M-V1) alike; `owner` is what the command names."""
    confirmed_as = params.get("confirmed_as", {})
    findings: list[Finding] = []
    for c in found:
        words = KIND_WORDS[c["kind"]]
        decision = reviews.get(c["key"])
        grade = c["grade"]
        evidence = [c["evidence"]]
        if decision and decision["decision"] == "confirm":
            kind = confirmed_as.get(c["kind"], "observation")
            f = Finding(ind.id, ind.title, kind, f"{words}：{c['detail']}（{CONTENT_CONFIRMED}）", evidence,
                        trigger=TRIGGERS[c["kind"]], subjects=[c["key"]], manual=decision)
        else:
            f = Finding(ind.id, f"{ind.title}（{CONTENT_PENDING}）", "observation",
                        f"{words}（{grade}）：{c['detail']}（{CONTENT_PENDING}，编号 {c['key']}）", evidence,
                        trigger=TRIGGERS[c["kind"]], subjects=[c["key"]],
                        note=f"{CONTENT_PENDING}：govwatch findings confirm {owner} {c['key']}（或 dismiss）")
            if decision and decision["decision"] == "dismiss":
                f.overridden = {**decision, "subject": c["key"]}
        f.label = words
        findings.append(f)
    return findings


def content_v1(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-V1's content hits of a site's crawl."""
    params = ind.params.get("content", {})
    return content_findings(candidates(obs, params), obs.reviews, ind, params)


def _hit_kind(finding: dict[str, Any], evidence: dict[str, Any]) -> str | None:
    if evidence.get("hit"):
        return str(evidence["hit"])
    return next((k for k, w in KIND_WORDS.items() if w == finding.get("label")), None)  # stored before "hit"


def review_rows(findings: Iterable[dict[str, Any]], unit: str, name: str, *, named: str | None = None,
                confirmed_only: bool = True) -> list[dict[str, Any]]:
    """The rows of the notice's 信息审核 part from findings as stored (a site's Evaluation JSON `findings`,
    an account's `content`): typos, wrong titles and order, phrases and agencies, not dismissed; only the
    inspector-confirmed ones with `confirmed_only` (what a notice prints). Each row {单位, 网站, 名称 (how the
    notice names the site or account), 问题, 原文, 应为, 页面, 语句, 日期, 确认, 编号}."""
    rows = []
    for f in findings:
        if f.get("overridden") is not None or (confirmed_only and not f.get("manual")):
            continue
        for e in f.get("evidence") or []:
            kind = _hit_kind(f, e)
            if kind not in REVIEW_KINDS or not e.get("key"):
                continue
            post = e.get("post") or {}
            rows.append({"单位": unit, "网站": name, "名称": named or unit, "问题": KIND_WORDS[kind],
                         "原文": e.get("wrong"), "应为": e.get("correct"), "页面": post.get("url") or e.get("url"),
                         "语句": e.get("sentence"), "日期": (post.get("published_at") or e.get("page_date") or "")[:10],
                         "确认": REVIEW_STATES[bool(f.get("manual"))], "编号": e.get("key")})
    return rows


def information_review(evaluation: Any, unit: str | None = None, *,
                       confirmed_only: bool = False) -> list[dict[str, Any]]:
    """The 信息审核 rows of one evaluated site (a rules Evaluation), confirmed or waiting: `review_rows` on
    its findings."""
    obs = evaluation.obs
    return review_rows([f.as_dict() for f in evaluation.findings], unit or obs.site_name, obs.site_name,
                       confirmed_only=confirmed_only)


def information_review_sentence(rows: list[dict[str, Any]], title: str = REVIEW_TITLE) -> str:
    """One sentence in seed 001's words: 信息审核不严格。部分单位出现了错别字……，如X网站“A”（应为“B”）."""
    if not rows:
        return ""
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_unit[r.get("名称") or r["单位"]].append(r)
    parts = []
    for who, items in by_unit.items():
        unique = list({(r["原文"], r.get("应为")): r for r in items}.values())
        shown = "、".join(f"“{r['原文']}”" + (f"（应为“{r['应为']}”）" if r.get("应为") else "") for r in unique[:3])
        parts.append(f"{who}{shown}" + ("等" if len(unique) > 3 else ""))
    return f"{title}。{REVIEW_SENTENCE}" + "；".join(parts) + "。"
