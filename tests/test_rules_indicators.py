"""The indicator checks beyond the column vetoes, on hand-made observations: availability probes
(W-V2), consultation (W-V5), services (W-V6, W-D9), identity, IPv6, the home page layout; and the
profiles' inheritance."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from rules.engine import evaluate, validate_profile
from rules.observations import ProbeObs, SiteObs
from rules.profile import ProfileError, available_profiles, load_profile

T0 = date(2023, 11, 20)
NATIONAL = load_profile("national-2019")
HENAN = load_profile("henan")
HOME = "http://www.x.gov.cn/"
OBSERVERS = [{"url": HOME, "name": n} for n in ("interaction", "services", "publishing")]


def compliant() -> dict:
    """A consultation channel with letters answered in time, a service entry, 办事统计 kept up."""
    board = HOME + "xx/"
    return {
        "observer": OBSERVERS,
        "channel": [{"url": board, "found_on": HOME, "name": "县长信箱", "types": ["consult", "mailbox"]}],
        "message_board": [{"url": board, "found_on": HOME, "name": "县长信箱", "types": ["consult", "mailbox"],
                           "letters": 1, "statistics": True}],
        "message": [{"url": board + "1.html", "found_on": board, "board": board, "title": "来信",
                     "asked": (T0 - timedelta(days=9)).isoformat(), "replied": (T0 - timedelta(days=3)).isoformat(),
                     "status": "answered"}],
        "service_entry": [{"url": HOME + "bs/", "found_on": HOME, "name": "办事服务", "kind": "link"}],
        "service_stats": [{"url": HOME + "tj/", "found_on": HOME, "latest_date": (T0 - timedelta(days=30)).isoformat()}],
    }


def site(records: dict | None = None, **kw) -> SiteObs:
    base = SiteObs(HOME, "测试县人民政府", "4107000001", 1, "ok", None, T0, HOME, T0 - timedelta(days=1), (), (),
                   {}, {**compliant(), **(records or {})})
    return replace(base, **kw)


def status(ev, indicator: str) -> str:
    return ev.indicator(indicator).status


# -- W-V2 availability ----------------------------------------------------------------------------------


def probes(per_day: int = 24, failures: int = 0, days: int = 7, ok_ms: float = 800.0) -> tuple[ProbeObs, ...]:
    """`per_day` probes on each of the `days` days before T0 (Beijing time), the first `failures` failing."""
    out = []
    n = 0
    for d in range(1, days + 1):
        start = datetime.combine(T0 - timedelta(days=d), datetime.min.time()) - timedelta(hours=8)  # 00:00 +08:00
        for k in range(per_day):
            at = start + timedelta(minutes=k * (1440 // per_day) + 5)
            bad = n < failures
            out.append(ProbeObs(at, not bad, None if bad else 200, 15000.0 if bad else ok_ms,
                                "timeout" if bad else None, "no complete answer within 15 s" if bad else None))
            n += 1
    return tuple(out)


def test_a_week_of_probes_without_failures_passes() -> None:
    ev = evaluate(site(probes=probes()), T0, NATIONAL)
    assert status(ev, "W-V2") == "pass" and "168次" in ev.indicator("W-V2").findings[0].detail


@pytest.mark.parametrize(("failures", "vetoed"), [(6, False), (7, True), (20, True)])
def test_five_percent_of_failures_is_a_veto_inclusive(failures: int, vetoed: bool) -> None:
    ev = evaluate(site(probes=probes(per_day=20, failures=failures)), T0, NATIONAL)  # 7 of 140 is exactly 5%
    assert (status(ev, "W-V2") == "fail") is vetoed
    assert ev.verdict == ("fail" if vetoed else "pass")


def test_fifteen_seconds_is_not_opened_even_when_the_page_arrived() -> None:
    slow = tuple(replace(p, elapsed_ms=15000.0) if n < 7 else p for n, p in enumerate(probes(per_day=20)))
    assert status(evaluate(site(probes=slow), T0, NATIONAL), "W-V2") == "fail"
    almost = tuple(replace(p, elapsed_ms=14999.0) if n < 7 else p for n, p in enumerate(probes(per_day=20)))
    assert status(evaluate(site(probes=almost), T0, NATIONAL), "W-V2") == "pass"


def test_too_few_probes_is_insufficient_evidence_not_a_pass_nor_a_veto() -> None:
    short = probes(per_day=20)[1:]  # one day with 19
    ev = evaluate(site(probes=short), T0, NATIONAL)
    assert status(ev, "W-V2") == "insufficient" and ev.verdict == "pass"
    assert "证据不足" in ev.indicator("W-V2").findings[0].detail
    failing = probes(per_day=19, failures=60)
    assert status(evaluate(site(probes=failing), T0, NATIONAL), "W-V2") == "insufficient"
    assert status(evaluate(site(), T0, NATIONAL), "W-V2") == "insufficient"


def test_probes_outside_the_week_before_t0_do_not_count() -> None:
    week = probes(per_day=20)
    on_t0 = tuple(replace(p, probed_at=p.probed_at + timedelta(days=7)) for p in probes(per_day=20, failures=140,
                                                                                          days=1))
    assert status(evaluate(site(probes=week + on_t0), T0, NATIONAL), "W-V2") == "pass"


def test_availability_is_judged_even_when_the_crawl_failed(db_url) -> None:
    from sqlalchemy import select

    from rules.observations import observations
    from storage.db import Database
    from storage.models import Probe, Site

    db = Database(db_url)
    try:
        with db.session() as session:
            row = Site(url=HOME, name="测试县人民政府", code="4107000001", registered=True, created_at=datetime(2023, 1, 1))
            session.add(row)
            session.flush()
            session.add_all(Probe(site_id=row.id, url=HOME, probed_at=p.probed_at, ok=p.ok, status=p.status,
                                  elapsed_ms=p.elapsed_ms, error_class=p.error_class, error=p.error)
                            for p in probes(per_day=20, failures=14))
        with db.session() as session:
            found = session.scalars(select(Site)).one()
            obs = observations(found, None, session)
        ev = evaluate(obs, T0, NATIONAL)  # read after the session closed: probes come on demand
        assert ev.verdict == "unknown" and status(ev, "W-V2") == "fail"
        assert "10.0%" in ev.indicator("W-V2").findings[0].detail
    finally:
        db.dispose()


# -- W-V5 consultation ----------------------------------------------------------------------------------


def letters(*pairs: tuple[int, int | None]) -> list[dict]:
    board = HOME + "xx/"
    return [{"url": f"{board}{n}.html", "found_on": board, "board": board, "title": f"来信{n}",
             "asked": (T0 - timedelta(days=a)).isoformat(),
             "replied": None if r is None else (T0 - timedelta(days=r)).isoformat(),
             "status": "pending" if r is None else "answered"} for n, (a, r) in enumerate(pairs)]


def board_records(msgs: list[dict], types=("consult", "mailbox")) -> dict:
    board = HOME + "xx/"
    return {"channel": [{"url": board, "found_on": HOME, "name": "县长信箱", "types": list(types)}],
            "message_board": [{"url": board, "found_on": HOME, "name": "县长信箱", "types": list(types),
                               "letters": len(msgs), "statistics": True}],
            "message": msgs}


def test_no_consultation_channel_is_a_veto_and_petition_lines_do_not_count() -> None:
    petition = {"channel": [{"url": HOME + "xf/", "found_on": HOME, "name": "网上信访", "types": ["petition"]}],
                "message_board": [], "message": []}
    ev = evaluate(site(petition), T0, NATIONAL)
    [veto] = ev.vetoes
    assert veto.indicator == "W-V5" and veto.trigger == "1" and ev.problems == "未提供有效咨询建言渠道(单否)"
    assert any(e.get("why", "").startswith("信访") for e in veto.evidence)
    assert evaluate(site(petition), T0, HENAN).problems.startswith("没有咨询建言(单否)")


def test_a_dead_consultation_link_is_no_channel() -> None:
    from rules.observations import LinkObs

    recs = board_records(letters((5, 2)))
    dead = (LinkObs(HOME + "xx/", HOME, 404, "broken", "HTTP 404"),)
    assert status(evaluate(site(recs), T0, NATIONAL), "W-V5") == "pass"
    assert status(evaluate(site(recs, links=dead), T0, NATIONAL), "W-V5") == "fail"


@pytest.mark.parametrize(("pairs", "vetoed"), [
    (((30, 10), (100, 20)), False),
    (((200, 80),), True),  # answered after 120 days
    (((120, None),), True),  # still unanswered after 4 months
    (((80, None),), False),  # unanswered, but not yet 3 months
    (((400, 100),), False),  # answered late, but asked over a year before T0
    (((92, None),), False),  # 2023-08-20: three months end on T0 itself, not over
    (((93, None),), True),
])
def test_letters_unanswered_over_three_months_in_the_year_before_t0(pairs, vetoed: bool) -> None:
    ev = evaluate(site(board_records(letters(*pairs))), T0, NATIONAL)
    assert (status(ev, "W-V5") == "fail") is vetoed, pairs


def test_reply_timeliness_and_letters_shown() -> None:
    stale = site(board_records(letters((100, 70), (120, 90))))
    ev = evaluate(stale, T0, NATIONAL)
    assert status(ev, "W-D10") == "deducted" and ev.score == 97  # a portal: "2个月内未更新留言答复" −3
    hidden = site(board_records([]))
    ev = evaluate(hidden, T0, NATIONAL)
    assert status(ev, "W-D10") == "not_testable" and status(ev, "W-D10-PUB") == "problem"
    assert evaluate(hidden, T0, HENAN).problems.startswith("历史信件展示、统计-3")


# -- services -----------------------------------------------------------------------------------------


def portal(url: str, status_code: int | None = 200, final: str | None = None) -> dict:
    return {"url": url, "found_on": HOME, "name": "政务服务网", "status": status_code,
            "final_url": final or (url if status_code else None),
            "error": None if status_code and status_code < 400 else "connection refused"}


def test_service_links_right_wrong_missing_broken() -> None:
    def judged(links, profile=HENAN):
        ev = evaluate(site({"portal_link": links}), T0, profile)
        return {k: status(ev, k) for k in ("W-D9-MISSING", "W-D9-WRONG", "W-D9-BROKEN")}

    assert judged([portal("https://www.hnzwfw.gov.cn/")]) == dict.fromkeys(
        ("W-D9-MISSING", "W-D9-WRONG", "W-D9-BROKEN"), "pass")
    assert judged([portal("https://xx.hnzwfw.gov.cn/ztzl/")])["W-D9-WRONG"] == "pass"  # a city branch
    assert judged([portal("https://www.gjzwfw.gov.cn/")])["W-D9-WRONG"] == "pass"  # the national platform
    assert judged([])["W-D9-MISSING"] == "deducted"
    assert judged([portal("http://www.xx.gov.cn/bsfw/")])["W-D9-WRONG"] == "deducted"
    redirected = portal("http://www.xx.gov.cn/go?to=zwfw", final="https://www.hnzwfw.gov.cn/")
    assert judged([redirected])["W-D9-WRONG"] == "pass"
    assert judged([portal("https://www.hnzwfw.gov.cn/", None)])["W-D9-BROKEN"] == "deducted"
    unknown = replace(site({"portal_link": [portal("https://www.hnzwfw.gov.cn/")]}), site_code=None)
    ev = evaluate(unknown, T0, NATIONAL)  # national has no `province`: which platform is right is unknown
    assert status(ev, "W-D9") == "not_testable" and "未配置省份" in ev.indicator("W-D9").findings[0].detail


def test_no_service_and_incomplete_guides() -> None:
    ev = evaluate(site({"service_entry": []}), T0, NATIONAL)
    assert status(ev, "W-V6") == "fail" and ev.problems == "未提供办事服务(单否)"
    guides = [{"url": f"{HOME}bs/{n}.html", "title": f"事项{n}办事指南", "guide_words": True, "list_like": False,
               "present": ["事项名称"], "missing": ["设定依据", "申请条件", "办理材料", "办理地点"]} for n in range(5)]
    entry = [{"url": HOME + "bs/", "found_on": HOME, "name": "办事服务", "kind": "link"}]
    ev = evaluate(site({"service_entry": entry, "service_guide": guides}), T0, NATIONAL)
    assert status(ev, "W-V6") == "fail" and ev.vetoes[0].trigger == "2"
    ev = evaluate(site({"service_entry": entry, "service_guide": guides[:4]}), T0, NATIONAL)
    assert status(ev, "W-V6") == "problem" and ev.verdict == "pass"  # four: under the (UNCONFIRMED) line of five
    listing = [{**g, "guide_words": False, "present": []} for g in guides]  # pages that are not guides
    assert status(evaluate(site({"service_entry": entry, "service_guide": listing}), T0, NATIONAL), "W-V6") == "pass"


# -- identity, IPv6, layout ------------------------------------------------------------------------------


def test_identity_marks_and_domain() -> None:
    good = {"footer": [{"url": HOME, "site_code": "4107000001", "icp": "豫ICP备1号", "police": "豫公网安备 1号",
                        "party_mark": True}],
            "domain": [{"url": HOME, "host": "www.x.gov.cn", "ip_literal": False, "declared": None}]}
    assert status(evaluate(site(good), T0, NATIONAL), "W-D14") == "pass"
    wrong = {"footer": [{**good["footer"][0], "site_code": "4107000009", "party_mark": False}],
             "domain": [{"url": HOME, "host": "www.x.com", "ip_literal": False}]}
    ev = evaluate(site(wrong), T0, NATIONAL)
    finding = ev.indicator("W-D14").findings[0]
    assert status(ev, "W-D14") == "problem" and finding.count == 3
    assert "www.x.com" in finding.detail and "4107000009" in finding.detail and "党政机关" in finding.detail
    by_ip = {**good, "domain": [{"url": HOME, "host": "10.1.1.1:8080", "ip_literal": True, "declared": "www.x.gov.cn"}]}
    ev = evaluate(site(by_ip), T0, NATIONAL)
    assert status(ev, "W-D14") == "pass" and "IP地址" in ev.indicator("W-D14").findings[0].detail


@pytest.mark.parametrize(("record", "expected"), [
    ({"lookup": "skipped", "reason": "网站以IPv4地址访问"}, "not_testable"),
    ({"lookup": "error", "reason": "AAAA查询失败"}, "not_testable"),
    ({"lookup": "none"}, "problem"),
    ({"lookup": "found", "aaaa": ["240e::1"], "fetch": "not_testable", "reason": "本机没有IPv6网络"}, "not_testable"),
    ({"lookup": "found", "aaaa": ["240e::1"], "fetch": "failed", "reason": "timed out"}, "problem"),
    ({"lookup": "found", "aaaa": ["240e::1"], "fetch": "ok", "status": 200}, "pass"),
])
def test_ipv6_says_not_testable_honestly(record: dict, expected: str) -> None:
    ev = evaluate(site({"ipv6": [{"url": HOME, "host": "www.x.gov.cn", **record}]}), T0, NATIONAL)
    assert status(ev, "W-D16") == expected


def layout(share: float = 0.02, overflow: int = 0, broken: int = 0) -> dict:
    return {"layout": [{"url": HOME, "found_on": None, "viewport": [1280, 800],
                        "floating": [{"selector": "div#piao", "share": share}], "max_floating_share": share,
                        "horizontal_overflow_px": overflow, "broken_images": [f"{HOME}{n}.jpg" for n in range(broken)]}]}


@pytest.mark.parametrize(("measured", "problem"), [
    (layout(), None),
    (layout(share=0.149), None),
    (layout(share=0.15), "飘窗过大"),
    (layout(share=0.3), "飘窗过大"),
    (layout(overflow=39), None),
    (layout(overflow=40), "错位"),
    (layout(broken=2), None),
    (layout(broken=3), "多处空白"),
])
def test_home_layout_national_observation_henan_veto(measured: dict, problem: str | None) -> None:
    national = evaluate(site(measured), T0, NATIONAL)
    henan = evaluate(site(measured), T0, HENAN)
    if problem is None:
        assert status(national, "HOME-LAYOUT") == status(henan, "HOME-LAYOUT") == "pass"
        return
    assert status(national, "HOME-LAYOUT") == "problem" and national.verdict == "pass"
    assert status(henan, "HOME-LAYOUT") == "fail" and henan.verdict == "fail"
    assert henan.problems.startswith("首页布局混乱(单否)") and problem in henan.vetoes[0].detail


def test_home_layout_thresholds_come_from_the_profile(tmp_path) -> None:
    strict = tmp_path / "strict.yaml"
    strict.write_text("id: strict\nextends: henan\nindicators:\n  - id: HOME-LAYOUT\n"
                      "    params: {max_floating_share: 0.05}\n", encoding="utf-8")
    assert status(evaluate(site(layout(share=0.06)), T0, load_profile(str(strict))), "HOME-LAYOUT") == "fail"
    assert status(evaluate(site(layout(share=0.06)), T0, HENAN), "HOME-LAYOUT") == "pass"
    assert status(evaluate(site(), T0, HENAN), "HOME-LAYOUT") == "not_testable"  # no browser: not measured


def test_a_crawl_without_observers_proves_nothing() -> None:
    old = replace(site(), records={})  # the crawl predates the observers: nothing of theirs is recorded
    ev = evaluate(old, T0, HENAN)
    assert ev.verdict == "pass" and not ev.vetoes
    for ind in ("W-V5", "W-V6", "W-D9-MISSING", "W-D13", "W-D17"):
        assert status(ev, ind) == "not_testable", ind


# -- profiles ---------------------------------------------------------------------------------------------


def test_bundled_profiles_load_and_name_existing_checks() -> None:
    assert {"national-2019", "henan", "guangdong"} <= set(available_profiles())
    for name in available_profiles():
        profile = load_profile(name)
        validate_profile(profile)
        assert profile.lineage[0] == name
    assert load_profile("henan").lineage == ("henan", "national-2019")
    gd = load_profile("guangdong")
    assert gd.scoring["bonus_max"] == 25 and gd.scoring["areas"]["办事服务"] == 20 and gd.indicator("W-B").cap == 25


def test_inheritance_merges_removes_and_orders(tmp_path) -> None:
    henan = load_profile("henan")
    assert henan.indicator("W-D9") is None and henan.indicator("W-D9-WRONG").points == 10
    assert henan.indicator("W-V5").labels["1"] == "没有咨询建言" and henan.indicator("W-V5").kind == "veto"
    assert henan.indicator("W-V5").params["answer_within"] == {"months": 3}  # inherited
    assert henan.settings["service_portals"]["41"] == ["hnzwfw.gov.cn"] and henan.settings["province"] == "41"
    ids = [i.id for i in henan.indicators]
    assert ids.index("W-D10-PUB") < ids.index("W-D11") < ids.index("W-D7") < ids.index("HN-BLANK")
    child = tmp_path / "city.yaml"
    child.write_text("id: city\nextends: henan\nsettings: {service_portals: {'41': [xx.gov.cn]}}\n"
                     "indicators:\n  - id: HN-BLANK\n    points: 2\n  - id: W-D16\n    remove: true\n",
                     encoding="utf-8")
    city = load_profile(str(child))
    assert city.lineage == ("city", "henan", "national-2019")
    assert city.indicator("HN-BLANK").points == 2 and city.indicator("HN-BLANK").cap == 10
    assert city.indicator("W-D16") is None and city.settings["service_portals"]["41"] == ["xx.gov.cn"]
    assert city.settings["service_portals"]["44"] == ["gdzwfw.gov.cn"]


def test_bad_inheritance_is_named(tmp_path) -> None:
    loop_a, loop_b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    loop_a.write_text("id: a\nextends: b.yaml\nindicators: []\n", encoding="utf-8")
    loop_b.write_text("id: b\nextends: a.yaml\nindicators: []\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="circle"):
        load_profile(str(loop_a))
    orphan = tmp_path / "o.yaml"
    orphan.write_text("id: o\nextends: nope\nindicators: []\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="unknown profile 'nope'"):
        load_profile(str(orphan))
    gone = tmp_path / "g.yaml"
    gone.write_text("id: g\nextends: henan\nindicators:\n  - {id: W-X1, remove: true}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="W-X1 is removed"):
        load_profile(str(gone))
    bad = tmp_path / "k.yaml"
    bad.write_text("id: k\nextends: henan\nindicators:\n  - {id: W-D3, kind: penalty}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="kind 'penalty'"):
        load_profile(str(bad))


@pytest.mark.parametrize(("host", "group", "ok"), [
    ("www.x.gov.cn", None, True),            # 测试县人民政府, ungrouped: a portal by its name
    ("www.xx.henan.gov.cn", None, True),
    ("x.gov.cn", None, False),               # a portal without www.
    ("mzj.x.gov.cn", "市直部门", True),        # a department under its government's domain
    ("www.mzj.gov.cn", "市直部门", False),     # a department with a portal-style domain of its own
    ("mzj.gov.cn", "市直部门", False),
])
def test_domain_follows_the_47_pattern_for_portals_and_departments(host: str, group: str | None, ok: bool) -> None:
    records = {"footer": [{"url": HOME, "site_code": "4107000001", "icp": "豫ICP备1号", "police": "豫公网安备 1号",
                           "party_mark": True}],
               "domain": [{"url": HOME, "host": host, "ip_literal": False, "declared": None}]}
    ev = evaluate(site(records, site_group=group), T0, NATIONAL)
    finding = ev.indicator("W-D14").findings[0]
    if ok:
        assert status(ev, "W-D14") == "pass", finding.detail
    else:
        assert status(ev, "W-D14") == "problem" and "域名应为" in finding.detail and host in finding.detail


def test_a_dead_picture_on_a_service_page_is_no_dead_service_link() -> None:
    """W-D15 counts the picture (图片无法显示); W-D9 only what a user of the service cannot open."""
    from rules.observations import ColumnObs, LinkObs

    bs = HOME + "bs/"
    service = ColumnObs("办事服务", bs, "service", 1, T0 - timedelta(days=2), 10, 0, False, None, "list", 200, None)
    links = (LinkObs(bs + "tu.jpg", bs, 404, "broken", "HTTP 404", "image"),
             LinkObs(bs + "biao.doc", bs, 404, "broken", "HTTP 404", "attachment"))
    portal = {"portal_link": [{"url": "https://www.hnzwfw.gov.cn/", "found_on": HOME, "name": "河南政务服务网",
                               "status": 200, "final_url": "https://www.hnzwfw.gov.cn/"}]}
    ev = evaluate(site(portal, columns=(service,), links=links), T0, NATIONAL)
    [w_d9] = [f for f in ev.findings if f.indicator == "W-D9" and f.trigger == "broken"]
    assert w_d9.subjects == [bs + "biao.doc"]
    [w_d15] = [f for f in ev.findings if f.indicator == "W-D15"]
    assert w_d15.subjects == [bs + "biao.doc", bs + "tu.jpg"] and "图片无法显示1个" in w_d15.detail
