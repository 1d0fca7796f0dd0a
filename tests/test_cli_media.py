"""`govwatch collect` and `govwatch recheck ACCOUNT` against the simulated platforms, as a user runs them."""

from __future__ import annotations

from storage.db import Database
from storage.media_repo import upsert_account
from tests.cli_support import govwatch
from tests.sites.media import serve_media


def _env(base: str) -> dict[str, str]:
    return {"GOVWATCH_WEIBO_BASE": base, "GOVWATCH_SOGOU_BASE": base, "GOVWATCH_WECHAT_BASE": base,
            "GOVWATCH_MEDIA_SPACING": "0", "GOVWATCH_MEDIA_JITTER": "0"}


def _register(home, **kwargs) -> None:
    home.mkdir(parents=True, exist_ok=True)
    db = Database(f"sqlite:///{(home / 'govwatch.db').resolve()}")
    with db.session() as session:
        upsert_account(session, **kwargs)


def test_collect_json_and_recheck_account(tmp_path) -> None:
    home = tmp_path / "home"
    _register(home, name="某市发布", platform="weibo", account_id="1001")
    _register(home, name="已注销号", platform="weibo", account_id="1004")
    with serve_media() as base:
        result = govwatch(home, "collect", "--json", env=_env(base))
        assert result.code == 0, result.stderr
        rows = {r["account"]: r for r in result.json()}
        assert rows["某市发布"]["status"] == "ok" and rows["某市发布"]["posts_seen"] == 5
        assert rows["某市发布"]["covered_from"].startswith("2024-06-01T23:23:03")
        assert rows["已注销号"]["status"] == "deleted" and rows["已注销号"]["covered_from"] is None
        text = govwatch(home, "recheck", "1004", "--as-of", "2024-06-20", env=_env(base))
        assert text.code == 0, text.stderr
        assert "已注销" in text.stdout and "不覆盖任何时段（无法核验）" in text.stdout
        missing = govwatch(home, "collect", "没有这个号", env=_env(base))
        assert missing.code == 2 and "not a registered account" in missing.stderr


def test_recheck_of_an_account_collects_and_judges_it(tmp_path) -> None:
    """Collected now, judged at once (issue 9's rules): a blocked or deleted account is 无法核验, never 不合格."""
    home = tmp_path / "home"
    _register(home, name="某市发布", platform="weibo", account_id="1001")
    _register(home, name="已注销号", platform="weibo", account_id="1004")
    with serve_media() as base:
        ok = govwatch(home, "recheck", "1001", "--as-of", "2024-06-20", "--json", env=_env(base))
        gone = govwatch(home, "recheck", "1004", "--as-of", "2024-06-20", "--json", env=_env(base))
    assert ok.code == 0 and gone.code == 0, ok.stderr + gone.stderr
    [judged] = ok.json()["verdict"]
    assert judged["account"]["name"] == "某市发布" and judged["latest_post"].startswith("2024-06")
    assert judged["verdict"] in ("pass", "fail")
    [undecided] = gone.json()["verdict"]
    assert undecided["verdict"] == "unknown"  # deleted: the collection covers nothing
