"""The notice's body (spec §1) as the seeds write it: a few sentences per problem kind, units named once.

二、存在的问题 groups units by the problem's words ("祥符区、禹王台区、鼓楼区等3个网站未公开办事统计数据",
seed 003), counts columns instead of listing them ("州水务局（3个）网站存在长期未更新栏目"), gives each
account one clause ("黔东南民政（政务微博）8月更新6天", seed 002) and leaves the detail to the 附件. The kinds,
their order and their words are the profile's (`notice.kinds`, `notice.problems`); the fixed words are in
config/vocabulary.py.
"""

from __future__ import annotations

import re
from collections import defaultdict

from config.vocabulary import (
    DOC_NUMBER_PLACEHOLDER,
    FIXED,
    NEW_IN_RECHECK,
    REPEATED,
    REVIEW_TITLE,
    STILL_OPEN,
    UNKNOWN_NOTE,
)
from reports.notice_model import AccountLine, Notice, Paragraph, Problem, RecheckItem, chinese_date, notice_word
from rules.checks.content_words import information_review_sentence
from rules.period import NUMERALS
from rules.profile import Profile

COLUMN_KINDS = ("update", "blank")
REVIEW_KIND = "review"  # 信息审核: the confirmed typos, titles and phrases of sites and accounts, units named
MANY = 3  # from this many units on a sentence says "等N个"


def join_names(names: list[str], noun: str = "") -> str:
    """A、B和C; from three on "A、B、C等N个{noun}" (seed 003)."""
    names = list(dict.fromkeys(n for n in names if n))
    if len(names) >= MANY:
        return "、".join(names) + (f"等{len(names)}个{noun}" if noun else "")
    text = "".join(names) if len(names) <= 1 else "、".join(names[:-1]) + "和" + names[-1]
    return text + noun


def _kinds(profile: Profile) -> list[tuple[str, str, str]]:
    return [(k["key"], k["title"], k.get("word") or "") for k in profile.notice.get("kinds") or []]


def _account_name(a: AccountLine) -> str:
    return f"{a.name}（{notice_word(a.platform)}）"


def _is_update(p: Problem) -> bool:
    return p.indicator == "month" or "更新" in p.label


def _account_clause(a: AccountLine, problems: list[Problem]) -> str:
    """One clause per account: its failed months with their posting days, else the problems' words."""
    months = [p.detail for p in problems if p.indicator == "month"]
    words = [p.label for p in problems if p.indicator != "month" and not (months and _is_update(p))]
    return _account_name(a) + "，".join(dict.fromkeys([*months, *words]))


def _site_sentences(n: Notice, key: str, word: str) -> list[str]:
    """The sentences of one problem kind about sites: column kinds count columns per site, others group
    sites by the problem's words."""
    judged = [s for s in n.sites if s.verdict != "unknown"]
    out: list[str] = []
    if key in COLUMN_KINDS:
        counted: list[tuple[str, int]] = []
        for s in judged:
            columns = list(dict.fromkeys(c for p in s.problems if p.kind == key and not p.veto for c in p.columns))
            if columns:
                counted.append((s.unit, len(columns)))
        thing = (word or "问题") + ("" if (word or "").endswith("栏目") else "栏目")
        if len(counted) == 1:
            out.append(f"{counted[0][0]}网站存在{counted[0][1]}个{thing}")
        elif counted:
            out.append(f"{join_names([f'{u}（{c}个）' for u, c in counted], '网站')}存在{thing}")
    words: dict[str, list[str]] = defaultdict(list)  # unit -> its problems of this kind, each unit once
    for s in judged:
        for p in s.problems:
            if p.kind == key and not p.veto and not (key in COLUMN_KINDS and p.columns) \
                    and p.label not in words[s.unit]:
                words[s.unit].append(p.label)
    by_words: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for unit, labels in words.items():
        if labels:
            by_words[tuple(labels)].append(unit)
    for labels, units in by_words.items():
        out.append(f"{join_names(units, '网站')}{'，'.join(labels)}")
    return out


def _rule(profile: Profile, accounts: list[AccountLine]) -> str:
    """The posting rule the failed accounts did not keep (seed 002 quotes it): the monthly indicator's
    when a month failed, else a failed veto's that has its own rule text."""
    ids = {p.indicator for a in accounts for p in a.problems if p.veto}
    months = any(p.indicator == "month" for a in accounts for p in a.problems)
    for ind in profile.media_indicators:
        if ((months and "month" in ind.check) or (ind.id in ids and "month" in ind.check)) and ind.rule:
            return str(ind.rule).rstrip("。")
    return ""


def problem_paragraphs(n: Notice, profile: Profile, attachment_of: dict[str, int]) -> list[Paragraph]:
    out: list[Paragraph] = []
    update_accounts = [a for a in n.accounts if any(_is_update(p) for p in a.problems)]
    other_accounts = [a for a in n.accounts if any(not _is_update(p) and p.kind != REVIEW_KIND for p in a.problems)]
    reviewed = [r for line in [*n.sites, *n.accounts] if line.verdict != "unknown" for r in line.review]
    kinds = _kinds(profile)
    if reviewed and REVIEW_KIND not in [k for k, _, _ in kinds]:
        kinds.append((REVIEW_KIND, REVIEW_TITLE, ""))  # a profile without the kind still prints it
    number = 0
    for key, title, word in kinds:
        if key == REVIEW_KIND:
            if reviewed:
                number += 1
                out.append(Paragraph("text", f"（{NUMERALS[number - 1]}）"
                                             + information_review_sentence(reviewed, title)))
            continue
        sentences = _site_sentences(n, key, word)
        if key == "update" and update_accounts:
            clauses = [_account_clause(a, [p for p in a.problems if _is_update(p)]) for a in update_accounts]
            rule = _rule(profile, update_accounts)
            text = "政务新媒体方面，" + "；".join(clauses)
            text += f"，未能按照“{rule}”的要求进行更新" if rule else ""
            sentences.append(text)
        if not sentences:
            continue
        number += 1
        out.append(Paragraph("text", f"（{NUMERALS[number - 1]}）{title}。" + "；".join(sentences) + "。"))
    if other_accounts:
        number += 1
        clauses = [_account_clause(a, [p for p in a.problems if not _is_update(p) and p.kind != REVIEW_KIND])
                   for a in other_accounts]
        out.append(Paragraph("text", f"（{NUMERALS[number - 1]}）政务新媒体其他问题。" + "；".join(clauses) + "。"))
    vetoed = [(s.unit, list(dict.fromkeys(p.label for p in s.problems if p.veto))) for s in n.sites
              if s.verdict == "fail" and any(p.veto for p in s.problems)]
    if vetoed:
        number += 1
        text = "；".join(f"{unit}网站{'，'.join(labels)}，属于单项否决项，网站不合格" for unit, labels in vetoed)
        out.append(Paragraph("text", f"（{NUMERALS[number - 1]}）单项否决。{text}。"))
    if not out:
        out.append(Paragraph("text", "本次检查未发现网站和政务新媒体存在问题。"))
        return out
    sites = [k for k in ("sites_problems", "sites_list", "sites_counties", "sites_departments") if k in attachment_of]
    accounts = [k for k in ("accounts_failed", "accounts_months", "accounts_posts") if k in attachment_of]
    detail = sorted({attachment_of[k] for k in [*sites[:1], *(sites[1:] if sites and sites[0] == "sites_counties"
                                                               else []), *accounts[:1]]})
    if detail:
        out[-1].text += f"具体问题详见附件{'、'.join(map(str, detail))}。"
    return out


def _who(item: RecheckItem) -> str:
    if item.kind == "account":
        return f"{item.name}（{notice_word(item.ident.split(':', 1)[0])}）"
    return f"{item.unit}网站"


def _together(whos: list[str]) -> str:
    """石桥县网站、岑巩县网站 → 石桥县、岑巩县网站; accounts keep their platform words."""
    if len(whos) > 1 and all(w.endswith("网站") for w in whos):
        return join_names([w[:-2] for w in whos]) + "网站"
    return join_names(whos)


def recheck_paragraphs(n: Notice) -> list[Paragraph]:
    r = n.totals["recheck"]
    first = sorted({x.first_as_of for x in n.recheck if x.first_as_of})
    since = f"{chinese_date(first[0])}检查" if first else "上次检查"
    out = [Paragraph("text", f"对{since}发现的问题，复查（{chinese_date(n.as_of)}）结果为：已整改{r[FIXED]}项，"
                             f"仍未整改{r[STILL_OPEN]}项，复查新发现{r[NEW_IN_RECHECK]}项。")]
    if n.moved:
        units = join_names([u for u, _, _ in n.moved])
        out.append(Paragraph("text", f"{units}网站的首页网址在两次检查之间有变更（" +
                             "；".join(f"{a} 变更为 {b}" for _, a, b in n.moved) +
                             "），复查按网站标识码和栏目名称对照，栏目地址变更不视为整改。"))
    still: dict[str, list[str]] = defaultdict(list)
    for item in n.recheck:
        if item.state == STILL_OPEN:
            still[_who(item)].append(item.problem)
    grouped: dict[tuple[str, ...], list[str]] = defaultdict(list)  # the same problems: the units named together
    for who, problems in still.items():
        grouped[tuple(dict.fromkeys(problems))].append(who)
    if grouped:
        clauses = [f"{_together(whos)}在初查过程中存在{'、'.join(problems)}的问题，复查仍未整改"
                   for problems, whos in grouped.items()]
        out.append(Paragraph("text", "；".join(clauses) + "。"))
    repeated = list(dict.fromkeys(_who(i) for i in n.recheck if i.repeated))
    if repeated:
        out.append(Paragraph("text", f"{join_names(repeated)}的上述问题已在此前多次通报中指出，{REPEATED}，"
                                     "请进一步积极整改。"))
    new: dict[str, list[str]] = defaultdict(list)
    for item in n.recheck:
        if item.state == NEW_IN_RECHECK:
            new[_who(item)].append(item.problem)
    if new:
        out.append(Paragraph("text", "复查新发现：" + "；".join(f"{who}{'、'.join(dict.fromkeys(p))}"
                                                           for who, p in new.items()) + "。"))
    failing = {f"{s.unit}网站" for s in n.sites if s.verdict == "fail"}
    failing |= {f"{a.name}（{notice_word(a.platform)}）" for a in n.accounts if a.verdict == "fail"}
    fixed = [w for w in dict.fromkeys(_who(i) for i in n.recheck if i.state == FIXED)
             if w not in still and w not in new and w not in failing]
    if fixed:
        out.append(Paragraph("text", f"{join_names(fixed)}已按要求完成整改。"))
    return out


def _site_sentence(n: Notice) -> str:
    s = n.totals["sites"]
    region = n.words.region
    text = f"{region}正在运行的政府网站共{s['total']}个，其中合格{s['pass']}个，不合格{s['fail']}个，"
    if s["unknown"]:
        text += f"无法核验{s['unknown']}个，"
        text += (f"按已核验的{s['judged']}个计，合格率为{s['pass_rate']}。" if s["judged"]
                 else "没有可计算合格率的网站。")
    else:
        text += f"合格率为{s['pass_rate']}。"
    failed = [x.unit for x in n.sites if x.verdict == "fail"]
    if failed:
        text += f"{join_names(failed)}网站不合格。"
    unknown = [x.unit for x in n.sites if x.verdict == "unknown"]
    if unknown:
        text += "、".join(unknown) + f"网站{UNKNOWN_NOTE}（未计入合格、不合格）。"
    return text


def _account_sentence(n: Notice) -> str:
    a = n.totals["accounts"]
    if a["fail"] == 0 and a["unknown"] == 0:
        return f"本次检查政务新媒体{a['total']}个，全部合格，合格率为{a['pass_rate']}。"
    text = f"本次检查政务新媒体{a['total']}个，合格{a['pass']}个，不合格{a['fail']}个"
    if a["unknown"]:
        text += f"，无法核验{a['unknown']}个"
        text += (f"，按已核验的{a['judged']}个计，合格率为{a['pass_rate']}。" if a["judged"]
                 else "，没有可计算合格率的账号。")
    else:
        text += f"，合格率为{a['pass_rate']}。"
    failed = [f"{x.name}({notice_word(x.platform)})" for x in n.accounts if x.verdict == "fail"]
    if failed:
        text += "不合格的政务新媒体分别是：" + "、".join(failed) + "。"
    unknown = [f"{x.name}({notice_word(x.platform)})" for x in n.accounts if x.verdict == "unknown"]
    if unknown:
        text += "、".join(unknown) + f"{UNKNOWN_NOTE}（未计入合格、不合格）。"
    notes: dict[str, list[str]] = defaultdict(list)
    for x in n.accounts:
        if x.window_note:
            notes[x.window_note].append(f"{x.name}({notice_word(x.platform)})")
    for note, names in notes.items():
        who = f"全部{len(names)}个账号" if len(names) == len(n.accounts) and len(names) > 1 else "、".join(names)
        text += f"{who}{note}。"
    return text


def _count_by_group(n: Notice) -> str:
    parts = []
    site_groups: dict[str, int] = defaultdict(int)
    for s in n.sites:
        site_groups[s.group or "其他"] += 1
    if len(site_groups) > 1:
        parts.append("，".join(f"{g}政府网站{c}个" for g, c in site_groups.items()))
    acc_groups: dict[str, list[AccountLine]] = defaultdict(list)
    for a in n.accounts:
        acc_groups[a.group or "其他"].append(a)
    if len(acc_groups) > 1:
        parts.append("，".join(
            f"{g}{'、'.join(dict.fromkeys(notice_word(x.platform) for x in lines))}{len(lines)}个"
            for g, lines in acc_groups.items()))
    return "；".join(parts)


def body_paragraphs(n: Notice, profile: Profile, recipients: str) -> list[Paragraph]:
    w, t = n.words, n.totals
    body = [Paragraph("doc_number", w.doc_number or DOC_NUMBER_PLACEHOLDER), Paragraph("title", n.title)]
    if recipients:
        body.append(Paragraph("recipients", recipients))
    basis = "、".join(profile.notice.get("basis") or [profile.title])
    checked = sorted({x.as_of for x in [*n.sites, *n.accounts] if x.as_of})
    when = ""
    if checked:
        first, last = checked[0], checked[-1]
        when = f"于{chinese_date(first)}" if first == last else \
            f"于{chinese_date(first)}至{last.month}月{last.day}日" if first.year == last.year else \
            f"于{chinese_date(first)}至{chinese_date(last)}"
    body.append(Paragraph("text", f"按照{basis}等文件要求，{w.office or ''}{when}对{w.region}政府网站与政务新媒体"
                                  f"{n.period.words}运行情况进行了检查，现将有关情况通报如下："))
    body.append(Paragraph("heading", "一、总体情况"))
    s, a = t["sites"], t["accounts"]
    things = [f"{s['total']}个政府网站"] * bool(s["total"]) + [f"{a['total']}个政务新媒体"] * bool(a["total"])
    scope = f"此次检查范围为：{w.region}纳入监管的{'、'.join(things) or '0个政府网站'}，"
    scope += f"统计时间：{chinese_date(n.period.first)}—{chinese_date(n.period.last)}。"
    body.append(Paragraph("text", scope))
    groups = _count_by_group(n)
    if groups:
        body.append(Paragraph("text", f"其中：{groups}。"))
    part = 0
    if s["total"]:
        part += 1
        body.append(Paragraph("text", f"（{NUMERALS[part - 1]}）政府网站方面：" + _site_sentence(n)))
    if a["total"]:
        part += 1
        body.append(Paragraph("text", f"（{NUMERALS[part - 1]}）政务新媒体方面：" + _account_sentence(n)))
    pub = t["published"]
    if pub["sites"] or pub["accounts"]:
        part += 1
        said = [f"各网站共公开各类信息{pub['sites']}条"] * bool(pub["sites"])
        said += [f"{a['total']}个政务新媒体共计公开各类信息{pub['accounts']}条"] * bool(a["total"])
        body.append(Paragraph("text", f"（{NUMERALS[part - 1]}）信息发布情况：{n.period.words}，{'；'.join(said)}。"))

    attachment_of: dict[str, int] = {}
    for i, tbl in enumerate(n.tables, 1):
        attachment_of.setdefault(re.sub(r"_\d+$", "", tbl.key), i)
    body.append(Paragraph("heading", "二、存在的问题"))
    body += problem_paragraphs(n, profile, attachment_of)
    section = 2
    if n.compared_with:
        section += 1
        body.append(Paragraph("heading", f"{NUMERALS[section - 1]}、问题整改情况"))
        body += recheck_paragraphs(n)
    if w.requirements or w.deadline:
        section += 1
        body.append(Paragraph("heading", f"{NUMERALS[section - 1]}、下一步要求"))
        for text in re.split(r"\n\s*\n", w.requirements.strip()) if w.requirements.strip() else []:
            body.append(Paragraph("text", " ".join(text.split())))
        if w.deadline:
            to = f"报{w.office}" if w.office else "报送"
            body.append(Paragraph("text", f"请存在问题的单位于{chinese_date(w.deadline)}前完成整改，"
                                          f"并将整改情况{to}。"))
    if n.tables:
        lines = [f"{i}.{tbl.title}" for i, tbl in enumerate(n.tables, 1)]
        body.append(Paragraph("attachments", "附件：" + "\n".join(lines)))
    if w.office:
        body.append(Paragraph("signature", w.office))
    body.append(Paragraph("date", chinese_date(w.signed or n.as_of)))
    if w.contact:
        body.append(Paragraph("contact", w.contact))
    return body
