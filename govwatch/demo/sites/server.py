"""Serve the test sites on 127.0.0.1, each on its own OS-assigned port, for the length of a `with`.

All three sites are always started, even when only some are asked for: they link to each other
(links that look external and must not be reported broken), so a lone site needs its peers up.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urljoin

from . import hanweb, platforms, table, trs
from .model import BuildContext, Response, SiteBuild, resolve, route_key
from .truth import SiteTruth

BUILDERS: dict[str, Callable[[BuildContext], SiteBuild]] = {
    "trs": trs.build,
    "hanweb": hanweb.build,
    "table": table.build,
}
SITE_KEYS: tuple[str, ...] = tuple(BUILDERS)

NOT_FOUND = Response(
    status=404,
    body=b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
    content_type="text/html",
)


@dataclass
class RunningSite:
    """One served test site: where it answers and what a correct inspection of it concludes."""

    key: str
    name: str
    code: str
    unit: str
    group: str
    url: str  # home page URL, absolute
    truth: SiteTruth

    def abs(self, path: str) -> str:
        """Absolute URL of a path (or URL) on this site."""
        return urljoin(self.url, path)


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 drops concurrent connects: SYN retries cost a second each
    pages: dict[str, Response]
    dynamic: dict = {}  # path -> f(raw query) -> Response (a site search, a platform's lookup page)

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up (a crawler timing out on the slow page) are not server errors.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers after shutdown

    def version_string(self) -> str:
        return "nginx/1.20.1"

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        pages = self.server.pages
        path, _, query = self.path.partition("?")
        if path in self.server.dynamic:
            resp = self.server.dynamic[path](query)
        else:
            key = resolve(pages, route_key(self.path))
            resp = pages[key] if key is not None else NOT_FOUND
        if resp.delay:
            time.sleep(resp.delay)
        try:
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.body)))
            for name, value in resp.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if with_body:
                self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: tests and `govwatch demo` print what matters themselves


def _closed_port_url() -> str:
    """An URL on a 127.0.0.1 port that was bound and closed, so connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@contextmanager
def serve_test_sites(t0: date, keys: list[str] | None = None) -> Iterator[list[RunningSite]]:
    """Serve the test sites with dates relative to `t0`; yields the asked-for ones (all by default)."""
    wanted = list(SITE_KEYS) if keys is None else list(keys)
    unknown = [k for k in wanted if k not in BUILDERS]
    if unknown:
        raise ValueError(f"unknown test site(s) {unknown}; known: {list(SITE_KEYS)}")
    servers: dict[str, _SiteServer] = {}
    threads: list[threading.Thread] = []
    started: list[_SiteServer] = []  # shutdown() waits for serve_forever, so only on these
    try:
        for key in (*SITE_KEYS, *platforms.BUILDERS):
            servers[key] = _SiteServer(("127.0.0.1", 0), _Handler)
        refused = _closed_port_url()
        bases = {k: f"http://127.0.0.1:{s.server_address[1]}" for k, s in servers.items()}
        truths: dict[str, SiteTruth] = {}
        for key, builder in {**BUILDERS, **platforms.BUILDERS}.items():
            peers = {k: b + "/" for k, b in bases.items() if k != key}
            build = builder(BuildContext(t0=t0, base=bases[key], peers=peers, refused_url=refused))
            servers[key].pages = build.pages
            servers[key].dynamic = build.dynamic
            for link in build.truth.broken_links:
                link.base = bases[key] + "/"
            truths[key] = build.truth
        for key, server in servers.items():
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"test-site-{key}", daemon=True)
            thread.start()
            threads.append(thread)
            started.append(server)
        yield [
            RunningSite(key=k, name=truths[k].name, code=truths[k].code, unit=truths[k].unit,
                        group=truths[k].group, url=bases[k] + "/", truth=truths[k])
            for k in wanted
        ]
    finally:
        for server in started:
            server.shutdown()
        for server in servers.values():
            server.server_close()
        for thread in threads:
            thread.join(timeout=5)


@contextmanager
def serve_handler(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """One small fault site: `handler` served on a free port of 127.0.0.1 (yields its home URL)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
