"""How long `govwatch recheck ACCOUNT` takes for one simulated account (govwatch/demo/media.py), end to end as a
user runs it (a child process: settings, database, collection, printing).

    PYTHONPATH=. python bench/media_recheck.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from govwatch.demo.media import serve_media
from storage.db import Database
from storage.media_repo import upsert_account
from tests.cli_support import govwatch

CASES = (("weibo", "1001", "微博，2 页，置顶旧帖"), ("weibo", "1002", "微博，432 后在 Chromium 取访客 Cookie"),
         ("bilibili", "12345", "B站，Chromium 渲染并截获列表请求"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, serve_media() as base:
        home = Path(tmp)
        db = Database(f"sqlite:///{(home / 'govwatch.db').resolve()}")
        with db.session() as session:
            for platform, key, _ in CASES:
                upsert_account(session, name=f"{platform}-{key}", platform=platform, account_id=key)
        env = {f"GOVWATCH_{p}_BASE": base for p in ("WEIBO", "WECHAT", "SOGOU", "BILIBILI")}
        env |= {"GOVWATCH_MEDIA_SPACING": "0", "GOVWATCH_MEDIA_JITTER": "0"}
        for platform, key, label in CASES:
            times = []
            for _ in range(args.runs):
                result = govwatch(home, "recheck", f"{platform}-{key}", "--as-of", "2024-06-20", env=env)
                assert result.code == 0, result.stderr
                times.append(result.seconds)
            print(f"{label}: median {statistics.median(times):.1f} s, max {max(times):.1f} s ({args.runs} runs)")


if __name__ == "__main__":
    main()
