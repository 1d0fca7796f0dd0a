"""Pictures and attachments (issue 8, items 7 and 12), through real Scrapy, real Chromium, real SQLite.

A picture that does not show and an attachment that cannot be downloaded, on the home page and on a
column page, are W-D15 broken links like any other, named as such (图片无法显示, 附件无法下载); the
same site without them is the reference. A 64 MiB attachment is checked without being downloaded,
and a page that starts a 64 MiB download and opens a popup gets neither from the browser.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from config.settings import load_settings
from tests.cli_support import govwatch
from tests.sites.assets import BIG, BIG_FILES, DOWNLOAD, GONE, POPUP, AssetSite, serve_asset_site

AS_OF = "2023-11-20"
MiB = 1024 * 1024


def _recheck(home: Path, faulty: bool, browser: bool) -> tuple[AssetSite, dict]:
    with serve_asset_site(faulty) as site:
        result = govwatch(home, "recheck", site.url, "--as-of", AS_OF, "--json",
                          env={"GOVWATCH_BROWSER": "1" if browser else "0"})
    assert result.code == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return site, result.json()


@pytest.fixture(scope="module")
def faulty(tmp_path_factory) -> tuple[Path, AssetSite, dict]:
    home = tmp_path_factory.mktemp("faulty")
    browser = load_settings({}).chromium() is not None
    site, data = _recheck(home, faulty=True, browser=browser)
    return home, site, data


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, AssetSite, dict]:
    home = tmp_path_factory.mktemp("clean")
    site, data = _recheck(home, faulty=False, browser=False)
    return home, site, data


def _w_d15(data: dict) -> list[dict]:
    return [f for f in data["findings"] if f["indicator"] == "W-D15"]


def _checks(home: Path) -> dict[str, tuple]:
    db = sqlite3.connect(home / "govwatch.db")
    try:
        rows = db.execute("select url, kind, outcome, status, method, found_on from link_checks").fetchall()
    finally:
        db.close()
    return {url: (kind, outcome, status, method, found_on) for url, kind, outcome, status, method, found_on in rows}


def test_broken_pictures_and_attachments_are_w_d15_broken_links(faulty) -> None:
    _, site, data = faulty
    base = site.url.rstrip("/")
    [finding] = _w_d15(data)
    assert set(finding["subjects"]) == {base + path for path, _ in GONE}
    assert "图片无法显示2个" in finding["detail"] and "附件无法下载2个" in finding["detail"]
    kinds = {e["url"].removeprefix(base): e["kind"] for e in finding["evidence"]}
    assert kinds == dict(GONE)
    pages = {e["url"].removeprefix(base): e["found_on"].removeprefix(base) for e in finding["evidence"]}
    assert pages["/images/banner-2023.jpg"] == "/" and pages["/gzdt/images/tu1.gif"] == "/gzdt/"
    listed = {x["url"].removeprefix(base): x for x in data["broken_links"]}
    assert {path: listed[path]["kind"] for path, _ in GONE} == dict(GONE)
    assert all(listed[path]["status"] == 404 and listed[path]["outcome"] == "broken" for path, _ in GONE)


def test_the_clean_site_has_no_broken_link_and_its_files_were_checked(clean) -> None:
    home, site, data = clean
    assert _w_d15(data) == [] and data["broken_links"] == []
    checks = {url.removeprefix(site.url.rstrip("/")): row for url, row in _checks(home).items()}
    assert checks["/images/logo.png"][:3] == ("image", "ok", 200)
    assert checks["/files/guize.pdf"][:3] == ("attachment", "ok", 200)
    assert checks["/gzdt/"][0] == "link"


def test_a_big_attachment_is_checked_without_downloading_it(clean, faulty) -> None:
    for home, site, _ in (clean, faulty):
        checks = {url.removeprefix(site.url.rstrip("/")): row for url, row in _checks(home).items()}
        for path in BIG_FILES:
            assert checks[path][:3] == ("attachment", "ok", 200), path
            # the server writes 64 MiB at ~25 MiB/s: a check that stops at the headers sees a sliver
            assert site.sent.get(path, 0) < 4 * MiB, (path, site.sent.get(path))
            assert checks[path][3] == "GET"  # its server refuses HEAD


def test_the_faults_give_no_veto_the_clean_site_does_not_get(clean, faulty) -> None:
    assert {v["indicator"] for v in faulty[2]["vetoes"]} <= {v["indicator"] for v in clean[2]["vetoes"]}
    assert not [f for f in faulty[2]["findings"] if f["indicator"] == "W-D15" and f["kind"] == "veto"]


@pytest.mark.skipif(load_settings({}).chromium() is None, reason="no Chromium on this machine")
def test_the_browser_downloads_nothing_and_opens_no_popup(faulty) -> None:
    _, site, data = faulty
    assert ("GET", "/") in site.requests
    assert data["home_evidence"] and data["home_evidence"].get("screenshot"), data["home_evidence"]
    assert ("GET", DOWNLOAD) in site.requests, "the page's download was never started: the test proves nothing"
    assert site.sent.get(DOWNLOAD, 0) < BIG // 4, site.sent.get(DOWNLOAD)
    assert ("GET", POPUP) not in site.requests  # the popup was never opened (it would have loaded)
