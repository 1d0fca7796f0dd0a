from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import SettingsError, load_settings


def test_data_folder_is_one_place_per_user_wherever_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings({})
    assert settings.home == Path.home() / ".local" / "share" / "govwatch"
    monkeypatch.chdir(tmp_path)  # another folder: the same data folder, not an empty ./var
    assert load_settings({}).home == settings.home and settings.database.endswith(".local/share/govwatch/govwatch.db")
    assert load_settings({"XDG_DATA_HOME": str(tmp_path / "d")}).home == tmp_path / "d" / "govwatch"


def test_settings_file_lives_outside_the_data_folder(tmp_path: Path) -> None:
    from config.settings import settings_file

    config = tmp_path / "cfg" / "govwatch" / "govwatch.toml"
    config.parent.mkdir(parents=True)
    config.write_text("timeout = 7\n")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "GOVWATCH_HOME": str(tmp_path / "data")}
    assert settings_file(env) == config and load_settings(env).timeout == 7
    assert not str(settings_file(env)).startswith(str(tmp_path / "data"))


def test_environment_beats_settings_file(tmp_path: Path) -> None:
    (tmp_path / "govwatch.toml").write_text('database_url = "sqlite:///from-file.db"\ntimeout = 9\n')
    settings = load_settings({"GOVWATCH_HOME": str(tmp_path), "GOVWATCH_TIMEOUT": "3.5"})
    assert settings.database == "sqlite:///from-file.db" and settings.timeout == 3.5
    assert settings.evidence_dir == tmp_path / "evidence"


def test_bad_settings_name_their_source(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="GOVWATCH_CONCURRENT_PER_HOST"):
        load_settings({"GOVWATCH_CONCURRENT_PER_HOST": "many"})
    (tmp_path / "govwatch.toml").write_text("colour = 'red'\n")
    with pytest.raises(SettingsError, match="unknown setting 'colour'"):
        load_settings({"GOVWATCH_HOME": str(tmp_path)})


def test_today_is_the_offices_date_not_the_machines() -> None:
    import dataclasses
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from govwatch.cli._common import today

    base = load_settings({"GOVWATCH_HOME": "/tmp/x"})
    assert base.timezone == "Asia/Shanghai"
    east, west = (today(dataclasses.replace(base, timezone=z)) for z in ("Pacific/Kiritimati", "Etc/GMT+12"))
    assert (east - west).days in (1, 2)  # 26 hours apart: never the same date, so the zone is really used
    before = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert today(base) in (before, datetime.now(ZoneInfo("Asia/Shanghai")).date())
