"""Benchmark: a farm of government-like test sites on 127.0.0.1, inspected by 1 and 2 workers, and
fetched by a bare Scrapy spider (the framework's ceiling).

    python bench/farm.py run --sites 50                 # the whole benchmark; prints and saves the figures
    python bench/farm.py serve --sites 50               # only the farm, for manual runs (Ctrl-C stops)

Each site has its own loopback address (127.0.1.x, 127.0.2.x ...: per-host politeness applies per
site, as on the real web) and `--columns` columns (default 30) in its navigation menu; each column is a
dated list (`--items` entries, TRS-style pager) linking to article pages; a few columns are stale or
blank. The farm runs in its own process (aiohttp) and counts the requests it answers, so every
client is measured in pages actually served.

For the inspection, every scenario gets a fresh database (a PostgreSQL schema when PostgreSQL
answers on 127.0.0.1, else SQLite) and a fresh Redis key prefix; `govwatch worker` processes are
started first, then `govwatch crawl --workers` is timed from its start to its last verdict. CPU is
the user+system time of every process the scenario started (workers, Chromium, coordinator),
memory the peak of their summed RSS. Results go to bench/results/<timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = (
    "政务要闻 部门动态 乡镇动态 通知公告 政策文件 政策解读 人事信息 规划计划 财政预决算 统计信息 "
    "机构概况 领导信息 办事指南 政民互动 在线访谈 征集调查 应急管理 环境保护 教育信息 医疗卫生 "
    "社会保障 安全生产 食品药品 价格收费 招标采购 重大项目 乡村振兴 建议提案 审计信息 信息公开年报"
).split()
T0 = date(2026, 11, 20)


# -- the farm ------------------------------------------------------------------------------------------------


def site_address(index: int) -> str:
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


class Farm:
    def __init__(self, sites: int, columns: int, items: int) -> None:
        self.sites, self.columns, self.items = sites, min(columns, len(COLUMNS)), items
        self.hits = 0
        self.kinds: dict[str, int] = {}

    def column_dates(self, site: int, column: int) -> list[date] | None:
        """Newest first; None for a blank column. Some columns are stale, as on real sites."""
        kind = (site * 7 + column) % 15
        if kind == 0:
            return None  # blank: 暂无信息
        newest = T0 - timedelta(days=(200 if kind == 1 else 400 if kind == 2 else (site + column) % 9))
        return [newest - timedelta(days=3 * k) for k in range(self.items)]

    def page(self, site: int, path: str, host: str) -> tuple[int, str]:
        name = f"基准县{site + 1}人民政府"
        head = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title>'
                f'<meta name="SiteName" content="{name}"><meta name="SiteIDCode" content="{9100000000 + site}">')
        nav = "".join(f'<li><a href="/col/c{c:02d}/index.html">{COLUMNS[c]}</a></li>' for c in range(self.columns))
        nav = f'<div class="nav"><ul>{nav}</ul></div>'
        foot = (f'<div class="footer">主办：{name}办公室 网站标识码：{9100000000 + site} '
                '<a href="/sitemap.html">网站地图</a></div>')
        if path in ("/", "/index.html"):
            days = [T0 - timedelta(days=k) for k in range(8)]
            news = "".join(f'<li><a href="/col/c00/{d:%Y%m}/t{d:%Y%m%d}_{k}.html">要闻标题第{k}条</a>'
                           f'<span class="date">{d:%Y-%m-%d}</span></li>' for k, d in enumerate(days))
            return 200, (f"{head}</head><body>{nav}<div class='news'><h3>政务要闻<a href='/col/c00/index.html'>更多</a>"
                         f"</h3><ul>{news}</ul></div>{foot}</body></html>")
        parts = path.strip("/").split("/")
        if len(parts) >= 3 and parts[0] == "col" and parts[1][1:].isdigit():
            column = int(parts[1][1:])
            if column >= self.columns:
                return 404, f"{head}</head><body>404</body></html>"
            title = COLUMNS[column]
            if parts[2].startswith("index"):
                dates = self.column_dates(site, column)
                if dates is None:
                    body = '<div class="list"><p>暂无信息</p></div>'
                else:
                    rows = "".join(
                        f'<li><a href="/col/c{column:02d}/{d:%Y%m}/t{d:%Y%m%d}_{column * 100 + k}.html" '
                        f'title="{title}信息{k}">{title}信息{k}</a><span>{d:%Y-%m-%d}</span></li>'
                        for k, d in enumerate(dates))
                    body = (f'<div class="list"><ul>{rows}</ul></div>'
                            f'<script>createPageHTML(5, 0, "index", "html");</script>')
                return 200, (f'{head}<meta name="ColumnName" content="{title}"></head><body>{nav}'
                             f"<div class='position'>当前位置：首页 > {title}</div>{body}{foot}</body></html>")
            day = parts[-1][1:9]
            day = f"{day[:4]}-{day[4:6]}-{day[6:8]}"
            return 200, (f'{head}<meta name="ArticleTitle" content="{title}"><meta name="PubDate" '
                         f'content="{day} 09:00"></head><body>{nav}<h1>{title}</h1>'
                         f"<p>发布时间：{day}</p><p>{'正文内容。' * 40}</p>{foot}</body></html>")
        if path == "/sitemap.html":
            return 200, f"{head}</head><body>{nav}{foot}</body></html>"
        return 404, f"{head}</head><body>404 页面不存在</body></html>"


def path_kind(path: str) -> str:
    if path in ("/", "/index.html"):
        return "home"
    if path.startswith("/col/"):
        return "column" if path.rsplit("/", 1)[-1].startswith("index") else "article"
    return path if path.count("/") <= 1 else "other"


async def serve(farm: Farm, port: int, ready: Path | None = None) -> None:
    from aiohttp import web

    index_of = {site_address(i): i for i in range(farm.sites)}

    async def handle(request: web.Request) -> web.Response:
        if request.path == "/__stats":
            return web.json_response({"hits": farm.hits, "kinds": farm.kinds})
        farm.hits += 1
        site = index_of.get((request.host or "").split(":")[0])
        if site is None:
            return web.Response(status=404)
        status, body = farm.page(site, request.path, request.host)
        kind = f"{request.method} {path_kind(request.path)} {status}"
        farm.kinds[kind] = farm.kinds.get(kind, 0) + 1
        return web.Response(status=status, text=body if request.method != "HEAD" else None,
                            content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for address in [*index_of, "127.0.0.1"]:
        await web.TCPSite(runner, address, port).start()
    if ready is not None:
        ready.write_text(json.dumps({"port": port, "urls": [f"http://{a}:{port}/" for a in index_of]}))
    print(f"farm: {farm.sites} sites x {farm.columns} columns on 127.0.x.y:{port}", flush=True)
    while True:
        await asyncio.sleep(3600)


def farm_hits(port: int) -> int:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__stats", timeout=10) as answer:
        return json.load(answer)["hits"]


# -- measuring ---------------------------------------------------------------------------------------------


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakMemory:
    """Peak of the summed RSS of this process's descendants (except the farm), sampled 4 times a second."""

    def __init__(self, exclude: set[int]) -> None:
        self.exclude, self.peak_kb = exclude, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            pids = [p for p in _descendants(os.getpid()) if p not in self.exclude]
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in pids))

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# -- scenarios ---------------------------------------------------------------------------------------------


def database_url(label: str) -> tuple[str, callable]:
    """A fresh PostgreSQL schema when PostgreSQL answers, else a SQLite file; and how to drop it."""
    from urllib.parse import quote

    try:
        import psycopg

        plain = "postgresql://postgres@127.0.0.1:5432/test"
        schema = f"gwbench_{label}_{secrets.token_hex(3)}"
        with psycopg.connect(plain, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')

        def drop() -> None:
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

        options = quote(f"-csearch_path={schema}", safe="")
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options={options}", drop
    except Exception:
        path = Path(f"/tmp/gwbench-{label}-{secrets.token_hex(3)}.db")
        return f"sqlite:///{path}", lambda: [p.unlink(missing_ok=True) for p in path.parent.glob(path.name + "*")]


def inspect_with_workers(urls: list[str], port: int, workers: int, home: Path, extra_env: dict[str, str]) -> dict:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from storage.db import Database
    from storage.models import CrawlRun, Evaluation
    from storage.repo import upsert_site

    db_url, drop = database_url(f"w{workers}")
    prefix = f"gwbench:{secrets.token_hex(3)}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")} | {
        "GOVWATCH_HOME": str(home), "GOVWATCH_DATABASE_URL": db_url, "GOVWATCH_REDIS_PREFIX": prefix,
        "GOVWATCH_REDIS_URL": "redis://127.0.0.1:6379/14", "PYTHONPATH": str(ROOT)} | extra_env
    db = Database(db_url)
    with db.session() as session:
        for i, url in enumerate(urls):
            upsert_site(session, url=url, name=f"基准县{i + 1}人民政府", code=str(9100000000 + i))
    procs = []
    try:
        cpu_before = children_cpu()
        with PeakMemory(exclude=set()) as memory:
            procs = [subprocess.Popen([sys.executable, "-m", "govwatch.cli", "worker"], env=env, cwd=ROOT,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
            import redis

            client = redis.Redis.from_url(env["GOVWATCH_REDIS_URL"])
            while sum(1 for _ in client.scan_iter(f"{prefix}:worker:*")) < workers:
                time.sleep(0.1)
            hits_before = farm_hits(port)
            started = time.monotonic()
            crawl = subprocess.run([sys.executable, "-m", "govwatch.cli", "crawl", "--workers", "--as-of",
                                    T0.isoformat(), "--json"], env=env, cwd=ROOT, capture_output=True, text=True)
            seconds = time.monotonic() - started
            pages = farm_hits(port) - hits_before
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(120)
        cpu = children_cpu() - cpu_before
        if crawl.returncode != 0:
            raise SystemExit(f"crawl --workers failed:\n{crawl.stderr[-3000:]}")
        verdicts = json.loads(crawl.stdout)
        with db.session() as session:
            runs = session.scalar(select(func.count()).select_from(CrawlRun))
            ok_runs = session.scalar(select(func.count()).select_from(CrawlRun).where(CrawlRun.status == "ok"))
            evaluations = session.scalar(select(func.count()).select_from(Evaluation))
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        db.dispose()
        drop()
    return {"scenario": f"inspection, {workers} worker(s)", "seconds": round(seconds, 1), "pages": pages,
            "sites": len(urls), "runs": runs, "ok_runs": ok_runs, "evaluations": evaluations,
            "verdicts": {v: sum(1 for x in verdicts if x["verdict"] == v) for v in ("pass", "fail", "unknown")},
            "cpu_seconds": round(cpu, 1), "peak_rss_mb": round(memory.peak_kb / 1024, 1),
            "database": db_url.split(":")[0]}


BARE_SPIDER = '''
import json, sys
from urllib.parse import urlsplit
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor

urls = json.load(open(sys.argv[1]))
class Bare(scrapy.Spider):
    name = "bare"
    links = LinkExtractor()
    async def start(self):
        for url in urls:
            yield scrapy.Request(url)
    def parse(self, response):
        host = urlsplit(response.url).netloc
        for link in self.links.extract_links(response):
            if urlsplit(link.url).netloc == host:
                yield response.follow(link.url)
process = CrawlerProcess({"LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False, "REMOTE_CONTROL_ENABLED": False,
                          "TELNETCONSOLE_ENABLED": False, "COOKIES_ENABLED": False, "CONCURRENT_REQUESTS": 32,
                          "CONCURRENT_REQUESTS_PER_DOMAIN": 4, "DOWNLOAD_DELAY": 0, "RETRY_ENABLED": False,
                          "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor"})
process.crawl(Bare)
process.start()
'''


def bare_scrapy(urls: list[str], port: int, home: Path) -> dict:
    home.mkdir(parents=True, exist_ok=True)
    (home / "urls.json").write_text(json.dumps(urls))
    (home / "bare.py").write_text(BARE_SPIDER)
    cpu_before = children_cpu()
    with PeakMemory(exclude=set()) as memory:
        hits_before = farm_hits(port)
        started = time.monotonic()
        subprocess.run([sys.executable, str(home / "bare.py"), str(home / "urls.json")], check=True, cwd=home)
        seconds = time.monotonic() - started
        pages = farm_hits(port) - hits_before
    return {"scenario": "bare Scrapy spider (GET every page once)", "seconds": round(seconds, 1), "pages": pages,
            "sites": len(urls), "cpu_seconds": round(children_cpu() - cpu_before, 1),
            "peak_rss_mb": round(memory.peak_kb / 1024, 1)}


def figures(result: dict) -> dict:
    seconds, pages = result["seconds"], result["pages"]
    return result | {"sites_per_min": round(result["sites"] / seconds * 60, 1),
                     "pages_per_s": round(pages / seconds, 1),
                     "cpu_ms_per_page": round(result["cpu_seconds"] / pages * 1000, 2) if pages else None}


def table(results: list[dict], ceiling: float) -> str:
    lines = ["| scenario | wall s | pages | sites/min | pages/s | CPU ms/page | peak RSS MB | pages/s vs bare |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['scenario']} | {r['seconds']} | {r['pages']} | {r['sites_per_min']} | {r['pages_per_s']} | "
                     f"{r['cpu_ms_per_page']} | {r['peak_rss_mb']} | {r['pages_per_s'] / ceiling:.2f} |")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> None:
    ready = Path(f"/tmp/gwbench-farm-{os.getpid()}.json")
    ready.unlink(missing_ok=True)
    farm = subprocess.Popen([sys.executable, __file__, "serve", "--sites", str(args.sites), "--columns",
                             str(args.columns), "--items", str(args.items), "--port", str(args.port),
                             "--ready", str(ready)], stdout=subprocess.DEVNULL)
    try:
        while not ready.exists():
            time.sleep(0.1)
        urls = json.loads(ready.read_text())["urls"]
        results = []
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = Path(f"/tmp/gwbench-{stamp}")
        extra = {"GOVWATCH_BROWSER": "1" if args.browser else "0", "GOVWATCH_WORKER_SITES": str(args.worker_sites)}
        for workers in args.workers:
            print(f"inspection with {workers} worker(s) ...", flush=True)
            results.append(figures(inspect_with_workers(urls, args.port, workers, base / f"w{workers}", extra)))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        print("bare Scrapy spider ...", flush=True)
        bare = figures(bare_scrapy(urls, args.port, base / "bare"))
        print(json.dumps(bare, ensure_ascii=False), flush=True)
        results.append(bare)
        report = {"when": stamp, "sites": args.sites, "columns": args.columns, "items": args.items,
                  "browser": args.browser, "worker_sites": args.worker_sites, "cores": os.cpu_count(),
                  "results": results}
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / f"{stamp}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(table(results, bare["pages_per_s"]))
    finally:
        farm.terminate()
        farm.wait()
        ready.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "serve"):
        p = sub.add_parser(name)
        p.add_argument("--sites", type=int, default=200)
        p.add_argument("--columns", type=int, default=30)
        p.add_argument("--items", type=int, default=10)
        p.add_argument("--port", type=int, default=18080)
    run_p = sub.choices["run"]
    run_p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    run_p.add_argument("--worker-sites", type=int, default=8)
    run_p.add_argument("--browser", action=argparse.BooleanOptionalAction, default=True,
                       help="render home pages in Chromium as the default settings do (--no-browser: plain HTTP)")
    sub.choices["serve"].add_argument("--ready", type=Path)
    args = parser.parse_args()
    if args.command == "serve":
        try:
            asyncio.run(serve(Farm(args.sites, args.columns, args.items), args.port, args.ready))
        except KeyboardInterrupt:
            pass
    else:
        run(args)


if __name__ == "__main__":
    main()
