"""With the browser off (`GOVWATCH_BROWSER=0`), a column whose list a script fills is unread, not blank: the
raw page's empty list is not what an inspector sees, so no blank-column veto rests on it (issue 17)."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from pathlib import Path

from govwatch.demo.sites.server import serve_handler
from tests.cli_support import govwatch

AS_OF = "2023-11-22"
SCRIPT_LIST = (Path(__file__).with_name("corpus") / "cases" / "xxgk_script_list.html").read_bytes()
HOME = ('<html><head><meta charset="utf-8"><title>松林县人民政府</title></head><body>'
        '<ul class="nav"><li><a href="/zwgk/zcwj/">政策文件</a></li><li><a href="/xwzx/">新闻中心</a></li></ul>'
        '<ul class="news">' + "".join(f'<li><a href="/xwzx/202311/t202311{d}_{d}.html">县政府召开第{d}次常务会议</a>'
                                      f'<span>2023-11-{d}</span></li>' for d in ("20", "15", "10")) +
        '</ul></body></html>').encode()
NEWS = ('<html><head><meta charset="utf-8"><title>新闻中心</title></head><body><ul class="list">' +
        "".join(f'<li><a href="/xwzx/202311/t202311{d}_{d}.html">县政府召开第{d}次常务会议</a><span>2023-11-{d}</span></li>'
                for d in ("20", "15", "10")) + "</ul></body></html>").encode()
PAGES = {"/": HOME, "/zwgk/zcwj/": SCRIPT_LIST, "/xwzx/": NEWS}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        body = PAGES.get(path, "<html><title>正文</title><body>发布时间：2023-11-10 正文</body></html>".encode())
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_script_filled_column_without_a_browser_is_unread_not_blank(tmp_path: Path) -> None:
    with serve_handler(_Handler) as url:
        run = govwatch(tmp_path, "recheck", url, "--as-of", AS_OF, "--json", env={"GOVWATCH_BROWSER": "0"})
    assert run.code == 0, run.stderr
    data = run.json()
    column = next(c for c in data["columns"] if c["name"] == "政策文件")
    assert column["blank"] is False and column["latest_date"] is None
    assert "浏览器" in (column["error"] or "")
    blank_vetoes = [v for v in data["vetoes"] if "空白" in (v.get("detail") or "") or "政策文件" in (v.get("detail") or "")]
    assert blank_vetoes == [], blank_vetoes
    news = next(c for c in data["columns"] if c["name"] == "新闻中心")
    assert news["latest_date"] == "2023-11-20"  # the other column is read and dated as usual
