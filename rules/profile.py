"""Profiles: the indicators, windows, thresholds and points of one rule set, as YAML data.

A profile may build on another (`extends: national-2019`): it inherits every indicator, setting and
scoring rule, and changes only what it names.

    id: henan
    extends: national-2019
    settings: {province: "41"}            # deep-merged into the parent's settings
    scoring: {applies_to: all}            # deep-merged into the parent's scoring
    indicators:
      - id: W-V5                          # an inherited indicator: only the keys given change
        labels: {"1": 没有咨询建言}
      - id: W-D9                          # dropped
        remove: true
      - id: HN-LETTERS                    # a new one, appended in file order
        title: 历史信件展示、统计
        kind: deduction
        check: letters_public
        points: 3
        cap: 6

Indicator keys: `id`, `title`, `kind` (veto | deduction | observation | bonus), `check` (a function
in rules/checks), `rule` (the official wording), `params` (windows, thresholds; deep-merged when
inherited), `label` (the words a notice prints, default the title), `labels` (per trigger), `points`
(per occurrence; null: reported, not deducted), `cap` (most points the item can cost), `area`
(发布解读 / 办事服务 / 互动交流 / 功能设计), `basis` (how sure the rule is: V, P, UNCONFIRMED, regional).
`media_indicators` (政务新媒体, judged by rules.accounts with the checks in rules/checks/media.py)
take the same keys and are merged by `extends` the same way; an id is unique across both lists.
The order of the indicators is the order of the problems in a notice and the priority when one column
could be counted under two items (it is counted under the first).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

KINDS = ("veto", "deduction", "observation", "bonus")


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    kind: str  # veto | deduction | observation | bonus
    check: str
    rule: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    label: str = ""  # the notice's words for it ("空白栏目"); default: the title
    labels: dict[str, str] = field(default_factory=dict)  # per trigger, e.g. {"1": 没有咨询建言}
    points: float | None = None  # per occurrence; None: reported, not deducted
    cap: float | None = None  # most points this item can cost (or add)
    area: str = ""
    basis: str = ""
    notice_kind: str = ""  # the notice's problem kind (update, blank, service ...); default: from `area`
    notice_kinds: dict[str, str] = field(default_factory=dict)  # per trigger, over notice_kind

    def notice_kind_for(self, trigger: str | None = None) -> str:
        if trigger is not None and str(trigger) in self.notice_kinds:
            return self.notice_kinds[str(trigger)]
        return self.notice_kind

    def label_for(self, trigger: str | None = None) -> str:
        if trigger is not None and str(trigger) in self.labels:
            return self.labels[str(trigger)]
        return self.label or self.title


@dataclass(frozen=True)
class Profile:
    id: str
    title: str
    indicators: tuple[Indicator, ...]
    scoring: dict[str, Any] | None
    source: str = ""
    path: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    notice: dict[str, Any] = field(default_factory=dict)
    lineage: tuple[str, ...] = ()  # this profile and the ones it extends, nearest first
    media_indicators: tuple[Indicator, ...] = ()  # 政务新媒体: judged by rules.accounts
    purpose: str = ""  # what the profile is for, in the office's words (`govwatch profiles`)

    def indicator(self, indicator_id: str) -> Indicator | None:
        """A website or a new-media indicator by id."""
        for ind in (*self.indicators, *self.media_indicators):
            if ind.id == indicator_id:
                return ind
        return None


def available_profiles() -> list[str]:
    folder = resources.files("rules").joinpath("profiles")
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def _read(name_or_path: str, relative_to: Path | None = None) -> tuple[dict[str, Any], str, Path | None]:
    """The raw YAML of a profile (a bundled name or a file), where it came from, and its folder."""
    candidates = [Path(name_or_path)]
    if relative_to is not None:
        candidates.insert(0, relative_to / name_or_path)
    for path in candidates:
        if path.suffix in (".yaml", ".yml") and path.is_file():
            text, where, folder = path.read_text("utf-8"), str(path), path.parent
            break
    else:
        ref = resources.files("rules").joinpath("profiles", f"{name_or_path}.yaml")
        if not ref.is_file():
            raise ProfileError(f"unknown profile {name_or_path!r}; available: {', '.join(available_profiles())}")
        text, where, folder = ref.read_text("utf-8"), f"rules/profiles/{name_or_path}.yaml", None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or "indicators" not in data:
        raise ProfileError(f"{where}: a profile needs `id` and `indicators`")
    if not isinstance(data["indicators"], list):
        raise ProfileError(f"{where}: `indicators` must be a list")
    return data, where, folder


def deep_merge(base: Any, over: Any) -> Any:
    """`over` laid on `base`: dicts merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(over)


def _merge_indicators(parent: list[dict], child: list[dict], where: str) -> list[dict]:
    merged = [copy.deepcopy(x) for x in parent]
    index = {x["id"]: n for n, x in enumerate(merged)}
    for n, raw in enumerate(child, 1):
        if not isinstance(raw, dict) or "id" not in raw:
            raise ProfileError(f"{where}: indicator #{n} lacks id")
        if raw["id"] in index:
            pos = index[raw["id"]]
            if raw.get("remove"):
                merged[pos] = None  # type: ignore[call-overload]
                continue
            merged[pos] = deep_merge(merged[pos], {k: v for k, v in raw.items() if k != "remove"})
        elif raw.get("remove"):
            raise ProfileError(f"{where}: indicator {raw['id']} is removed but the profile it extends has none")
        else:
            index[raw["id"]] = len(merged)
            merged.append(copy.deepcopy(raw))
    return [x for x in merged if x is not None]


def _resolve(name_or_path: str, relative_to: Path | None, seen: tuple[str, ...]) -> tuple[dict, str, tuple]:
    data, where, folder = _read(name_or_path, relative_to)
    if where in seen:
        raise ProfileError(f"{where}: `extends` goes round in a circle ({' -> '.join((*seen, where))})")
    parent_name = data.get("extends")
    if not parent_name:
        return data, where, (data.get("id", Path(where).stem),)
    parent, parent_where, lineage = _resolve(str(parent_name), folder, (*seen, where))
    merged: dict[str, Any] = {k: copy.deepcopy(v) for k, v in parent.items() if k not in ("extends", "order")}
    for key, value in data.items():
        if key in ("indicators", "media_indicators"):
            merged[key] = _merge_indicators(parent.get(key) or [], value or [], where)
        elif key in ("settings", "scoring", "notice") and isinstance(value, dict) and isinstance(
                parent.get(key), dict):
            merged[key] = deep_merge(parent[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    if data.get("order"):
        order = {ind_id: n for n, ind_id in enumerate(data["order"])}
        unknown = sorted(set(order) - {x["id"] for x in merged["indicators"]})
        if unknown:
            raise ProfileError(f"{where}: `order` names unknown indicators {', '.join(unknown)}")
        merged["indicators"].sort(key=lambda x: order.get(x["id"], len(order)))
    return merged, where, (data.get("id", Path(where).stem), *lineage)


def _number(value: Any, what: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProfileError(f"{where}: {what} must be a number, not {value!r}")
    return float(value)


def _indicators(raws: list, where: str, seen: set[str], what: str = "indicator") -> tuple[Indicator, ...]:
    indicators = []
    for n, raw in enumerate(raws, 1):
        missing = {"id", "title", "kind", "check"} - set(raw or {})
        if missing:
            raise ProfileError(f"{where}: {what} #{n} lacks {', '.join(sorted(missing))}")
        if raw["kind"] not in KINDS:
            raise ProfileError(f"{where}: {what} {raw['id']}: kind {raw['kind']!r} is not one of {', '.join(KINDS)}")
        if raw["id"] in seen:
            raise ProfileError(f"{where}: indicator {raw['id']} appears twice")
        seen.add(raw["id"])
        indicators.append(Indicator(
            raw["id"], raw["title"], raw["kind"], raw["check"], raw.get("rule", "") or "", raw.get("params") or {},
            raw.get("label", "") or "", {str(k): v for k, v in (raw.get("labels") or {}).items()},
            _number(raw.get("points"), f"{what} {raw['id']}: points", where),
            _number(raw.get("cap"), f"{what} {raw['id']}: cap", where),
            raw.get("area", "") or "", str(raw.get("basis", "") or ""), str(raw.get("notice_kind", "") or ""),
            {str(k): str(v) for k, v in (raw.get("notice_kinds") or {}).items()},
        ))
    return tuple(indicators)


def load_profile(name_or_path: str) -> Profile:
    data, where, lineage = _resolve(name_or_path, None, ())
    seen: set[str] = set()
    indicators = _indicators(data["indicators"], where, seen)
    media = data.get("media_indicators") or []
    if not isinstance(media, list):
        raise ProfileError(f"{where}: `media_indicators` must be a list")
    media_indicators = _indicators(media, where, seen, "media indicator")
    return Profile(data.get("id", Path(where).stem), data.get("title", ""), indicators, data.get("scoring"),
                   data.get("source", ""), where, data.get("settings") or {}, data.get("notice") or {}, lineage,
                   media_indicators, str(data.get("purpose", "") or ""))
