"""How a notice names units and what a finding is about, so that names and 复查 pairs survive the URL.

Seeds name units short (石桥县, 州水务局, 市民政局), not by 主办单位 (石桥县人民政府办公室); the registry's
简称 wins, else the short name is made from 主办单位 here. A finding is identified by the site (网站标识码,
else registry id), its indicator and what it is about without the host (a column by name and path, a link
by path, a document by title), so a site moved from http to https or onto the 集约化 platform keeps its
problems instead of having them all "已整改".
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

# 主办单位 endings that a notice drops: "石桥县人民政府办公室" is 石桥县 in every seed.
GOVERNMENT_ENDINGS = ("人民政府办公室", "人民政府办公厅", "人民政府办", "政府办公室", "人民政府")
COUNTY = re.compile(r"^(.{1,6}?(?:自治县|县|市|区|旗))")


def is_department_group(group: str) -> bool:
    return "部门" in group or "直" in group


def short_name(unit: str, group: str = "", level: str = "市") -> str:
    """石桥县人民政府办公室 → 石桥县; 黔东南州生态环境局 → 州生态环境局 (a 州 office's own departments)."""
    name = (unit or "").strip()
    for ending in GOVERNMENT_ENDINGS:
        if name.endswith(ending) and len(name) > len(ending):
            return name[: -len(ending)]
    if is_department_group(group):
        m = re.match(rf"^[\u4e00-\u9fff]{{2,5}}?{level}(?=.{{2,}})", name)
        if m and level in ("州", "市"):
            return level + name[m.end():]
    return name


def county_of(unit: str, group: str = "") -> str:
    """The county a county-level unit belongs to (岑巩县教育局 → 岑巩县): the row its accounts count in."""
    name = (unit or "").strip()
    for ending in GOVERNMENT_ENDINGS:
        if name.endswith(ending) and len(name) > len(ending):
            return name[: -len(ending)]
    m = COUNTY.match(name)
    return m[1] if m else (group or name)


def path_of(url: str | None) -> str:
    """A URL without scheme and host: /zwgk/tzgg/ (the identity of a column or link across moves)."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def site_identity(code: str | None, site_id: int) -> str:
    return f"code:{code}" if code else f"site:{site_id}"


def account_identity(platform: str, account_id: str | None, name: str, row_id: int) -> str:
    return f"{platform}:{account_id}" if account_id else f"{platform}:{name}" if name else f"account:{row_id}"


def evidence_subject(evidence: dict[str, Any]) -> tuple[str, str, str] | None:
    """(what, name, where) of one piece of evidence: a column by name and path, a document by its title,
    a link by its path. None when it names nothing."""
    url = evidence.get("url") or ""
    if evidence.get("column") and not evidence.get("title"):
        return ("栏目", str(evidence["column"]), path_of(url))
    if evidence.get("title"):
        return ("文件", str(evidence["title"]), "")
    if url:
        return ("链接", path_of(url), "")
    return None


def subject_words(subject: tuple[str, str, str] | None, url: str | None = None) -> str:
    """What a person reads in 问题栏目: 栏目“通知公告”, 文件“关于…的通知”, 首页, or the link's address."""
    if subject is None:
        return ""
    what, name, _ = subject
    if what == "链接":
        return "首页" if name == "/" else (url or name)
    return f"{what}“{name}”"
