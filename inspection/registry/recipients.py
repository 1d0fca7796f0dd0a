"""A unit's recipients (通知接收人) from the registry: the sites file or the accounts file, a column beside
主办单位 holding e-mail addresses or Apprise URLs (dingtalk://, wecombot://, feishu://, json://...), several
separated by ；, ; or a new line. Read the way every registry table is read (tables.py)."""

from __future__ import annotations

import re
from pathlib import Path

from inspection.registry.tables import read_table

FIELDS = {
    "unit": ("unit", "主办单位", "单位", "主办单位名称"),
    "recipients": ("recipients", "通知接收人", "联系邮箱", "通知地址", "接收人"),
}
SEPARATORS = re.compile(r"[；;，\s]+")  # not the ASCII comma: an Apprise URL may hold one


def read_recipients(path: Path) -> dict[str, list[str]]:
    """unit → its addresses, in the file's order; rows without a unit or an address are left out.
    Raises TableFileError (from tables.py) for a file that cannot be read."""
    table = read_table(path, FIELDS, required=("unit", "recipients"))
    out: dict[str, list[str]] = {}
    for row in table.rows:
        unit = str(row.values.get("unit") or "").strip()
        raw = str(row.values.get("recipients") or "").strip()
        if not unit or not raw:
            continue
        for address in SEPARATORS.split(raw):
            if address and address not in out.setdefault(unit, []):
                out[unit].append(address)
    return out
