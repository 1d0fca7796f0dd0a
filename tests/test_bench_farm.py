"""The farm benchmark's pure helpers (bench/farm.py): parsing /proc, telling Chromium apart, the statistics
and the national estimate. No crawl and no timing here: bench/farm.py run measures."""

import argparse
import os

import pytest

from bench.farm import (
    NATION,
    Farm,
    latency_ms,
    memory_figures,
    national_estimate,
    parse_latency,
    path_kind,
    process_kind,
    pss_kb,
    served_between,
    spread,
    stat_fields,
    tree_of,
)

ROLLUP = """55d0c0a00000-7ffd8f5fe000 ---p 00000000 00:00 0                          [rollup]
Rss:              204800 kB
Pss:              153600 kB
Pss_Dirty:         90000 kB
Pss_Anon:          80000 kB
Shared_Clean:      51200 kB
"""


def test_pss_is_read_from_smaps_rollup():
    assert pss_kb(ROLLUP) == 153600
    assert pss_kb("Rss: 12 kB\n") == 0


def test_stat_fields_survive_a_name_with_spaces_and_parentheses():
    ticks = os.sysconf("SC_CLK_TCK")
    stat = f"4242 (Web Content (x)) S 17 4242 4242 0 -1 4194560 100 0 0 0 {3 * ticks} {ticks} 5 6 20 0 1 0"
    ppid, cpu = stat_fields(stat)
    assert ppid == 17
    assert cpu == pytest.approx(4.0)
    with open("/proc/self/stat") as f:  # the real thing parses too
        assert stat_fields(f.read())[0] == os.getppid()


@pytest.mark.parametrize(("cmdline", "kind"), [
    (["/usr/lib/chromium/chromium", "--headless", "--remote-debugging-pipe"], "chromium"),
    (["/usr/lib/chromium/chromium", "--type=renderer", "--lang=zh-CN"], "chromium"),
    (["/root/.cache/ms-playwright/chromium_headless_shell-1187/chrome-linux/headless_shell", "--x"], "chromium"),
    (["/proc/self/exe", "--type=zygote", "--no-zygote-sandbox"], "chromium"),
    ([".venv/lib/python3.11/site-packages/playwright/driver/node",
      ".venv/lib/python3.11/site-packages/playwright/driver/package/cli.js", "run-driver"], "driver"),
    ([".venv/bin/python", "-m", "govwatch.cli", "worker"], "crawler"),
    (["/usr/bin/node", "server.js"], "crawler"),
    ([], "crawler"),
])
def test_chromium_is_told_by_its_command_line(cmdline, kind):
    assert process_kind(cmdline) == kind


def test_a_tree_is_its_roots_and_their_descendants():
    table = {1: (0, 0.0), 10: (1, 0.0), 11: (10, 0.0), 12: (11, 0.0), 20: (1, 0.0), 21: (20, 0.0)}
    assert sorted(tree_of([10], table)) == [10, 11, 12]
    assert sorted(tree_of([10, 20, 99], table)) == [10, 11, 12, 20, 21]


def test_memory_figures_peaks_and_quarters():
    samples = [(float(t), 1024 * (100 + t), 1024 * (10 * t)) for t in range(8)]
    figures = memory_figures(samples)
    assert figures["crawler_peak_mb"] == 107.0
    assert figures["browser_peak_mb"] == 70.0
    assert figures["total_peak_mb"] == 177.0
    q = figures["quarters"]
    assert (q["crawler_first_mb"], q["crawler_last_mb"]) == (100.5, 106.5)
    assert (q["browser_first_mb"], q["browser_last_mb"]) == (5.0, 65.0)
    assert memory_figures([])["quarters"] is None


def test_spread_gives_min_median_max():
    assert spread([0.9, 0.5, 0.7, None]) == {"min": 0.5, "median": 0.7, "max": 0.9, "n": 3}
    assert spread([])["median"] is None


def test_latency_option_and_draws():
    assert parse_latency("200-800") == (200, 800)
    assert parse_latency("300") == (300, 300)
    assert parse_latency(None) == (0, 0)
    with pytest.raises(argparse.ArgumentTypeError):
        parse_latency("800-200")
    draws = [latency_ms(22, "127.0.1.1", "GET", f"/col/c00/t{i}.html", 200, 800) for i in range(200)]
    assert all(200 <= d <= 800 for d in draws)
    assert 400 < sum(draws) / len(draws) < 600
    assert draws[5] == latency_ms(22, "127.0.1.1", "GET", "/col/c00/t5.html", 200, 800)  # the same for everyone
    assert latency_ms(22, "127.0.1.1", "GET", "/", 0, 0) == 0.0


def test_page_kinds_and_the_farm_pages():
    assert [path_kind(p) for p in ("/", "/col/c03/index.html", "/col/c03/202611/t20261120_301.html",
                                   "/sitemap.html", "/a/b/c")] == ["home", "column", "article", "/sitemap.html",
                                                                   "other"]
    farm = Farm(3, 5, 2)
    status, body = farm.page(0, "/", "127.0.1.1")
    assert status == 200 and body.count("/col/c") >= 5
    assert farm.page(0, "/col/c09/index.html", "127.0.1.1")[0] == 404


def test_served_between_two_stats():
    before = {"hits": 10, "kinds": {"GET home 200": 2}, "most_per_host": 0, "most_hosts": 0}
    after = {"hits": 15, "kinds": {"GET home 200": 4, "GET article 200": 3}, "most_per_host": 2, "most_hosts": 8,
             "repeats": {"GET article": {"1": 3}}}
    served = served_between(before, after)
    assert served["requests"] == 5
    assert served["kinds"] == {"GET article 200": 3, "GET home 200": 2}
    assert (served["most_per_host"], served["most_sites_at_once"]) == (2, 8)


def test_national_estimate_formula():
    e = national_estimate(None, cpu_ms_per_request=10.0, per_host=2, sites_in_flight=8, latency_ms_mean=500)
    assert e["total_requests"] == NATION["sites"] * NATION["requests_per_site"] == 4_200_000
    assert e["needed_requests_per_s"] == pytest.approx(145.8, abs=0.1)
    assert e["polite_requests_per_s"] == 32.0  # 8 sites x 2 per host / 0.5 s
    assert e["cpu_requests_per_s"] == 100.0
    assert (e["bound"], e["workers"]) == ("politeness", 5)
    assert e["sites_in_flight_for_cpu"] == 25
    cpu_bound = national_estimate(20.0, cpu_ms_per_request=25.0, per_host=2, sites_in_flight=64, latency_ms_mean=500)
    assert (cpu_bound["bound"], cpu_bound["workers"]) == ("CPU", 4)
    assert cpu_bound["workers_at_measured_rate"] == 8
