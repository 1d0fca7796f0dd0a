from __future__ import annotations

from pathlib import Path

import pytest

from govwatch.settings import SettingsError, load_settings


def test_defaults_keep_data_in_var() -> None:
    settings = load_settings({})
    assert settings.home == Path("var")
    assert settings.database.startswith("sqlite:///") and settings.database.endswith("var/govwatch.db")


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
