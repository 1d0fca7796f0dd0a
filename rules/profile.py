"""Profiles: the indicators, windows, thresholds and points of one rule set, as YAML data."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    kind: str  # veto | deduction | observation
    check: str
    rule: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    id: str
    title: str
    indicators: tuple[Indicator, ...]
    scoring: dict[str, Any] | None
    source: str = ""
    path: str = ""


def available_profiles() -> list[str]:
    folder = resources.files("rules").joinpath("profiles")
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_profile(name_or_path: str) -> Profile:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        text, where = path.read_text("utf-8"), str(path)
    else:
        ref = resources.files("rules").joinpath("profiles", f"{name_or_path}.yaml")
        if not ref.is_file():
            raise ProfileError(f"unknown profile {name_or_path!r}; available: {', '.join(available_profiles())}")
        text, where = ref.read_text("utf-8"), f"rules/profiles/{name_or_path}.yaml"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or "indicators" not in data:
        raise ProfileError(f"{where}: a profile needs `id` and `indicators`")
    indicators = []
    for n, raw in enumerate(data["indicators"], 1):
        missing = {"id", "title", "kind", "check"} - set(raw or {})
        if missing:
            raise ProfileError(f"{where}: indicator #{n} lacks {', '.join(sorted(missing))}")
        indicators.append(Indicator(raw["id"], raw["title"], raw["kind"], raw["check"], raw.get("rule", ""),
                                    raw.get("params") or {}))
    return Profile(data.get("id", path.stem), data.get("title", ""), tuple(indicators), data.get("scoring"),
                   data.get("source", ""), where)
