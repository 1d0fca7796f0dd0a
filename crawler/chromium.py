"""How every govwatch Chromium is started and what its contexts may do (crawl, media collectors, stamps).

Crawled pages are untrusted: a page may start a download (a 64 MiB attachment was fetched in full
before this module existed) or open windows. So every context refuses downloads (Chromium cancels
them once the answer's headers say "download"), Chromium's own popup blocker stays on (Playwright
turns it off by default; no crawled page ever gets a user gesture, so every popup is blocked), and
a page that still opens (a popup whose opener is a crawled page) is closed at once.

The sandbox: Chromium refuses to run sandboxed as root ("Running as root without --no-sandbox is
not supported"), and its namespace sandbox needs unprivileged user namespaces, which Docker's
default seccomp profile forbids. Measured on the CI machine (Debian 12 Chromium 156, kernel 6.18,
no setuid chrome-sandbox helper): as root only `--no-sandbox` starts; as an ordinary user the
sandboxed browser starts and chrome://sandbox reports "Layer 1 Sandbox: Namespace, PID/Network
namespaces, Seccomp-BPF: You are adequately sandboxed". So the sandbox is used wherever the
machine allows it (not root, and a child can create the namespaces), and `--no-sandbox` only
where it cannot start otherwise. `GOVWATCH_BROWSER_SANDBOX` = 1/0 forces the choice.
"""

from __future__ import annotations

import os
import subprocess
import sys
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page

# Shared by the crawl's context (crawler/settings.py BROWSER_CONTEXT) and the media collectors'.
SAFE_CONTEXT_OPTIONS: dict[str, Any] = {"accept_downloads": False}
# No `--no-sandbox` here: Playwright adds it only where `chromium_sandbox` is False, that is as root or
# on a machine without user namespaces (sandbox_decision below; the measurements are in the docstring).
CHROMIUM_ARGS = ["--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# Playwright's default argument that turns Chromium's popup blocker off: dropped, so popups stay blocked.
KEPT_OFF_DEFAULT_ARGS = ["--disable-popup-blocking"]

_CLONE_NEWUSER, _CLONE_NEWPID, _CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
_PROBE = ("import ctypes, sys; libc = ctypes.CDLL(None, use_errno=True); "
          f"sys.exit(0 if libc.unshare({_CLONE_NEWUSER | _CLONE_NEWPID | _CLONE_NEWNET}) == 0 else 1)")


def sandbox_available() -> bool:
    """Whether Chromium's namespace sandbox can start here: never as root; otherwise a child process
    tries the unshare(2) the sandbox makes (user, PID and network namespaces)."""
    return sandbox_decision()[0]


def sandbox_note() -> str:
    """The decision in words, for the crawl log."""
    on, why = sandbox_decision()
    return f"Chromium sandbox: {'on' if on else 'off (--no-sandbox)'}: {why}"


@lru_cache(maxsize=1)
def sandbox_decision() -> tuple[bool, str]:
    forced = os.environ.get("GOVWATCH_BROWSER_SANDBOX", "").strip().lower()
    if forced in ("0", "1", "false", "true", "no", "yes", "off", "on"):
        return forced in ("1", "true", "yes", "on"), "GOVWATCH_BROWSER_SANDBOX"
    if not sys.platform.startswith("linux"):
        return True, "Chromium's own sandbox needs nothing from this system"
    if os.geteuid() == 0:
        return False, "running as root: Chromium will not start sandboxed"
    try:
        made = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        made = False
    return made, "user namespaces available" if made else "this machine does not allow user namespaces"


def launch_options(executable: str | None, *, timeout_ms: int = 30_000) -> dict[str, Any]:
    """Keyword arguments for `chromium.launch` (Playwright adds `--no-sandbox` itself when
    `chromium_sandbox` is False)."""
    options: dict[str, Any] = {"headless": True, "args": list(CHROMIUM_ARGS), "timeout": timeout_ms,
                               "chromium_sandbox": sandbox_available(),
                               "ignore_default_args": list(KEPT_OFF_DEFAULT_ARGS)}
    if executable:
        options["executable_path"] = executable
    return options


async def _close_popup(page: Page) -> None:
    """A page opened by a crawled page (not by us) is closed before it loads anything more."""
    from playwright.async_api import Error as PlaywrightError

    try:
        if await page.opener() is not None:
            await page.close()
    except PlaywrightError:
        pass


def guard_context(context: BrowserContext) -> None:
    """Close popups of an async-API context as soon as they appear (the popup blocker stops them first)."""
    context.on("page", _close_popup)
