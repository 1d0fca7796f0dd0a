"""The units' digest (inspection/notify.py, `govwatch notify`): delivered by Apprise to a local SMTP server and a
local webhook, in Chinese with the page that proves it; a failing webhook retried and logged, never dropped;
quiet hours keep messages pending; --dry-run sends nothing; recipients read from the registry's column."""

from __future__ import annotations

import email
import json
import socket
import threading
from datetime import date, datetime, timedelta
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from config.settings import load_settings
from inspection import notify
from rules.profile import load_profile
from storage.db import Database
from storage.models import Evaluation
from storage.repo import upsert_site, utcnow
from storage.web import NotificationLog, set_recipients
from tests.cli_support import govwatch

UNIT = "州民政局"
TODAY = date(2026, 12, 8)


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def webhook():
    received: list[dict] = []
    state = {"fail": 0}

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if state["fail"]:
                state["fail"] -= 1
                self.send_response(500)
            else:
                received.append(json.loads(body))
                self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield received, state, server.server_address[1]
    server.shutdown()


def _store(tmp_path, mail_port: int, **extra: str):
    env = {"GOVWATCH_HOME": str(tmp_path), "GOVWATCH_SETTINGS": str(tmp_path / "none.toml"),
           "GOVWATCH_NOTIFY_MAIL": f"mailto://127.0.0.1:{mail_port}?from=gov@example.gov.cn&mode=insecure",
           "GOVWATCH_WEB_BASE_URL": "http://govwatch.example.gov.cn", "GOVWATCH_NOTIFY_RETRIES": "2"} | extra
    settings = load_settings(env)
    settings.ensure_home()
    db = Database(settings.database)
    with db.session() as session:
        site, _ = upsert_site(session, url="http://mz.example.gov.cn/", name="州民政局网站", unit=UNIT)
        before = utcnow() - timedelta(days=3)
        for verdict, at in (("pass", before), ("fail", utcnow())):
            session.add(Evaluation(site_id=site.id, as_of=TODAY, profile="national-2019", verdict=verdict,
                                   result={"problems": "栏目不更新(单否)", "columns": [
                                       {"name": "工作动态", "url": "http://mz.example.gov.cn/gzdt/", "category": "news",
                                        "level": 1, "latest_date": (TODAY - timedelta(days=12)).isoformat()}]},
                                   created_at=at))
    return settings, db, site.id, env


def test_digest_reaches_mail_and_webhook_and_a_failure_is_retried_and_logged(tmp_path, smtp, webhook) -> None:
    box, mail_port = smtp
    received, hook_state, hook_port = webhook
    settings, db, site_id, _env = _store(tmp_path, mail_port)
    with db.session() as session:
        set_recipients(session, UNIT, ["unit@example.gov.cn", f"json://127.0.0.1:{hook_port}/hook"])
    hook_state["fail"] = 5  # more than the retries of this run
    outcome = notify.send_digests(db, settings, load_profile("national-2019"), TODAY)
    assert (outcome.sent, outcome.failed) == (1, 1)
    [mail] = box.messages
    subject = str(make_header(decode_header(mail["Subject"])))
    assert UNIT in subject and "新增不合格1项" in subject and "临期1项" in subject
    text = mail.get_payload(decode=True).decode("utf-8") if not mail.is_multipart() else \
        mail.get_payload(0).get_payload(decode=True).decode("utf-8")
    assert f"http://govwatch.example.gov.cn/sites/{site_id}" in text and "工作动态" in text
    with db.session() as session:
        failed = session.scalars(select(NotificationLog).where(NotificationLog.status == "failed")).one()
        assert failed.attempts == 2 and failed.error
    hook_state["fail"] = 0  # the next run sends what failed, and not the mail again
    outcome = notify.send_digests(db, settings, load_profile("national-2019"), TODAY)
    assert (outcome.sent, outcome.failed) == (1, 0)
    assert len(box.messages) == 1
    [payload] = received
    assert UNIT in payload["title"] and f"/sites/{site_id}" in payload["message"]
    db.dispose()


def test_quiet_hours_keep_messages_pending(tmp_path, smtp) -> None:
    box, mail_port = smtp
    settings, db, _site_id, _env = _store(tmp_path, mail_port, GOVWATCH_NOTIFY_QUIET="22:00-07:00")
    with db.session() as session:
        set_recipients(session, UNIT, ["unit@example.gov.cn"])
    night = datetime(2026, 12, 8, 23, 30)
    outcome = notify.send_digests(db, settings, load_profile("national-2019"), TODAY, now=night)
    assert outcome.waiting == 1 and not box.messages
    with db.session() as session:
        assert session.scalars(select(NotificationLog.status)).one() == "pending"
    assert notify.in_quiet_hours(settings, datetime(2026, 12, 8, 6, 59))
    assert not notify.in_quiet_hours(settings, datetime(2026, 12, 8, 7, 0))
    db.dispose()


def test_cli_reads_recipients_from_the_registry_and_dry_run_sends_nothing(tmp_path, smtp) -> None:
    box, mail_port = smtp
    _settings, db, _site_id, env = _store(tmp_path, mail_port)
    db.dispose()
    registry = tmp_path / "sites.csv"
    registry.write_text("网站名称,首页网址,主办单位,通知接收人\n州民政局网站,http://mz.example.gov.cn/,州民政局,"
                        "unit@example.gov.cn；dingtalk://token\n", encoding="utf-8")
    extra = {k: v for k, v in env.items() if k != "GOVWATCH_HOME"}
    result = govwatch(tmp_path, "notify", "recipients", str(registry), env=extra)
    assert result.code == 0, result.stderr
    result = govwatch(tmp_path, "notify", "--dry-run", "--as-of", TODAY.isoformat(), env=extra)
    assert result.code == 0, result.stderr
    assert "州民政局" in result.stdout and "新发现不合格" in result.stdout and "unit@example.gov.cn" in result.stdout
    assert not box.messages
