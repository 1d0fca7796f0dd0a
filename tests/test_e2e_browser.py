"""Pages only a browser reads right, through real Scrapy, real Chromium and real SQLite: no column
is called blank and no link broken because of JavaScript, XHR, iframes, challenges or certificates."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import date

import pytest

from config.settings import load_settings
from tests.cli_support import govwatch
from tests.png import ink_share, read_png
from tests.sites.browser import serve_browser_sites

T0 = date(2023, 11, 20)

pytestmark = pytest.mark.skipif(load_settings({}).chromium() is None,
                                reason="no Chromium on this machine (make setup installs Debian's chromium)")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    home = tmp_path_factory.mktemp("govwatch")
    with serve_browser_sites(T0) as site:
        plain = govwatch(home, "recheck", site.url, "--as-of", T0.isoformat(), "--json")
        secure = govwatch(home, "recheck", site.https_url, "--as-of", T0.isoformat(), "--json")
    assert plain.code == 0, plain.stderr[-3000:]
    assert secure.code == 0, secure.stderr[-3000:]
    return home, site, plain.json(), secure.json()


def columns_by_path(data: dict, base: str) -> dict[str, dict]:
    return {c["url"].removeprefix(base.rstrip("/")): c for c in data["columns"]}


def test_script_xhr_iframe_challenge_and_redirect_lists_are_read(crawled) -> None:
    _, site, data, _ = crawled
    found = columns_by_path(data, site.url)
    assert sorted(found) == sorted(c.path for c in site.columns)
    for want in site.columns:
        got = found[want.path]
        assert not got["blank"], f"{want.name} ({want.path}) called blank"
        assert got["latest_date"] == want.latest_date.isoformat(), want.name
        assert got["category"] == want.category


def test_the_render_decision_is_recorded(crawled) -> None:
    home, site, _, _ = crawled
    db = sqlite3.connect(home / "govwatch.db")
    rows = db.execute("select url, data from observations where kind = 'render'").fetchall()
    decisions = {url.removeprefix(site.url.rstrip("/")): data for url, data in rows if url.startswith(site.url)}
    assert '"rendered": true' in decisions["/xhr/"] and "script" in decisions["/xhr/"]
    assert "iframe" in decisions["/iframe/"]
    assert "challenge" in decisions["/challenge/"]
    assert "JavaScript redirect" in decisions["/jsredirect/"]
    assert '"rendered": false' in decisions["/"]  # a static home page stays on the fast path


def test_link_classes_tell_blocked_and_tls_from_broken(crawled) -> None:
    home, site, data, _ = crawled
    db = sqlite3.connect(home / "govwatch.db")
    outcomes = dict(db.execute("select url, outcome from link_checks where found_on like ?", (site.url + "%",)))
    for url, want in site.link_outcomes.items():
        assert outcomes[url] == want, url
    reported = {link["url"]: link for link in data["broken_links"]}
    assert "/busy/" not in str(reported)  # the 429 with Retry-After cleared after the pause
    assert reported[site.url + "loop/a"]["error"] == "重定向循环或重定向次数过多"
    blocked = {link["url"]: link for link in data["blocked_links"]}
    assert set(blocked) == {site.url + "always429/", site.url + "forbidden/"}  # blocked is not broken
    assert "browser was refused too" in blocked[site.url + "forbidden/"]["error"]
    assert [p["url"] for p in data["certificate_problems"]] == [site.https_url]


def test_self_signed_site_is_read_and_its_certificate_reported_on_its_own(crawled) -> None:
    home, site, _, secure = crawled
    # Read and judged despite the certificate: no update veto comes from unreadable pages.
    assert secure["verdict"] in ("pass", "fail") and not {"W-V3", "W-V4"} & {v["indicator"] for v in secure["vetoes"]}
    found = columns_by_path(secure, site.https_url)
    for want in site.https_columns:
        got = found[want.path]
        assert got["latest_date"] == (want.latest_date.isoformat() if want.latest_date else None)
    assert secure["broken_links"] == []
    assert secure["certificate_problems"] == [{"url": site.https_url, "found_on": None,
                                               "error": "证书不受信任：self-signed certificate"}]
    assert any(f["indicator"] == "TLS" for f in secure["findings"])
    db = sqlite3.connect(home / "govwatch.db")
    [(data,)] = db.execute("select data from observations where kind = 'tls' and url = ?", (site.https_url,))
    assert '"ok": false' in data and "self-signed" in data


def test_screenshots_are_stored_and_show_text(crawled) -> None:
    home, site, _, _ = crawled
    db = sqlite3.connect(home / "govwatch.db")
    shots = db.execute("select url, reason, path, sha256 from evidence where kind = 'screenshot'").fetchall()
    reasons = {(url, reason) for url, reason, _, _ in shots}
    assert (site.url, "home") in reasons
    assert (site.url, "broken-link") in reasons or (site.url, "home") in reasons
    [path] = [p for url, reason, p, _ in shots if url == site.url and reason == "home"]
    png = (home / "evidence" / path).read_bytes()
    width, height, rows = read_png(png)
    assert width == 1280 and height >= 400
    assert 0.002 < ink_share(rows) < 0.5, "the home page screenshot is blank or solid"
    html = db.execute("select count(*) from evidence where kind = 'html'").fetchone()[0]
    assert html >= len(site.columns)


def test_a_chinese_font_is_installed_for_screenshots() -> None:
    font = subprocess.run(["fc-match", "sans-serif:lang=zh-cn", "family"], capture_output=True, text=True).stdout
    assert any(name in font for name in ("WenQuanYi", "Noto Sans CJK", "Source Han", "Droid Sans Fallback")), font
