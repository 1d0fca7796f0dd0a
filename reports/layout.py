"""How wide a table's text is, for the Excel and Word attachments alike (CJK characters are two wide)."""

from __future__ import annotations

import unicodedata
from typing import Any

from reports.notice import Table


def text_width(value: Any) -> int:
    """Display width in half-width characters of the longest line."""
    lines = str("" if value is None else value).split("\n")
    return max(sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line) for line in lines)


def column_widths(table: Table, most: int = 60) -> list[int]:
    """Each column as wide as its widest cell (header included), capped: longer text wraps."""
    widths = [text_width(h) for h in table.headers]
    for row in table.rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], text_width(cell))
    caps = {i: 2 * chars for i, chars in table.widths.items()}
    return [max(4, min(w, caps.get(i, most))) for i, w in enumerate(widths)]


def is_wide(table: Table) -> bool:
    """Tables that do not fit a portrait A4 page (about 80 half-width characters at 10.5pt) go landscape."""
    return sum(column_widths(table)) + 2 * len(table.headers) > 80
