"""Benchmark: render N JavaScript-built list pages through govwatch's browser path.

Serves N distinct pages on 127.0.0.1 (each builds its list by script, so each must be rendered),
crawls them with Scrapy + the shared scrapy-playwright handler and govwatch's own `snapshot`
(network idle, frames, page closed after use, media and fonts not fetched), and reports pages/s
and the peak memory of Chromium (all its processes, PSS) and of the crawler process (RSS), with
Chromium's memory at the start and end of the run to show it does not grow.

    .venv/bin/python bench/render.py --pages 500 --concurrency 4
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from collections.abc import AsyncIterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>第{n}号栏目</title></head><body>
<div class="nav"><a href="/">首页</a></div><ul id="list"></ul>
<script>var rows=[];for(var i=0;i<20;i++){{rows.push('<li><a href="/art/{n}_'+i+'.html">关于第{n}号栏目第'+i+
'条信息的通知</a><span>2023-11-'+(10+i%9)+'</span></li>')}}document.getElementById('list').innerHTML=rows.join('');
</script></body></html>"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        n = self.path.strip("/").split("/")[-1].removesuffix(".html") or "0"
        body = PAGE.format(n=n).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


def chromium_memory() -> int:
    """Proportional set size of every Chromium process, in bytes (shared pages counted once)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"chromium" not in cmd and b"chrome" not in cmd:
                continue
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from config.settings import load_settings
    from crawler.extract import extract_page
    from crawler.render import snapshot
    from crawler.settings import BROWSER_CONTEXT, browser_settings

    settings = load_settings()
    if settings.chromium() is None:
        sys.exit("no Chromium: install Debian's chromium (make setup)")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.request_queue_size = 64
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    samples: list[tuple[int, int]] = []  # (pages done, chromium bytes)
    done = {"pages": 0, "items": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append((done["pages"], chromium_memory()))
            time.sleep(0.5)

    class RenderSpider(scrapy.Spider):
        name = "render-bench"

        async def start(self) -> AsyncIterator[scrapy.Request]:
            for n in range(args.pages):
                yield scrapy.Request(f"{base}/col/{n}.html", meta={
                    "playwright": True, "playwright_include_page": True, "playwright_context": "govwatch",
                    "playwright_context_kwargs": BROWSER_CONTEXT})

        async def parse(self, response: Any) -> None:
            page = await snapshot(response.meta["playwright_page"], screenshot=False, layout=False, settle_ms=0)
            extract = extract_page(page.html, page.url, __import__("datetime").date(2023, 11, 20))
            done["pages"] += 1
            done["items"] += len(extract.items)
            yield {"n": len(extract.items)}

    conf = browser_settings(settings) | {
        "LOG_LEVEL": "WARNING", "REMOTE_CONTROL_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
        "CONCURRENT_REQUESTS": args.concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": args.concurrency,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }
    threading.Thread(target=sample, daemon=True).start()
    process = CrawlerProcess(conf)
    process.crawl(RenderSpider)
    start = time.monotonic()
    process.start()
    elapsed = time.monotonic() - start
    stop.set()
    server.shutdown()
    busy = [mem for pages, mem in samples if pages > 0]
    quarter = max(1, len(busy) // 4)
    result = {
        "pages": done["pages"],
        "items_per_page": round(done["items"] / max(done["pages"], 1), 1),
        "seconds": round(elapsed, 1),
        "pages_per_s": round(done["pages"] / elapsed, 2),
        "concurrency": args.concurrency,
        "chromium_peak_mb": round(max(busy, default=0) / 2**20),
        "chromium_first_quarter_mean_mb": round(sum(busy[:quarter]) / quarter / 2**20) if busy else 0,
        "chromium_last_quarter_mean_mb": round(sum(busy[-quarter:]) / quarter / 2**20) if busy else 0,
        "crawler_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
