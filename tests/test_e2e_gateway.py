"""Issue 17, end to end through `govwatch recheck`: a site whose home page is a gateway (entry page:
section and mirror links, no lists, no dates) is read from the page it leads to, and that page's
calendar (next month's events) neither dates the site nor trips the fresh-crawl guard."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from govwatch.demo.sites.server import serve_handler
from tests.cli_support import govwatch

AS_OF = "2023-11-22"
CASES = Path(__file__).with_name("corpus") / "cases"
COLUMNS = [("zwyw", "政务要闻"), ("tzgg", "通知公告"), ("zcwj", "政策文件")]


def _portal() -> bytes:
    """The page the gateway's 进入主站 leads to: the calendar home page of tests/corpus/cases with a menu of
    the site's columns."""
    page = (CASES / "calendar_home.html").read_text(encoding="utf-8")
    # the case page's 2024 deadline row is a real entry dated after this T0 (the guard rightly names it)
    page = "\n".join(line for line in page.splitlines() if "2024-01-05" not in line)
    menu = "".join(f'<li><a href="/{p}/">{n}</a></li>' for p, n in COLUMNS)
    return page.replace('<li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>', menu).encode()


def _column(path: str, name: str) -> bytes:
    rows = "".join(f'<li><a href="/{path}/202311/t202311{d}_{d}.html">关于{name}第{d}项工作的通知</a><span>2023-11-{d}</span></li>'
                   for d in ("20", "14", "08"))
    return f'<html><head><title>{name}</title></head><body><ul class="list">{rows}</ul></body></html>'.encode()


PAGES = {"/": (CASES / "gateway.html").read_bytes(), "/portal/index.html": _portal(),
         **{f"/{p}/": _column(p, n) for p, n in COLUMNS}}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        body = PAGES.get(path, "<html><title>正文</title><body>发布时间：2023-11-10 正文</body></html>".encode())
        self.send_response(200 if path in PAGES or path.endswith(".html") else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> dict:
    with serve_handler(_Handler) as url:
        run = govwatch(tmp_path_factory.mktemp("gateway"), "recheck", url, "--as-of", AS_OF, "--json")
    assert "Traceback" not in run.stderr
    assert run.code == 0, run.stderr
    return run.json()


def test_a_gateway_home_is_read_from_the_page_it_leads_to(result: dict) -> None:
    assert sorted(c["name"] for c in result["columns"]) == sorted(n for _, n in COLUMNS)
    assert all(not c["blank"] for c in result["columns"])


def test_calendar_dates_neither_date_the_site_nor_trip_the_fresh_crawl_guard(result: dict) -> None:
    assert result["home_latest_date"] == "2023-11-20"  # not the calendar's 2023-12-18, nor the 2024-01-05 deadline
