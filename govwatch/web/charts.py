"""Charts drawn on the server as numbers for inline SVG in the templates: the trend of 合格率 over the
stored notices, and an account's posting calendar (a heat-map of the period). No script draws them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

WIDTH, HEIGHT, PAD = 640, 200, 36


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    rate: float
    label: str


def rate_value(text: str | None) -> float | None:
    """The number in a notice's 合格率 ("99.3%" → 99.3); None for "—"."""
    match = re.match(r"(\d+(?:\.\d+)?)%", text or "")
    return float(match[1]) if match else None


def trend(notices: list[dict[str, Any]], kind: str) -> list[Point]:
    """Points (oldest first) of the 合格率 of `kind` (sites | accounts) in each notice."""
    values = [(n["label"], rate_value(((n.get("totals") or {}).get(kind) or {}).get("pass_rate")))
              for n in notices]
    values = [(label, v) for label, v in values if v is not None]
    if not values:
        return []
    step = (WIDTH - 2 * PAD) / max(1, len(values) - 1)
    return [Point(PAD + i * step if len(values) > 1 else WIDTH / 2, HEIGHT - PAD - v / 100 * (HEIGHT - 2 * PAD), v,
                  label) for i, (label, v) in enumerate(values)]


def polyline(points: list[Point]) -> str:
    return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points)


@dataclass(frozen=True)
class Day:
    day: date
    posts: int
    level: int  # 0 none, 1..4 more


def calendar(first: date, last: date, per_day: dict[date, int]) -> list[list[Day | None]]:
    """Weeks (Monday first) of the period, each day with its post count and a shade; None outside it."""
    start = first - timedelta(days=first.weekday())
    weeks: list[list[Day | None]] = []
    day = start
    while day <= last:
        week: list[Day | None] = []
        for _ in range(7):
            if first <= day <= last:
                n = per_day.get(day, 0)
                week.append(Day(day, n, 0 if n == 0 else 1 if n == 1 else 2 if n <= 3 else 3 if n <= 6 else 4))
            else:
                week.append(None)
            day += timedelta(days=1)
        weeks.append(week)
    return weeks
