"""Judge 政务新媒体 accounts from stored posts and coverage, at a monitoring time point, under a profile.

One service for the CLI, the scheduler and the notice: it reads what every source stored (imports,
inspectors' observations, collectors), runs the profile's `media_indicators`, and saves one
AccountEvaluation per account whose `result` is the JSON contract (README, 政务新媒体 JSON).
Accounts that are 关停/注销 or disabled are kept but not judged: they are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import load_settings
from rules.checks.content_words import Records
from rules.checks.media import CHECKS, CollectionObs, ManualObs, MediaObs, MonthOutcome, Outcome, beijing, midnight
from rules.period import Period, default_period
from rules.profile import Profile
from rules.validate import validate_profile
from rules.workdays import WorkCalendar, load_calendar
from storage.content import load_reviews
from storage.db import Database
from storage.media import Account, AccountEvaluation, Collection, Post
from storage.records import ManualFinding
from storage.repo import utcnow


@dataclass
class AccountResult:
    """One account's verdict; `data` is the JSON object of the contract."""

    account_pk: int
    verdict: str  # pass | fail | unknown
    outcomes: list[Outcome]
    data: dict[str, Any] = field(default_factory=dict)


def _iso(stored: datetime | None) -> str | None:
    return beijing(stored).isoformat(timespec="seconds") if stored else None


def _manual(session: Session, account_pk: int, as_of: date) -> list[ManualObs]:
    moment = datetime.combine(as_of, datetime.min.time())
    rows = session.scalars(select(ManualFinding).where(ManualFinding.account_id == account_pk,
                                                       ManualFinding.withdrawn_at.is_(None)).order_by(ManualFinding.id))
    return [ManualObs(m.indicator, m.kind, m.detail, m.reason) for m in rows
            if (m.valid_from is None or m.valid_from <= moment) and (m.valid_until is None or moment <= m.valid_until)]


def _months(obs: MediaObs, period: Period, outcomes: list[Outcome]) -> list[MonthOutcome]:
    judged = next((o.months for o in outcomes if o.months), None)
    if judged is not None:
        return judged
    out = []
    for month in period.months:
        first, last = period.month_days(month)
        out.append(MonthOutcome(f"{month:%Y-%m}", None, obs.posting_days(first, last), "本规则不按月评判"))
    return out


def post_records(posts: list[Post], since: datetime) -> Records:
    """The content scan's records of the posts published at `since` (naive UTC) or later, each with the post
    it was found in ({published_at, title, url}) and keyed by the post's address (else its stored key)."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for p in posts:
        if p.published_at < since or not p.content:
            continue
        when = beijing(p.published_at)
        post = {"published_at": when.isoformat(timespec="seconds"), "title": p.title, "url": p.url}
        for r in p.content:
            record = {k: v for k, v in r.items() if k != "record"}
            by_kind.setdefault(r.get("record", "content_hit"), []).append(
                {**record, "url": p.url or f"post:{p.post_key}", "page_date": when.date().isoformat(), "role": "post",
                 "post": post})
    return Records(by_kind)


def judge_account(session: Session, account: Account, as_of: date, profile: Profile, period: Period,
                  calendar: WorkCalendar) -> AccountResult:
    end = midnight(as_of + timedelta(days=1))
    posts = session.scalars(select(Post).where(Post.account_id == account.id, Post.published_at < end)
                            .order_by(Post.published_at)).all()
    collections = session.scalars(select(Collection).where(Collection.account_id == account.id)
                                  .order_by(Collection.started_at, Collection.id)).all()
    obs = MediaObs(service=account.platform == "wechat" and account.type == "service",
                   posts=[p.published_at for p in posts],
                   collections=[CollectionObs(c.source, c.status, c.covered_from, c.covered_to, c.reason, c.started_at)
                                for c in collections],
                   calendar=calendar, manual=_manual(session, account.id, as_of),
                   content=post_records(list(posts), midnight(period.first)),
                   reviews=load_reviews(session, None, account_id=account.id))
    outcomes = []
    overrides = {m.indicator: m for m in obs.manual if m.kind == "override"}
    for ind in profile.media_indicators:
        outcome = CHECKS[ind.check](obs, as_of, period, ind, profile)
        if outcome.status == "fail" and ind.id in overrides:
            outcome.status = "overridden"
            outcome.detail += f"（已更正：{overrides[ind.id].reason}）"
        outcomes.append(outcome)
    vetoes = [o for o in outcomes if o.indicator.kind == "veto"]
    verdict = ("fail" if any(o.status == "fail" for o in vetoes)
               else "unknown" if any(o.status == "unknown" for o in vetoes) else "pass")
    latest = max((p.published_at for p in posts), default=None)
    in_period = [p for p in posts if midnight(period.first) <= p.published_at < midnight(period.last + timedelta(1))]

    def item(o: Outcome) -> dict[str, Any]:
        return {"indicator": o.indicator.id, "title": o.indicator.label_for(), "detail": o.detail}

    data = {
        "account": {"name": account.name, "platform": account.platform, "type": account.type,
                    "account_id": account.account_id, "url": account.url, "unit": account.unit,
                    "group": account.group},
        "as_of": as_of.isoformat(),
        "profile": profile.id,
        "period": {"from": period.first.isoformat(), "to": period.last.isoformat()},
        "verdict": verdict,
        "latest_post": _iso(latest),
        "vetoes": [item(o) for o in vetoes if o.status == "fail"],
        "problems": [item(o) for o in outcomes if o.indicator.kind != "veto" and o.status == "fail"],
        "unknown": [item(o) for o in outcomes if o.status == "unknown"],
        "months": [{"month": m.month, "verdict": m.verdict, "posting_days": m.posting_days, "reason": m.reason}
                   for m in _months(obs, period, outcomes)],
        "coverage": [{"from": _iso(c.covered_from), "to": _iso(c.covered_to), "source": c.source, "status": c.status,
                      "reason": c.reason} for c in collections],
        "posts": [{"published_at": _iso(p.published_at), "title": p.title, "url": p.url, "pinned": p.pinned,
                   "source": p.source} for p in in_period],
        "indicators": [{**item(o), "kind": o.indicator.kind, "status": o.status} for o in outcomes],
        # the content scan's hits in the posts, each "需人工确认" until an inspector's decision (M-V1)
        "content": [f for o in outcomes for f in o.evidence.get("content", [])],
    }
    return AccountResult(account.id, verdict, outcomes, data)


def _default_calendar() -> WorkCalendar:
    try:
        return load_calendar(load_settings().home)
    except Exception:
        return load_calendar(None)


def evaluate_accounts(db: Database, account_ids: list[int] | None, as_of: date, profile: Profile,
                      period: Period | None = None, *, save: bool = True,
                      calendar: WorkCalendar | None = None) -> list[AccountResult]:
    """Judge the accounts (all judged ones when `account_ids` is None), in id order; closed or
    disabled accounts are skipped. With `save`, one AccountEvaluation per account is stored."""
    validate_profile(profile)
    period = period or default_period(as_of)
    calendar = calendar or _default_calendar()
    results = []
    with db.session() as session:
        query = select(Account).where(Account.enabled.is_(True), Account.status == "normal").order_by(Account.id)
        if account_ids is not None:
            query = query.where(Account.id.in_(list(account_ids)))
        for account in session.scalars(query).all():
            result = judge_account(session, account, as_of, profile, period, calendar)
            results.append(result)
            if save:
                session.add(AccountEvaluation(account_id=account.id, as_of=as_of, period_from=period.first,
                                              period_to=period.last, profile=profile.id, verdict=result.verdict,
                                              result=result.data, created_at=utcnow()))
    return results


__all__ = ["AccountResult", "evaluate_accounts", "judge_account", "post_records"]
