"""Where govwatch keeps its data and how it reaches its database.

Read, in order of precedence, from environment variables (``GOVWATCH_*``), then from a settings
file (``$GOVWATCH_HOME/govwatch.toml``, or the file named by ``GOVWATCH_SETTINGS``), then defaults.
The data folder defaults to ``./var`` so a checkout keeps everything beside itself.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser")


class SettingsError(ValueError):
    """A settings file or variable that cannot be used; the message names which."""


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=lambda: Path("var"))
    database_url: str = ""  # empty: a SQLite file inside `home`
    profile: str = "national-2019"
    chromium_path: str = ""  # empty: found automatically
    # Politeness: a small government server is never flooded.
    concurrent_per_host: int = 4
    download_delay: float = 0.0
    timeout: float = 15.0
    max_columns: int = 200
    max_links: int = 1500

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'govwatch.db').resolve()}"

    @property
    def evidence_dir(self) -> Path:
        return self.home / "evidence"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    def chromium(self) -> str | None:
        if self.chromium_path:
            return self.chromium_path
        for candidate in CHROMIUM_CANDIDATES:
            if Path(candidate).exists():
                return candidate
        return shutil.which("chromium")

    def ensure_home(self) -> None:
        for folder in (self.home, self.evidence_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)


_ENV = {
    "home": "GOVWATCH_HOME",
    "database_url": "GOVWATCH_DATABASE_URL",
    "profile": "GOVWATCH_PROFILE",
    "chromium_path": "GOVWATCH_CHROMIUM",
    "concurrent_per_host": "GOVWATCH_CONCURRENT_PER_HOST",
    "download_delay": "GOVWATCH_DOWNLOAD_DELAY",
    "timeout": "GOVWATCH_TIMEOUT",
    "max_columns": "GOVWATCH_MAX_COLUMNS",
    "max_links": "GOVWATCH_MAX_LINKS",
}


def _coerce(name: str, raw: object, source: str) -> object:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    try:
        if kind in ("int", int):
            return int(raw)  # type: ignore[arg-type]
        if kind in ("float", float):
            return float(raw)  # type: ignore[arg-type]
        if name == "home":
            return Path(str(raw)).expanduser()
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{source}: {name} = {raw!r} is not a valid {kind}") from exc


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    home = Path(env.get("GOVWATCH_HOME", "var")).expanduser()
    settings_file = Path(env["GOVWATCH_SETTINGS"]) if env.get("GOVWATCH_SETTINGS") else home / "govwatch.toml"
    if settings_file.is_file():
        try:
            data = tomllib.loads(settings_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"settings file {settings_file}: {exc}") from exc
        for key, raw in data.items():
            if key not in _ENV:
                raise SettingsError(f"settings file {settings_file}: unknown setting {key!r}")
            values[key] = _coerce(key, raw, f"settings file {settings_file}")
    for key, var in _ENV.items():
        if env.get(var):
            values[key] = _coerce(key, env[var], f"environment variable {var}")
    values.setdefault("home", home)
    return Settings(**values)  # type: ignore[arg-type]
