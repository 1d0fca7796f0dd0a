"""Every exit with --json prints JSON: a machine reading stdout gets an object with `error`, `code` and the
Chinese message when no verdict is printed, never an empty stdout (issue 17, item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_support import govwatch


@pytest.mark.parametrize(("args", "code", "error"), [
    (("evaluate", "--site", "4107009999", "--json"), 2, "usage"),  # a site that is not registered
    (("evaluate", "--bogus", "--json"), 2, "usage"),  # Click's own usage error
    (("recheck", "not a site", "--json"), 2, "usage"),
    (("evaluate", "--as-of", "2023-13-01", "--json"), 2, "usage"),
])
def test_an_error_with_json_is_json(tmp_path: Path, args: tuple[str, ...], code: int, error: str) -> None:
    result = govwatch(tmp_path, *args)
    assert result.code == code, result.stderr
    data = json.loads(result.stdout)
    assert data["error"] == error and data["code"] == code and data["message"]
    assert "错误" in result.stderr or "Error" in result.stderr  # people still read it on stderr


def test_without_json_stdout_stays_empty(tmp_path: Path) -> None:
    result = govwatch(tmp_path, "evaluate", "--site", "4107009999")
    assert result.code == 2 and result.stdout == "" and "4107009999" in result.stderr
