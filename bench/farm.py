"""Benchmark: a farm of government-like test sites on 127.0.x.y, fetched by a bare Scrapy spider (the
framework's ceiling) and inspected by govwatch (browser off and on), side by side in one run.

    python bench/farm.py run                                   # 200 sites x 30 columns, 3 pairs, browser off and on
    python bench/farm.py run --sites 20 --columns 10 --items 3 --pairs 1           # a quick try (a few minutes)
    python bench/farm.py run --latency 200-800 --worker-sites 8 16 32 64 --workers 1 2 4   # scale
    python bench/farm.py serve --sites 50 --latency 200-800    # only the farm, for manual runs (Ctrl-C stops)

Each site has its own loopback address (127.0.1.x, 127.0.2.x ...: per-host politeness applies per site, as
on the real web) and `--columns` columns in its navigation menu; each column is a dated list (`--items`
entries, TRS-style pager) linking to article pages; a few columns are stale or blank. With `--latency A-B`
every answer waits A..B ms (drawn from a seeded hash of the request, so both clients meet the same waits).
The farm (aiohttp, its own process) counts what it serves by method, page kind and status, and the most
requests one host had at once, so every client is measured in requests actually served and the per-host
limit is checked from the server's side.

Scenarios on the same farm, each pair run back to back (the order reversed every other pair):

- bare: a Scrapy spider that GETs every same-site page once (no storage), with govwatch's own per-host
  limiter (crawler.hostlimit.HostLimitMiddleware, as crawler/settings.py installs it) at `--per-host`, and
  `--worker-sites` sites in flight (a new site starts when one is done), as a worker keeps them;
- inspection (browser off / on): `govwatch worker` x N, then `govwatch crawl --workers --as-of ... --json`
  timed from its start to its last verdict, GOVWATCH_CONCURRENT_PER_HOST = `--per-host`,
  GOVWATCH_WORKER_SITES, GOVWATCH_BROWSER = 0 / 1; a fresh database (a PostgreSQL schema when PostgreSQL
  answers on 127.0.0.1, else SQLite) and Redis key prefix for each run.

CPU is user+system time of every process the scenario started (resource usage of waited-for children),
Chromium's part sampled from /proc; memory is the sum of Pss (/proc/<pid>/smaps_rollup) over each process
tree, sampled 4 times a second, Chromium's processes (told by their command line) apart from the crawler's.
Results go to bench/results/<stamp>.json and are printed as Markdown tables (`--json`: the JSON instead).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = (
    "政务要闻 部门动态 乡镇动态 通知公告 政策文件 政策解读 人事信息 规划计划 财政预决算 统计信息 "
    "机构概况 领导信息 办事指南 政民互动 在线访谈 征集调查 应急管理 环境保护 教育信息 医疗卫生 "
    "社会保障 安全生产 食品药品 价格收费 招标采购 重大项目 乡村振兴 建议提案 审计信息 信息公开年报"
).split()
T0 = date(2026, 11, 20)
BARE, OFF, ON = "bare", "inspection, browser off", "inspection, browser on"
# The national estimate's givens (issue 22): the country's sites, requests per site, one night.
NATION = {"sites": 14_000, "requests_per_site": 300, "hours": 8.0, "latency_ms": (200, 800)}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the farm ------------------------------------------------------------------------------------------------


def site_address(index: int) -> str:
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


def parse_latency(text: str | None) -> tuple[int, int]:
    """'200-800' -> (200, 800) ms; '300' -> (300, 300); None or '0' -> (0, 0)."""
    if not text:
        return (0, 0)
    low, _, high = text.partition("-")
    low_ms, high_ms = int(low), int(high or low)
    if low_ms < 0 or high_ms < low_ms:
        raise argparse.ArgumentTypeError(f"latency {text!r}: want A-B milliseconds with 0 <= A <= B")
    return (low_ms, high_ms)


def latency_ms(seed: int, host: str, method: str, path: str, low: int, high: int) -> float:
    """The wait of one answer: uniform in [low, high] ms, the same for the same request and seed."""
    if high <= 0:
        return 0.0
    draw = zlib.crc32(f"{seed}|{host}|{method}|{path}".encode()) / 0xFFFFFFFF
    return low + (high - low) * draw


def path_kind(path: str) -> str:
    if path in ("/", "/index.html"):
        return "home"
    if path.startswith("/col/"):
        return "column" if path.rsplit("/", 1)[-1].startswith("index") else "article"
    return path if path.count("/") <= 1 else "other"


class Farm:
    def __init__(self, sites: int, columns: int, items: int, latency: tuple[int, int] = (0, 0),
                 seed: int = 22) -> None:
        self.sites, self.columns, self.items = sites, min(columns, len(COLUMNS)), items
        self.latency, self.seed = latency, seed
        self.hits = 0
        self.kinds: dict[str, int] = {}
        self.in_flight: dict[str, int] = {}
        self.most_per_host = 0  # the most requests one host had at once (since the last reset)
        self.most_hosts = 0  # the most hosts with a request in flight at once (sites in flight)
        self.asked: dict[tuple[str, str], int] = {}  # (host, "METHOD path") -> times asked since the last reset

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

    def stats(self, reset_peaks: bool = False) -> dict:
        """`kinds`: requests by "METHOD kind status" (" browser" when Chromium sent it); `repeats`: how many
        distinct requests ("METHOD kind") were asked how many times, since the last reset."""
        repeats: dict[str, dict[str, int]] = {}
        for (_, request), times in self.asked.items():
            method, path = request.split(" ", 1)
            counts = repeats.setdefault(f"{method} {path_kind(path)}", {})
            counts[str(times)] = counts.get(str(times), 0) + 1
        answer = {"hits": self.hits, "kinds": dict(self.kinds), "most_per_host": self.most_per_host,
                  "most_hosts": self.most_hosts, "repeats": repeats}
        if reset_peaks:
            self.asked.clear()
            self.most_per_host = max(self.in_flight.values(), default=0)
            self.most_hosts = sum(1 for n in self.in_flight.values() if n)
        return answer


async def serve(farm: Farm, port: int, ready: Path | None = None) -> None:
    from aiohttp import web

    index_of = {site_address(i): i for i in range(farm.sites)}
    low, high = farm.latency

    async def handle(request: web.Request) -> web.Response:
        if request.path == "/__stats":
            return web.json_response(farm.stats(reset_peaks="reset" in request.query))
        farm.hits += 1
        host = (request.host or "").split(":")[0]
        site = index_of.get(host)
        if site is None:
            return web.Response(status=404)
        farm.in_flight[host] = farm.in_flight.get(host, 0) + 1
        farm.most_per_host = max(farm.most_per_host, farm.in_flight[host])
        farm.most_hosts = max(farm.most_hosts, sum(1 for n in farm.in_flight.values() if n))
        asked = (host, f"{request.method} {request.path}")
        farm.asked[asked] = farm.asked.get(asked, 0) + 1
        try:
            if high:
                await asyncio.sleep(latency_ms(farm.seed, host, request.method, request.path_qs, low, high) / 1000)
            status, body = farm.page(site, request.path, request.host)
        finally:
            farm.in_flight[host] -= 1
        kind = f"{request.method} {path_kind(request.path)} {status}"
        if "Sec-Fetch-Mode" in request.headers:  # Chromium sends it, Scrapy does not
            kind += " browser"
        farm.kinds[kind] = farm.kinds.get(kind, 0) + 1
        return web.Response(status=status, text=body if request.method != "HEAD" else None,
                            content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for address in [*index_of, "127.0.0.1"]:
        await web.TCPSite(runner, address, port, backlog=1024).start()
    if ready is not None:
        ready.write_text(json.dumps({"port": port, "urls": [f"http://{a}:{port}/" for a in index_of]}))
    print(f"farm: {farm.sites} sites x {farm.columns} columns on 127.0.x.y:{port}, latency {low}-{high} ms",
          flush=True)
    while True:
        await asyncio.sleep(3600)


def farm_stats(port: int, reset: bool = False) -> dict:
    import urllib.request

    url = f"http://127.0.0.1:{port}/__stats" + ("?reset=1" if reset else "")
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def served_between(before: dict, after: dict) -> dict:
    """What the farm served between two /__stats answers (the peaks are those since `before` reset them)."""
    kinds = {k: n - before["kinds"].get(k, 0) for k, n in after["kinds"].items()}
    return {"requests": after["hits"] - before["hits"], "kinds": {k: n for k, n in sorted(kinds.items()) if n},
            "most_per_host": after["most_per_host"], "most_sites_at_once": after["most_hosts"],
            "repeats": after.get("repeats", {})}


# -- measuring: CPU and PSS of process trees -------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def pss_kb(smaps_rollup: str) -> int:
    """The Pss line of /proc/<pid>/smaps_rollup, in kB (0 when absent)."""
    for line in smaps_rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def stat_fields(stat: str) -> tuple[int, float]:
    """(parent pid, user+system CPU seconds) from /proc/<pid>/stat (the name may hold spaces and ')')."""
    rest = stat.rsplit(")", 1)[1].split()
    return int(rest[1]), (int(rest[11]) + int(rest[12])) / CLOCK_TICKS


def process_kind(cmdline: list[str]) -> str:
    """'chromium' for Chromium's processes (browser, zygotes, renderers, GPU, utility), 'driver' for
    Playwright's node driver, else 'crawler' (the Python processes)."""
    if not cmdline:
        return "crawler"
    program = os.path.basename(cmdline[0]).lower()
    if "chrom" in program or "headless_shell" in program or any(a.startswith("--type=") for a in cmdline[1:]):
        return "chromium"
    if program.startswith("node") and any("playwright" in a for a in cmdline):
        return "driver"
    return "crawler"


def _read(path: str) -> str | None:
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return None


def _process_table() -> dict[int, tuple[int, float]]:
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _read(f"/proc/{entry}/stat")):
            try:
                table[int(entry)] = stat_fields(stat)
            except (IndexError, ValueError):
                continue
    return table


def tree_of(roots: Iterable[int], table: dict[int, tuple[int, float]]) -> list[int]:
    """The roots still alive and all their descendants."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [r for r in roots if r in table]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


class Sampler:
    """Every `interval` s: the summed Pss of the crawler's and of Chromium's processes (with Playwright's
    driver) in the trees of `roots`, and the last CPU time seen of each browser process."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.roots: dict[int, str] = {}  # pid -> label (worker, coordinator, bare)
        self.samples: list[tuple[float, int, int]] = []  # (monotonic s, crawler kB, browser kB)
        self.kinds: dict[int, str] = {}
        self.browser_cpu: dict[int, float] = {}  # pid -> CPU seconds last seen
        self.cpu_seen: dict[int, tuple[str, float]] = {}  # pid -> (label of its root, CPU seconds last seen)
        self.processes: dict[str, int] = {"crawler": 0, "chromium": 0, "driver": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def add(self, pid: int, label: str) -> None:
        self.roots[pid] = label

    def sample(self) -> None:
        table = _process_table()
        crawler = browser = 0
        trees = [(pid, label) for root, label in list(self.roots.items()) for pid in tree_of([root], table)]
        for pid, label in trees:
            self.cpu_seen[pid] = (label, table[pid][1])
            kind = self.kinds.get(pid)
            if kind is None:
                cmdline = _read(f"/proc/{pid}/cmdline")
                if not cmdline:
                    continue  # exiting, or a fork that has not exec'd yet: looked at again next time
                kind = self.kinds[pid] = process_kind(cmdline.rstrip("\0").split("\0"))
                self.processes[kind] += 1
            rollup = _read(f"/proc/{pid}/smaps_rollup")
            pss = pss_kb(rollup) if rollup else 0
            if kind == "crawler":
                crawler += pss
            else:
                browser += pss
                self.browser_cpu[pid] = table[pid][1]
        self.samples.append((time.monotonic(), crawler, browser))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def cpu_by_label(self) -> dict[str, float]:
        """CPU seconds last seen, summed by root label (sampled: a process's last quarter second is missed)."""
        out: dict[str, float] = {}
        for label, cpu in self.cpu_seen.values():
            out[label] = round(out.get(label, 0.0) + cpu, 2)
        return out

    def memory(self, start: float, end: float) -> dict:
        window = [s for s in self.samples if start <= s[0] <= end] or self.samples
        return memory_figures(window)


def memory_figures(samples: list[tuple[float, int, int]]) -> dict:
    """Peak Pss of the crawler and of the browser (MB), and their means in the first and last quarter."""
    if not samples:
        return {"crawler_peak_mb": 0.0, "browser_peak_mb": 0.0, "quarters": None}
    mb = 1024.0
    quarter = max(1, len(samples) // 4)
    first, last = samples[:quarter], samples[-quarter:]
    return {
        "crawler_peak_mb": round(max(s[1] for s in samples) / mb, 1),
        "browser_peak_mb": round(max(s[2] for s in samples) / mb, 1),
        "total_peak_mb": round(max(s[1] + s[2] for s in samples) / mb, 1),
        "quarters": {"crawler_first_mb": round(statistics.fmean(s[1] for s in first) / mb, 1),
                     "crawler_last_mb": round(statistics.fmean(s[1] for s in last) / mb, 1),
                     "browser_first_mb": round(statistics.fmean(s[2] for s in first) / mb, 1),
                     "browser_last_mb": round(statistics.fmean(s[2] for s in last) / mb, 1),
                     "samples": len(samples)},
    }


def final_cpu(proc: subprocess.Popen, timeout: float) -> float:
    """User+system CPU seconds of the process itself (its threads, not its children), read from
    /proc/<pid>/stat once it has exited and before it is reaped; then reaped."""
    deadline = time.monotonic() + timeout
    while os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is None:
        if time.monotonic() > deadline:
            raise subprocess.TimeoutExpired(proc.args, timeout)
        time.sleep(0.05)
    stat = _read(f"/proc/{proc.pid}/stat")
    proc.wait()
    return stat_fields(stat)[1] if stat else 0.0


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def spread(values: Iterable[float]) -> dict:
    values = sorted(v for v in values if v is not None)
    if not values:
        return {"min": None, "median": None, "max": None, "n": 0}
    return {"min": values[0], "median": statistics.median(values), "max": values[-1], "n": len(values)}


# -- scenarios ---------------------------------------------------------------------------------------------


def database_url(label: str) -> tuple[str, Callable[[], None]]:
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


def _finish(result: dict, sampler: Sampler, start: float, end: float, exact: dict[str, float],
            rusage: float) -> dict:
    """Sites/min, CPU per request, the browser's CPU and the memory figures of one timed run. `exact`: the
    CPU seconds of the processes started (by label); any other crawler process and every browser process
    as last sampled."""
    seconds, requests = result["seconds"], result["requests"]
    roots = set(sampler.roots)
    browser_cpu = sum(sampler.browser_cpu.values())
    others = sum(cpu for pid, (_, cpu) in sampler.cpu_seen.items()
                 if pid not in roots and pid not in sampler.browser_cpu)
    cpu = sum(exact.values()) + others + browser_cpu
    return result | {
        "sites_per_min": round(result["sites"] / seconds * 60, 2) if seconds else None,
        "requests_per_s": round(requests / seconds, 1) if seconds else None,
        "cpu_seconds": round(cpu, 2), "browser_cpu_seconds": round(browser_cpu, 2),
        "crawler_cpu_seconds": round(cpu - browser_cpu, 2),
        "cpu_ms_per_request": round(cpu / requests * 1000, 2) if requests else None,
        "cpu_cores": round(cpu / seconds, 2) if seconds else None,
        "processes": dict(sampler.processes), "cpu_by_process": {k: round(v, 2) for k, v in exact.items()},
        "sampled_cpu_seconds": sampler.cpu_by_label(), "rusage_cpu_seconds": round(rusage, 2),
    } | sampler.memory(start, end)


def inspect(urls: list[str], port: int, workers: int, home: Path, env_extra: dict[str, str],
            timeout: float) -> dict:
    sys.path.insert(0, str(ROOT))
    import redis
    from sqlalchemy import func, select

    from storage.db import Database
    from storage.models import CrawlRun, Evaluation
    from storage.repo import upsert_site

    home.mkdir(parents=True, exist_ok=True)
    db_url, drop = database_url(f"w{workers}")
    prefix = f"gwbench:{secrets.token_hex(3)}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")} | {
        "GOVWATCH_HOME": str(home), "GOVWATCH_DATABASE_URL": db_url, "GOVWATCH_REDIS_PREFIX": prefix,
        "GOVWATCH_REDIS_URL": "redis://127.0.0.1:6379/14", "PYTHONPATH": str(ROOT)} | env_extra
    db = Database(db_url)
    with db.session() as session:
        for i, url in enumerate(urls):
            upsert_site(session, url=url, name=f"基准县{i + 1}人民政府", code=str(9100000000 + i))
    client = redis.Redis.from_url(env["GOVWATCH_REDIS_URL"])
    procs: list[subprocess.Popen] = []
    crawl = None
    try:
        cpu_before = children_cpu()
        with Sampler() as sampler:
            for n in range(workers):
                with open(home / f"worker-{n}.log", "wb") as errors:
                    procs.append(subprocess.Popen([sys.executable, "-m", "govwatch.cli", "worker"], env=env, cwd=ROOT,
                                                  stdout=subprocess.DEVNULL, stderr=errors))
                sampler.add(procs[-1].pid, "workers")
            deadline = time.monotonic() + 120
            while sum(1 for _ in client.scan_iter(f"{prefix}:worker:*")) < workers:
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise SystemExit(f"workers did not start: see {home}/worker-*.log")
                time.sleep(0.1)
            before = farm_stats(port, reset=True)
            start = time.monotonic()
            with open(home / "crawl.out", "wb") as out, open(home / "crawl.err", "wb") as errors:
                crawl = subprocess.Popen([sys.executable, "-m", "govwatch.cli", "crawl", "--workers", "--as-of",
                                          T0.isoformat(), "--json"], env=env, cwd=ROOT, stdout=out, stderr=errors)
                sampler.add(crawl.pid, "coordinator")
                try:
                    exact = {"coordinator": final_cpu(crawl, timeout)}
                except subprocess.TimeoutExpired:
                    raise SystemExit(f"crawl --workers took over {timeout:.0f} s: see {home}") from None
            end = time.monotonic()
            served = served_between(before, farm_stats(port))
            for p in procs:
                p.send_signal(signal.SIGTERM)
            exact["workers"] = sum(final_cpu(p, 120) for p in procs)
        rusage = children_cpu() - cpu_before
        if crawl.returncode != 0:
            raise SystemExit(f"crawl --workers failed:\n{(home / 'crawl.err').read_text()[-3000:]}")
        verdicts = json.loads((home / "crawl.out").read_text())
        with db.session() as session:
            runs = session.scalar(select(func.count()).select_from(CrawlRun))
            ok_runs = session.scalar(select(func.count()).select_from(CrawlRun).where(CrawlRun.status == "ok"))
            evaluations = session.scalar(select(func.count()).select_from(Evaluation))
    finally:
        for p in [*procs, crawl]:
            if p is not None and p.poll() is None:
                p.kill()
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        db.dispose()
        drop()
    result = {"seconds": round(end - start, 2), "sites": len(urls), "workers": workers, **served,
              "runs": runs, "ok_runs": ok_runs, "evaluations": evaluations,
              "verdicts": {v: sum(1 for x in verdicts if x.get("verdict") == v) for v in ("pass", "fail", "unknown")},
              "database": db_url.split(":")[0]}
    return _finish(result, sampler, start, end, exact, rusage)


def bare(urls: list[str], port: int, home: Path, per_host: int, sites_in_flight: int, timeout: float) -> dict:
    home.mkdir(parents=True, exist_ok=True)
    (home / "urls.json").write_text(json.dumps(urls))
    cpu_before = children_cpu()
    with Sampler() as sampler:
        before = farm_stats(port, reset=True)
        with open(home / "bare.err", "wb") as errors:
            proc = subprocess.Popen([sys.executable, __file__, "bare", str(home / "urls.json"), "--per-host",
                                     str(per_host), "--worker-sites", str(sites_in_flight)], cwd=ROOT,
                                    env=os.environ | {"PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=errors)
            sampler.add(proc.pid, "bare")
            try:
                exact = {"bare": final_cpu(proc, timeout)}
                out = proc.stdout.read()
            except subprocess.TimeoutExpired:
                proc.kill()
                raise SystemExit(f"the bare spider took over {timeout:.0f} s: see {home}/bare.err") from None
        served = served_between(before, farm_stats(port))
    if proc.returncode != 0:
        raise SystemExit(f"the bare spider failed:\n{(home / 'bare.err').read_text()[-3000:]}")
    timing = json.loads(out.decode().strip().splitlines()[-1])
    result = {"seconds": round(timing["seconds"], 2), "sites": timing["sites"], "workers": 1,
              "process_seconds": round(timing["process_seconds"], 2), **served}
    return _finish(result, sampler, timing["start"], timing["end"], exact, children_cpu() - cpu_before)


def bare_main(args: argparse.Namespace) -> None:
    """The bare spider, in its own process: every same-site page once, `--worker-sites` sites at once,
    govwatch's per-host limiter at `--per-host`. Prints its timing as JSON on its last line."""
    from collections import deque
    from urllib.parse import urlsplit

    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import TextResponse
    from scrapy.linkextractors import LinkExtractor

    born = time.monotonic()
    urls = json.loads(Path(args.urls).read_text())
    timing: dict[str, float] = {}

    class Bare(scrapy.Spider):
        name = "bare"

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.todo = deque(urls)
            self.seen: dict[str, set[str]] = {}
            self.pending: dict[str, int] = {}
            self.finished = 0
            self.links = LinkExtractor()

        def closed(self, reason: str) -> None:
            timing.setdefault("end", time.monotonic())

        def _request(self, url: str, host: str) -> scrapy.Request:
            self.seen[host].add(url)
            self.pending[host] = self.pending.get(host, 0) + 1
            return scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True,
                                  cb_kwargs={"host": host})

        def _next_site(self) -> scrapy.Request:
            url = self.todo.popleft()
            host = urlsplit(url).netloc
            self.seen[host] = set()
            return self._request(url, host)

        def _one_done(self, host: str) -> Iterable[scrapy.Request]:
            self.pending[host] -= 1
            if not self.pending[host]:
                del self.pending[host], self.seen[host]
                self.finished += 1
                if self.todo:
                    yield self._next_site()

        async def start(self) -> Any:
            timing.setdefault("start", time.monotonic())
            for _ in range(min(args.worker_sites, len(self.todo))):
                yield self._next_site()

        def parse(self, response: Any, host: str) -> Iterable[scrapy.Request]:
            if isinstance(response, TextResponse):
                for link in self.links.extract_links(response):
                    if urlsplit(link.url).netloc == host and link.url not in self.seen[host]:
                        yield self._request(link.url, host)
            yield from self._one_done(host)

        def failed(self, failure: Any) -> Iterable[scrapy.Request]:
            yield from self._one_done(failure.request.cb_kwargs["host"])

    process = CrawlerProcess({
        "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False, "REMOTE_CONTROL_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False, "COOKIES_ENABLED": False, "DOWNLOAD_DELAY": 0, "RETRY_ENABLED": False,
        "DOWNLOAD_TIMEOUT": 15,
        "CONCURRENT_REQUESTS": max(32, args.worker_sites * args.per_host),  # as a worker sets it
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_host,  # read by the limiter below too
        # Scrapy's own per-domain slots do not hold under the asyncio reactor: govwatch's limiter does.
        "DOWNLOADER_MIDDLEWARES": {"crawler.hostlimit.HostLimitMiddleware": 940},
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor"})
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    timing.setdefault("start", born)
    timing.setdefault("end", time.monotonic())
    print(json.dumps({"start": timing["start"], "end": timing["end"], "seconds": timing["end"] - timing["start"],
                      "process_seconds": time.monotonic() - born, "sites": crawler.spider.finished}))


# -- the run ---------------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, urls: list[str], base: Path) -> None:
        self.args, self.urls, self.base = args, urls, base
        self.count = 0

    def env(self, browser: bool, worker_sites: int) -> dict[str, str]:
        return {"GOVWATCH_BROWSER": "1" if browser else "0", "GOVWATCH_WORKER_SITES": str(worker_sites),
                "GOVWATCH_CONCURRENT_PER_HOST": str(self.args.per_host)}

    def scenario(self, name: str, worker_sites: int, workers: int = 1) -> dict:
        self.count += 1
        home = self.base / f"{self.count:02d}"
        log(f"  {name}, {workers} worker(s), {worker_sites} sites in flight ...")
        if name == BARE:
            result = bare(self.urls, self.args.port, home, self.args.per_host, worker_sites, self.args.timeout)
        else:
            result = inspect(self.urls, self.args.port, workers, home, self.env(name == ON, worker_sites),
                             self.args.timeout)
        result = {"scenario": name, "worker_sites": worker_sites} | result
        log(f"    {result['sites_per_min']} sites/min, {result['requests']} requests, "
            f"{result['cpu_ms_per_request']} CPU ms/request, most {result['most_per_host']} per host, "
            f"crawler {result['crawler_peak_mb']} MB + browser {result['browser_peak_mb']} MB PSS")
        return result


def summarise(runs: list[dict]) -> dict:
    """Median (and min/max) over the runs of one scenario."""
    keys = ("sites_per_min", "seconds", "requests", "requests_per_s", "cpu_ms_per_request", "cpu_seconds",
            "browser_cpu_seconds", "crawler_cpu_seconds", "crawler_peak_mb", "browser_peak_mb", "total_peak_mb",
            "most_per_host", "most_sites_at_once", "cpu_cores")
    out = {k: spread(r.get(k) for r in runs) for k in keys}
    kinds = sorted({k for r in runs for k in r["kinds"]})
    out["kinds"] = {k: statistics.median(r["kinds"].get(k, 0) for r in runs) for k in kinds}
    quarters = [r["quarters"] for r in runs if r.get("quarters")]
    out["quarters"] = ({k: statistics.median(q[k] for q in quarters) for k in quarters[0]} if quarters else None)
    return out


def national_estimate(requests_per_s: float | None, cpu_ms_per_request: float, per_host: int,
                      sites_in_flight: int, latency_ms_mean: float, nation: dict = NATION) -> dict:
    """Workers for the country in one night. Each worker's rate is the lower of what politeness lets
    through (sites in flight x per-host limit / mean latency) and what one core can process (1000 / CPU ms
    per request); workers = ceil(total requests / (seconds of the night x that rate))."""
    total = nation["sites"] * nation["requests_per_site"]
    seconds = nation["hours"] * 3600
    needed = total / seconds
    polite = sites_in_flight * per_host / (latency_ms_mean / 1000)
    cpu = 1000 / cpu_ms_per_request if cpu_ms_per_request else math.inf
    rate = min(polite, cpu)
    out = {"total_requests": total, "night_seconds": seconds, "needed_requests_per_s": round(needed, 1),
           "per_host": per_host, "sites_in_flight": sites_in_flight, "latency_ms_mean": latency_ms_mean,
           "cpu_ms_per_request": cpu_ms_per_request, "polite_requests_per_s": round(polite, 1),
           "cpu_requests_per_s": round(cpu, 1), "bound": "politeness" if polite < cpu else "CPU",
           "workers": math.ceil(needed / rate),
           # sites in flight one worker needs to be CPU-bound rather than politeness-bound
           "sites_in_flight_for_cpu": math.ceil(cpu * latency_ms_mean / 1000 / per_host) if cpu != math.inf else None}
    if requests_per_s:
        out["measured_requests_per_s"] = requests_per_s
        out["workers_at_measured_rate"] = math.ceil(needed / requests_per_s)
    return out


def run(args: argparse.Namespace) -> dict:
    ready = Path(f"/tmp/gwbench-farm-{os.getpid()}.json")
    ready.unlink(missing_ok=True)
    latency = args.latency
    farm = subprocess.Popen([sys.executable, __file__, "serve", "--sites", str(args.sites), "--columns",
                             str(args.columns), "--items", str(args.items), "--port", str(args.port),
                             "--latency", f"{latency[0]}-{latency[1]}", "--seed", str(args.seed),
                             "--ready", str(ready)], stdout=subprocess.DEVNULL)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report: dict[str, Any] = {
        "when": stamp, "command": " ".join(["bench/farm.py", *sys.argv[1:]]),
        "machine": {"cores": os.cpu_count(), "load_before": os.getloadavg(), "python": platform.python_version()},
        "farm": {"sites": args.sites, "columns": args.columns, "items": args.items, "latency_ms": list(latency),
                 "seed": args.seed},
        "per_host": args.per_host, "worker_sites": args.worker_sites[0], "pairs": [], "sweep": [], "workers": []}
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            if farm.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the farm did not start")
            time.sleep(0.1)
        urls = json.loads(ready.read_text())["urls"]
        bench = Bench(args, urls, Path(f"/tmp/gwbench-{stamp}"))
        inspections = [name for name, wanted in ((OFF, args.browser != "on"), (ON, args.browser != "off")) if wanted]
        k = args.worker_sites[0]
        for pair in range(args.pairs):
            order = [BARE, *inspections]
            if pair % 2:
                order.reverse()
            log(f"pair {pair + 1} of {args.pairs}: {' -> '.join(order)}")
            report["pairs"].append({"order": order, "runs": {name: bench.scenario(name, k) for name in order}})
        sweep_name = ON if args.sweep_browser == "on" else OFF
        if len(args.worker_sites) > 1:
            for value in args.worker_sites:
                log(f"sites in flight: {value}")
                report["sweep"].append({"worker_sites": value, "bare": bench.scenario(BARE, value),
                                        "inspection": bench.scenario(sweep_name, value)})
        if args.workers != [1]:
            for workers in args.workers:
                log(f"workers: {workers}")
                report["workers"].append(bench.scenario(sweep_name, k, workers))
        report["load_after"] = os.getloadavg()
        own = resource.getrusage(resource.RUSAGE_SELF)
        report["bench_cpu_seconds"] = round(own.ru_utime + own.ru_stime, 1)  # the sampling's own cost, not counted
    finally:
        farm.terminate()
        farm.wait()
        ready.unlink(missing_ok=True)
    analyse(report, args, sweep_name)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"{stamp}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    report["saved"] = str(path.relative_to(ROOT))
    return report


def analyse(report: dict, args: argparse.Namespace, sweep_name: str) -> None:
    names = [n for n in (BARE, OFF, ON) if any(n in p["runs"] for p in report["pairs"])]
    report["summary"] = {n: summarise([p["runs"][n] for p in report["pairs"] if n in p["runs"]]) for n in names}
    report["ratios"] = {}
    for n in names[1:]:
        ratios = [round(p["runs"][n]["sites_per_min"] / p["runs"][BARE]["sites_per_min"], 3)
                  for p in report["pairs"] if n in p["runs"] and p["runs"][BARE]["sites_per_min"]]
        report["ratios"][n] = spread(ratios) | {"pairs": ratios}
    lat = args.latency if args.latency[1] else NATION["latency_ms"]
    one = {r["scenario"]: r for r in report["workers"] if r["workers"] == 1}
    report["national"] = {}
    for n in names[1:]:
        s = report["summary"][n]
        measured = one[n]["requests_per_s"] if n in one else s["requests_per_s"]["median"]
        report["national"][n] = national_estimate(
            measured if args.latency[1] else None, s["cpu_ms_per_request"]["median"], args.per_host,
            args.worker_sites[0], (lat[0] + lat[1]) / 2)
    if report["workers"]:
        base = report["workers"][0]["sites_per_min"]
        for r in report["workers"]:
            r["speedup"] = round(r["sites_per_min"] / base, 2) if base else None
    report["sweep_scenario"] = sweep_name


# -- printing ----------------------------------------------------------------------------------------------


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 100:
            return f"{int(value):,}".replace(",", " ")
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_f(c) if not isinstance(c, str) else c for c in row) + " |" for row in rows]
    return "\n".join(lines)


SHORT = {BARE: "bare", OFF: "insp. off", ON: "insp. on"}


def markdown(report: dict) -> str:
    farm = report["farm"]
    lat = farm["latency_ms"]
    out = [f"## Farm benchmark {report['when']}",
           "",
           f"`{report['command']}`",
           "",
           f"{farm['sites']} sites x {farm['columns']} columns x {farm['items']} items, answers "
           + (f"{lat[0]}-{lat[1]} ms" if lat[1] else "at once") + f"; {report['per_host']} requests at once per "
           f"host, {report['worker_sites']} sites in flight, 1 worker; {len(report['pairs'])} pair(s); "
           f"{report['machine']['cores']} cores, load {report['machine']['load_before'][0]:.1f} before, "
           f"{report.get('load_after', [0])[0]:.1f} after.",
           "", "Medians over the pairs (CPU: all processes; PSS: peak of the summed tree, MB):", ""]
    rows = []
    for name, s in report["summary"].items():
        m = {k: v["median"] for k, v in s.items() if isinstance(v, dict) and "median" in v}
        rows.append([SHORT[name], m["sites_per_min"], m["seconds"], int(m["requests"]), m["cpu_ms_per_request"],
                     m["crawler_peak_mb"], m["browser_peak_mb"], int(m["most_per_host"])])
    out.append(_table(["scenario", "sites/min", "wall s", "requests", "CPU ms/req", "crawler MB", "browser MB",
                       "max/host"], rows))
    if report["ratios"]:
        out += ["", "Inspection / bare, sites/min, over the pairs:", ""]
        out.append(_table(["scenario", "min", "median", "max", "pairs"],
                          [[SHORT[n], *(f"{r[k]:.2f}" for k in ("min", "median", "max")),
                            " ".join(f"{x:.2f}" for x in r["pairs"])]
                           for n, r in report["ratios"].items()]))
    names = list(report["summary"])
    kinds = sorted({k for s in report["summary"].values() for k in s["kinds"]},
                   key=lambda k: (-report["summary"][names[-1]]["kinds"].get(k, 0), k))
    header = ["requests served", *[SHORT[n] for n in names]]
    header += [f"{SHORT[n]} - bare" for n in names[1:] if BARE in names]
    rows = []
    for kind in kinds:
        counts = [report["summary"][n]["kinds"].get(kind, 0) for n in names]
        extra = [c - counts[0] for c in counts[1:]] if BARE in names else []
        rows.append([kind, *[int(c) for c in counts], *[f"{int(e):+d}" for e in extra]])
    out += ["", "Requests served by method, page kind and status (medians; browser: sent by Chromium):", "",
            _table(header, rows)]
    rows = []
    for name in names:
        repeats = report["pairs"][-1]["runs"][name].get("repeats", {})
        for kind, counts in sorted(repeats.items()):
            if set(counts) == {"1"}:
                continue
            distinct = sum(counts.values())
            asked = sum(int(t) * n for t, n in counts.items())
            times = " ".join(f"{n}x{t}" for t, n in sorted(counts.items(), key=lambda c: int(c[0])))
            rows.append([SHORT[name], kind, distinct, asked, times])
    if rows:
        out += ["", "Requests asked more than once (last pair; `n x t`: n distinct requests asked t times; "
                "every other request was asked once):",
                "", _table(["scenario", "request", "distinct", "asked", "n x times"], rows)]
    rows = []
    for name, s in report["summary"].items():
        cpu, browser = s["cpu_seconds"]["median"], s["browser_cpu_seconds"]["median"]
        q = s["quarters"] or {}
        rows.append([SHORT[name], s["crawler_cpu_seconds"]["median"], browser,
                     f"{browser / cpu:.0%}" if cpu else "–", s["cpu_cores"]["median"],
                     f"{_f(q.get('crawler_first_mb'))} / {_f(q.get('crawler_last_mb'))}",
                     f"{_f(q.get('browser_first_mb'))} / {_f(q.get('browser_last_mb'))}"])
    out += ["", "CPU seconds (crawler, browser = Chromium + driver), cores busy, mean PSS MB in the first / last "
            "quarter of the run:", "",
            _table(["scenario", "crawler s", "browser s", "browser %", "cores", "crawler MB 1st/last",
                    "browser MB 1st/last"], rows)]
    if report["sweep"]:
        rows = [[s["worker_sites"], s["bare"]["sites_per_min"], s["inspection"]["sites_per_min"],
                 f"{s['inspection']['sites_per_min'] / s['bare']['sites_per_min']:.2f}"
                 if s["bare"]["sites_per_min"] else "–",
                 s["inspection"]["requests_per_s"], s["inspection"]["cpu_cores"],
                 s["inspection"]["most_sites_at_once"], s["inspection"]["most_per_host"]]
                for s in report["sweep"]]
        out += ["", f"Sites in flight (GOVWATCH_WORKER_SITES), 1 worker, {SHORT[report['sweep_scenario']]}:", "",
                _table(["sites in flight", "bare sites/min", "insp. sites/min", "ratio", "insp. req/s",
                        "insp. cores", "max sites", "max/host"], rows)]
    if report["workers"]:
        rows = [[r["workers"], r["sites_per_min"], round(r["sites_per_min"] * 60), r["requests_per_s"],
                 r["cpu_cores"], r["speedup"]] for r in report["workers"]]
        out += ["", f"Workers, {SHORT[report['sweep_scenario']]}, {report['worker_sites']} sites in flight each:",
                "", _table(["workers", "sites/min", "sites/hour", "req/s", "cores", "vs 1"], rows)]
    for name, e in report["national"].items():
        out += ["", f"National estimate ({SHORT[name]}): {e['total_requests']:,} requests "
                f"({NATION['sites']:,} sites x {NATION['requests_per_site']}) in {NATION['hours']:g} h = "
                f"{e['needed_requests_per_s']} requests/s. Per worker: politeness allows sites in flight x per host"
                f" / latency = {e['sites_in_flight']} x {e['per_host']} / {e['latency_ms_mean'] / 1000:g} s = "
                f"{e['polite_requests_per_s']} req/s; one core does 1000 / {e['cpu_ms_per_request']} CPU ms = "
                f"{e['cpu_requests_per_s']} req/s. Workers = ceil({e['needed_requests_per_s']} / "
                f"min({e['polite_requests_per_s']}, {e['cpu_requests_per_s']})) = **{e['workers']}** "
                f"({e['bound']}-bound; a worker is CPU-bound from {e['sites_in_flight_for_cpu']} sites in flight)"
                + (f"; at the measured {e['measured_requests_per_s']} req/s per worker: "
                   f"{e['workers_at_measured_rate']}." if "measured_requests_per_s" in e else ".")]
    checks = [f"{SHORT[p]}: {r['ok_runs']}/{r['runs']} runs ok, {r['evaluations']} evaluations"
              for pair in report["pairs"] for p, r in pair["runs"].items() if p != BARE]
    out += ["", "Runs: " + "; ".join(checks) + f". The bench's own CPU (sampling, not counted above): "
            f"{report.get('bench_cpu_seconds')} s. Raw figures: {report.get('saved', 'bench/results/')}."]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "serve"):
        p = sub.add_parser(name)
        p.add_argument("--sites", type=int, default=200)
        p.add_argument("--columns", type=int, default=30)
        p.add_argument("--items", type=int, default=10)
        p.add_argument("--port", type=int, default=18080)
        p.add_argument("--latency", type=parse_latency, default=(0, 0), metavar="A-B",
                       help="every answer waits A..B ms (e.g. 200-800, as government servers do); default none")
        p.add_argument("--seed", type=int, default=22, help="seed of the answers' waits")
    run_p = sub.choices["run"]
    run_p.add_argument("--pairs", type=int, default=3, help="bare + inspection runs back to back (default 3)")
    run_p.add_argument("--per-host", type=int, default=2, help="requests at once per host, for both (default 2)")
    run_p.add_argument("--browser", choices=("off", "on", "both"), default="both",
                       help="the inspection's browser in the pairs (default both: off and on)")
    run_p.add_argument("--worker-sites", type=int, nargs="+", default=[8],
                       help="sites in flight; the first for the pairs, several: a sweep (e.g. 8 16 32 64)")
    run_p.add_argument("--workers", type=int, nargs="+", default=[1],
                       help="worker counts to compare (e.g. 1 2 4); the pairs always use 1")
    run_p.add_argument("--sweep-browser", choices=("off", "on"), default="off",
                       help="the browser in the sites-in-flight and workers runs (default off)")
    run_p.add_argument("--timeout", type=float, default=3600, help="seconds one scenario may take")
    run_p.add_argument("--json", action="store_true", help="print the JSON report instead of the tables")
    sub.choices["serve"].add_argument("--ready", type=Path)
    bare_p = sub.add_parser("bare", help="(internal) the bare spider over a JSON list of home pages")
    bare_p.add_argument("urls")
    bare_p.add_argument("--per-host", type=int, default=2)
    bare_p.add_argument("--worker-sites", type=int, default=8)
    args = parser.parse_args()
    if args.command == "serve":
        try:
            asyncio.run(serve(Farm(args.sites, args.columns, args.items, args.latency, args.seed), args.port,
                              args.ready))
        except KeyboardInterrupt:
            pass
    elif args.command == "bare":
        bare_main(args)
    else:
        report = run(args)
        print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else markdown(report))


if __name__ == "__main__":
    main()
