"""The web's confirm / dismiss buttons on an account's content hits (govwatch/web/routes_actions.py
`review_account_hit`, templates/account.html): shown to inspectors with the post, the sentence and the masked
number; a confirmation judges the account again at once (M-V1 veto: 不合格); units see no button and may not post."""

from __future__ import annotations

import html
import re
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient

from config.settings import load_settings
from crawler.media.content import scan_posts
from govwatch.demo.media import TEXTS
from govwatch.web.app import create_app
from govwatch.web.passwords import hash_password
from rules.accounts import evaluate_accounts
from rules.period import Period
from rules.profile import load_profile
from storage.db import Database
from storage.media import AccountEvaluation
from storage.media_repo import BEIJING, CollectionResult, PostSeen, record_collection, upsert_account
from storage.web import add_user

PASSWORD = "test-pass-123"
AS_OF = date(2024, 6, 20)


@pytest.fixture
def web(tmp_path, monkeypatch):
    env = {"GOVWATCH_HOME": str(tmp_path), "GOVWATCH_SETTINGS": str(tmp_path / "none.toml")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = load_settings(env)
    settings.ensure_home()
    db = Database(settings.database)
    posts = [PostSeen(datetime(2024, 6, 14 - i, 9, tzinfo=BEIJING), title=TEXTS[("1007", i)][:120],
                      text=TEXTS[("1007", i)], url=f"https://m.weibo.cn/status/B{i}", post_id=str(i)) for i in range(3)]
    scan_posts(posts)
    with db.session() as session:
        account, _ = upsert_account(session, name="示范县发布", platform="weibo", account_id="1007", unit="示范县人民政府")
        record_collection(session, account, CollectionResult(source="weibo", status="ok", posts=posts,
                                                             covered_from=datetime(2024, 3, 1, tzinfo=BEIJING),
                                                             covered_to=datetime(2024, 6, 20, tzinfo=BEIJING)))
        add_user(session, "jcy", "inspector", hash_password(PASSWORD), None)
        add_user(session, "unit", "unit", hash_password(PASSWORD), "示范县人民政府")
        account_id = account.id
    evaluate_accounts(db, [account_id], AS_OF, load_profile("national-2019"), Period(date(2024, 3, 1), AS_OF))
    with TestClient(create_app(settings, db, profile="national-2019")) as client:
        yield client, db, account_id
    db.dispose()


def _sign_in(client: TestClient, name: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    answer = client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text


def _forms(page: str) -> list[tuple[str, str]]:
    """(action, csrf) of each content form on the page."""
    return [(html.unescape(a), c) for a, c in re.findall(
        r'<form method="post" action="([^"]*/content/[^"]+)" class="inline"><input type="hidden" name="csrf" '
        r'value="([^"]+)">', page)]


def test_an_inspector_confirms_an_accounts_hit_and_the_account_fails(web) -> None:
    client, db, account_id = web
    _sign_in(client, "jcy")
    page = client.get(f"/accounts/{account_id}?as_of={AS_OF}").text
    assert "发布内容检查（3）" in page and "习近平总理" in page and "1101************2X" in page
    assert "11010519491231002X" not in page
    forms = _forms(page)
    assert len(forms) == 6  # confirm and dismiss for each of 3 hits
    title_key = re.search(r"领导职务称呼错误（确定）：.*?编号 ([0-9a-f]{16})", page)[1]
    action, token = next(f for f in forms if f[0].endswith(title_key))
    answer = client.post(action, data={"csrf": token, "decision": "confirm", "reason": "已核实"},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/accounts/{account_id}"
    with db.session() as session:
        latest = session.query(AccountEvaluation).order_by(AccountEvaluation.id.desc()).first()
        assert latest.verdict == "fail" and latest.as_of == AS_OF
        assert latest.period_from == date(2024, 3, 1)  # judged again on the same time point and period
    assert "（已人工确认）" in client.get(f"/accounts/{account_id}?as_of={AS_OF}").text
    refused = client.post(action, data={"csrf": "wrong", "decision": "confirm"}, follow_redirects=False)
    assert refused.status_code == 403


def test_a_unit_sees_its_hits_without_buttons_and_may_not_decide(web) -> None:
    client, _, account_id = web
    _sign_in(client, "unit")
    page = client.get(f"/accounts/{account_id}?as_of={AS_OF}").text
    assert "发布内容检查（3）" in page and _forms(page) == []
    token = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    answer = client.post(f"/accounts/{account_id}/content/0123456789abcdef",
                         data={"csrf": token, "decision": "confirm"}, follow_redirects=False)
    assert answer.status_code == 403
