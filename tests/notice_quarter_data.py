"""A 州 office's quarter as stored evaluations (issue 18): sites observed at the check (2023-11-20) and at
the recheck (2023-12-05) after two of them moved their 首页网址, as the crawler's observers would record
them; built from tests/test_scoring.py's compliant site, moved in time and onto other hosts."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from rules.observations import ColumnObs, SiteObs
from tests.test_scoring import HOST, T0, compliant, rec, site

CHECK, RECHECK = date(2023, 11, 20), date(2023, 12, 5)
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _move(value: Any, days: int, host: str, swap: dict[str, str] | None = None) -> Any:
    """Every date `days` later, every URL on `host` and the words in `swap` replaced (the observers'
    records are plain JSON)."""
    if isinstance(value, str):
        if ISO.match(value):
            return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
        value = value.replace(HOST, host)
        for old, new in (swap or {}).items():
            value = value.replace(old, new)
        return value
    if isinstance(value, date):
        return value + timedelta(days=days)
    if isinstance(value, dict):
        return {k: _move(v, days, host, swap) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_move(v, days, host, swap) for v in value)
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value, **{f.name: _move(getattr(value, f.name), days, host, swap)
                                            for f in dataclasses.fields(value)})
    return value


def observed(name: str, code: str, host: str, as_of: date, *, blank_columns: int = 0, consult: bool = True,
             error_report: bool = True, service_stats: bool = True, group: str = "州直部门") -> SiteObs:
    """A site as observed at `as_of` on `host` (http://… or https://www.qdn.gov.cn/sthjj), with the
    problems asked for: blank columns, no 咨询建言 channel (a veto), no 我为政府网站找错 entry, no 办事统计."""
    r = compliant()
    columns = list(site(r).columns)
    if not consult:
        r["channel"] = [c for c in r["channel"] if "consult" not in c["types"]]
        r["message_board"], r["message"] = [], []
    if not error_report:
        r["error_report"] = [rec("/", present=False, href=None, sitecode=None)]
    if not service_stats:
        r["service_stats"] = []
    for n, column in enumerate(("人事信息", "规划计划", "统计数据")[:blank_columns]):
        columns.append(ColumnObs(column, f"{HOST}/c{n}/", "should_update", 1, None, 0, 0, True, "empty list"))
    obs = dataclasses.replace(site(r, columns, name=name), site_code=code, site_group=group,
                              site_kind="department" if "直" in group else "portal")
    # 贵州's 政务服务网, and the site's own 网站标识码 in its footer and 找错 link.
    swap = {"www.hnzwfw.gov.cn": "zwfw.guizhou.gov.cn", "4107000030": code, "豫": "黔",
            "fgw.xinxiang.gov.cn": urlsplit(host).netloc}
    return _move(obs, (as_of - T0).days, host, swap)


def unreachable(name: str, code: str, host: str, as_of: date, error: str) -> SiteObs:
    return SiteObs(host + "/", name, code, 99, "failed", error, as_of, None, None)
