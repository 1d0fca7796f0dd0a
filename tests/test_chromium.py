"""How Chromium is started (issue 8, item 12): sandboxed wherever the machine allows it, downloads
refused and popups blocked in every context. The browser itself is exercised in test_e2e_assets.py."""

from __future__ import annotations

import pytest

from config.settings import Settings
from crawler import chromium
from crawler.settings import BROWSER_CONTEXT, browser_settings


@pytest.fixture(autouse=True)
def fresh_decision(monkeypatch):
    monkeypatch.delenv("GOVWATCH_BROWSER_SANDBOX", raising=False)
    chromium.sandbox_decision.cache_clear()
    yield
    chromium.sandbox_decision.cache_clear()


def test_root_never_asks_for_the_sandbox(monkeypatch) -> None:
    # Chromium: "Running as root without --no-sandbox is not supported"
    monkeypatch.setattr(chromium.os, "geteuid", lambda: 0)
    assert chromium.sandbox_available() is False
    assert chromium.launch_options("/usr/bin/chromium")["chromium_sandbox"] is False
    assert "root" in chromium.sandbox_note() and "--no-sandbox" in chromium.sandbox_note()


def test_an_ordinary_user_gets_the_sandbox_when_namespaces_can_be_made(monkeypatch) -> None:
    monkeypatch.setattr(chromium.os, "geteuid", lambda: 1000)
    calls = []

    def probe(argv, **kwargs):
        calls.append(argv)
        return type("Done", (), {"returncode": 0 if allowed else 1})()

    monkeypatch.setattr(chromium.subprocess, "run", probe)
    allowed = True
    assert chromium.sandbox_available() is True
    chromium.sandbox_decision.cache_clear()
    allowed = False  # e.g. Docker's default seccomp profile forbids unshare(CLONE_NEWUSER)
    assert chromium.sandbox_available() is False
    assert len(calls) == 2 and "unshare" in calls[0][-1]


def test_the_namespace_probe_really_runs() -> None:
    """The probe's child makes the namespaces for real (as root it can): it must not crash."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", chromium._PROBE], capture_output=True, timeout=10)
    assert done.returncode in (0, 1) and not done.stderr, done.stderr


@pytest.mark.parametrize(("value", "want"), [("1", True), ("0", False), ("on", True), ("off", False)])
def test_the_choice_can_be_forced(monkeypatch, value: str, want: bool) -> None:
    monkeypatch.setenv("GOVWATCH_BROWSER_SANDBOX", value)
    monkeypatch.setattr(chromium.os, "geteuid", lambda: 0)
    assert chromium.sandbox_available() is want


def test_the_crawl_browser_refuses_downloads_and_keeps_popups_blocked(tmp_path) -> None:
    settings = browser_settings(Settings(home=tmp_path, chromium_path="/usr/bin/chromium"))
    launch = settings["PLAYWRIGHT_LAUNCH_OPTIONS"]
    assert "--no-sandbox" not in launch["args"]  # Playwright adds it only where chromium_sandbox is False
    assert launch["chromium_sandbox"] is chromium.sandbox_available()
    assert "--disable-popup-blocking" in launch["ignore_default_args"]
    assert BROWSER_CONTEXT["accept_downloads"] is False
    assert settings["PLAYWRIGHT_DOWNLOAD_TIMEOUT"] <= 15_000


@pytest.mark.skipif(Settings().chromium() is None, reason="no Chromium on this machine")
def test_a_popup_that_gets_through_is_closed() -> None:
    """The second layer: with Chromium's popup blocker off, a page's window.open() still leaves no window."""
    import asyncio

    from playwright.async_api import async_playwright

    async def pages_after_popup(guarded: bool) -> int:
        context = await browser.new_context(**chromium.SAFE_CONTEXT_OPTIONS)
        if guarded:
            chromium.guard_context(context)
        page = await context.new_page()
        await page.set_content("<script>window.open('about:blank'); window.open('about:blank', '', 'noopener')"
                               "</script>")
        for _ in range(20):  # the popups' close is asynchronous: give it up to 2 s
            await page.wait_for_timeout(100)
            if len(context.pages) == (1 if guarded else 3):
                break
        count = len(context.pages)
        await context.close()
        return count

    async def run() -> tuple[int, int]:
        nonlocal browser
        async with async_playwright() as p:
            options = chromium.launch_options(Settings().chromium())
            options.pop("ignore_default_args")  # Playwright's default: popup blocker off
            browser = await p.chromium.launch(**options)
            try:
                return await pages_after_popup(False), await pages_after_popup(True)
            finally:
                await browser.close()

    browser = None
    unguarded, guarded = asyncio.run(run())
    assert unguarded >= 2  # the popups did open: the test can fail
    assert guarded == 1
