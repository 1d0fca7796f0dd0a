"""The per-host limit holds in local crawls (issue 8, item 1), against a server that counts the
requests in flight per host; and the plain-Scrapy reproduction of why govwatch holds it itself."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

from tests.cli_support import ROOT, govwatch

# A plain Scrapy spider: 40 requests to one host, CONCURRENT_REQUESTS_PER_DOMAIN=4, the asyncio reactor
# (which scrapy-playwright needs). `HOSTLIMIT=1` adds govwatch's middleware.
PLAIN = textwrap.dedent('''
    import sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class Many(scrapy.Spider):
        name = "many"

        async def start(self):
            for n in range(40):
                yield scrapy.Request(f"{sys.argv[1]}c0/t{n}.html", dont_filter=True)

        def parse(self, response):
            pass

    middlewares = {"crawler.hostlimit.HostLimitMiddleware": 940} if sys.argv[2] == "1" else {}
    process = CrawlerProcess({"TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
                              "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
                              "DOWNLOADER_MIDDLEWARES": middlewares, "LOG_LEVEL": "ERROR",
                              "TELNETCONSOLE_ENABLED": False})
    process.crawl(Many)
    process.start()
''')


def _plain(url: str, with_limit: bool, tmp_path) -> None:
    script = tmp_path / "plain_spider.py"
    script.write_text(PLAIN, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), url, "1" if with_limit else "0"], capture_output=True,
                          text=True, timeout=120, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_plain_scrapy_with_the_asyncio_reactor_exceeds_the_per_host_limit(farm_factory, tmp_path) -> None:
    """Records Scrapy's current behaviour. When this fails after an upgrade, Scrapy holds the limit
    again (or breaks it differently): look at crawler/hostlimit.py and this test."""
    farm = farm_factory(1, delay=0.3)
    _plain(farm.url(0), False, tmp_path)
    assert sum(farm.hits.values()) == 40
    assert farm.max_in_flight["127.0.0.1"] > 4, "Scrapy now holds CONCURRENT_REQUESTS_PER_DOMAIN by itself"


def test_the_host_limit_middleware_holds_it_for_the_same_spider(farm_factory, tmp_path) -> None:
    farm = farm_factory(1, delay=0.3)
    _plain(farm.url(0), True, tmp_path)
    assert sum(farm.hits.values()) == 40
    assert farm.max_in_flight["127.0.0.1"] <= 4


def test_a_govwatch_crawl_never_exceeds_the_per_host_limit(farm_factory, tmp_path) -> None:
    farm = farm_factory(3, delay=0.15)
    sites = tmp_path / "sites.csv"
    sites.write_text("code,name,url\n" + "".join(f"100000000{i},测试县{i},{u}\n" for i, u in enumerate(farm.urls)),
                     encoding="utf-8")
    assert govwatch(tmp_path, "sites", "import", str(sites)).code == 0
    result = govwatch(tmp_path, "crawl", "--as-of", "2026-11-20", "--json",
                      env={"GOVWATCH_CONCURRENT_PER_HOST": "2"})
    assert result.code == 0, result.stderr[-2000:]
    assert {item["crawl"]["status"] for item in result.json()} == {"ok"}
    assert sum(farm.hits.values()) > 30  # home pages, columns, articles and their link checks were read
    assert farm.max_in_flight["127.0.0.1"] <= 2, farm.max_in_flight



def test_a_rendered_page_with_many_scripts_xhr_and_images_stays_within_the_limit(farm_factory, tmp_path) -> None:
    """Every request Chromium sends for a page (scripts, XHR, images, a redirected image) waits for a
    slot of its host, and the page still renders: at one request at a time its own requests take
    turns instead of waiting for a slot the page holds (the deadlock of the first try)."""
    import pytest

    from config.settings import load_settings

    if load_settings({}).chromium() is None:
        pytest.skip("no Chromium on this machine")
    farm = farm_factory(1, delay=0.05, columns=1)
    plain_page = farm.page

    def busy_home(index: int, path: str) -> tuple:
        if path == "/":
            status, body = plain_page(index, path)
            fetches = "<script>" + "".join(f'fetch("/api/x{n}.json");' for n in range(6)) + "</script>"
            scripts = "".join(f'<script src="/js/s{n}.js"></script>' for n in range(8))
            images = "".join(f'<img src="/img/i{n}.gif">' for n in range(8)) + '<img src="/img/moved.gif">'
            return status, body.replace("<body>", "<body>" + fetches + scripts + images, 1)
        if path == "/img/moved.gif":
            return 302, "", {"Location": "/img/i0.gif?again"}
        if path.startswith(("/js/", "/img/", "/api/")):
            return 200, ""
        return plain_page(index, path)

    farm.page = busy_home
    result = govwatch(tmp_path, "recheck", farm.url(0), "--as-of", "2026-11-20", "--json",
                      env={"GOVWATCH_CONCURRENT_PER_HOST": "1", "GOVWATCH_TIMEOUT": "15"})
    assert result.code == 0, result.stderr[-2000:]
    assert result.json()["crawl"]["status"] == "ok"
    db = sqlite3.connect(tmp_path / "govwatch.db")
    shots = db.execute("select url from evidence where kind = 'screenshot' and reason = 'home'").fetchall()
    assert shots == [(farm.url(0),)], "the home page was not rendered to its screenshot"
    sent = {path for (_, path) in farm.hits}
    assert {f"/js/s{n}.js" for n in range(8)} | {f"/api/x{n}.json" for n in range(6)} <= sent, sorted(sent)
    assert {f"/img/i{n}.gif" for n in range(8)} | {"/img/moved.gif", "/img/i0.gif?again"} <= sent, sorted(sent)
    assert farm.max_in_flight["127.0.0.1"] <= 1, farm.max_in_flight


class _Events:
    def __init__(self) -> None:
        self.handlers: dict[str, list] = {}

    def on(self, event: str, handler) -> None:
        self.handlers.setdefault(event, []).append(handler)

    def emit(self, event: str, value) -> None:
        for handler in self.handlers.get(event, []):
            handler(value)


class _Page(_Events):
    """What BrowserSlots uses of a Playwright page and its context: events and is_closed()."""

    def __init__(self) -> None:
        super().__init__()
        self.context = _Events()
        self.closed = False

    def is_closed(self) -> bool:
        return self.closed


class _Request:
    def __init__(self, url: str, page: _Page, redirected_from: _Request | None = None) -> None:
        self.url, self.redirected_from = url, redirected_from
        self.frame = type("Frame", (), {"page": page})()


class _Response:
    def __init__(self, request: _Request, status: int) -> None:
        self.request, self.status = request, status


def test_browser_slots_follow_redirect_hops_and_give_everything_back_when_the_page_closes() -> None:
    import asyncio

    from crawler.hostlimit import NAVIGATION, OTHER, PAGE, BrowserSlots, LocalHostSlots

    async def scenario() -> None:
        slots = LocalHostSlots(2)
        browser = BrowserSlots(slots, bound=60)
        page = _Page()
        first = _Request("http://a.gov.cn/", page)
        await browser.enter(first)
        script = _Request("http://a.gov.cn/s.js", page)
        await browser.enter(script)
        assert slots.in_flight["a.gov.cn"] == 2
        # A third request waits; a redirect hop Chromium follows by itself keeps its slot.
        waiting = asyncio.ensure_future(browser.enter(_Request("http://a.gov.cn/i.gif", page)))
        await asyncio.sleep(0)
        assert not waiting.done()
        page.context.emit("response", _Response(script, 302))
        page.context.emit("requestfinished", script)
        hop = _Request("http://b.gov.cn/s.js", page, redirected_from=script)
        page.context.emit("request", hop)
        await asyncio.wait_for(waiting, 1)
        assert slots.in_flight == {"a.gov.cn": 2, "b.gov.cn": 1}  # moved to b, a's went on
        page.context.emit("requestfinished", first)
        assert slots.in_flight["a.gov.cn"] == 1
        page.closed = True
        page.emit("close", page)  # the image and the hop were never reported: the closed page gives them back
        assert slots.in_flight == {"a.gov.cn": 0, "b.gov.cn": 0} and not browser.held

    async def order() -> list[int]:
        slots = LocalHostSlots(1)
        await slots.acquire("a.gov.cn")
        granted: list[int] = []

        async def wait(rank: int) -> None:
            await slots.acquire("a.gov.cn", rank)
            granted.append(rank)
            slots.release("a.gov.cn")

        tasks = [asyncio.ensure_future(wait(rank)) for rank in (OTHER, NAVIGATION, OTHER, PAGE)]
        await asyncio.sleep(0)
        slots.release("a.gov.cn")
        await asyncio.gather(*tasks)
        return granted

    asyncio.run(scenario())
    assert asyncio.run(order()) == [PAGE, NAVIGATION, OTHER, OTHER]


def test_a_browser_page_takes_no_host_slot_and_has_a_download_slot_of_its_own() -> None:
    """The page's own requests are counted by the browser; in the host's Scrapy download slot the page
    would keep link checks that hold host slots from being sent while its navigation waits for them."""
    import asyncio

    from scrapy import Request

    from crawler.hostlimit import HostLimitMiddleware, LocalHostSlots

    async def scenario() -> tuple[dict, dict, dict]:
        middleware = HostLimitMiddleware(LocalHostSlots(4), browser_counts=True)
        page = Request("http://a.gov.cn/list/", meta={"playwright": True})
        await middleware.process_request(page)
        counted = dict(middleware.slots.in_flight)
        link = Request("http://a.gov.cn/art/1.html")
        await middleware.process_request(link)
        return counted, dict(middleware.slots.in_flight), {"page": page.meta.get("download_slot"),
                                                            "link": link.meta.get("download_slot")}

    counted, after_link, download_slots = asyncio.run(scenario())
    assert counted == {} and after_link == {"a.gov.cn": 1}
    assert download_slots == {"page": "a.gov.cn (browser)", "link": None}


def test_links_to_web_pages_are_checked_with_one_get() -> None:
    from crawler.linkcheck import looks_like_page

    pages = ["http://a.gov.cn/", "http://a.gov.cn/xwzx/", "http://a.gov.cn/art/t20231117_1.html",
             "http://a.gov.cn/Article/ShowArticle.asp?ArticleID=1", "http://a.gov.cn/col/col123/index.shtml",
             "http://a.gov.cn/info/list"]
    files = ["http://a.gov.cn/UploadFiles/ndbb.pdf", "http://a.gov.cn/images/top.jpg", "http://a.gov.cn/a.DOC"]
    assert [looks_like_page(u) for u in pages] == [True] * len(pages)
    assert [looks_like_page(u) for u in files] == [False] * len(files)


def test_link_checks_and_a_heavy_rendering_page_share_one_limit(farm_factory, tmp_path) -> None:
    """Scrapy's requests (link checks, column pages) and Chromium's (the home page's 60 images and scripts)
    count against one per-host limit: while the page renders, link checks wait for the same slots (issue 17,
    item 3: before, each pool kept its own 4)."""
    import pytest

    from config.settings import load_settings

    if load_settings({}).chromium() is None:
        pytest.skip("no Chromium on this machine")
    farm = farm_factory(1, delay=0.15, columns=3)
    plain_page = farm.page

    def heavy_home(index: int, path: str) -> tuple:
        if path == "/":
            status, body = plain_page(index, path)
            links = "".join(f'<li><a href="/doc/d{n}.html">通知{n}</a><span>2026-11-{1 + n % 20:02d}</span></li>'
                            for n in range(30))
            scripts = "".join(f'<script src="/js/s{n}.js"></script>' for n in range(20))
            images = "".join(f'<img src="/img/i{n}.gif">' for n in range(40))
            fill = '<div id="list"></div><script>document.getElementById("list").innerHTML = "";</script>'
            return status, body.replace("<body>", "<body>" + fill + scripts + images + f"<ul>{links}</ul>", 1)
        if path.startswith(("/js/", "/img/")):
            return 200, ""
        if path.startswith("/doc/"):
            return 200, "<html><title>通知</title><body>发布时间：2026-11-10 正文</body></html>"
        return plain_page(index, path)

    farm.page = heavy_home
    result = govwatch(tmp_path, "recheck", farm.url(0), "--as-of", "2026-11-20", "--json",
                      env={"GOVWATCH_CONCURRENT_PER_HOST": "4", "GOVWATCH_TIMEOUT": "20"})
    assert result.code == 0, result.stderr[-2000:]
    sent = {path for (_, path) in farm.hits}
    assert {f"/img/i{n}.gif" for n in range(40)} <= sent  # Chromium rendered the page
    assert len({p for p in sent if p.startswith("/doc/")}) >= 10  # and links were checked meanwhile
    assert farm.max_in_flight["127.0.0.1"] <= 4, farm.max_in_flight


def test_with_workers_chromium_and_link_checks_count_against_one_shared_limit(redis_url, redis_prefix) -> None:
    """Workers mode, on the real Redis: a request Chromium sends takes a slot shared by every worker before
    its local one (as Scrapy's requests do), so another worker's link checks and this worker's rendering page
    never pass the limit together; a browser page's own Scrapy request holds no shared slot while it renders;
    a redirect hop to another host moves the shared slot with it (issue 17, item 3)."""
    import asyncio

    import redis
    from scrapy import Request

    from crawler.hostlimit import BrowserSlots, LocalHostSlots
    from crawler.redis_politeness import HostSlots, RedisHostSlotsMiddleware

    client = redis.Redis.from_url(redis_url)
    shared = HostSlots(client, redis_prefix, limit=2, ttl=30)

    async def scenario() -> None:
        other_worker = [shared.try_acquire("a.gov.cn"), shared.try_acquire("a.gov.cn")]  # its 2 link checks
        assert all(other_worker) and shared.in_use("a.gov.cn") == 2
        browser = BrowserSlots(LocalHostSlots(2), bound=60, remote=shared)
        page = _Page()
        navigation = _Request("http://a.gov.cn/", page)
        entering = asyncio.ensure_future(browser.enter(navigation))
        await asyncio.sleep(0.2)
        assert not entering.done()  # the shared limit is full: Chromium waits like everyone else
        shared.release("a.gov.cn", other_worker.pop())
        await asyncio.wait_for(entering, 2)
        assert shared.in_use("a.gov.cn") == 2 and browser.slots.in_flight["a.gov.cn"] == 1
        script = _Request("http://a.gov.cn/s.js", page)
        shared.release("a.gov.cn", other_worker.pop())
        await asyncio.wait_for(browser.enter(script), 2)
        assert shared.in_use("a.gov.cn") == 2  # this page's two requests now hold both shared slots
        page.context.emit("response", _Response(script, 302))
        page.context.emit("requestfinished", script)
        page.context.emit("request", _Request("http://b.gov.cn/s.js", page, redirected_from=script))
        await shared.settled()  # given back and taken without the loop waiting on Redis
        assert shared.in_use("a.gov.cn") == 1 and shared.in_use("b.gov.cn") == 1  # the slot moved with the hop
        page.closed = True
        page.emit("close", page)
        await shared.settled()
        assert shared.in_use("a.gov.cn") == 0 and shared.in_use("b.gov.cn") == 0 and not browser.tokens

        middleware = RedisHostSlotsMiddleware(shared, browser_counts=True)
        rendering = Request("http://a.gov.cn/list/", meta={"playwright": True})
        await middleware.process_request(rendering)
        assert shared.in_use("a.gov.cn") == 0  # a rendering page holds no shared slot
        link = Request("http://a.gov.cn/art/1.html")
        await middleware.process_request(link)
        assert shared.in_use("a.gov.cn") == 1
        middleware.process_response(link, None)
        await shared.settled()
        assert shared.in_use("a.gov.cn") == 0

    try:
        asyncio.run(scenario())
    finally:
        client.close()
