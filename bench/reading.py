"""Benchmark: what reading one hostile page costs (issue 8, item 8), new scans against the old patterns.

Builds pages a site can serve (dense dated rows on one line, a 10 MB inline base64 image, 10 MB of
inline JSON, a million '<', unclosed <script>, 600 KB of `document.cookie=` scripts) and times, in CPU
seconds, `extract_page`, `render_reason` and `soft_404_reason` on each, and the patterns they replaced
(the lazy challenge regex, the tag-stripping regex, the script regex) with a time limit per call.

    .venv/bin/python bench/reading.py                 # 10 MB pages, 30 s limit per call
    .venv/bin/python bench/reading.py --mb 1 --limit 60
    .venv/bin/python bench/reading.py --corpus        # real pages: CPU of extract_page over tests/corpus
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.extract import extract_page
from crawler.linkcheck import soft_404_reason
from crawler.render import render_reason

MB = 1024 * 1024
REF = date(2023, 11, 20)

# The patterns of crawler/render.py and crawler/linkcheck.py before issue 8 (quadratic on these pages).
OLD_CHALLENGE = re.compile(r"document\.cookie\s*=.*?(location\.(reload|href|replace)|window\.location)", re.S | re.I)
OLD_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
OLD_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)


def old_render_scan(html: str) -> object:
    scripts = " ".join(OLD_SCRIPT.findall(html))
    return OLD_CHALLENGE.search(scripts)


def old_visible_text(html: str) -> str:
    return re.sub(r"\s+", "", OLD_TAGS.sub(" ", html))


def pages(size: int) -> Iterator[tuple[str, str]]:
    head = "<html><head><title>测试</title></head><body>"
    row = '<li><a href="/a/x{0}.html">关于做好第{0}项工作的通知公告</a><span>2023-11-18</span></li>'
    rows, total, n = [], 0, 0
    while total < size:
        rows.append(row.format(n))
        total += len(rows[-1].encode())
        n += 1
    yield "dense rows", head + "<ul>" + "".join(rows) + "</ul></body></html>"
    blob = base64.b64encode(os.urandom(size * 3 // 4)).decode()
    yield "base64 image", head + f'<img src="data:image/png;base64,{blob}"><p>正文</p></body></html>'
    yield "inline JSON", head + "<script>var d=[" + '{"id":1,"v":"x"},' * (size // 17) + "0];</script></body></html>"
    yield "'<' x N", head + "<" * size
    yield "unclosed <script>", head + "<script>" * (size // 8)
    cookie = "<script>document.cookie='a=b';</script>"
    yield "cookie scripts 600 KB", "<html><body>" + cookie * (600 * 1024 // len(cookie)) + "</body></html>"


class TimedOut(Exception):
    pass


def _alarm(*_: object) -> None:
    raise TimedOut


def timed(func: Callable[[], object], limit: int) -> str:
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(limit)
    start = time.process_time()
    try:
        func()
    except TimedOut:
        return f"> {limit} s"
    finally:
        signal.alarm(0)
    return f"{time.process_time() - start:.2f} s"


CORPUS_DIRS = (Path(__file__).resolve().parents[1] / "tests" / "corpus" / "pages",
               Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-pages")


def corpus_cost(rounds: int, folder: Path | None = None) -> None:
    """CPU of extract_page over the real pages (best of `rounds` per page, summed): the cost of
    reading ordinary pages, which the HTML5 parse must not raise by more than a tenth."""
    from crawler.encoding import decode_html

    dirs = (folder,) if folder else CORPUS_DIRS
    files = next((sorted(d.glob("*.html")) for d in dirs if d.is_dir() and any(d.glob("*.html"))), [])
    total, size = 0.0, 0
    for path in files:
        html = decode_html(path.read_bytes()).text
        # a fresh copy of the text each round: nothing cached for one string object may carry over
        best = min(_cpu(extract_page, html[:1] + html[1:]) for _ in range(rounds))
        total += best
        size += len(html.encode())
    print(f"| {len(files)} real pages | {size / MB:.1f} MB | extract_page {total * 1000:.0f} ms CPU "
          f"(best of {rounds} per page, summed) |")


def _cpu(func: Callable[..., object], html: str) -> float:
    start = time.process_time()
    func(html, "http://www.xx.gov.cn/a/index.html", REF)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="size of the generated pages")
    parser.add_argument("--limit", type=int, default=30, help="seconds allowed per call")
    parser.add_argument("--corpus", action="store_true", help="time the real-page corpus instead")
    parser.add_argument("--rounds", type=int, default=5, help="runs per corpus page (the best counts)")
    parser.add_argument("--dir", type=Path, default=None, help="corpus folder (default tests/corpus/pages)")
    args = parser.parse_args()
    if args.corpus:
        corpus_cost(args.rounds, args.dir)
        return
    print("| page | MB | extract_page | render_reason | soft_404_reason | old render scan | old visible_text |")
    print("|---|---|---|---|---|---|---|")
    for name, html in pages(int(args.mb * MB)):
        cells = [
            timed(lambda: extract_page(html, "http://www.xx.gov.cn/", REF), args.limit),  # noqa: B023
            timed(lambda: render_reason(200, html, None), args.limit),  # noqa: B023
            timed(lambda: soft_404_reason(html), args.limit),  # noqa: B023
            timed(lambda: old_render_scan(html), args.limit),  # noqa: B023
            timed(lambda: old_visible_text(html), args.limit),  # noqa: B023
        ]
        print(f"| {name} | {len(html.encode()) / MB:.1f} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
