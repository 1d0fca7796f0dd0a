"""The per-host limit holds in local crawls (issue 8, item 1), against a server that counts the
requests in flight per host; and the plain-Scrapy reproduction of why govwatch holds it itself."""

from __future__ import annotations

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


def _plain(url: str, with_limit: bool, tmp_path) -> None:  # noqa: ANN001
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

