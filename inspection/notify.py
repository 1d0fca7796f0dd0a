"""The units' nightly digest and its delivery with Apprise (mail, DingTalk, WeCom, Feishu, webhooks).

A digest per unit says, in Chinese, what changed for it since the last one: sites and accounts newly judged
不合格, columns and accounts that break their window within N days (临期), and finished rechecks — each with
the address of the page that proves it. Every message is written to the notification log before it is sent;
a failed delivery is tried again (`notify_retries` times now, and again at the next run) and stays in the log
as failed with Apprise's reason, never dropped. In the quiet hours nothing is sent: messages wait, pending.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.masking import mask_secrets
from config.settings import Settings
from config.vocabulary import FAIL, verdict_word
from inspection.deadlines import Deadline, deadlines
from rules.profile import Profile
from storage.db import Database
from storage.media import Account, AccountEvaluation
from storage.models import Evaluation, RecheckRequest, Site
from storage.repo import utcnow
from storage.web import NotificationLog, all_recipients, logged_message, unsent_messages

log = logging.getLogger("govwatch.notify")
RETRY_PAUSE = 0.5  # seconds, times the attempt number, between two attempts of one message
RETRY_DAYS = 7  # failed messages younger than this are tried again at each run


@dataclass
class Digest:
    unit: str
    failed: list[str] = field(default_factory=list)  # lines
    due: list[str] = field(default_factory=list)
    rechecks: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.failed or self.due or self.rechecks)

    def subject(self, day: date) -> str:
        counts = [f"新增不合格{len(self.failed)}项" if self.failed else "",
                  f"临期{len(self.due)}项" if self.due else "",
                  f"复查完成{len(self.rechecks)}项" if self.rechecks else ""]
        return f"【政府网站与政务新媒体检查】{self.unit} {day:%m月%d日}提醒：" + "，".join(c for c in counts if c)

    def body(self, day: date, within: int) -> str:
        parts = [f"{self.unit}：", ""]
        if self.failed:
            parts += ["一、新发现不合格（请尽快整改）：", *self.failed, ""]
        if self.due:
            parts += [f"二、临期（{within}天内不更新即超出更新期限）：", *self.due, ""]
        if self.rechecks:
            parts += ["三、复查已完成：", *self.rechecks, ""]
        parts.append(f"以上为 {day:%Y年%m月%d日} 的检查结果，点击链接可查看证据。本消息由系统自动发送。")
        return "\n".join(parts)


def in_quiet_hours(settings: Settings, now: datetime | None = None) -> bool:
    """Whether `now` (default: the moment) falls in `notify_quiet` (e.g. 22:00-07:00, in `timezone`)."""
    text = settings.notify_quiet.strip()
    if not text:
        return False
    try:
        start, end = (datetime.strptime(part.strip(), "%H:%M").time() for part in text.split("-", 1))
    except ValueError:
        log.warning("notify_quiet %r is not like 22:00-07:00; ignored", text)
        return False
    moment = (now or datetime.now(ZoneInfo(settings.timezone))).time()
    return start <= moment < end if start <= end else (moment >= start or moment < end)


def _link(settings: Settings, path: str) -> str:
    return settings.web_base_url.rstrip("/") + path


def _newly_failed(session: Session, settings: Settings, profile: Profile, since: datetime,
                  digests: Callable[[str], Digest]) -> None:
    """Sites and accounts judged 不合格 since `since` whose verdict before that was not 不合格."""
    for model, owner, key, path in ((Evaluation, Site, Evaluation.site_id, "/sites/"),
                                    (AccountEvaluation, Account, AccountEvaluation.account_id, "/accounts/")):
        newest = (select(key.label("owner"), func.max(model.id).label("eid"))
                  .where(model.profile == profile.id, model.created_at >= since).group_by(key).subquery())
        rows = session.execute(select(owner, model).join(newest, newest.c.owner == owner.id)
                               .join(model, model.id == newest.c.eid).where(model.verdict == "fail")).all()
        for thing, ev in rows:
            before = session.scalars(select(model.verdict).where(key == thing.id, model.profile == profile.id,
                                                                 model.created_at < since)
                                     .order_by(model.id.desc()).limit(1)).first()
            if before == "fail" or not thing.unit:
                continue
            result = ev.result or {}
            why = result.get("problems") if isinstance(result.get("problems"), str) else "；".join(
                v.get("detail", "") for v in result.get("vetoes") or [])
            link = _link(settings, f"{path}{thing.id}")
            digests(thing.unit).failed.append(f"· {thing.name}：{FAIL}（{why or '见页面'}）{link}")


def _due(session: Session, settings: Settings, profile: Profile, day: date, digests: Callable[[str], Digest]) -> None:
    item: Deadline
    for item in deadlines(session, profile, day, settings.notify_within, overdue=False):
        path = f"/sites/{item.site_id}" if item.site_id else f"/accounts/{item.account_id}"
        digests(item.unit).due.append(f"· {item.name}：最近更新 {item.latest}，{item.breaks_on} 起超期"
                                      f"（剩 {item.days_left} 天，{item.window}）{_link(settings, path)}")


def _rechecks(session: Session, settings: Settings, since: datetime, digests: Callable[[str], Digest]) -> None:
    rows = session.execute(select(RecheckRequest, Site, Evaluation.verdict)
                           .join(Site, Site.id == RecheckRequest.site_id)
                           .outerjoin(Evaluation, Evaluation.id == RecheckRequest.evaluation_id)
                           .where(RecheckRequest.finished_at >= since)).all()
    for request, site, verdict in rows:
        if not site.unit:
            continue
        outcome = verdict_word(verdict) if request.status == "done" else f"未完成（{request.error or '失败'}）"
        digests(site.unit).rechecks.append(f"· {site.name}：复查结论 {outcome} {_link(settings, f'/sites/{site.id}')}")


def build_digests(db: Database, settings: Settings, profile: Profile, day: date,
                  since: datetime | None = None) -> list[Digest]:
    """One digest per unit with something to say (since `since`, default the last 24 hours)."""
    since = since or utcnow() - timedelta(days=1)
    found: dict[str, Digest] = {}

    def digest(unit: str) -> Digest:
        return found.setdefault(unit, Digest(unit))

    with db.session() as session:
        _newly_failed(session, settings, profile, since, digest)
        _due(session, settings, profile, day, digest)
        _rechecks(session, settings, since, digest)
    return [d for _, d in sorted(found.items()) if not d.empty]


def apprise_url(settings: Settings, address: str) -> str | None:
    """An Apprise URL for a recipient: itself when it is one, else an e-mail address sent through the office's
    mail server (`notify_mail`); None when there is no mail server to send it with."""
    if "://" in address:
        return address
    if "@" not in address or not settings.notify_mail:
        return None
    joiner = "&" if "?" in settings.notify_mail else "?"
    return f"{settings.notify_mail}{joiner}to={address}"


def deliver(url: str, subject: str, body: str) -> str | None:
    """Send once; None when Apprise says it was delivered, else its reason."""
    import apprise

    sender = apprise.Apprise()
    if not sender.add(url):
        return "无法识别的通知地址（应为邮箱或 Apprise 地址，如 dingtalk://、wecombot://、feishu://、json://）"
    with apprise.LogCapture(level=logging.WARNING) as captured:
        ok = sender.notify(title=subject, body=body)
        text = captured.getvalue() if hasattr(captured, "getvalue") else ""
    return None if ok else (mask_secrets(text.strip()) or "发送失败（对方未接收）")


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    waiting: int = 0  # quiet hours: logged as pending, sent at the next run
    lines: list[str] = field(default_factory=list)


def _attempt(db: Database, settings: Settings, row_id: int, sender: Callable[[str, str, str], str | None]) -> bool:
    with db.session() as session:
        row = session.get(NotificationLog, row_id)
        address, subject, body = row.address, row.subject, row.body
    url = apprise_url(settings, address)
    error = None
    for attempt in range(1, max(1, settings.notify_retries) + 1):
        error = sender(url, subject, body) if url else "未设置发信服务器（GOVWATCH_NOTIFY_MAIL），邮件无法发送"
        with db.session() as session:
            row = session.get(NotificationLog, row_id)
            row.attempts += 1
            row.status, row.error = ("sent", None) if error is None else ("failed", error)
            row.sent_at = utcnow() if error is None else None
        if error is None or url is None:
            break
        time.sleep(RETRY_PAUSE * attempt)
    if error is not None:
        log.warning("message %s to %s not delivered: %s", row_id, mask_secrets(address), error)
    return error is None


def send_digests(db: Database, settings: Settings, profile: Profile, day: date, *, dry_run: bool = False,
                 now: datetime | None = None, sender: Callable[[str, str, str], str | None] = deliver) -> Outcome:
    """Build today's digests and send each to its unit's recipients; retry what failed before."""
    outcome = Outcome()
    with db.session() as session:
        recipients = all_recipients(session)
    if not recipients and not dry_run:
        outcome.lines.append("还没有登记任何单位的通知接收人（govwatch notify recipients 登记文件）")
        return outcome
    digests = build_digests(db, settings, profile, day)
    quiet = in_quiet_hours(settings, now)
    todo: list[int] = []
    for digest in digests:
        addresses = recipients.get(digest.unit) or []
        subject, body = digest.subject(day), digest.body(day, settings.notify_within)
        if dry_run:
            outcome.lines.append(f"→ {digest.unit}（{'、'.join(map(mask_secrets, addresses)) or '未登记通知接收人'}）"
                                 f"\n{subject}\n{body}\n")
            continue
        if not addresses:
            log.warning("%s has no recipients (通知接收人): its digest is not sent", digest.unit)
            outcome.lines.append(f"{digest.unit}：未登记通知接收人，未发送")
        key = f"digest:{day.isoformat()}"
        with db.session() as session:
            for address in addresses:
                row = logged_message(session, key, digest.unit, address)
                if row is None:
                    row = NotificationLog(key=key, unit=digest.unit, address=address, subject=subject, body=body,
                                          status="pending", attempts=0, created_at=utcnow())
                    session.add(row)
                    session.flush()
                if row.status != "sent":
                    todo.append(row.id)
    if dry_run:
        return outcome
    with db.session() as session:
        todo += [m.id for m in unsent_messages(session, 10_000) if m.id not in todo
                 and m.created_at >= utcnow() - timedelta(days=RETRY_DAYS)]
    if quiet:
        outcome.waiting = len(todo)
        outcome.lines.append(f"静默时段（{settings.notify_quiet}），{len(todo)} 条消息暂不发送，下次运行时发送")
        return outcome
    for row_id in todo:
        if _attempt(db, settings, row_id, sender):
            outcome.sent += 1
        else:
            outcome.failed += 1
    return outcome
