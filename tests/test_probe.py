"""Availability probes: each failure kind is named, the time limit covers the whole body, results are
stored, and `govwatch probe` probes every registered site once."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from crawler.probe import classify_error, probe_many, probe_sites
from storage.db import Database
from storage.models import Probe
from storage.repo import upsert_site


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/ok")
            self.end_headers()
            return
        if self.path == "/slow-body":  # headers at once, then the body trickles past the limit
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            try:
                for _ in range(30):
                    self.wfile.write(b"<p>" + "政府".encode() * 10 + b"</p>\n")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
            return
        status, ctype = {"/ok": (200, "text/html; charset=utf-8"), "/500": (503, "text/html"),
                         "/404": (404, "text/html"), "/json": (200, "application/json")}.get(self.path, (404, "text/html"))
        body = "<html><title>某县人民政府</title></html>".encode() if ctype.startswith("text") else b"{}"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_each_failure_is_named(server: str) -> None:
    targets = [(1, f"http://{server}/ok"), (2, f"http://{server}/redirect"), (3, f"http://{server}/500"),
               (4, f"http://{server}/404"), (5, f"http://{server}/json"), (6, f"http://{server}/slow-body"),
               (7, f"http://127.0.0.1:{closed_port()}/"), (8, f"https://{server}/ok")]
    started = time.monotonic()
    results = asyncio.run(probe_many(targets, timeout=1.0, concurrency=8))
    assert time.monotonic() - started < 5  # concurrent, and the slow body is cut at the limit
    got = {r.site_id: (r.ok, r.status, r.error_class) for r in results}
    assert got[1] == (True, 200, None)
    assert got[2] == (True, 200, None) and results[1].final_url.endswith("/ok")
    assert got[3] == (False, 503, "http-5xx")
    assert got[4] == (False, 404, "http-4xx")
    assert got[5] == (False, 200, "not-html")
    assert got[6][0] is False and got[6][2] == "timeout"  # the body never finished within 1 s
    assert results[5].elapsed_ms >= 1000
    assert got[7] == (False, None, "refused")
    assert got[8][:2] == (False, None) and got[8][2] == "tls"


def test_dns_errors_are_named() -> None:
    try:
        raise OSError("connect failed") from socket.gaierror(-2, "Name or service not known")
    except OSError as exc:
        assert classify_error(exc)[0] == "dns"


def test_probes_are_stored(db_url: str, server: str) -> None:
    db = Database(db_url)
    try:
        with db.session() as session:
            good = upsert_site(session, url=f"http://{server}/ok", name="好站")[0].id
            bad = upsert_site(session, url=f"http://{server}/500", name="坏站")[0].id
            upsert_site(session, url=f"http://{server}/404", name="未登记", registered=False)
        results = probe_sites(db, timeout=2.0, concurrency=4)
        assert sorted(r.site_id for r in results) == [good, bad]  # registered sites only
        with db.session() as session:
            rows = {p.site_id: p for p in session.scalars(select(Probe))}
        assert rows[good].ok and rows[good].status == 200 and rows[good].error_class is None
        assert not rows[bad].ok and rows[bad].error_class == "http-5xx" and rows[bad].elapsed_ms > 0
    finally:
        db.dispose()


def test_probe_command(tmp_path, monkeypatch, server: str) -> None:
    from govwatch.cli import app

    monkeypatch.setenv("GOVWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("GOVWATCH_PROBE_TIMEOUT", "2")
    db = Database(f"sqlite:///{tmp_path / 'govwatch.db'}")
    with db.session() as session:
        upsert_site(session, url=f"http://{server}/ok", name="好站", code="1234000001")
        upsert_site(session, url=f"http://{server}/404", name="坏站", code="1234000002")
    db.dispose()
    runner = CliRunner()
    result = runner.invoke(app, ["probe", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["url"].rsplit("/", 1)[-1]: r for r in json.loads(result.stdout)}
    assert rows["ok"]["ok"] is True and rows["404"]["error_class"] == "http-4xx"
    result = runner.invoke(app, ["probe", "--site", "1234000001"])
    assert result.exit_code == 0 and "正常" in result.output
