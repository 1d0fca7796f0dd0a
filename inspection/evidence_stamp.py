"""Stamping a screenshot with where and when it was taken, so a picture handed to a unit carries its
own proof: the page's URL, the capture time (Beijing), the finding and the 栏目, drawn above the image.

No imaging library is needed: the image is laid under a stamp bar in an HTML page and that page is
screenshotted in the same Chromium the crawler uses."""

from __future__ import annotations

import base64
import html
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

STAMP_STYLE = ("margin:0;background:#fff",
               "font:15px/1.5 'WenQuanYi Micro Hei',sans-serif;background:#fffbe6;color:#000;"
               "border-bottom:3px solid #d4b106;padding:6px 10px;word-break:break-all")


@dataclass(frozen=True, slots=True)
class StampJob:
    source: Path  # the stored screenshot
    target: Path  # the stamped copy
    lines: Sequence[str]  # 网址 …, 截图时间 …, 问题 …, 栏目 …


def png_width(path: Path) -> int | None:
    """The width a PNG declares in its IHDR chunk (None: not a PNG)."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">I", head[16:20])[0]


def _page(job: StampJob) -> str:
    data = base64.b64encode(job.source.read_bytes()).decode("ascii")
    lines = "<br>".join(html.escape(line) for line in job.lines)
    body, bar = STAMP_STYLE
    return (f"<!doctype html><meta charset='utf-8'><body style=\"{body}\"><div style=\"{bar}\">{lines}</div>"
            f"<img style='display:block' src='data:image/png;base64,{data}'></body>")


def stamp_screenshots(jobs: Sequence[StampJob], chromium: str | None) -> str | None:
    """Write every stamped copy; returns None, or why it could not (then nothing was written and the
    caller copies the originals, saying so)."""
    if not jobs:
        return None
    if not chromium:
        return "没有找到 Chromium，截图未加盖网址和时间"
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from crawler.chromium import launch_options

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(**launch_options(chromium))
            try:
                for job in jobs:
                    width = min(max(png_width(job.source) or 1280, 640), 2000)
                    page = browser.new_page(viewport={"width": width, "height": 400})
                    try:
                        page.set_content(_page(job), wait_until="load")
                        page.screenshot(path=str(job.target), full_page=True)
                    finally:
                        page.close()
            finally:
                browser.close()
    except PlaywrightError as exc:
        for job in jobs:
            job.target.unlink(missing_ok=True)
        return f"Chromium 未能加盖截图（{str(exc).splitlines()[0][:120]}）"
    return None


__all__ = ["StampJob", "png_width", "stamp_screenshots"]
