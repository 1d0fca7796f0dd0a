"""A test site whose pages only a browser reads right, and a self-signed HTTPS site.

Each case of issue 3 is here with its ground truth: a list loaded by XHR, a list in an <iframe>, a
list written by a script, a JavaScript challenge (412 and a script that sets a cookie and reloads),
a meta refresh and a JavaScript redirect to the real list, a 429 with Retry-After that clears, a
429 and a 403 WAF page that never clear (blocked), redirect chains and a redirect loop, and links
to a self-signed HTTPS site that is fine apart from its certificate.
"""

from __future__ import annotations

import datetime as dt
import json
import ssl
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from govwatch.demo.sites.truth import ExpectedColumn

COOKIE = "gw_challenge=passed-7f3a"


@dataclass
class BrowserSite:
    url: str  # home page
    https_url: str  # the self-signed site's home page
    t0: date
    columns: list[ExpectedColumn]
    https_columns: list[ExpectedColumn]
    link_outcomes: dict[str, str]  # absolute URL -> expected outcome (ok, broken, blocked, tls-error)
    found_on: dict[str, str] = field(default_factory=dict)  # absolute URL -> page that links it


def _items(t0: date, ages: list[int], prefix: str) -> list[tuple[str, str, str]]:
    return [(f"{prefix}第{i + 1}期工作情况通报", f"/art/{prefix}{i}.html", (t0 - timedelta(days=a)).isoformat())
            for i, a in enumerate(ages)]


def _page(title: str, body: str, head: str = "") -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
            f'<body><div class="header"><h1>{title}</h1></div>{body}'
            '<div class="footer">主办单位：清河县人民政府办公室 网站标识码：1301000099</div></body></html>').encode()


def _ul(items: list[tuple[str, str, str]]) -> str:
    rows = "".join(f'<li><a href="{u}">{t}</a><span class="date">{d}</span></li>' for t, u, d in items)
    return f'<ul class="list">{rows}</ul>'


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self._answer(True)

    def do_HEAD(self) -> None:
        self._answer(False)

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None, with_body: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _answer(self, with_body: bool) -> None:
        path = self.path.split("?", 1)[0]
        srv = self.server
        with srv.lock:
            srv.hits[path] = srv.hits.get(path, 0) + 1
            hits = srv.hits[path]
        if path.startswith(("/challenge/", "/challenge-link/")) and COOKIE not in (self.headers.get("Cookie") or ""):
            script = (f'<script>document.cookie="{COOKIE}; path=/";'
                      'setTimeout(function(){location.reload()},50);</script>')
            return self._send(412, f"<html><head><title></title>{script}</head><body></body></html>".encode(),
                              with_body=with_body)
        if path == "/busy/" and hits == 1:
            return self._send(429, b"Too Many Requests", "text/plain", {"Retry-After": "1"}, with_body)
        if path == "/always429/":
            return self._send(429, b"Too Many Requests", "text/plain", {"Retry-After": "1"}, with_body)
        if path == "/forbidden/":
            body = _page("访问被拦截", "<p>您的访问请求可能对网站造成安全威胁，已被网站防火墙拦截。</p>")
            return self._send(403, body, with_body=with_body)
        if path in srv.redirects:
            return self._send(302, b"", headers={"Location": srv.redirects[path]}, with_body=with_body)
        if path in srv.pages:
            content_type, body = srv.pages[path]
            return self._send(200, body, content_type, with_body=with_body)
        return self._send(404, _page("404 Not Found", "<p>404 Not Found</p>"), with_body=with_body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, pages: dict[str, tuple[str, bytes]], redirects: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages, self.redirects = pages, redirects
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        pass


def _self_signed(folder: Path) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def _site_pages(t0: date, https_home: str) -> tuple[dict[str, tuple[str, bytes]], dict[str, str], list, dict]:
    html = "text/html; charset=utf-8"
    xhr = _items(t0, [2, 9, 30], "xhr")
    frame = _items(t0, [5, 40], "frame")
    scripted = _items(t0, [20, 60, 90], "script")
    gated = _items(t0, [3, 100], "gate")
    refreshed = _items(t0, [1, 8], "refresh")
    jsredir = _items(t0, [200, 300], "jsr")
    nav = ('<div class="nav"><ul><li><a href="/">首页</a></li>'
           '<li><a href="/xhr/">工作动态</a></li><li><a href="/iframe/">通知公告</a></li>'
           '<li><a href="/jslist/">政策文件</a></li><li><a href="/challenge/">人事信息</a></li>'
           '<li><a href="/refresh/">规划计划</a></li><li><a href="/jsredirect/">部门动态</a></li></ul></div>')
    home_items = _items(t0, [1, 4], "home")
    links = ('<div class="links"><a href="/busy/">繁忙页面</a><a href="/always429/">限流页面</a>'
             '<a href="/forbidden/">防火墙页面</a><a href="/chain/1">跳转链</a><a href="/loop/a">跳转循环</a>'
             f'<a href="/challenge-link/">验证页面</a><a href="{https_home}">安全站点</a></div>')
    pages: dict[str, tuple[str, bytes]] = {
        "/": (html, _page("清河县人民政府", nav + _ul(home_items) + links)),
        "/xhr/": (html, _page("工作动态", nav + '<ul class="list" id="list"></ul><script>'
                              'var x=new XMLHttpRequest();x.open("GET","/api/xhr.json");x.onload=function(){'
                              'var d=JSON.parse(x.responseText),h="";d.forEach(function(r){h+="<li><a href=\\""+r.url+'
                              '"\\">"+r.title+"</a><span class=\\"date\\">"+r.date+"</span></li>"});'
                              'document.getElementById("list").innerHTML=h};x.send();</script>')),
        "/api/xhr.json": ("application/json", json.dumps([{"title": t, "url": u, "date": d} for t, u, d in xhr],
                                                         ensure_ascii=False).encode()),
        "/iframe/": (html, _page("通知公告", nav + '<iframe src="/iframe/list.html" width="800" height="400" '
                                 'frameborder="0"></iframe>')),
        "/iframe/list.html": (html, _page("通知公告列表", _ul(frame))),
        "/jslist/": (html, _page("政策文件", nav + '<div id="box"></div><script>var rows=' +
                                 json.dumps([[t, u, d] for t, u, d in scripted], ensure_ascii=False) +
                                 ';var h="<ul class=list>";for(var i=0;i<rows.length;i++){h+="<li><a href=\\""+'
                                 'rows[i][1]+"\\">"+rows[i][0]+"</a><span>"+rows[i][2]+"</span></li>"}'
                                 'document.getElementById("box").innerHTML=h+"</ul>";</script>')),
        "/challenge/": (html, _page("人事信息", nav + _ul(gated))),
        "/challenge-link/": (html, _page("验证后页面", "<p>通过验证后的正常页面内容。</p>" * 5)),
        "/refresh/": (html, b'<html><head><meta http-equiv="refresh" content="0;url=/refresh/list.html">'
                      b"</head><body></body></html>"),
        "/refresh/list.html": (html, _page("规划计划", nav + _ul(refreshed))),
        "/jsredirect/": (html, b'<html><head><script>window.location.replace("/jsredirect/real.html");</script>'
                         b"</head><body></body></html>"),
        "/jsredirect/real.html": (html, _page("部门动态", nav + _ul(jsredir))),
        "/busy/": (html, _page("繁忙页面", "<p>正常内容，稍后可访问。</p>" * 5)),
        "/chain/4": (html, _page("跳转终点", "<p>跳转链的终点页面。</p>" * 5)),
    }
    for _, url, _ in [*xhr, *frame, *scripted, *gated, *refreshed, *jsredir, *home_items]:
        pages[url] = (html, _page("文章", "<p>正文。</p>" * 20))
    redirects = {"/chain/1": "/chain/2", "/chain/2": "/chain/3", "/chain/3": "/chain/4",
                 "/loop/a": "/loop/b", "/loop/b": "/loop/a"}
    latest = {"工作动态": xhr, "通知公告": frame, "政策文件": scripted, "人事信息": gated, "规划计划": refreshed,
              "部门动态": jsredir}
    return pages, redirects, nav, {k: max(d for _, _, d in v) for k, v in latest.items()}


@contextmanager
def serve_browser_sites(t0: date) -> Iterator[BrowserSite]:
    with tempfile.TemporaryDirectory() as tmp:
        https_pages = {
            "/": ("text/html; charset=utf-8", _page("清河县数据局", '<div class="nav"><a href="/">首页</a>'
                                                 '<a href="/sjdt/">数据动态</a><a href="/tzgg/">通知公告</a>'
                                                 '<a href="/gk/">机构概况</a></div>' +
                                                 _ul(_items(t0, [2], "sec")))),
            "/sjdt/": ("text/html; charset=utf-8", _page("数据动态", _ul(_items(t0, [2, 12], "sjdt")))),
            "/tzgg/": ("text/html; charset=utf-8", _page("通知公告", _ul(_items(t0, [30], "tzgg")))),
            "/gk/": ("text/html; charset=utf-8", _page("机构概况", "<p>清河县数据局是县政府工作部门。</p>" * 10)),
        }
        for prefix, ages in (("sec", [2]), ("sjdt", [2, 12]), ("tzgg", [30])):
            for _, url, _ in _items(t0, ages, prefix):
                https_pages[url] = ("text/html; charset=utf-8", _page("文章", "<p>正文。</p>" * 20))
        secure = _Server(https_pages, {})
        secure.socket = _self_signed(Path(tmp)).wrap_socket(secure.socket, server_side=True)
        https_home = f"https://127.0.0.1:{secure.server_address[1]}/"
        pages, redirects, _, latest = _site_pages(t0, https_home)
        plain = _Server(pages, redirects)
        base = f"http://127.0.0.1:{plain.server_address[1]}"
        threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
                   for s in (plain, secure)]
        for thread in threads:
            thread.start()
        try:
            d = date.fromisoformat
            yield BrowserSite(
                url=base + "/",
                https_url=https_home,
                t0=t0,
                columns=[
                    ExpectedColumn("工作动态", "/xhr/", "news", 1, d(latest["工作动态"]), False),
                    ExpectedColumn("通知公告", "/iframe/", "notice", 1, d(latest["通知公告"]), False),
                    ExpectedColumn("政策文件", "/jslist/", "policy", 1, d(latest["政策文件"]), False),
                    ExpectedColumn("人事信息", "/challenge/", "should_update", 1, d(latest["人事信息"]), False),
                    ExpectedColumn("规划计划", "/refresh/", "should_update", 1, d(latest["规划计划"]), False),
                    ExpectedColumn("部门动态", "/jsredirect/", "news", 1, d(latest["部门动态"]), False),
                ],
                https_columns=[
                    ExpectedColumn("数据动态", "/sjdt/", "news", 1, t0 - timedelta(days=2), False),
                    ExpectedColumn("通知公告", "/tzgg/", "notice", 1, t0 - timedelta(days=30), False),
                    ExpectedColumn("机构概况", "/gk/", "static", 1, None, False),
                ],
                link_outcomes={
                    base + "/busy/": "ok",
                    base + "/always429/": "blocked",
                    base + "/forbidden/": "blocked",
                    base + "/chain/1": "ok",
                    base + "/loop/a": "broken",
                    base + "/challenge-link/": "ok",
                    https_home: "tls-error",
                },
            )
        finally:
            for server in (plain, secure):
                server.shutdown()
                server.server_close()
