"""A county site whose pictures and attachments fail (issue 8, items 7 and 12), and its clean twin.

The faulty site's home page and its 工作动态 column each show a picture that is gone and link an
attachment (PDF, DOCX) that is gone; both sites link two 64 MiB archives, one behind a server that
refuses HEAD (so the check must GET it without downloading it) and one sent without a length; the
faulty home page also starts a 64 MiB download from a script and opens a popup, as hostile or
badly made pages do. The server counts the body bytes it sent per path and logs every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BIG = 64 * 1024 * 1024
CHUNK = 256 * 1024


def _png(width: int, height: int) -> bytes:
    """A small solid red PNG (a picture that shows)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\0" + b"\xc8\x1e\x1e" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG = _png(8, 8)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Pictures and attachments the faulty site links but does not have: (path, kind).
GONE = [("/images/banner-2023.jpg", "image"), ("/files/zhinan.pdf", "attachment"),
        ("/gzdt/images/tu1.gif", "image"), ("/gzdt/files/tongzhi.docx", "attachment")]
BIG_FILES = ("/files/ziliao.zip", "/files/ziliao.rar")  # 64 MiB each: HEAD refused / no Content-Length
DOWNLOAD = "/dl/huge.bin"  # the script-started download
POPUP = "/popup.html"


def _home(faulty: bool) -> str:
    gone = ("<img src='/images/banner-2023.jpg' alt='专题'><a href='/files/zhinan.pdf'>办事指南（PDF）</a>"
            if faulty else "")
    script = ("<script>window.open('/popup.html');"
              "window.addEventListener('load', function () { setTimeout(function () {"
              " location.href = '/dl/huge.bin'; }, 100); });</script>" if faulty else "")
    return ("<html><head><meta charset='utf-8'><title>测试县人民政府</title></head><body>"
            "<div class='nav'><a href='/'>首页</a><a href='/gzdt/'>工作动态</a><a href='/tzgg/'>通知公告</a>"
            "<a href='/zwgk/'>政务公开</a></div><img src='/images/logo.png' alt='县徽'>"
            "<ul><li><a href='/gzdt/a1.html'>关于做好冬季安全生产工作的通知</a><span>2023-11-18</span></li>"
            "<li><a href='/gzdt/a2.html'>县政府召开常务会议研究部署重点工作</a><span>2023-11-16</span></li></ul>"
            f"<p><a href='/files/guize.pdf'>政府信息公开规定.pdf</a>{gone}"
            "<a href='/files/ziliao.zip'>资料汇编.zip</a><a href='/files/ziliao.rar'>资料汇编.rar</a></p>"
            f"{script}</body></html>")


def _column(title: str, faulty: bool, extra: bool) -> str:
    rows = "".join(f"<li><a href='/{title}/a{k}.html'>{title}第{k}条信息公开内容</a><span>2023-11-1{k}</span></li>"
                   for k in range(1, 6))
    gone = ("<img src='/gzdt/images/tu1.gif' alt='图片新闻'><a href='/gzdt/files/tongzhi.docx'>通知全文.docx</a>"
            if faulty and extra else "")
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><ul>{rows}</ul>"
            f"<p><img src='/images/logo.png'><a href='/files/guize.pdf'>附件</a>{gone}</p></body></html>")


def _pages(faulty: bool) -> dict[str, tuple[str, bytes]]:
    html = "text/html; charset=utf-8"
    return {
        "/": (html, _home(faulty).encode()),
        "/gzdt/": (html, _column("gzdt", faulty, True).encode()),
        "/tzgg/": (html, _column("tzgg", faulty, False).encode()),
        "/zwgk/": (html, _column("zwgk", faulty, False).encode()),
        "/images/logo.png": ("image/png", PNG),
        "/files/guize.pdf": ("application/pdf", PDF),
        POPUP: (html, b"<html><title>popup</title><body>popup</body></html>"),
    }


@dataclass
class AssetSite:
    url: str
    sent: dict[str, int] = field(default_factory=dict)  # body bytes written per path
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)


def _handler(site: AssetSite, pages: dict[str, tuple[str, bytes]]) -> type:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _count(self, path: str, n: int) -> None:
            with lock:
                site.sent[path] = site.sent.get(path, 0) + n

        def _big(self, path: str) -> None:
            """64 MiB, paced (about 25 MiB/s) so a client that stops early is seen to have stopped."""
            self.send_response(200)
            kind = {"/files/ziliao.zip": "application/zip", "/files/ziliao.rar": "application/x-rar-compressed"}
            self.send_header("Content-Type", kind.get(path, "application/octet-stream"))
            if path == DOWNLOAD:
                self.send_header("Content-Disposition", "attachment; filename=huge.bin")
            if path == "/files/ziliao.rar":
                self.send_header("Connection", "close")  # no length: the body ends when the server closes
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(BIG))
            self.end_headers()
            chunk = b"\0" * CHUNK
            try:
                for _ in range(BIG // CHUNK):
                    self.wfile.write(chunk)
                    self._count(path, CHUNK)
                    time.sleep(0.01)
            except OSError:
                self.close_connection = True

        def _answer(self, body_too: bool) -> None:
            path = self.path.split("?", 1)[0]
            with lock:
                site.requests.append((self.command, path))
            if path in BIG_FILES or path == DOWNLOAD:
                if self.command == "HEAD":
                    # many government servers refuse HEAD: the check must GET the file, and stop at once
                    self.send_response(405 if path == "/files/ziliao.zip" else 501)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self._big(path)
                return
            content_type, body = pages.get(path, ("text/html; charset=utf-8", b""))
            if path not in pages and path.endswith(".html"):
                body = "<html><title>正文</title><body>2023-11-10 正文</body></html>".encode()
            elif path not in pages:
                body = "<html><title>404 Not Found</title><body>404 页面不存在</body></html>".encode()
            self.send_response(200 if path in pages or path.endswith(".html") else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body_too:
                self.wfile.write(body)
                self._count(path, len(body))

        def do_GET(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

        def log_message(self, *args) -> None:
            pass

    return Handler


@contextmanager
def serve_asset_site(faulty: bool) -> Iterator[AssetSite]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    site = AssetSite(f"http://127.0.0.1:{httpd.server_address[1]}/")
    httpd.RequestHandlerClass = _handler(site, _pages(faulty))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()
