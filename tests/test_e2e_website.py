"""End to end: the test sites on 127.0.0.1, crawled by real Scrapy into a real SQLite database
through the `govwatch` command, compared with each site's ground truth."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import pytest

from govwatch.demo.sites.server import serve_test_sites
from tests.cli_support import govwatch

T0 = date(2023, 11, 20)
AS_OF = T0.isoformat()


@pytest.fixture(scope="module")
def sites():
    with serve_test_sites(T0) as running:
        yield {site.key: site for site in running}


@pytest.fixture(scope="module")
def rechecks(sites, tmp_path_factory):
    """One `govwatch recheck --json` per site, all into one data folder."""
    home = tmp_path_factory.mktemp("govwatch")
    results = {key: govwatch(home, "recheck", site.url, "--as-of", AS_OF, "--json") for key, site in sites.items()}
    return home, results


def path_of(site, url: str) -> str:
    assert url.startswith(site.url.rstrip("/")), url
    return url[len(site.url.rstrip("/")):] or "/"


def norm(path: str) -> str:
    for index in ("index.html", "index.htm", "index.shtml"):
        if path.endswith("/" + index):
            return path[: -len(index)]
    return path


SITE_KEYS = ["trs", "hanweb", "table"]


@pytest.mark.parametrize("key", SITE_KEYS)
def test_recheck_json_keeps_the_contract(rechecks, sites, key) -> None:
    """How fast a recheck is, is measured by bench/site_recheck.py (a loaded CI machine is no stopwatch)."""
    _, results = rechecks
    result = results[key]
    assert result.code == 0, result.stderr[-3000:]
    data = result.json()
    assert set(data) >= {"site", "as_of", "profile", "verdict", "score", "vetoes", "deductions", "columns",
                         "broken_links", "home_latest_date"}
    assert data["site"]["url"] == sites[key].url and data["as_of"] == AS_OF and data["profile"] == "national-2019"
    assert data["verdict"] in ("pass", "fail")
    for veto in data["vetoes"]:
        assert set(veto) >= {"indicator", "title", "detail"}
    for column in data["columns"]:
        assert set(column) >= {"name", "url", "category", "latest_date", "items", "blank"}
    for link in data["broken_links"]:
        assert set(link) >= {"url", "found_on", "status", "error"}


@pytest.mark.parametrize("key", SITE_KEYS)
def test_columns_match_ground_truth(rechecks, sites, key) -> None:
    site = sites[key]
    data = rechecks[1][key].json()
    found = {norm(path_of(site, c["url"])): c for c in data["columns"]}
    expected = {norm(c.path): c for c in site.truth.columns}
    assert sorted(found) == sorted(expected), "columns discovered differ from the site's columns"
    for path, want in expected.items():
        got = found[path]
        assert (got["name"], got["category"], got["level"]) == (want.name, want.category, want.level), path
        assert got["blank"] == want.blank, f"{want.name}: blank {got['blank']} ({got.get('blank_reason')})"
        expected_date = want.latest_date.isoformat() if want.latest_date else None
        assert got["latest_date"] == expected_date, f"{want.name} ({path})"


@pytest.mark.parametrize("key", SITE_KEYS)
def test_home_page_latest_date(rechecks, sites, key) -> None:
    data = rechecks[1][key].json()
    want = sites[key].truth.home_latest_date
    assert data["home_latest_date"] == (want.isoformat() if want else None)


@pytest.mark.parametrize("key", SITE_KEYS)
def test_broken_links_match_ground_truth(rechecks, sites, key) -> None:
    site = sites[key]
    data = rechecks[1][key].json()
    got = {(link["url"], link["found_on"]) for link in data["broken_links"]}
    want = {(link.url, link.found_on_url) for link in site.truth.broken_links}
    assert got == want
    by_url = {link["url"]: link for link in data["broken_links"]}
    for link in site.truth.broken_links:
        reported = by_url[link.url]
        assert reported["status"] == link.status
        if link.reason == "soft-404":
            assert reported["outcome"] == "soft-404"
        elif link.reason == "refused":
            assert reported["error"] == "连接被拒绝"  # the stored reason, in the words users read
    for slow in site.truth.slow_paths:
        assert site.abs(slow) not in by_url, "a slow page is not a broken page"


@pytest.mark.parametrize("key", SITE_KEYS)
def test_verdict_and_vetoes_match_ground_truth(rechecks, sites, key) -> None:
    data = rechecks[1][key].json()
    truth = sites[key].truth
    assert data["verdict"] == truth.verdict
    assert {v["indicator"] for v in data["vetoes"]} == truth.vetoes
    for finding in data["findings"]:
        if finding["kind"] == "veto":
            assert finding["evidence"], "every veto points at its evidence"


def test_evaluate_rejudges_stored_crawls_without_network(rechecks, sites) -> None:
    home, results = rechecks
    again = govwatch(home, "evaluate", "--as-of", AS_OF, "--json", "--site", sites["trs"].url,
                     "--site", sites["hanweb"].url, "--site", sites["table"].url)
    assert again.code == 0, again.stderr
    verdicts = {item["site"]["url"]: item["verdict"] for item in again.json()}
    assert verdicts == {site.url: site.truth.verdict for site in sites.values()}
    # A month later every news column is stale: the same crawl, judged at another time point.
    later = govwatch(home, "evaluate", "--as-of", "2024-06-30", "--json", "--site", sites["trs"].url)
    [trs_later] = later.json()
    assert trs_later["verdict"] == "fail" and "W-V3" in {v["indicator"] for v in trs_later["vetoes"]}


def test_observations_are_stored_and_added_not_replaced(rechecks, sites) -> None:
    home, _ = rechecks
    again = govwatch(home, "recheck", sites["table"].url, "--as-of", AS_OF, "--json")
    assert again.code == 0
    db = sqlite3.connect(home / "govwatch.db")
    runs = db.execute("select count(*), count(distinct site_id) from crawl_runs where status = 'ok'").fetchone()
    assert runs == (4, 3)
    per_run = db.execute("select run_id, count(*) from columns group by run_id").fetchall()
    assert len(per_run) == 4
    items = db.execute("select count(*) from list_items where published is not null").fetchone()[0]
    assert items > 50
    pages = db.execute("select count(*) from pages where status = 200 and elapsed_ms is not null").fetchone()[0]
    assert pages > 20
    db.close()


def test_demo_runs_the_whole_job(tmp_path: Path) -> None:
    result = govwatch(tmp_path, "demo", "--as-of", AS_OF, "--json")
    assert result.code == 0, result.stderr[-3000:]
    verdicts = {item["site"]["code"]: item["verdict"] for item in result.json() if "site" in item}
    with serve_test_sites(T0) as running:
        assert verdicts == {site.code: site.truth.verdict for site in running}
    accounts = {item["account"]["name"]: item["verdict"] for item in result.json() if "account" in item}
    assert accounts == {"示例市人民政府": "pass", "示例市发布": "pass", "示例市政务服务": "pass", "示例县文旅": "fail",
                        "示例县应急管理": "unknown"}  # the 关停 account is kept, not judged
    assert govwatch(tmp_path, "accounts", "list", "--json").json() == []  # judged apart, not registered
    # the demo keeps its own data folder: its test sites never stay in the user's registry
    assert govwatch(tmp_path, "sites", "list", "--json").json() == []
    assert (tmp_path / "demo" / "govwatch.db").exists()


@pytest.mark.parametrize("key", SITE_KEYS)
def test_every_stale_blank_or_broken_finding_has_evidence_files(rechecks, key) -> None:
    data = rechecks[1][key].json()
    checked = 0
    for finding in data["findings"]:
        if finding["indicator"] not in ("W-V3", "W-V4", "W-D15"):
            continue
        for entry in finding["evidence"]:
            files = entry.get("files") or {}
            assert files.get("screenshot") and files.get("html"), (finding["indicator"], entry)
            assert Path(files["screenshot"]).is_file() and Path(files["html"]).is_file()
            checked += 1
    assert checked > 0
    assert Path(data["home_evidence"]["screenshot"]).is_file()


def test_evidence_command_prints_the_files_of_a_finding(rechecks, sites) -> None:
    home, _ = rechecks
    result = govwatch(home, "evidence", sites["table"].url, "W-V4", "--as-of", AS_OF, "--json")
    assert result.code == 0, result.stderr
    rows = [r for r in result.json() if r["title"] == "栏目不更新"]  # the veto, not the below-threshold note
    assert len(rows) == 5, rows
    assert all(r["page"] == r["about"] and Path(r["screenshot"]).is_file() for r in rows), rows
    missing = govwatch(home, "evidence", sites["trs"].url, "W-V3", "--as-of", AS_OF)
    assert missing.code == 2 and "没有 'W-V3' 的问题" in missing.stderr
    assert all(r["column"] and r["captured_at"] for r in rows), rows  # listed by 栏目, with capture time
    listed = govwatch(home, "evidence", sites["table"].url, "W-V4", "--as-of", AS_OF)
    assert rows[0]["column"] in listed.stdout and "/evidence/" not in listed.stdout  # names, not hash paths
    pack = home.parent / "pack"
    # one pack (stamping every screenshot in Chromium is the slow part), as the zip a clerk sends
    zipped = govwatch(home, "evidence", sites["table"].url, "--as-of", AS_OF, "--pack", str(pack), "--zip", "--json")
    assert zipped.code == 0 and Path(zipped.json()["pack"]).suffix == ".zip"
    with zipfile.ZipFile(zipped.json()["pack"]) as zf:
        folders = {Path(name).parts[0] for name in zf.namelist()}
        assert len(folders) == 1, folders  # one folder inside: unzipped, it is the pack
        zf.extractall(pack / "unzipped")
    folder = pack / "unzipped" / folders.pop()
    shots = sorted(p.name for p in folder.glob("*.png"))
    assert any(f"W-V4_{rows[0]['column']}" in name for name in shots), shots
    stamped = next(folder / n for n in shots if f"W-V4_{rows[0]['column']}" in n)
    original = Path(rows[0]["screenshot"]).read_bytes()
    # the stamp (URL, capture time, finding, 栏目) is drawn above the picture: a taller image than the stored one
    assert stamped.read_bytes()[:8] == original[:8] and stamped.read_bytes() != original
    assert int.from_bytes(stamped.read_bytes()[20:24], "big") > int.from_bytes(original[20:24], "big")
    summary = (folder / "证据说明.html").read_text(encoding="utf-8")
    assert rows[0]["page"] in summary and rows[0]["captured_at"] in summary and all(n in summary for n in shots)
    no_display = govwatch(home, "evidence", sites["table"].url, "W-V4", "--as-of", AS_OF, "--open",
                          env={"DISPLAY": "", "WAYLAND_DISPLAY": ""})
    assert no_display.code != 0 and "没有图形界面" in no_display.stderr
