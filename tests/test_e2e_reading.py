"""Pages a browser reads must read the same here (issue 8, items 4, 5 and 8): a stray byte in a GBK column
page, a NUL in the home page's <title>, a menu of unclosed <a> tags and a 10 MB single-line column page give
the verdict of the same site without the fault. One recheck of the clean site is the reference; one recheck
of the faulty site holds all four faults (each on its own page, each asserted on its own)."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest

from govwatch.demo.sites.server import serve_handler
from tests.cli_support import govwatch

AS_OF = "2023-11-20"
GBK = "text/html; charset=gbk"
COLUMNS = [("gzdt", "工作动态"), ("tzgg", "通知公告"), ("zcwj", "政策文件"), ("bsfw", "办事服务"), ("ldxx", "县长信箱")]


def _list(title: str, path: str) -> bytes:
    rows = "".join(f"<li><a href='/{path}/a{k}.html'>关于{title}第{k}项重点工作落实情况的通知</a><span>2023-11-1{k}</span></li>"
                   for k in range(5))
    return (f"<html><head><meta charset='gbk'><title>{title}</title></head><body><ul class='list'>{rows}</ul>"
            "</body></html>").encode("gbk")


def _home(unclosed: bool, title: str = "测试县人民政府") -> bytes:
    """An old template's menu: `<li><a href=…>name` with neither </a> nor </li>, as browsers forgive
    (libxml2 nests every later link inside the first one); the clean page closes its tags."""
    close = "" if unclosed else "</a></li>"
    menu = "".join(f"<li><a href='/{p}/' target='_blank'>{n}{close}" for p, n in COLUMNS)
    news = "".join(f"<li><a href='/gzdt/a{k}.html'>县政府召开第{k}次常务会议研究部署冬季工作</a><span>2023-11-1{k}</span></li>"
                   for k in range(3))
    return (f"<html><head><meta charset='gbk'><title>{title}</title></head><body><div class='top'><ul class='menu'>"
            f"{menu}</ul></div><div class='main'><ul class='news'>{news}</ul></div></body></html>").encode("gbk")


BOARD = ("<html><head><meta charset='gbk'><title>县长信箱</title></head><body><h1>县长信箱</h1><form method='post'>"
         "<input name='title'><textarea name='content'></textarea><button>写信</button></form>"
         "<table><tr><th>标题</th><th>留言时间</th><th>答复时间</th></tr>"
         "<tr><td><a href='/ldxx/1.html'>关于道路修缮的建议</a></td><td>2023-10-09</td><td>2023-10-12</td></tr>"
         "</table></body></html>").encode("gbk")
CLEAN = {"/": _home(False), **{f"/{p}/": _list(n, p) for p, n in COLUMNS if p != "ldxx"}, "/ldxx/": BOARD}
STRAY = b"\x80"  # not a GBK byte: one stray byte pasted into the policy list, inside a title
# and a 10 MB single-line notice list (an inline JSON after its rows): parsed in a thread, cut at 2 MB
DATA = ",".join(f'{{"id":{i},"v":"{i * 7919 % 100000}"}}' for i in range(420_000)).encode()
FAULTY = {**CLEAN, "/": _home(True, "测试县\x00人民政府"),
          "/zcwj/": CLEAN["/zcwj/"].replace("第2项".encode("gbk"), "第2".encode("gbk") + STRAY + "项".encode("gbk")),
          "/tzgg/": CLEAN["/tzgg/"].replace(b"</body>", b"<script>var d=[" + DATA + b"];</script></body>")}


def _handler(pages: dict[str, bytes]) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            body = pages.get(path, "<html><title>正文</title><body>2023-11-10 正文</body></html>".encode("gbk"))
            self.send_response(200 if path in pages or path.endswith(".html") else 404)
            self.send_header("Content-Type", GBK)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    return Handler


def site(pages: dict[str, bytes]):
    return serve_handler(_handler(pages))


def recheck(home, pages: dict[str, bytes]) -> dict:
    with site(pages) as url:
        result = govwatch(home, "recheck", url, "--as-of", AS_OF, "--json")
    assert "Traceback" not in result.stderr
    assert result.code == 0, result.stderr
    return result.json()


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict:
    return recheck(tmp_path_factory.mktemp("clean"), CLEAN)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory) -> dict:
    return recheck(tmp_path_factory.mktemp("faulty"), FAULTY)


def _columns(data: dict) -> dict[str, dict]:
    return {c["name"]: c for c in data["columns"]}


def _problems(data: dict, indicator: str) -> list[tuple[str, str]]:
    return sorted((f["kind"], f["detail"]) for f in data["findings"]
                  if f["indicator"] == indicator and f["kind"] not in ("ok", "info"))


def test_the_faulty_site_gets_the_clean_sites_verdict(clean, faulty) -> None:
    assert clean["verdict"] == "pass", clean["vetoes"]
    assert faulty["verdict"] == clean["verdict"]
    assert sorted(v["indicator"] for v in faulty["vetoes"]) == sorted(v["indicator"] for v in clean["vetoes"])
    for indicator in ("W-D3", "W-V3", "W-V4", "W-V5", "W-V6"):
        assert _problems(faulty, indicator) == _problems(clean, indicator), indicator


def test_a_stray_byte_leaves_the_column_dated_and_says_what_was_replaced(clean, faulty) -> None:
    policy = _columns(faulty)["政策文件"]
    assert policy["latest_date"] == _columns(clean)["政策文件"]["latest_date"] == "2023-11-14"
    assert policy["items"] == 5 and policy["error"] is None
    assert policy["reading"] == "1 个字节无法按 GBK 解码，已替换"
    assert _columns(clean)["政策文件"]["reading"] is None and "reading" not in clean["crawl"]
    # the title shows the replaced byte where it was, as a browser shows it
    titles = [e["title"] for f in faulty["findings"] for e in f["evidence"] if "/zcwj/a2" in e.get("url", "")]
    assert titles and all(t == "关于政策文件第2\ufffd项重点工作落实情况的通知" for t in titles)


def test_a_nul_in_the_title_does_not_make_the_site_uninspectable(faulty) -> None:
    assert faulty["crawl"]["status"] == "ok"
    assert {"url": faulty["site"]["url"], "notes": "1 个空字符（NUL）已删除"} in faulty["crawl"]["reading"]


def test_unclosed_links_give_the_columns_a_browser_shows(clean, faulty) -> None:
    names = [n for _, n in COLUMNS]
    assert sorted(_columns(clean)) == sorted(names)
    assert sorted(_columns(faulty)) == sorted(names)
    assert faulty["home_latest_date"] == clean["home_latest_date"] == "2023-11-12"


def test_a_10_mb_column_page_is_read_in_part_and_says_so(clean, faulty) -> None:
    notice = _columns(faulty)["通知公告"]
    assert notice["latest_date"] == _columns(clean)["通知公告"]["latest_date"] == "2023-11-14"
    assert notice["items"] == 5 and notice["error"] is None
    assert notice["reading"] is not None and notice["reading"].endswith("MB，只读取了前 2.0 MB")
