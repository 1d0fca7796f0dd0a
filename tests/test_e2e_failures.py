"""Bad input and broken sites: a clear message, a stored failed observation, nothing lost."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from govwatch.demo.sites.server import serve_handler
from tests.cli_support import govwatch

AS_OF = "2023-11-20"

PAGES: dict[str, tuple[str, bytes]] = {
    "/": ("text/html; charset=utf-8",
          "<html><head><title>好站</title></head><body><div class='nav'><a href='/yw/'>工作动态</a></div>"
          "<ul><li><a href='/a1.html'>关于做好冬季安全生产工作的通知</a><span>2023-11-18</span></li>"
          "<li><a href='/a2.html'>县政府召开常务会议研究部署重点工作</a><span>2023-11-16</span></li></ul>"
          "</body></html>".encode()),
    "/yw/": ("text/html; charset=utf-8",
             "<html><head><title>工作动态</title></head><body><ul>"
             "<li><a href='/a1.html'>关于做好冬季安全生产工作的通知</a><span>2023-11-18</span></li>"
             "<li><a href='/a2.html'>县政府召开常务会议研究部署重点工作</a><span>2023-11-16</span></li>"
             "</ul></body></html>".encode()),
    "/a1.html": ("text/html; charset=utf-8", "<html><title>通知</title><body>正文</body></html>".encode()),
    "/a2.html": ("text/html; charset=utf-8", "<html><title>会议</title><body>正文</body></html>".encode()),
    "/pdf/": ("application/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"),
    "/utf16/": ("text/html", "<html><body>首页</body></html>".encode("utf-16-le")),
    "/binary/": ("text/html", bytes(range(256)) * 8),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        content_type, body = PAGES.get(self.path, ("text/html", b""))
        self.send_response(200 if self.path in PAGES else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.send_response(200 if self.path in PAGES else 404)
        self.send_header("Content-Type", PAGES.get(self.path, ("text/html", b""))[0])
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@contextmanager
def server() -> Iterator[str]:
    with serve_handler(Handler) as url:
        yield url.rstrip("/")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with server() as url:
        yield url


def runs(home: Path) -> list[tuple]:
    db = sqlite3.connect(home / "govwatch.db")
    try:
        return db.execute("select s.url, r.status, r.error from crawl_runs r join sites s on s.id = r.site_id "
                          "order by r.id").fetchall()
    finally:
        db.close()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (None, "连接被拒绝"),
        ("/pdf/", "不是网页（Content-Type: application/pdf）"),
        ("/utf16/", "无法读取"),
        ("/binary/", "无法读取"),
    ],
)
def test_a_site_that_cannot_be_read_is_a_clear_stored_failure(base, tmp_path, path, message) -> None:
    url = f"http://127.0.0.1:{closed_port()}/" if path is None else base + path
    result = govwatch(tmp_path, "recheck", url, "--as-of", AS_OF, "--json")
    # a bare URL whose home page cannot be read: the verdict says why, the exit code is non-zero,
    # and nothing is registered (issue 12, item 12)
    assert result.code == 1, result.stderr
    assert "Traceback" not in result.stderr and "未登记" in result.stderr
    data = result.json()
    assert data["verdict"] == "unknown"
    assert message in data["findings"][0]["evidence"][0]["error"]
    assert data["problems"].startswith("无法访问")
    assert runs(tmp_path) == []


def test_one_failing_site_never_stops_the_others(base, tmp_path) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/"
    sites = tmp_path / "sites.csv"
    sites.write_text(f"code,name,url\n1000000001,好站,{base}/\n1000000002,坏站,{dead}\n1000000003,PDF站,{base}/pdf/\n",
                     encoding="utf-8")
    assert govwatch(tmp_path, "sites", "import", str(sites)).code == 0
    result = govwatch(tmp_path, "crawl", "--as-of", AS_OF, "--json")
    assert result.code == 3, result.stderr  # two sites could not be inspected: cron sees a bad night
    assert "2个网站未能检查" in result.stderr and "Traceback" not in result.stderr
    verdicts = {item["site"]["code"]: item["verdict"] for item in result.json()}
    assert verdicts["1000000002"] == verdicts["1000000003"] == "unknown"
    assert verdicts["1000000001"] in ("pass", "fail")  # judged: the failing sites did not stop it
    good = next(item for item in result.json() if item["site"]["code"] == "1000000001")
    assert not {"W-V3", "W-V4"} & {v["indicator"] for v in good["vetoes"]}
    assert [c["name"] for c in good["columns"]] == ["工作动态"] and good["home_latest_date"] == "2023-11-18"


def test_malformed_sites_file_is_rejected_and_nothing_is_lost(base, tmp_path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(f"- code: '1000000001'\n  name: 好站\n  url: {base}/\n", encoding="utf-8")
    assert govwatch(tmp_path, "sites", "import", str(good)).code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,url\n1000000009,新站,http://new.gov.cn/\n1000000010,无网址,\n", encoding="utf-8")
    result = govwatch(tmp_path, "sites", "import", str(bad))
    assert result.code == 2
    assert "bad.csv, line 3: 没有首页网址" in result.stderr and "Traceback" not in result.stderr
    listed = govwatch(tmp_path, "sites", "list", "--json").json()
    assert [s["code"] for s in listed] == ["1000000001"]  # the good line of the bad file was not half-imported


def test_bad_arguments_give_clear_messages(tmp_path) -> None:
    result = govwatch(tmp_path, "recheck", "http://127.0.0.1:1/", "--as-of", "2023-13-01")
    assert result.code == 2 and "--as-of '2023-13-01' 不是日期" in result.stderr
    result = govwatch(tmp_path, "recheck", "nosuchsite")
    assert result.code == 2 and "既不是已登记的网站，也不是网址" in result.stderr
    result = govwatch(tmp_path, "evaluate", "--profile", "nope")
    assert result.code == 2 and "unknown profile 'nope'" in result.stderr
    result = govwatch(tmp_path, "extract", str(tmp_path / "missing.html"))
    assert result.code == 2 and "no such file" in result.stderr
