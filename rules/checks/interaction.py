"""互动交流: W-V5 (no consultation channel; letters unanswered over 3 months), W-D10 (replies kept up,
letters and their times shown, statistics published), W-D11 (征集调查), and the entries a region
requires (信箱, 调查征集, 在线信访 ...).

Records (crawler/observers/interaction.py): "channel" (a link to a channel, with its types),
"message_board" (a consultation board read), "board_page", "message" (one public letter: asked,
replied, status) and "survey_column".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rules.findings import (
    DEAD_OUTCOMES,
    Finding,
    add_window,
    describe_window,
    link_results,
    link_unread,
    not_observed,
    observed,
    parse_day,
    reported,
    unread_reason,
    window_start,
)
from rules.observations import SiteObs
from rules.profile import Indicator, Profile

OBSERVER = "interaction"



def channels(obs: SiteObs, kind: str) -> list[dict]:
    return [c for c in obs.of_kind("channel") if kind in (c.get("types") or [])]


def effective_consult_channels(obs: SiteObs) -> tuple[list[dict], list[dict]]:
    """Consultation channels whose link works (or could not be read: no proof it is dead), and those
    whose page was read and is gone (404, soft 404)."""
    good, dead, unread = consult_channels_by_state(obs)
    return good + [c for c, _ in unread], dead


def consult_channels_by_state(obs: SiteObs) -> tuple[list[dict], list[dict], list[tuple[dict, str]]]:
    """(working, gone, could not be read with the reason) consultation channels."""
    results = link_results(obs)
    good, dead, unread = [], [], []
    for c in channels(obs, "consult"):
        result = results.get(c["url"])
        if result is not None and link_unread(result):
            unread.append((c, unread_reason(result)))
        elif result is None or result.outcome not in DEAD_OUTCOMES:
            good.append(c)
        else:
            dead.append(c)
    return good, dead, unread


def consult_boards(obs: SiteObs) -> list[dict]:
    return [b for b in obs.of_kind("message_board") if "consult" in (b.get("types") or [])]


def consult_letters(obs: SiteObs) -> list[dict]:
    boards = {b["url"] for b in consult_boards(obs)}
    return [m for m in obs.of_kind("message") if m.get("board") in boards]


def _channel_evidence(c: dict, **extra: Any) -> dict[str, Any]:
    return {"name": c.get("name"), "url": c.get("url"), "found_on": c.get("found_on"), "types": c.get("types"),
            **extra}


def _letter_evidence(m: dict, **extra: Any) -> dict[str, Any]:
    return {"title": m.get("title"), "url": m.get("url"), "board": m.get("board"), "asked": m.get("asked"),
            "replied": m.get("replied"), "status": m.get("status"), **extra}


def consultation(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-V5 互动回应差: (1) no working consultation channel (信访 and 纪检 do not count); (2) a valid
    letter asked in the year before T0 that waited more than 3 months for an answer."""
    if not observed(obs, OBSERVER):
        return not_observed(ind.id, ind.title, "互动交流")
    findings: list[Finding] = []
    good, dead, unread = consult_channels_by_state(obs)
    if reported(ind, "1"):
        if not good and unread:
            evidence = [_channel_evidence(c, counted=None, why=f"页面未能读取：{why}") for c, why in unread]
            evidence += [_channel_evidence(c, counted=False, why="链接打不开") for c in dead]
            names = "、".join(str(c.get("name") or c.get("url")) for c, _ in unread)
            findings.append(Finding(ind.id, ind.title, "insufficient",
                                    f"咨询建言渠道（{names}）的页面未能读取（{unread[0][1]}），无法核验是否有效",
                                    evidence, trigger="1"))
        elif not good:
            others = [c for c in obs.of_kind("channel") if "consult" not in (c.get("types") or [])]
            evidence = [{"url": obs.home_url, "searched": "首页及互动交流栏目"}]
            evidence += [_channel_evidence(c, counted=False, why="链接打不开") for c in dead]
            evidence += [_channel_evidence(c, counted=False, why="信访、纪检等专门渠道不计") for c in others
                         if {"petition", "discipline"} & set(c.get("types") or [])]
            findings.append(Finding(ind.id, ind.title, ind.kind, "未提供网上有效咨询建言渠道", evidence,
                                    trigger="1", subjects=["consult:none"]))
        else:
            findings.append(Finding(ind.id, ind.title, "ok", f"咨询建言渠道{len(good)}个",
                                    [_channel_evidence(c) for c in good], trigger="1"))
    if reported(ind, "2") and good:
        within = ind.params.get("answer_within", {"months": 3})
        lookback = ind.params.get("lookback", {"years": 1})
        since = window_start(as_of, lookback)
        late, unknown, checked = [], [], 0
        for m in consult_letters(obs):
            asked, replied = parse_day(m.get("asked")), parse_day(m.get("replied"))
            if asked is None or asked < since or asked > as_of:
                continue
            checked += 1
            deadline = add_window(asked, within)
            if replied is not None:
                if replied > deadline:
                    late.append(_letter_evidence(m, waited_days=(replied - asked).days))
            elif m.get("status") == "answered":
                unknown.append(_letter_evidence(m))
            elif as_of > deadline:
                late.append(_letter_evidence(m, waited_days=(as_of - asked).days, unanswered=True))
        span = describe_window(within)
        boards = consult_boards(obs)
        partial = [b["url"] for b in boards if (b.get("pages_total") or 1) > (b.get("pages_read") or 1)]
        if late:
            findings.append(Finding(
                ind.id, ind.title, ind.kind,
                f"监测时间点前{describe_window(lookback)}内有{len(late)}封留言超过{span}未回应",
                late, trigger="2", subjects=[m["url"] or m["title"] for m in late], count=len(late)))
        elif not boards:
            findings.append(Finding(ind.id, ind.title, "not_testable", "未能读取公开的留言列表，无法核验答复时限",
                                    [_channel_evidence(c) for c in good], trigger="2"))
        else:
            note = f"；{len(unknown)}封已答复但未公开答复时间" if unknown else ""
            note += f"；留言列表只读了部分页面：{'、'.join(partial)}" if partial else ""
            findings.append(Finding(ind.id, ind.title, "ok", f"近一年{checked}封留言均在{span}内回应{note}",
                                    unknown, trigger="2"))
    return findings


def reply_timeliness(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-D10 留言办理: the newest published reply is older than the window (2 months)."""
    if not observed(obs, OBSERVER):
        return not_observed(ind.id, ind.title, "互动交流")
    letters = consult_letters(obs)
    if not letters:
        return [Finding(ind.id, ind.title, "not_testable", "没有公开的留言，无法核验答复是否及时", [])]
    window = ind.params.get("window", {"months": 2})
    since = window_start(as_of, window)
    replies = [d for d in (parse_day(m.get("replied")) for m in letters) if d is not None and d <= as_of]
    if not replies:
        if any(m.get("status") == "answered" for m in letters):
            return [Finding(ind.id, ind.title, "not_testable", "留言已答复但未公开答复时间，无法核验", [])]
        return [Finding(ind.id, ind.title, ind.kind, "公开的留言均未答复",
                        [_letter_evidence(m) for m in letters[:10]], subjects=["replies"])]
    newest = max(replies)
    if newest < since:
        return [Finding(ind.id, ind.title, ind.kind,
                        f"最新答复日期为{newest.isoformat()}，监测时间点前{describe_window(window)}内未更新留言答复",
                        [{"newest_reply": newest.isoformat(), "since": since.isoformat()}], subjects=["replies"])]
    return [Finding(ind.id, ind.title, "ok", f"最新答复日期为{newest.isoformat()}",
                    [{"newest_reply": newest.isoformat(), "letters": len(letters)}])]


def letters_public(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-D10 公开: letters shown (历史信件展示), their ask and reply times shown, statistics (信件统计)
    published. Judged only where a consultation channel exists (else W-V5 (1) says it all)."""
    if not observed(obs, OBSERVER):
        return not_observed(ind.id, ind.title, "互动交流")
    good, _ = effective_consult_channels(obs)
    if not good:
        return []
    boards = consult_boards(obs)
    read = [b for b in boards if not b.get("error")]
    letters = consult_letters(obs)
    findings: list[Finding] = []
    if reported(ind, "display"):
        if not read:
            findings.append(Finding(ind.id, ind.title, "not_testable",
                                    "咨询渠道在站外或未能读取，无法核验信件是否公开展示",
                                    [_channel_evidence(c) for c in good], trigger="display"))
        elif not letters:
            findings.append(Finding(ind.id, ind.title, ind.kind, "咨询建言渠道未公开展示历史信件",
                                    [{"board": b.get("name"), "url": b["url"]} for b in read], trigger="display",
                                    subjects=["letters:display"]))
        else:
            findings.append(Finding(ind.id, ind.title, "ok", f"公开信件{len(letters)}封",
                                    [{"board": b.get("name"), "url": b["url"]} for b in read], trigger="display"))
    if reported(ind, "times") and letters:
        no_ask = [m for m in letters if not m.get("asked")]
        no_reply = [m for m in letters if m.get("status") == "answered" and not m.get("replied")]
        if no_ask or no_reply:
            findings.append(Finding(ind.id, ind.title, ind.kind,
                                    f"{len(no_ask)}封信件未公开留言时间，{len(no_reply)}封已答复信件未公开答复时间",
                                    [_letter_evidence(m) for m in (no_ask + no_reply)[:20]], trigger="times",
                                    subjects=["letters:times"]))
    if reported(ind, "statistics") and read:
        stats = [b for b in read if b.get("statistics")] + [c for c in obs.of_kind("channel")
                                                           if "statistics" in (c.get("types") or [])]
        if stats:
            findings.append(Finding(ind.id, ind.title, "ok", "公开了信件统计",
                                    [{"url": s["url"], "text": s.get("statistics_text") or s.get("name")}
                                     for s in stats], trigger="statistics"))
        else:
            findings.append(Finding(ind.id, ind.title, ind.kind, "未公开信件统计（留言受理反馈情况统计数据）",
                                    [{"board": b.get("name"), "url": b["url"]} for b in read], trigger="statistics",
                                    subjects=["letters:statistics"]))
    return findings


def surveys(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """W-D11 征集调查: a consultation/survey column exists and is kept up (window in the profile)."""
    if not observed(obs, OBSERVER):
        return not_observed(ind.id, ind.title, "互动交流")
    window = ind.params.get("window", {"months": 6})
    since = window_start(as_of, window)
    cols = obs.of_kind("survey_column")
    links = channels(obs, "survey")
    findings: list[Finding] = []
    if not cols and not links:
        if reported(ind, "missing"):
            findings.append(Finding(ind.id, ind.title, ind.kind, "未提供意见征集、调查栏目",
                                    [{"url": obs.home_url, "searched": "首页及互动交流栏目"}], trigger="missing",
                                    subjects=["survey:missing"]))
        return findings
    stale = []
    for c in cols:
        latest = parse_day(c.get("latest_date"))
        if c.get("error"):
            continue
        if c.get("blank") or latest is None or latest < since:
            stale.append({"name": c.get("name"), "url": c["url"], "latest_date": c.get("latest_date"),
                          "blank": bool(c.get("blank"))})
    if stale and reported(ind, "stale"):
        findings.append(Finding(ind.id, ind.title, ind.kind,
                                "、".join(s["name"] or s["url"] for s in stale)
                                + f"监测时间点前{describe_window(window)}内未更新", stale, trigger="stale",
                                subjects=[s["url"] for s in stale], count=len(stale)))
    if not stale:
        findings.append(Finding(ind.id, ind.title, "ok", f"意见征集、调查栏目{len(cols) or len(links)}个",
                                [{"name": c.get("name"), "url": c["url"], "latest_date": c.get("latest_date")}
                                 for c in cols] or [_channel_evidence(c) for c in links]))
    return findings


def entry_types(obs: SiteObs) -> dict[str, list[dict]]:
    """Which kinds of entry the site offers: channel types, service entries (hall ...), survey columns."""
    found: dict[str, list[dict]] = {}
    for c in obs.of_kind("channel"):
        for t in c.get("types") or []:
            found.setdefault(t, []).append(c)
    for e in obs.of_kind("service_entry"):
        found.setdefault(e.get("kind", "entry"), []).append(e)
    for s in obs.of_kind("survey_column"):
        found.setdefault("survey", []).append(s)
    return found


def entries_present(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    """Entries a region requires, one occurrence for each one missing, e.g. 河南 "信箱、调查征集".
    params.required: [{type: mailbox, name: 信箱, requires: consult}, ...]; `requires` skips the entry
    where the site has no entry of that other type (no mailbox is not counted where there is no
    consultation channel at all: W-V5 (1) covers that)."""
    needed = [r for r in ind.params.get("required", [])]
    observers = {r.get("observer", OBSERVER) for r in needed}
    if not all(observed(obs, o) for o in observers):
        return not_observed(ind.id, ind.title, "、".join(sorted(observers)))
    found = entry_types(obs)
    missing, present = [], []
    for r in needed:
        if r.get("requires") and not found.get(r["requires"]):
            continue
        if found.get(r["type"]):
            present.append({"type": r["type"], "name": r.get("name"),
                            "urls": [e.get("url") for e in found[r["type"]]][:5]})
        else:
            missing.append(r)
    if not missing:
        return [Finding(ind.id, ind.title, "ok", "、".join(p["name"] or p["type"] for p in present) + "均已提供",
                        present)]
    return [Finding(ind.id, ind.title, ind.kind, "未提供" + "、".join(r.get("name") or r["type"] for r in missing),
                    [{"type": r["type"], "name": r.get("name"), "url": obs.home_url} for r in missing],
                    trigger="missing", subjects=[f"entry:{r['type']}" for r in missing], count=len(missing))]


CHECKS = {
    "consultation": consultation,
    "reply_timeliness": reply_timeliness,
    "letters_public": letters_public,
    "surveys": surveys,
    "entries_present": entries_present,
}
