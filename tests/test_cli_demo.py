"""`govwatch demo --json` gives what it gave before the restructuring (docs/architecture.md): the same
verdicts, scores, findings, columns, dates and accounts, word for word. The file beside this test was written
by the demo of main at 28e86df (before the packages moved) and normalised by tests/demo_json.py; the one
difference allowed is the vocabulary's single word for the unknown verdict (无法核验 where 无法判定 was), and the
reasons the crawler now stores in Chinese (issue 17, item 5), listed in LATER_WORDS, and keys the JSON gained
since (LATER_KEYS), left out only where they hold nothing: an account's content hits (issue 21)."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from tests.cli_support import govwatch
from tests.demo_json import normalise

BEFORE = Path(__file__).parent / "data" / "demo_before_restructuring.json"
LATER_WORDS = {"connection refused": "连接被拒绝"}  # the stored reason's words since, as users read them
LATER_KEYS = {"content": []}  # an account's content hits (M-V1): the demo's posts have none


def _without_later_keys(value):
    if isinstance(value, dict):
        return {k: _without_later_keys(v) for k, v in value.items() if not (k in LATER_KEYS and v == LATER_KEYS[k])}
    if isinstance(value, list):
        return [_without_later_keys(v) for v in value]
    return value


def test_demo_json_is_unchanged_by_the_restructuring(tmp_path: Path) -> None:
    result = govwatch(tmp_path, "demo", "--as-of", "2023-11-20", "--json", timeout=400,
                      env={"GOVWATCH_TIMEOUT": "15"})
    assert result.code == 0, result.stderr[-2000:]
    now = normalise(_without_later_keys(result.json()))
    text = BEFORE.read_text(encoding="utf-8")
    for old, new in LATER_WORDS.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    before = json.loads(text)
    assert len(now) == len(before) == 8  # 3 sites and 5 bundled accounts
    if now != before:
        diff = difflib.unified_diff(json.dumps(before, ensure_ascii=False, indent=1, sort_keys=True).splitlines(),
                                    json.dumps(now, ensure_ascii=False, indent=1, sort_keys=True).splitlines(),
                                    "before", "now", lineterm="", n=2)
        raise AssertionError("\n".join(list(diff)[:300]))
