"""Where govwatch keeps its data and how it reaches its database.

Read, in order of precedence, from environment variables (``GOVWATCH_*``), then from a settings
file, then defaults. The settings file is kept outside the data folder: ``GOVWATCH_SETTINGS``, else
``$XDG_CONFIG_HOME/govwatch/govwatch.toml`` (``~/.config/govwatch/govwatch.toml``); an older
``$GOVWATCH_HOME/govwatch.toml`` is still read when that is absent.
The data folder is one place per user, wherever govwatch is started from: ``GOVWATCH_HOME``, else
``$XDG_DATA_HOME/govwatch`` (``~/.local/share/govwatch``). `govwatch info` prints both.
"""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser")


def default_home(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("GOVWATCH_HOME"):
        return Path(env["GOVWATCH_HOME"]).expanduser()
    base = Path(env["XDG_DATA_HOME"]).expanduser() if env.get("XDG_DATA_HOME") else Path.home() / ".local" / "share"
    return base / "govwatch"


def settings_file(env: Mapping[str, str] | None = None) -> Path:
    """The settings file that is (or would be) read."""
    env = os.environ if env is None else env
    if env.get("GOVWATCH_SETTINGS"):
        return Path(env["GOVWATCH_SETTINGS"]).expanduser()
    base = Path(env["XDG_CONFIG_HOME"]).expanduser() if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    config = base / "govwatch" / "govwatch.toml"
    legacy = default_home(env) / "govwatch.toml"
    return legacy if not config.is_file() and legacy.is_file() else config


class SettingsError(ValueError):
    """A settings file or variable that cannot be used; the message names which."""


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=lambda: default_home())
    database_url: str = ""  # empty: a SQLite file inside `home`
    profile: str = "national-2019"
    chromium_path: str = ""  # empty: found automatically
    # Politeness: a small government server is never flooded.
    concurrent_per_host: int = 4
    download_delay: float = 0.0
    timeout: float = 15.0
    max_columns: int = 200
    max_links: int = 1500
    browser: int = 1  # 0: never render (plain HTTP only)
    browser_pages: int = 4  # pages open in Chromium at once
    # The service (scheduler, workers, probes): see README, "Running as a service".
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "govwatch"  # every Redis key govwatch uses starts with this
    nightly_at: str = "02:30"  # HH:MM in `timezone`
    timezone: str = "Asia/Shanghai"
    crawl_mode: str = "local"  # local: the scheduler crawls in a child process; workers: via Redis
    site_timeout: float = 900.0  # seconds one site's crawl may take before it is cut short
    batch_timeout: float = 6 * 3600.0  # seconds a whole nightly crawl may take
    worker_sites: int = 8  # sites one worker crawls at once
    worker_lease: float = 60.0  # seconds without a heartbeat before a worker counts as dead
    probes_per_day: int = 24  # availability probes per site per day (W-V2 needs more than 20)
    probe_timeout: float = 15.0  # seconds for a whole probe, HTML body included
    probe_concurrency: int = 20  # probes at once
    # The [report] table: the office's words for `govwatch report` (office, recipients, requirements ...).
    report: dict = field(default_factory=dict)
    # New media (政务新媒体): where a platform's host lives when not at its own address (tests, mirrors, a proxy):
    # {"weibo": "http://127.0.0.1:8080", ...}, from GOVWATCH_<KEY>_BASE or `<key>_base` / [bases] in the settings
    # file; the keys and default addresses are the platforms' (crawler/media/platforms.py). And the spacing
    # between two requests to one platform (seconds, plus up to `media_jitter` more at random).
    bases: dict[str, str] = field(default_factory=dict)
    media_spacing: float = 5.0
    media_jitter: float = 3.0
    media_pages: int = 5  # list pages read per account and night
    # The office's own sessions (crawler/media/access.py), masked in every output and log; empty: not used.
    wechat_session: str = ""  # 公众平台 login: "cookie-string|token" or JSON {"cookie": …, "token": …}
    weibo_cookie: str = ""  # an m.weibo.cn login, for timelines that answer ok:-100 to visitors
    bilibili_cookie: str = ""  # a bilibili.com login, where the API answers -352
    # The web service (govwatch web) and the units' messages (govwatch notify): docs/web.md.
    web_base_url: str = "http://127.0.0.1:8000"  # how units reach the pages the messages link to
    web_run_queue: int = 0  # 1: the web process also drains the recheck queue (tests, small installs)
    web_session_hours: float = 12.0
    notify_mail: str = ""  # the office's mail server as an Apprise URL: mailtos://user:pass@smtp.host?from=...
    notify_within: int = 3  # days before a window breaks that a unit is told (临期)
    notify_quiet: str = ""  # quiet hours in `timezone`, e.g. 22:00-07:00: nothing is sent then
    notify_retries: int = 3  # attempts per message before it is left as failed (still listed, sent again later)

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


BASE_VARIABLE = re.compile(r"GOVWATCH_([A-Z][A-Z0-9_]*)_BASE")  # a platform host's address, by pattern
BASE_KEY = re.compile(r"([a-z][a-z0-9_]*)_base")

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
    "browser": "GOVWATCH_BROWSER",
    "browser_pages": "GOVWATCH_BROWSER_PAGES",
    "redis_url": "GOVWATCH_REDIS_URL",
    "redis_prefix": "GOVWATCH_REDIS_PREFIX",
    "nightly_at": "GOVWATCH_NIGHTLY_AT",
    "timezone": "GOVWATCH_TIMEZONE",
    "crawl_mode": "GOVWATCH_CRAWL_MODE",
    "site_timeout": "GOVWATCH_SITE_TIMEOUT",
    "batch_timeout": "GOVWATCH_BATCH_TIMEOUT",
    "worker_sites": "GOVWATCH_WORKER_SITES",
    "worker_lease": "GOVWATCH_WORKER_LEASE",
    "probes_per_day": "GOVWATCH_PROBES_PER_DAY",
    "probe_timeout": "GOVWATCH_PROBE_TIMEOUT",
    "probe_concurrency": "GOVWATCH_PROBE_CONCURRENCY",
    "media_spacing": "GOVWATCH_MEDIA_SPACING",
    "media_jitter": "GOVWATCH_MEDIA_JITTER",
    "media_pages": "GOVWATCH_MEDIA_PAGES",
    "wechat_session": "GOVWATCH_WECHAT_SESSION",
    "weibo_cookie": "GOVWATCH_WEIBO_COOKIE",
    "bilibili_cookie": "GOVWATCH_BILIBILI_COOKIE",
    "web_base_url": "GOVWATCH_WEB_BASE_URL",
    "web_run_queue": "GOVWATCH_WEB_RUN_QUEUE",
    "web_session_hours": "GOVWATCH_WEB_SESSION_HOURS",
    "notify_mail": "GOVWATCH_NOTIFY_MAIL",
    "notify_within": "GOVWATCH_NOTIFY_WITHIN",
    "notify_quiet": "GOVWATCH_NOTIFY_QUIET",
    "notify_retries": "GOVWATCH_NOTIFY_RETRIES",
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
    bases: dict[str, str] = {}
    home = default_home(env)
    path = settings_file(env)
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"settings file {path}: {exc}") from exc
        for key, raw in data.items():
            if key == "report" and isinstance(raw, dict):
                values["report"] = raw
                continue
            if key == "bases" and isinstance(raw, dict):
                bases.update({str(k): str(v) for k, v in raw.items()})
                continue
            if match := BASE_KEY.fullmatch(key):
                bases[match[1]] = str(raw)
                continue
            if key not in _ENV:
                raise SettingsError(f"settings file {path}: unknown setting {key!r}")
            values[key] = _coerce(key, raw, f"settings file {path}")
    for key, var in _ENV.items():
        if env.get(var):
            values[key] = _coerce(key, env[var], f"environment variable {var}")
    for var, value in env.items():
        if (match := BASE_VARIABLE.fullmatch(var)) and value:
            bases[match[1].lower()] = value
    values["bases"] = bases
    values.setdefault("home", home)
    settings = Settings(**values)  # type: ignore[arg-type]
    _check_service_settings(settings)
    return settings


def _check_service_settings(settings: Settings) -> None:
    """The service settings that a typo would only break at 02:30 are checked at once."""
    import re
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    match = re.fullmatch(r"(\d{1,2}):(\d{2})", settings.nightly_at.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise SettingsError(f"nightly_at = {settings.nightly_at!r} is not a time like 02:30 (GOVWATCH_NIGHTLY_AT)")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"timezone = {settings.timezone!r} is not a time zone like Asia/Shanghai "
                            "(GOVWATCH_TIMEZONE)") from None
    if settings.crawl_mode not in ("local", "workers"):
        raise SettingsError(f"crawl_mode = {settings.crawl_mode!r} must be local or workers (GOVWATCH_CRAWL_MODE)")
    if settings.probes_per_day < 1 or settings.worker_sites < 1 or settings.probe_concurrency < 1:
        raise SettingsError("probes_per_day, worker_sites and probe_concurrency must be at least 1")


def to_environ(settings: Settings) -> dict[str, str]:
    """The settings as GOVWATCH_* variables, so a child process (a crawl started by the scheduler)
    works with exactly the same settings as its parent."""
    env = {}
    for key, var in _ENV.items():
        value = getattr(settings, key)
        env[var] = str(value.resolve() if isinstance(value, Path) else value)
    for key, base in settings.bases.items():
        env[f"GOVWATCH_{key.upper()}_BASE"] = base
    env["GOVWATCH_DATABASE_URL"] = settings.database
    return env
