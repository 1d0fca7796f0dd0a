"""`govwatch web` in a real browser: Playwright on the system Chromium drives the app served by uvicorn on
127.0.0.1 (one server for the module). Signing in as each role, a unit kept to its own sites, accounts and
evidence (404 for another unit's), CSRF refused, a hostile crawled title shown as text, a recheck queued and
its verdict appearing (a demo site crawled through the scheduler's queue), the notice written by the real
`govwatch report` and its xlsx opened.

GOVWATCH_WEB_SCREENSHOTS=docs also writes docs/web-overview.png and docs/web-site.png (1280×800)."""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
import zlib
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import uvicorn
from playwright.sync_api import Page, sync_playwright

from config.settings import load_settings
from govwatch.demo.sites.server import serve_test_sites
from govwatch.web.app import create_app
from govwatch.web.passwords import hash_password
from storage.db import Database
from storage.media import Account, AccountEvaluation
from storage.models import CrawlRun, Evaluation
from storage.notices import save_notice
from storage.records import Evidence
from storage.repo import upsert_site, utcnow
from storage.web import add_user

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "<script>alert(1)</script>"
OTHER_UNIT = "州民政局"
PASSWORD = "test-pass-123"


def png_bytes(width: int, height: int) -> bytes:
    """A grey PNG, as a screenshot file stands for."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _result(name: str, url: str, verdict: str, problems: str, today: date) -> dict:
    return {"site": {"name": name, "url": url, "code": None}, "as_of": today.isoformat(), "profile": "national-2019",
            "verdict": verdict, "score": None, "vetoes": [{"indicator": "W-V4", "title": name, "detail": problems}],
            "deductions": [], "columns": [{"name": name, "url": url + "lm/", "category": "news", "level": 1,
                                           "latest_date": (today - timedelta(days=10)).isoformat(), "items": 3,
                                           "blank": False, "blank_reason": None, "status": 200, "error": None,
                                           "reading": None, "evidence": None}],
            "broken_links": [], "home_latest_date": None, "home_evidence": None,
            "findings": [{"indicator": "W-V4", "title": name, "kind": "veto", "detail": problems, "points": None,
                          "evidence": [{"url": url, "title": name}]}],
            "crawl": {"status": "ok"}, "problems": problems, "notice": {}, "scoring": {}, "indicators": [],
            "manual_findings": [], "undecided": [], "profiles": {}}


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    home = tmp_path_factory.mktemp("web")
    env = {"GOVWATCH_HOME": str(home), "GOVWATCH_TIMEOUT": "8", "GOVWATCH_SETTINGS": str(home / "none.toml"),
           "GOVWATCH_WEB_RUN_QUEUE": "1"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    settings = load_settings(env)
    settings.ensure_home()
    db = Database(settings.database)
    today = date.today()
    with serve_test_sites(today, ["table"]) as [demo]:
        with db.session() as session:
            site, _ = upsert_site(session, url=demo.url, name=demo.name, code=demo.code, unit=demo.unit,
                                  group=demo.group)
            other, _ = upsert_site(session, url="http://127.0.0.1:9/", name=HOSTILE, unit=OTHER_UNIT, group="州直部门")
            site.region, other.region = "云溪县", "州直"  # 所属地区, a filter of 总览
            run = CrawlRun(site_id=other.id, started_at=utcnow(), finished_at=utcnow(), reference_date=today,
                           status="ok")
            session.add(run)
            session.flush()
            shot = settings.evidence_dir / "other" / "home.png"
            shot.parent.mkdir(parents=True)
            shot.write_bytes(png_bytes(8, 8))
            evidence = Evidence(run_id=run.id, url=other.url, kind="screenshot", reason="home", path="other/home.png",
                                sha256="0" * 64, size=shot.stat().st_size, created_at=utcnow())
            session.add(evidence)
            session.add(Evaluation(site_id=other.id, run_id=run.id, as_of=today, profile="national-2019",
                                   verdict="fail", score=None, created_at=utcnow(),
                                   result=_result(HOSTILE, other.url, "fail", HOSTILE + " 栏目不更新", today)))
            accounts = []
            for name, unit in (("石桥镇发布", demo.unit), ("州民政发布", OTHER_UNIT)):
                account = Account(name=name, platform="weibo", unit=unit, status="normal", enabled=True,
                                  created_at=utcnow(), updated_at=utcnow())
                session.add(account)
                session.flush()
                accounts.append(account.id)
                first = today.replace(day=1) - timedelta(days=90)
                session.add(AccountEvaluation(
                    account_id=account.id, as_of=today, period_from=first, period_to=today, profile="national-2019",
                    verdict="unknown", created_at=utcnow(),
                    result={"account": {"name": name}, "period": {"from": first.isoformat(), "to": today.isoformat()},
                            "verdict": "unknown", "latest_post": None, "vetoes": [], "problems": [],
                            "unknown": [{"indicator": "M-V2", "title": "更新", "detail": "从未导入或采集该账号的发布记录"}],
                            "months": [], "coverage": [], "posts": [], "indicators": []}))
            for n, rate in enumerate(("80%", "92.5%")):
                save_notice(session, profile="national-2019", period_from=date(2026, 4 + 3 * n, 1),
                            period_to=date(2026, 6 + 3 * n, 30), quarter=2 + n, as_of=date(2026, 7 + 3 * n, 5),
                            title=f"第{2 + n}季度通报", data={
                                "totals": {"sites": {"pass_rate": rate}, "accounts": {"pass_rate": "70%"}},
                                "sites": [{"name": demo.name, "unit": demo.unit, "verdict": "fail", "problems": []},
                                          {"name": "别家网站", "unit": OTHER_UNIT, "verdict": "pass", "problems": []}],
                                "accounts": []},
                            files=[], created_at=utcnow())
            for name, role, unit in (("admin", "admin", None), ("jcy", "inspector", None), ("shiqiao", "unit", demo.unit),
                                     ("minzheng", "unit", OTHER_UNIT)):
                add_user(session, name, role, hash_password(PASSWORD), unit)
            ids = {"site": site.id, "other": other.id, "evidence": evidence.id, "account": accounts[0],
                   "other_account": accounts[1]}
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(settings, db), host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=settings.chromium())
            yield {"base": f"http://127.0.0.1:{port}", "browser": browser, "ids": ids, "demo": demo, "today": today,
                   "home": home}
            browser.close()
        server.should_exit = True
        thread.join(timeout=30)
    db.dispose()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def signed_in(web, name: str) -> Page:
    context = web["browser"].new_context(viewport={"width": 1280, "height": 800}, base_url=web["base"],
                                         accept_downloads=True)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(web["base"] + "/")
    return page


def test_each_role_signs_in_and_sees_its_own(web) -> None:
    for name, sees_other, admin in (("admin", True, True), ("jcy", True, False), ("shiqiao", False, False)):
        page = signed_in(web, name)
        [cookie] = [c for c in page.context.cookies() if c["name"] == "govwatch_session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert page.locator("h1").first.inner_text().startswith("总览")
        body = page.locator("main").inner_text()
        assert (HOSTILE in body) is sees_other, name
        assert web["demo"].name in body
        assert (page.locator("header a:has-text('用户')").count() == 1) is admin
        if name == "shiqiao":  # a unit reads, it does not act
            page.goto(f"/sites/{web['ids']['site']}")
            assert page.locator("button:has-text('复查')").count() == 0
        page.click("button:has-text('退出')")
        page.wait_for_url("**/login")
        page.goto("/")
        assert "/login" in page.url
        page.context.close()


def test_the_overview_filters_by_region(web) -> None:
    page = signed_in(web, "jcy")
    page.goto("/?region=州直")
    body = page.locator("main table").first.inner_text()  # the sites' list (the unit filter names every unit)
    assert HOSTILE in body and "127.0.0.1:9/" in body and web["demo"].url.rstrip("/") not in body
    assert page.locator("select[name=region] option").all_inner_texts() == ["全部", "云溪县", "州直"]
    page.goto("/?region=云溪县")
    body = page.locator("main table").first.inner_text()
    assert web["demo"].url.rstrip("/") in body and HOSTILE not in body
    page.context.close()


def test_a_unit_gets_404_for_another_units_site_account_and_evidence(web) -> None:
    ids = web["ids"]
    page = signed_in(web, "shiqiao")
    for path in (f"/sites/{ids['other']}", f"/accounts/{ids['other_account']}", f"/evidence/{ids['evidence']}"):
        assert page.goto(path).status == 404, path
    assert page.goto(f"/accounts/{ids['account']}").status == 200
    page.context.close()
    page = signed_in(web, "minzheng")
    answer = page.goto(f"/evidence/{ids['evidence']}")
    assert answer.status == 200 and answer.headers["content-type"] == "image/png"
    assert page.goto(f"/sites/{ids['site']}").status == 404
    page.context.close()


def test_a_form_without_its_csrf_token_is_refused(web) -> None:
    page = signed_in(web, "admin")
    site = web["ids"]["site"]
    for form in ({}, {"csrf": "wrong"}):
        answer = page.request.post(f"{web['base']}/sites/{site}/recheck", form=form, max_redirects=0)
        assert answer.status == 403 and "校验码" in answer.text()
    answer = page.request.post(f"{web['base']}/admin/users", form={"action": "add", "name": "x", "role": "admin",
                                                                   "password": "abc123456"}, max_redirects=0)
    assert answer.status == 403
    page.context.close()


def test_a_crawled_title_with_a_script_is_shown_as_text(web) -> None:
    page = signed_in(web, "admin")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    headers = page.goto("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"]
    assert page.get_by_text(HOSTILE).first.is_visible()
    page.goto(f"/sites/{web['ids']['other']}")
    assert page.locator("h1").inner_text().startswith(HOSTILE)
    assert page.locator("main script").count() == 0 and not dialogs
    page.context.close()


def test_a_queued_recheck_shows_its_verdict(web) -> None:
    page = signed_in(web, "jcy")
    page.goto(f"/sites/{web['ids']['site']}")
    page.click("button:has-text('复查')")
    page.wait_for_url("**/rechecks/*")
    page.wait_for_selector("#verdict", timeout=240_000)
    assert "不合格" in page.locator("#verdict").inner_text()
    page.click("text=查看结果和证据")
    page.wait_for_selector("img.shot")
    # the screenshot arrives through the checked evidence route: wait for it to load, then look at its size
    page.wait_for_function("() => { const i = document.querySelector('img.shot'); return i && i.complete; }",
                           timeout=60_000)
    assert page.locator("img.shot").first.evaluate("img => img.naturalWidth") > 100
    assert "已超期" in page.locator("main").inner_text() or "剩" in page.locator("main").inner_text()
    kept = page.locator("a:has-text('在隔离窗口中查看')").first.get_attribute("href")
    answer = page.request.get(web["base"] + kept)
    assert answer.status == 200 and answer.headers["content-security-policy"].startswith("sandbox")
    download = page.request.get(web["base"] + kept.removesuffix("/view"))
    assert download.headers["content-disposition"].startswith("attachment")
    if os.environ.get("GOVWATCH_WEB_SCREENSHOTS") == "docs":
        page.screenshot(path=str(ROOT / "docs" / "web-site.png"))
        page.goto("/")
        page.screenshot(path=str(ROOT / "docs" / "web-overview.png"))
    page.context.close()


def test_manual_finding_added_and_withdrawn_with_who_and_why(web) -> None:
    page = signed_in(web, "jcy")
    page.goto(f"/sites/{web['ids']['other']}")
    page.fill("input[name=indicator]", "W-V1")
    page.select_option("select[name=kind]", "veto")
    page.fill("input[name=detail]", "首页出现严重表述错误")
    page.fill("form.form-grid input[name=reason]", "人工检查发现")
    page.click("button:has-text('录入')")
    row = page.locator("#manual + table tr", has_text="首页出现严重表述错误")
    assert "jcy" in row.inner_text()
    row.locator("input[name=reason]").fill("复核后撤回")
    row.locator("button:has-text('撤回')").click()
    assert "已撤回" in page.locator("#manual + table tr", has_text="首页出现严重表述错误").inner_text()
    page.context.close()
    admin = signed_in(web, "admin")
    admin.goto("/admin/audit")
    log = admin.locator("main").inner_text()
    assert "finding-veto" in log and "finding-withdraw" in log and "127.0.0.1" in log
    admin.context.close()


def test_notice_written_by_govwatch_report_and_its_xlsx_opens(web, tmp_path) -> None:
    page = signed_in(web, "admin")
    page.goto("/notices")
    assert "第3季度通报" in page.locator("main").inner_text()
    today = web["today"]
    # a period that has ended by the monitoring time point (a quarter still running is refused by `report`)
    page.fill("input[name=period]", f"{today.replace(day=1).isoformat()}..{today.isoformat()}")
    page.click("button:has-text('撰写')")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("#status[data-status=done]", timeout=120_000)
    with page.expect_download() as info:
        page.click("a[href$='.xlsx']")
    target = tmp_path / "notice.xlsx"
    info.value.save_as(target)
    book = openpyxl.load_workbook(target)
    # the attachments name the demo site's unit by its short name (石桥镇) or the site by its name
    assert any("石桥" in str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
    page.context.close()
    unit = signed_in(web, "shiqiao")
    unit.goto("/notices")
    assert "别家网站" not in unit.locator("main").inner_text()
    with unit.expect_download() as info:
        unit.click("text=本单位情况（xlsx）")
    info.value.save_as(tmp_path / "mine.xlsx")
    names = [r[1] for r in openpyxl.load_workbook(tmp_path / "mine.xlsx")["网站"].iter_rows(min_row=2, values_only=True)]
    assert names == [web["demo"].name]
    unit.context.close()


def test_password_change_ends_the_old_password(web) -> None:
    page = signed_in(web, "minzheng")
    page.goto("/password")
    page.fill("input[name=old]", PASSWORD)
    page.fill("input[name=new]", "changed-pass-456")
    page.fill("input[name=again]", "changed-pass-456")
    page.click("button:has-text('保存')")
    assert "密码已修改" in page.locator("main").inner_text()
    page.context.close()
    context = web["browser"].new_context(base_url=web["base"])
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=name]", "minzheng")
    page.fill("input[name=password]", "changed-pass-456")
    page.click("button:has-text('登录')")
    page.wait_for_url(web["base"] + "/")
    context.close()


def test_sign_in_is_rate_limited(web) -> None:
    context = web["browser"].new_context(base_url=web["base"])
    page = context.new_page()
    page.goto("/login")
    token = page.locator("input[name=csrf]").get_attribute("value")
    for _ in range(5):
        answer = page.request.post(f"{web['base']}/login", form={"name": "admin", "password": "wrong-password-1",
                                                                 "csrf": token})
        assert answer.status == 401 and "用户名或密码不正确" in answer.text()
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('登录')")
    assert "登录失败次数过多" in page.locator("main").inner_text()
    context.close()
