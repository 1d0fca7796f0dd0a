"""The engine against hand-made observations: every trigger at, below and above its threshold."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

import rules
from rules.engine import evaluate, window_start
from rules.observations import ColumnObs, LinkObs, SiteObs
from rules.profile import ProfileError, load_profile

T0 = date(2023, 11, 20)
PROFILE = load_profile("national-2019")


def col(name: str, category: str, age: int | None, *, level: int = 1, blank: bool = False,
        error: str | None = None) -> ColumnObs:
    latest = None if age is None else T0 - timedelta(days=age)
    return ColumnObs(name, f"http://x.gov.cn/{name}/", category, level, latest, 0 if blank else 10, 0, blank,
                     "placeholder: 暂无信息" if blank else None, "list", 200, error)


def site(columns=(), home_age: int | None = 1, links=(), status: str = "ok") -> SiteObs:
    home = None if home_age is None else T0 - timedelta(days=home_age)
    return SiteObs("http://x.gov.cn/", "测试县人民政府", "1234000001", 1, status, None, T0, "http://x.gov.cn/",
                   home, tuple(columns), tuple(links))


def vetoes(ev) -> set[str]:
    return {f.indicator for f in ev.vetoes}


def test_fresh_site_passes() -> None:
    ev = evaluate(site([col("要闻", "news", 3), col("通知", "notice", 30)]), T0, PROFILE)
    assert ev.verdict == "pass" and not ev.vetoes


@pytest.mark.parametrize(("age", "vetoed"), [(13, False), (14, False), (15, True), (40, True)])
def test_home_window_is_14_days_inclusive(age: int, vetoed: bool) -> None:
    ev = evaluate(site(home_age=age), T0, PROFILE)
    assert ("W-V3" in vetoes(ev)) is vetoed
    assert ev.verdict == ("fail" if vetoed else "pass")


def test_navigation_only_home_is_judged_on_columns() -> None:
    assert "W-V3" not in vetoes(evaluate(site([col("要闻", "news", 2)], home_age=None), T0, PROFILE))
    assert "W-V3" in vetoes(evaluate(site([col("要闻", "news", 30)], home_age=None), T0, PROFILE))


def test_trigger_1_counts_news_and_level1_notice_policy_together() -> None:
    four = [col(f"动态{i}", "news", 20) for i in range(3)] + [col("通知公告", "notice", 200)]
    ev = evaluate(site(four), T0, PROFILE)
    assert "W-V4" not in vetoes(ev)
    assert any(f.kind == "observation" and f.indicator == "W-V4" for f in ev.findings)
    five = [*four, col("政策文件", "policy", 190)]
    ev = evaluate(site(five), T0, PROFILE)
    assert "W-V4" in vetoes(ev)
    [finding] = ev.vetoes
    assert len(finding.evidence) == 5 and {e["column"] for e in finding.evidence} >= {"通知公告", "政策文件"}


def test_trigger_1_ignores_level2_notice_and_fresh_policy() -> None:
    cols = [col(f"动态{i}", "news", 20) for i in range(4)]
    cols += [col("下级通知", "notice", 400, level=2), col("政策文件", "policy", 150)]
    assert "W-V4" not in vetoes(evaluate(site(cols), T0, PROFILE))


def test_six_months_is_calendar_months() -> None:
    assert window_start(T0, {"months": 6}) == date(2023, 5, 20)
    assert window_start(date(2024, 8, 31), {"months": 6}) == date(2024, 2, 29)


def test_trigger_2_should_update_columns_a_year_stale() -> None:
    nine = [col(f"人事{i}", "should_update", 400) for i in range(9)]
    assert "W-V4" not in vetoes(evaluate(site(nine), T0, PROFILE))
    ten = [*nine, col("规划计划", "should_update", 366)]
    assert "W-V4" in vetoes(evaluate(site(ten), T0, PROFILE))


def test_trigger_3_blank_columns_and_no_double_count() -> None:
    blanks = [col(f"空{i}", "news", None, blank=True) for i in range(4)]
    ev = evaluate(site(blanks), T0, PROFILE)
    assert "W-V4" not in vetoes(ev)  # blank news columns are not also counted as stale news columns
    ev = evaluate(site([*blanks, col("空4", "static", None, blank=True)]), T0, PROFILE)
    assert "W-V4" in vetoes(ev)
    assert "空白栏目5个" in ev.vetoes[0].detail


def test_unreadable_columns_are_not_counted_stale() -> None:
    cols = [col(f"动态{i}", "news", None, error="HTTP 404") for i in range(6)]
    assert "W-V4" not in vetoes(evaluate(site(cols), T0, PROFILE))


def test_undated_columns_count_as_not_updated() -> None:
    cols = [col(f"动态{i}", "news", None) for i in range(5)]
    assert "W-V4" in vetoes(evaluate(site(cols), T0, PROFILE))


def test_broken_links_are_findings_not_vetoes() -> None:
    links = [LinkObs("http://x.gov.cn/a.html", "http://x.gov.cn/", 404, "broken", "HTTP 404"),
             LinkObs("http://x.gov.cn/ok.html", "http://x.gov.cn/", 200, "ok", None)]
    ev = evaluate(site(links=links), T0, PROFILE)
    assert ev.verdict == "pass"
    [finding] = [f for f in ev.findings if f.indicator == "W-D15"]
    assert finding.evidence == [{"url": "http://x.gov.cn/a.html", "found_on": "http://x.gov.cn/", "status": 404,
                                 "outcome": "broken", "error": "HTTP 404", "kind": "link"}]
    assert finding.detail == "不可用链接1个"


def test_dead_pictures_and_attachments_are_named_in_w_d15() -> None:
    home = "http://x.gov.cn/"
    links = [LinkObs(home + "a.html", home, 404, "broken", "HTTP 404"),
             LinkObs(home + "i/1.jpg", home, 404, "broken", "HTTP 404", "image"),
             LinkObs(home + "i/1.jpg", home + "gzdt/", 404, "broken", "HTTP 404", "image"),
             LinkObs(home + "f/1.pdf", home, None, "timeout", "timeout", "attachment"),
             LinkObs(home + "f/2.pdf", home, 200, "ok", None, "attachment"),
             LinkObs(home + "i/2.png", home, 429, "blocked", "HTTP 429", "image")]
    ev = evaluate(site(links=links), T0, PROFILE)
    assert ev.verdict == "pass"
    [dead] = [f for f in ev.findings if f.indicator == "W-D15"]
    assert dead.detail == "不可用链接3个（其中图片无法显示1个、附件无法下载1个）"
    assert dead.count == 3 and [e["kind"] for e in dead.evidence] == ["link", "image", "image", "attachment"]
    [blocked] = [f for f in ev.findings if f.indicator == "LINK-BLOCKED"]
    assert blocked.detail == "不可用链接1个（其中图片1个）"  # refused, not proven dead: no 无法显示


def test_failed_crawl_is_unknown_not_pass() -> None:
    obs = SiteObs("http://x.gov.cn/", "x", None, 3, "failed", "home page answered HTTP 500", T0, None, None)
    ev = evaluate(obs, T0, PROFILE)
    assert ev.verdict == "unknown" and "HTTP 500" in ev.findings[0].detail


def test_thresholds_come_from_the_profile(tmp_path) -> None:
    text = (Path(rules.__file__).parent / "profiles" / "national-2019.yaml").read_text(encoding="utf-8")
    strict = tmp_path / "strict.yaml"
    strict.write_text(text.replace("threshold: 5\n          blank: true", "threshold: 1\n          blank: true"),
                      encoding="utf-8")
    ev = evaluate(site([col("空", "news", None, blank=True)]), T0, load_profile(str(strict)))
    assert "W-V4" in vetoes(ev)


def test_bad_profiles_are_named(tmp_path) -> None:
    with pytest.raises(ProfileError, match="unknown profile 'nope'"):
        load_profile("nope")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nindicators:\n  - id: W-V3\n    title: t\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"bad.yaml: indicator #1 lacks check, kind"):
        load_profile(str(bad))
