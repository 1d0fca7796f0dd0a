"""What could not be read stays undecided (issue 8, item 3): a consultation channel, a service entry or
a column whose own page timed out or answered 5xx/429 is never a W-V5/W-V6/W-V3 veto. The same site
without the fault is the reference; a channel that was read and is gone (404) still counts."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

import pytest

from govwatch.demo.sites.server import serve_handler
from tests.cli_support import govwatch

AS_OF = "2023-11-20"
VETOES = {"W-V3", "W-V5", "W-V6"}


def _list(title: str) -> bytes:
    rows = "".join(f"<li><a href='/{title}/a{k}.html'>{title}第{k}条信息公开内容</a><span>2023-11-1{k}</span></li>"
                   for k in range(5))
    return f"<html><head><title>{title}</title></head><body><ul>{rows}</ul></body></html>".encode()


# A navigation-only home page (no dated items): W-V3 rests on its columns.
HOME = ("<html><head><title>测试县人民政府</title></head><body><div class='nav'>"
        "<a href='/gzdt/'>工作动态</a><a href='/tzgg/'>通知公告</a><a href='/bsfw/'>办事服务</a>"
        "<a href='/ldxx/'>县长信箱</a></div></body></html>").encode()
BOARD = ("<html><head><title>县长信箱</title></head><body><h1>县长信箱</h1><form method='post'>"
         "<input name='title'><textarea name='content'></textarea><button>写信</button></form>"
         "<table><tr><th>标题</th><th>留言时间</th><th>答复时间</th></tr>"
         "<tr><td><a href='/ldxx/1.html'>关于道路修缮的建议</a></td><td>2023-10-09</td><td>2023-10-12</td></tr>"
         "</table></body></html>").encode()
CLEAN = {"/": HOME, "/gzdt/": _list("工作动态"), "/tzgg/": _list("通知公告"), "/bsfw/": _list("办事服务"),
         "/ldxx/": BOARD}


LOG: list[tuple[float, str, str, int]] = []  # (monotonic time, method, path, status) of every request


def _handler(pages: dict[str, bytes], faults: dict[str, tuple]) -> type:
    """faults: path prefix -> (status, headers) always, or (status, headers, n) for the first n requests."""
    served: dict[str, int] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def _answer(self, body_too: bool) -> None:
            import time

            path = self.path.split("?", 1)[0]
            prefix = next((p for p in faults if p != "/" and path.startswith(p)), None)
            if prefix is not None and len(faults[prefix]) == 3:
                served[prefix] = served.get(prefix, 0) + 1
                if served[prefix] > faults[prefix][2]:
                    prefix = None
            if prefix is not None:
                status, headers = faults[prefix][:2]
                body = b"<html><body>Service Temporarily Unavailable</body></html>"
            else:
                status, headers = (200, {}) if path in pages or path.endswith(".html") else (404, {})
                body = pages.get(path, b"<html><title>t</title><body>2023-11-10 \xe6\xad\xa3\xe6\x96\x87</body></html>")
            LOG.append((time.monotonic(), self.command, path, status))
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if body_too:
                self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

        def log_message(self, *args) -> None:
            pass

    return Handler


def site(faults: dict[str, tuple]):
    return serve_handler(_handler(CLEAN, faults))


def recheck(tmp_path, faults: dict[str, tuple]) -> dict:
    with site(faults) as url:
        result = govwatch(tmp_path, "recheck", url, "--as-of", AS_OF, "--json")
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.json()


def findings(data: dict, indicator: str) -> list[dict]:
    return [f for f in data["findings"] if f["indicator"] == indicator]


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict:
    return recheck(tmp_path_factory.mktemp("clean"), {})


def test_the_clean_site_has_none_of_these_vetoes(clean) -> None:
    assert not VETOES & {v["indicator"] for v in clean["vetoes"]}
    assert not [f for f in findings(clean, "W-V5") + findings(clean, "W-V6") + findings(clean, "W-V3")
                if f["kind"] in ("veto", "insufficient")]
    assert clean["verdict"] != "fail"


@pytest.mark.parametrize("status", [503, 429, 500])
def test_unreadable_channel_entry_and_columns_are_undecided_not_vetoes(tmp_path, clean, status) -> None:
    faulty = {p: (status, {}) for p in ("/ldxx/", "/bsfw/", "/gzdt/", "/tzgg/")}
    data = recheck(tmp_path, faulty)
    assert not VETOES & {v["indicator"] for v in data["vetoes"]}
    [w5] = [f for f in findings(data, "W-V5") if f.get("trigger") == "1"]
    assert w5["kind"] == "insufficient" and f"HTTP {status}" in w5["detail"] and "县长信箱" in w5["detail"]
    [w6] = [f for f in findings(data, "W-V6") if f.get("trigger") == "1"]
    assert w6["kind"] == "insufficient" and "办事服务" in w6["detail"]
    assert all(f["kind"] != "veto" for f in findings(data, "W-V3"))
    assert any(f["kind"] == "insufficient" and "未能读取" in f["detail"] for f in findings(data, "W-V3"))


def test_a_channel_that_was_read_and_is_gone_still_counts(tmp_path) -> None:
    data = recheck(tmp_path, {"/ldxx/": (404, {})})
    [w5] = [f for f in findings(data, "W-V5") if f.get("trigger") == "1"]
    assert w5["kind"] == "veto" and w5["detail"] == "未提供网上有效咨询建言渠道"


# -- rate limits (issue 8, item 2) ------------------------------------------------------------------------------


def test_a_column_answering_429_is_blocked_not_broken(tmp_path, clean) -> None:
    data = recheck(tmp_path, {"/gzdt/": (429, {})})
    assert "/gzdt/" not in " ".join(x["url"] for x in data["broken_links"])
    assert any(x["url"].endswith("/gzdt/") for x in data["blocked_links"])
    assert not VETOES & {v["indicator"] for v in data["vetoes"]}
    assert data["verdict"] == clean["verdict"]


def test_retry_after_is_waited_out_before_the_host_is_asked_again(tmp_path) -> None:
    LOG.clear()
    data = recheck(tmp_path, {"/tzgg/": (429, {"Retry-After": "2"}, 1)})
    refused = [t for t, _, path, status in LOG if path == "/tzgg/" and status == 429]
    later = [t for t, _, path, status in LOG if path == "/tzgg/" and status == 200]
    assert refused and later and min(later) - refused[0] >= 1.9  # asked again only after the pause
    [column] = [c for c in data["columns"] if c["url"].endswith("/tzgg/")]
    assert column["latest_date"] == "2023-11-14"  # read on the second try, as on the clean site


def test_a_long_retry_after_stops_the_site_politely_and_leaves_it_undecided(tmp_path, clean) -> None:
    LOG.clear()
    data = recheck(tmp_path, {p: (503, {"Retry-After": "3600"}) for p in ("/gzdt/", "/tzgg/", "/bsfw/", "/ldxx/")})
    assert not VETOES & {v["indicator"] for v in data["vetoes"]}
    assert data["verdict"] != "fail"
    stopped = [f for f in data["findings"] if "Retry-After" in json.dumps(f, ensure_ascii=False)]
    assert stopped, data["findings"]
    first = min(t for t, _, _, status in LOG if status == 503)
    assert [x for x in LOG if x[0] > first + 1] == [], [(round(t - first, 2), m, p, s) for t, m, p, s in LOG]
