"""Scores, bands and the words of a notice, against SEED 000 (新乡 2023Q1, 附件2).

Each unit below is a site as the crawler's observers would record it (hand-made observations): a
compliant 河南 department site, changed only where the notice says the unit had a problem. Judged under
the `henan` profile, each must come out with exactly the published 评分 / 结果 / 主要问题.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from rules.engine import evaluate
from rules.observations import ColumnObs, LinkObs, ManualObs, SiteObs
from rules.profile import load_profile

T0 = date(2023, 2, 10)
HOST = "http://fgw.xinxiang.gov.cn"
HENAN = load_profile("henan")
NATIONAL = load_profile("national-2019")


def day(age: int) -> str:
    return (T0 - timedelta(days=age)).isoformat()


def rec(path: str, found_on: str = "/", **data) -> dict:
    url = path if path.startswith("http") else HOST + path
    return {"url": url, "found_on": HOST + found_on, **data}


def compliant() -> dict[str, list[dict]]:
    """What the observers record on a site with no problem at all."""
    return {
        "observer": [rec("/", name=n) for n in ("interaction", "services", "publishing")],
        "channel": [
            rec("/hdjl/jzxx/", name="局长信箱", types=["consult", "mailbox"]),
            rec("/hdjl/xf/", name="在线信访", types=["petition"]),
            rec("/hdjl/yjzj/", name="意见征集", types=["survey"]),
        ],
        "message_board": [rec("/hdjl/jzxx/", name="局长信箱", types=["consult", "mailbox"], pages_total=1,
                              pages_read=1, letters=3, statistics=True, statistics_text="信件统计：本年共受理12件")],
        "message": [rec(f"/hdjl/jzxx/{n}.html", "/hdjl/jzxx/", board=HOST + "/hdjl/jzxx/", title=f"来信{n}",
                        asked=day(a), replied=day(r), status="answered")
                    for n, (a, r) in enumerate([(5, 2), (20, 12), (60, 40)])],
        "survey_column": [rec("/hdjl/yjzj/", name="意见征集", latest_date=day(20), items=6, blank=False)],
        "service_entry": [rec("/bsfw/", name="办事服务", kind="link"),
                          rec("https://www.hnzwfw.gov.cn/", name="网上办事大厅", kind="hall")],
        "portal_link": [rec("https://www.hnzwfw.gov.cn/", name="河南政务服务网", status=200,
                            final_url="https://www.hnzwfw.gov.cn/")],
        "service_guide": [rec(f"/bsfw/zn{n}.html", "/bsfw/", title=f"事项{n}办事指南", present=[], missing=[],
                              guide_words=True, list_like=False) for n in (1, 2)],
        "service_stats": [rec("/bsfw/tj/", name="办件统计", latest_date=day(30))],
        "policy_doc": [rec("/zcwj/1.html", "/zcwj/", title="关于印发某办法的通知", interpretation=HOST + "/jd/1.html",
                           back_link=True)],
        "search": [rec("/", form=True, testable=True, found=True, query="某办法", results=3)],
        "footer": [rec("/", site_code="4107000030", icp="豫ICP备05012345号", police="豫公网安备 41070202000123号",
                       party_mark=True)],
        "domain": [rec("/", host="fgw.xinxiang.gov.cn", ip_literal=False, declared=None)],
        "ipv6": [rec("/", host="fgw.xinxiang.gov.cn", lookup="found", aaaa=["240e::1"], fetch="ok", status=200)],
        "error_report": [rec("/", present=True, href="https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo"
                             ".action?sitecode=4107000030", sitecode="4107000030")],
        "layout": [rec("/", viewport=[1280, 800], floating=[{"selector": "div#piao", "share": 0.03}],
                       max_floating_share=0.03, horizontal_overflow_px=0, broken_images=[])],
    }


COLUMNS = (
    ColumnObs("工作动态", HOST + "/gzdt/", "news", 1, T0 - timedelta(days=2), 20, 0, False),
    ColumnObs("通知公告", HOST + "/tzgg/", "notice", 1, T0 - timedelta(days=30), 12, 0, False),
    ColumnObs("政策文件", HOST + "/zcwj/", "policy", 1, T0 - timedelta(days=40), 8, 0, False),
    ColumnObs("局长信箱", HOST + "/hdjl/jzxx/", "interaction", 1, T0 - timedelta(days=2), 3, 0, False),
    ColumnObs("办事服务", HOST + "/bsfw/", "service", 1, None, 0, 0, False),
)


def site(records: dict[str, list[dict]], columns=COLUMNS, links=(), name: str = "市发改委") -> SiteObs:
    return SiteObs(HOST + "/", name, "4107000030", 1, "ok", None, T0, HOST + "/", T0 - timedelta(days=1),
                   tuple(columns), tuple(links), {}, records, site_group="市直部门")


def unit(name: str) -> SiteObs:
    r = compliant()
    columns = list(COLUMNS)
    links: list[LinkObs] = []
    if name in ("市发改委", "市城管局"):  # 历史信件展示、统计: letters not shown, no 信件统计
        r["message"] = []
        r["message_board"] = [{**b, "letters": 0, "statistics": False, "statistics_text": None}
                              for b in r["message_board"]]
    if name == "市城管局":
        r["survey_column"] = [{**r["survey_column"][0], "latest_date": day(300)}]  # 意见征集不更新
        r["service_guide"][0]["missing"] = ["收费标准", "联系电话"]  # 政务服务: a guide misses elements
        r["service_guide"][0]["present"] = ["事项名称", "设定依据"]
    if name == "市体育局":
        r["portal_link"] = []  # 政务服务链接: no link to 河南政务服务网
        r["channel"] = [rec("/hdjl/lyb/", name="留言板", types=["consult"]), r["channel"][1]]  # no 信箱, no 征集
        r["message_board"] = [{**r["message_board"][0], "url": HOST + "/hdjl/lyb/", "types": ["consult"]}]
        r["message"] = [{**m, "board": HOST + "/hdjl/lyb/"} for m in r["message"]]
        r["survey_column"] = []
    if name == "市资源规划局":
        r["portal_link"] = [{**r["portal_link"][0], "status": None, "final_url": None,
                             "error": "connection refused"}]  # 办事服务链接: it does not open
        r["channel"] = [c for c in r["channel"] if "petition" not in c["types"]]  # no 在线信访
        r["service_entry"] = [e for e in r["service_entry"] if e["kind"] != "hall"]  # no 办事大厅
    if name == "市退役军人局":
        r["channel"] = [c for c in r["channel"] if "consult" not in c["types"]]  # no consultation channel
        r["message_board"], r["message"] = [], []
        columns += [ColumnObs("人事信息", HOST + "/rsxx/", "should_update", 1, None, 0, 0, True, "placeholder: 暂无信息"),
                    ColumnObs("规划计划", HOST + "/ghjh/", "should_update", 1, None, 0, 0, True, "empty list")]
    if name == "市民政局":
        r["layout"] = [{**r["layout"][0], "floating": [{"selector": "div#piaochuang", "share": 0.31}],
                        "max_floating_share": 0.31}]  # 飘窗过大
        r["portal_link"] = [rec("http://www.xinxiang.gov.cn/zwfw/", name="河南政务服务网", status=200,
                                final_url="http://www.xinxiang.gov.cn/zwfw/")]  # points to the wrong platform
    return site(r, columns, links, name)


# 附件2 rows as published: 编号 | 部门 | 评分 | 结果 | 主要问题. In the two 不合格 rows the 评分 cell is empty
# (a veto: "不再对其他指标进行评分"), so the text extracted from the PDF shows 结果 in its place.
SEED_000 = """\
30 | 市发改委 | 94 | 合格 | 历史信件展示、统计-6 |
33 | 市体育局 | 89 | 合格 | 政务服务链接-5;信箱、调查征集-6 |
34 | 市城管局 | 84 | 合格 | 历史信件展示、统计-6;意见征集不更新-7;政务服务-3 |
35 | 市资源规划局 | 84 | 合格 | 办事服务链接-10;在线信访、办事大厅-6 |
36 | 市退役军人局 | 不合格 | 没有咨询建言(单否);空白栏目-10 | |
37 | 市民政局 | 不合格 | 首页布局混乱(单否);政务服务链接错误-10 |"""


def published() -> dict[str, tuple[str, str, str]]:
    rows = {}
    for line in SEED_000.splitlines():
        cells = [c.strip() for c in line.split("|")]
        name, rest = cells[1], [c for c in cells[2:] if c]
        if rest[0] == "不合格":  # 评分 cell empty
            rows[name] = ("", "不合格", rest[1])
        else:
            rows[name] = (rest[0], rest[1], rest[2])
    return rows


@pytest.mark.parametrize("name", list(published()))
def test_seed_000_rows_come_out_as_published(name: str) -> None:
    ev = evaluate(unit(name), T0, HENAN)
    row = ev.notice
    assert (row["评分"], row["结果"], row["主要问题"]) == published()[name]


def test_a_compliant_henan_site_scores_100_and_prints_no_problem() -> None:
    ev = evaluate(site(compliant()), T0, HENAN)
    assert ev.verdict == "pass" and ev.score == 100 and ev.problems == "无"
    assert ev.notice == {"评分": "100", "结果": "合格", "主要问题": "无"}
    statuses = {r.indicator.id: r.status for r in ev.indicators}
    assert statuses["W-V2"] == "insufficient"  # no probes: not a pass, not a veto
    assert statuses["W-V1"] == "manual" and statuses["W-B"] == "manual"
    assert all(s in ("pass", "insufficient", "manual") for s in statuses.values()), statuses


def test_vetoed_units_still_list_their_deductions_but_get_no_score() -> None:
    ev = evaluate(unit("市退役军人局"), T0, HENAN)
    assert ev.verdict == "fail" and ev.score is None
    assert {f.indicator for f in ev.vetoes} == {"W-V5"}
    blank = ev.indicator("HN-BLANK")
    assert blank.status == "deducted" and blank.points == 10  # 2 blank columns x 5, cap 10
    assert ev.scoring["why_not_scored"].startswith("存在单项否决项")


def test_national_profile_scores_portals_only_with_confirmed_points() -> None:
    dept = unit("市城管局")
    ev = evaluate(dept, T0, NATIONAL)
    assert ev.score is None and ev.verdict == "pass"
    assert all(f.kind != "deduction" for f in ev.findings)
    portal = replace(dept, site_group="市政府门户网站")
    ev = evaluate(portal, T0, NATIONAL)
    assert ev.score == 100  # every problem of 市城管局 is an item whose national points are UNCONFIRMED
    assert ev.indicator("W-D11").status == "problem" and ev.indicator("W-D10-PUB").status == "problem"
    assert "UNCONFIRMED" in ev.indicator("W-D11").findings[0].note
    stale = replace(portal, columns=tuple(replace(c, latest_date=T0 - timedelta(days=200)) if c.category == "policy"
                                          else c for c in portal.columns))
    ev = evaluate(stale, T0, NATIONAL)
    assert ev.score == 95 and ev.problems == "政策文件-5"


def test_one_column_is_not_deducted_under_two_items() -> None:
    r = compliant()
    r["survey_column"] = [{**r["survey_column"][0], "blank": True, "latest_date": None}]
    columns = (*COLUMNS, ColumnObs("意见征集", HOST + "/hdjl/yjzj/", "interaction", 1, None, 0, 0, True, "empty list"))
    ev = evaluate(site(r, columns), T0, HENAN)
    assert ev.indicator("W-D11").points == 7  # a blank 意见征集 column: 意见征集不更新 (first in order) ...
    blank = ev.indicator("HN-BLANK")
    assert blank.points == 0 and "不重复扣分" in blank.findings[0].note  # ... not also 空白栏目
    assert ev.problems == "意见征集不更新-7" and ev.score == 93


def test_caps_bands_and_bonus() -> None:
    r = compliant()
    columns = [*COLUMNS] + [ColumnObs(f"空{n}", f"{HOST}/k{n}/", "should_update", 1, None, 0, 0, True)
                            for n in range(4)]
    ev = evaluate(site(r, columns), T0, HENAN)
    assert ev.indicator("HN-BLANK").points == 10  # 4 x 5 capped at 10
    assert ev.score == 90
    bonus = ManualObs(1, "W-B", "bonus", 4.0, "集约化平台迁移", None, "张三", datetime(2023, 2, 1))
    ev = evaluate(replace(site(r, columns), manual=(bonus,)), T0, HENAN)
    assert ev.score == 94 and ev.scoring["band"] == "bonus" and ev.problems == "空白栏目-10;加分指标+4"
    # Under 80 points there is no bonus round; under 60 the site fails.
    heavy = ManualObs(2, "HN-BLANK", "deduction", 12.0, "人工复核", None, "张三", datetime(2023, 2, 1))
    r2 = compliant()
    r2["portal_link"] = []
    r2["message"] = []
    r2["message_board"] = [{**b, "letters": 0, "statistics": False} for b in r2["message_board"]]
    ev = evaluate(replace(site(r2, columns), manual=(bonus, heavy)), T0, HENAN)
    assert ev.scoring["band"] == "middle" and ev.score == 100 - 6 - 5 - 10 and "加分" not in ev.problems
    many = [ManualObs(10 + n, "W-D3", "deduction", 15.0, "人工", None, "张三", datetime(2023, 2, 1)) for n in range(4)]
    ev = evaluate(replace(site(r, columns), manual=tuple(many)), T0, replace(HENAN, indicators=tuple(
        replace(i, cap=None) if i.id == "W-D3" else i for i in HENAN.indicators)))
    assert ev.score == 100 - 10 - 60 and ev.verdict == "fail" and ev.scoring["band"] == "below"


def test_manual_veto_and_override_with_reason() -> None:
    leak = ManualObs(1, "W-V1", "veto", None, "转载信息泄露个人隐私", None, "李四", datetime(2023, 2, 5))
    ev = evaluate(replace(site(compliant()), manual=(leak,)), T0, HENAN)
    assert ev.verdict == "fail" and ev.problems == "安全、泄密事故等严重问题(单否)"
    [veto] = ev.vetoes
    assert veto.source == "manual" and veto.manual["entered_by"] == "李四"
    # An automatic finding the inspector knows to be wrong is overridden, with the reason kept.
    wrong = unit("市退役军人局")
    fix = ManualObs(2, "W-V5", "override", None, "", "信箱在市长信箱平台统一受理，已核实", "王五", datetime(2023, 2, 6))
    ev = evaluate(replace(wrong, manual=(fix,)), T0, HENAN)
    assert ev.verdict == "pass" and ev.score == 90 and ev.problems == "空白栏目-10"
    w5 = ev.indicator("W-V5")
    assert w5.status == "overridden" and w5.findings[0].overridden["reason"].startswith("信箱在市长信箱")
    # Out of its validity window it does not apply.
    later = ManualObs(3, "W-V5", "override", None, "", "x", "王五", datetime(2023, 2, 6),
                      valid_from=datetime(2023, 3, 1))
    assert evaluate(replace(wrong, manual=(later,)), T0, HENAN).verdict == "fail"


def test_unknown_stays_unknown_when_the_home_page_was_not_read() -> None:
    obs = SiteObs(HOST + "/", "x", "4107000030", 3, "failed", "home page answered HTTP 500", T0, None, None)
    ev = evaluate(obs, T0, HENAN)
    assert ev.verdict == "unknown" and ev.score is None and ev.notice["结果"] == "无法核验"
    assert "HTTP 500" in ev.findings[0].detail
    assert ev.indicator("W-V4").status == "unknown"


def test_a_regional_manual_item_does_not_cost_points_under_another_profile() -> None:
    blank = ManualObs(5, "HN-BLANK", "deduction", 5.0, "人工复核：空白栏目1个", None, "张三", datetime(2023, 2, 1))
    portal = replace(site(compliant()), site_group="市政府门户网站", manual=(blank,))
    assert evaluate(portal, T0, HENAN).problems == "空白栏目-5"
    ev = evaluate(portal, T0, NATIONAL)
    assert ev.score == 100 and ev.problems == "无"
    assert [m["indicator"] for m in ev.scoring["manual_not_in_profile"]] == ["HN-BLANK"]
