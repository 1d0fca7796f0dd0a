"""How fast `govwatch web` answers with an office's full register: 2,000 sites and 20,000 accounts stored.

    .venv/bin/python bench/web.py seed --home /tmp/gw-bench            # ≈ 1–2 min; the store is kept
    .venv/bin/python bench/web.py measure --home /tmp/gw-bench         # starts `govwatch web`, times each page

`seed` stores the sites (each with two checks, the verdict JSON of a real demo site, ~60 kB), the accounts (two
verdicts each and ten posts), three notices, and two users. `measure` starts the real command in a child process,
signs in as the admin and as a unit, requests each page N times, and prints p50/p95 per page and the web
process's memory (VmRSS, VmHWM). Figures are written to docs/web.md.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govwatch.web.passwords import hash_password  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.media import Account, AccountEvaluation, Post  # noqa: E402
from storage.models import Evaluation, Site  # noqa: E402
from storage.notices import StoredNotice  # noqa: E402
from storage.web import WebUser  # noqa: E402

AS_OF = date(2026, 12, 8)
GROUPS = ("州直部门", "县（市）政府", "乡镇政府网站", "市政府部门网站")
PASSWORD = "bench-pass-1"


def templates() -> tuple[list[dict], list[dict]]:
    data = json.loads((ROOT / "tests" / "data" / "demo_before_restructuring.json").read_text("utf-8"))
    return [d for d in data if "site" in d], [d for d in data if "account" in d]


def seed(home: Path, sites: int, accounts: int) -> None:
    home.mkdir(parents=True, exist_ok=True)
    db = Database(f"sqlite:///{home / 'govwatch.db'}")
    site_templates, account_templates = templates()
    now = datetime.utcnow()
    rng = random.Random(20)
    units = [f"单位{n:03d}" for n in range(200)]
    with db.engine.begin() as conn:
        conn.execute(insert(Site), [{"id": i, "name": f"网站{i}", "url": f"http://site{i}.example.gov.cn/",
                                     "code": f"{3600000000 + i}", "unit": units[i % len(units)],
                                     "group": GROUPS[i % len(GROUPS)], "registered": True, "status": "normal",
                                     "enabled": True, "created_at": now} for i in range(1, sites + 1)])
        rows = []
        for i in range(1, sites + 1):
            for n, day in enumerate((AS_OF - timedelta(days=30), AS_OF)):
                result = copy.deepcopy(site_templates[(i + n) % len(site_templates)])
                result["site"] = {"name": f"网站{i}", "url": f"http://site{i}.example.gov.cn/", "code": None}
                result["as_of"] = day.isoformat()
                rows.append({"site_id": i, "as_of": day, "profile": "national-2019", "verdict": result["verdict"],
                             "score": result.get("score"), "result": result, "created_at": now})
            if len(rows) >= 400:
                conn.execute(insert(Evaluation), rows)
                rows = []
        if rows:
            conn.execute(insert(Evaluation), rows)
        conn.execute(insert(Account), [{"id": i, "name": f"账号{i}", "platform": ("weibo", "wechat", "douyin")[i % 3],
                                        "unit": units[i % len(units)], "group": GROUPS[i % len(GROUPS)],
                                        "status": "normal", "enabled": True, "created_at": now, "updated_at": now}
                                       for i in range(1, accounts + 1)])
        evaluations, posts = [], []
        for i in range(1, accounts + 1):
            for n, day in enumerate((AS_OF - timedelta(days=30), AS_OF)):
                result = copy.deepcopy(account_templates[(i + n) % len(account_templates)])
                result["account"]["name"] = f"账号{i}"
                evaluations.append({"account_id": i, "as_of": day, "period_from": date(2026, 9, 1),
                                    "period_to": date(2026, 11, 30), "profile": "national-2019",
                                    "verdict": result["verdict"], "result": result, "created_at": now})
            for k in range(10):
                posts.append({"account_id": i, "post_key": f"id:{i}-{k}", "source": "bench", "first_seen_at": now,
                              "published_at": datetime(2026, 12, 7) - timedelta(days=rng.randint(0, 40)),
                              "title": f"发布{k}", "pinned": False})
            if len(evaluations) >= 4000:
                conn.execute(insert(AccountEvaluation), evaluations)
                conn.execute(insert(Post), posts)
                evaluations, posts = [], []
        if evaluations:
            conn.execute(insert(AccountEvaluation), evaluations)
            conn.execute(insert(Post), posts)
        for q, rate in ((2, "81.2%"), (3, "88.4%"), (4, "93.1%")):
            conn.execute(insert(StoredNotice), [{
                "profile": "national-2019", "period_from": date(2026, 3 * q - 2, 1), "period_to": date(2026, 3 * q, 28),
                "quarter": q, "as_of": date(2026, 3 * q, 28), "title": f"2026年第{q}季度通报", "files": [],
                "data": {"totals": {"sites": {"pass_rate": rate}, "accounts": {"pass_rate": rate}}, "sites": [],
                         "accounts": []}, "created_at": now}])
        conn.execute(insert(WebUser), [
            {"name": "admin", "role": "admin", "unit": None, "password_hash": hash_password(PASSWORD),
             "enabled": True, "created_at": now},
            {"name": "unit", "role": "unit", "unit": units[7], "password_hash": hash_password(PASSWORD),
             "enabled": True, "created_at": now}])
    db.dispose()
    print(f"seeded {sites} sites and {accounts} accounts in {home}")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _client(base: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    answer = client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token, "next": "/"})
    assert answer.status_code == 303, answer.text[:300]
    return client


def _memory(pid: int) -> dict[str, int]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            key, value = line.split(":")
            found[key] = int(value.split()[0]) // 1024
    return found


def measure(home: Path, rounds: int) -> None:
    port = _port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}, "GOVWATCH_HOME": str(home),
           "GOVWATCH_SETTINGS": str(home / "none.toml")}
    child = subprocess.Popen([sys.executable, "-m", "govwatch.cli", "web", "--port", str(port)], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        admin, unit = _client(base, "admin"), _client(base, "unit")
        q = f"as_of={AS_OF}"
        pages = [("总览（网站）", admin, f"/?{q}"), ("总览（账号）", admin, f"/?{q}&kind=accounts"),
                 ("总览 筛选 不合格+分组", admin, f"/?{q}&verdict=fail&group={GROUPS[0]}"),
                 ("总览 第10页", admin, f"/?{q}&page=10"), ("网站页", admin, "/sites/{n}?" + q),
                 ("账号页", admin, "/accounts/{n}?" + q), ("临期（全部）", admin, f"/due?{q}"),
                 ("通报", admin, "/notices"), ("总览（单位用户）", unit, f"/?{q}"),
                 ("临期（单位用户）", unit, f"/due?{q}")]
        print(f"{'page':<24}{'first ms':>10}{'p50 ms':>10}{'p95 ms':>10}")
        rng = random.Random(3)
        for name, client, path in pages:
            times = []
            for _ in range(rounds + 1):
                started = time.perf_counter()
                answer = client.get(path.format(n=rng.randint(1, 2000)))
                times.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            first, rest = times[0], sorted(times[1:])
            p95 = rest[max(0, int(len(rest) * 0.95) - 1)]
            print(f"{name:<24}{first:>10.0f}{statistics.median(rest):>10.0f}{p95:>10.0f}")
        print("memory of the web process (MB):", _memory(child.pid))
    finally:
        child.terminate()
        child.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--home", type=Path, required=True)
    s.add_argument("--sites", type=int, default=2000)
    s.add_argument("--accounts", type=int, default=20000)
    m = sub.add_parser("measure")
    m.add_argument("--home", type=Path, required=True)
    m.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    if args.command == "seed":
        seed(args.home, args.sites, args.accounts)
    else:
        measure(args.home, args.rounds)


if __name__ == "__main__":
    main()
