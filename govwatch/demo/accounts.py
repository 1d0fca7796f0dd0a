"""`govwatch demo`'s 政务新媒体 part: a handful of accounts and a posts file, bundled beside the test
sites (govwatch/demo/media), imported the way an office imports its own and judged at the demo's T0.

The bundled posts are dated for a check on 2023-11-20; every time is moved by (T0 − 2023-11-20) so
the demo reads the same whatever day it runs. They are judged in a scratch database of their own, so
the demo's accounts never stay in the office's registry.
"""

from __future__ import annotations

import csv
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from inspection.registry.media_files import read_accounts_file, read_posts_file
from inspection.registry.media_import import import_accounts, import_posts
from rules.accounts import AccountResult, evaluate_accounts
from rules.profile import Profile

DATA = Path(__file__).resolve().parent / "media"
REFERENCE_T0 = date(2023, 11, 20)


def _shifted(source: Path, target: Path, delta: timedelta) -> None:
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    at = rows[0].index("发布时间")
    for row in rows[1:]:
        row[at] = (datetime.strptime(row[at], "%Y-%m-%d %H:%M") + delta).strftime("%Y-%m-%d %H:%M")
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


def judge_demo_accounts(as_of: date, profile: Profile) -> list[AccountResult]:
    """Register the bundled accounts in a scratch store, import their posts (moved to T0), judge them."""
    from storage.db import Database

    if not (DATA / "accounts.csv").is_file():
        return []
    delta = as_of - REFERENCE_T0
    accounts = read_accounts_file(DATA / "accounts.csv")
    with tempfile.TemporaryDirectory() as tmp:
        posts_file = Path(tmp) / "posts.csv"
        _shifted(DATA / "posts.csv", posts_file, delta)
        posts = read_posts_file(posts_file)
        db = Database(f"sqlite:///{Path(tmp) / 'demo-media.db'}")
        try:
            with db.session() as session:
                import_accounts(session, accounts)
                import_posts(session, DATA / "posts.csv", posts, start=date(2023, 8, 1) + delta, end=as_of,
                             entered_by="demo")
            return evaluate_accounts(db, None, as_of, profile)
        finally:
            db.dispose()


__all__ = ["judge_demo_accounts"]
