"""临期: columns and accounts that break their update window within N days if nothing is published.

Windows come from the profile: the column windows of W-V4 (and W-D3), the account window of M-V2
(`params: {window: {days: 14}}`). Offices warn units before the deadline (seed 004 criticises 临期更新).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from rules.findings import add_window, describe_window
from rules.profile import Profile

# 国办秘函〔2019〕19号 新媒体 单项否决: 监测时间点前2周内无更新.
NATIONAL_ACCOUNT_WINDOW = {"days": 14}


@dataclass(frozen=True)
class Due:
    kind: str  # column | account
    owner: str  # the site or the account's unit
    name: str  # column or account name
    url: str
    latest: date | None
    breaks_on: date  # the first day it counts as not updated
    days_left: int
    window: str  # 2周, 6个月 ...
    indicator: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "owner": self.owner, "name": self.name, "url": self.url,
                "latest": self.latest.isoformat() if self.latest else None, "breaks_on": self.breaks_on.isoformat(),
                "days_left": self.days_left, "window": self.window, "indicator": self.indicator}


def column_windows(profile: Profile) -> list[tuple[str, str, dict[str, Any]]]:
    """(indicator, category, window) for every column window of the profile."""
    out = []
    w4 = profile.indicator("W-V4")
    for trigger in (w4.params.get("triggers") or []) if w4 else []:
        for category, window in (trigger.get("windows") or {}).items():
            out.append(("W-V4", category, window))
    d3 = profile.indicator("W-D3")
    if d3 and d3.params.get("window"):
        for category in d3.params.get("categories") or []:
            out.append(("W-D3", category, {**d3.params["window"], **({"level": d3.params["level"]}
                                                                      if "level" in d3.params else {})}))
    return out


def breaks_on(latest: date, window: dict[str, Any]) -> date:
    """Stale from the day after latest + window (is_stale: latest < T0 − window)."""
    return add_window(latest, window) + timedelta(days=1)


def due_columns(owner: str, columns: list[dict[str, Any]], profile: Profile, as_of: date,
                within: int) -> list[Due]:
    """Stored columns (an evaluation's `columns`) whose window ends within `within` days of T0."""
    found: dict[str, Due] = {}
    for indicator, category, window in column_windows(profile):
        for col in columns:
            if col.get("category") != category or col.get("blank") or not col.get("latest_date"):
                continue
            if "level" in window and col.get("level") != window["level"]:
                continue
            latest = date.fromisoformat(col["latest_date"])
            day = breaks_on(latest, window)
            left = (day - as_of).days
            if 0 < left <= within:
                due = Due("column", owner, col["name"], col.get("url") or "", latest, day, left,
                          describe_window(window), indicator)
                if col["url"] not in found or found[col["url"]].breaks_on > day:
                    found[col["url"]] = due
    return sorted(found.values(), key=lambda d: d.breaks_on)


def account_window(profile: Profile) -> tuple[dict[str, int], str]:
    """The M-V2 window and where it was read: the profile's indicator, its `media_indicators` list in the
    YAML, or the national rule when the profile has none."""
    ind = profile.indicator("M-V2")
    if ind is not None and isinstance(ind.params.get("window"), dict):
        return ind.params["window"], f"{profile.id} M-V2"
    for entry in getattr(profile, "media_indicators", None) or []:
        if getattr(entry, "id", None) == "M-V2" and isinstance(getattr(entry, "params", {}).get("window"), dict):
            return entry.params["window"], f"{profile.id} M-V2"
    for where in _profile_files(profile):
        try:
            data = yaml.safe_load(Path(where).read_text("utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for key in ("media_indicators", "indicators"):
            for entry in data.get(key) or []:
                if isinstance(entry, dict) and entry.get("id") == "M-V2":
                    window = (entry.get("params") or {}).get("window")
                    if isinstance(window, dict):
                        return window, f"{Path(where).name} M-V2"
    return NATIONAL_ACCOUNT_WINDOW, "国办秘函〔2019〕19号 监测时间点前2周内无更新（指标文件未设 M-V2）"


def _profile_files(profile: Profile) -> list[str]:
    from importlib import resources

    files = []
    if profile.path and Path(profile.path).is_file():
        files.append(profile.path)
    for name in profile.lineage:
        ref = resources.files("rules").joinpath("profiles", f"{name}.yaml")
        if ref.is_file():
            files.append(str(ref))
    return [f for f in files if re.search(r"\.ya?ml$", f)]


def due_account(owner: str, name: str, url: str, latest: date | None, window: dict[str, int], as_of: date,
                within: int) -> Due | None:
    if latest is None:
        return None
    day = breaks_on(latest, window)
    left = (day - as_of).days
    if 0 < left <= within:
        return Due("account", owner, name, url, latest, day, left, describe_window(window), "M-V2")
    return None
