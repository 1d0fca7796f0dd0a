"""Reading a sites registry file with errors that name the file and line.

The office's list comes from 全国政府网站信息报送系统 as an .xlsx (a title row above the header, 序号,
网站名称, 网站标识码, 首页网址, 主办单位, 网站类型, 网站状态), or as a CSV, tab-separated or UTF-16
"Unicode 文本" copy of it; a YAML list is accepted too. Tables are read by govwatch/tablefile.py, so
the accounts registry reads the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from config.vocabulary import ACCOUNT_STATUS_WORDS, SITE_KIND_WORDS
from inspection.registry.tables import TableFileError, read_table
from reports.names import county_of, is_department_group, short_name

FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("code", "网站标识码", "标识码", "site_code"),
    "name": ("name", "网站名称", "名称", "site_name"),
    "url": ("url", "网址", "首页地址", "首页网址", "网站首页网址", "网站网址", "域名", "home"),
    "unit": ("unit", "主办单位", "单位", "主办单位名称"),
    "group": ("group", "分组", "类别"),
    "short_name": ("short_name", "简称", "单位简称", "部门简称"),
    "region": ("region", "所属地区", "地区", "所属县市"),
    "kind": ("kind", "网站类型", "类型"),
    "status": ("status", "网站状态", "状态", "运行状态"),
    "enabled": ("enabled", "启用"),
}
IGNORED_ON_PURPOSE = ("序号", "编号", "no", "no.")  # row numbers: never a site's identity
CODE = re.compile(r"^[0-9A-Za-z]{4,20}$")
SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
URL_IN_TEXT = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
FULL_WIDTH_IN_HOST = "。．，、：／　"

KINDS = {"门户": "portal", "政府门户": "portal", "政府门户网站": "portal", "门户网站": "portal", "portal": "portal",
         "部门": "department", "部门网站": "department", "政府部门网站": "department", "department": "department"}
STATUSES = {"": "normal", "正常": "normal", "运行": "normal", "正常运行": "normal", "开通": "normal",
            "normal": "normal", "关停": "closed", "关闭": "closed", "暂停": "closed", "closed": "closed",
            "注销": "cancelled", "已注销": "cancelled", "下线": "cancelled", "cancelled": "cancelled"}
KIND_WORDS = SITE_KIND_WORDS
STATUS_WORDS = ACCOUNT_STATUS_WORDS  # a site's 网站状态 has the same three words


class SitesFileError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class SiteEntry:
    url: str
    name: str
    code: str | None
    unit: str | None
    group: str | None
    line: int
    kind: str | None = None  # portal | department, from 网站类型
    status: str = "normal"  # normal | closed | cancelled, from 网站状态
    enabled: bool | None = None  # from 启用 (是/否) in an export; None: left as it is
    short_name: str | None = None  # 简称; None: made from 主办单位 when a notice needs it
    region: str | None = None  # 所属地区; None: made from 主办单位 and 分组


@dataclass(slots=True)
class SitesFile:
    """What a file gave: its sites, and which of its columns were read as what and which were not."""

    path: Path
    entries: list[SiteEntry]
    used: dict[str, str] = field(default_factory=dict)  # header as written -> field
    ignored: list[str] = field(default_factory=list)  # headers not used (序号 among them)
    header_line: int = 1


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _url(raw: str, where: str) -> str:
    parts = [p for p in re.split(r"[\s；;，,、]+", raw) if "." in p or "。" in p]
    if len(parts) > 1 or len(URL_IN_TEXT.findall(raw)) > 1:
        raise SitesFileError(f"{where}: 一个单元格里有多个网址（{raw!r}），每行只能填一个首页网址")
    url = raw
    if "://" not in url:
        url = "http://" + url
    host = url.split("://", 1)[1].split("/", 1)[0]
    bad = [c for c in host if c in FULL_WIDTH_IN_HOST]
    if bad:
        raise SitesFileError(f"{where}: 网址 {raw!r} 的域名里有全角字符“{bad[0]}”，请改为半角“.”等")
    if not re.match(r"^https?://[^\s/]+\.[^\s/]+|^https?://(localhost|[\d.]+)(:\d+)?", url):
        raise SitesFileError(f"{where}: {raw!r} 不是网站地址")
    if " " in url.strip():
        raise SitesFileError(f"{where}: {raw!r} 不是网站地址（网址中有空格）")
    return url


def _code(raw: str, where: str) -> str | None:
    if not raw:
        return None
    if SCIENTIFIC.match(raw):
        raise SitesFileError(f"{where}: 网站标识码 {raw!r} 被 Excel 变成了科学计数法；请把这一列设置为“文本”格式"
                             "后重新填写标识码（或从信息报送系统重新导出）")
    if not CODE.match(raw):
        raise SitesFileError(f"{where}: 网站标识码 {raw!r} 不是有效的标识码")
    return raw


def _choice(raw: str, words: dict[str, str], what: str, where: str) -> str | None:
    key = raw.replace(" ", "")
    if key in words:
        return words[key]
    for word, value in words.items():
        if word and word in key and not word.isascii():
            return value
    allowed = "、".join(sorted({w for w in words if w and not w.isascii()}, key=len)[:6])
    raise SitesFileError(f"{where}: {what} {raw!r} 无法识别（可填：{allowed}）")


def entry_from(values: dict[str, Any], where: str, line: int) -> SiteEntry:
    """One site from a row's {field: value}; a SitesFileError names file and line."""
    at = f"{where}, line {line}"
    clean = {k: _text(v) for k, v in values.items() if k in FIELDS and _text(v)}
    if not clean.get("url"):
        raise SitesFileError(f"{at}: 没有首页网址（列名：首页网址/网址/url）")
    url = _url(clean["url"], at)
    code = _code(clean.get("code", ""), at)
    kind = _choice(clean["kind"], KINDS, "网站类型", at) if clean.get("kind") else None
    status = _choice(clean.get("status", ""), STATUSES, "网站状态", at) or "normal"
    enabled = None
    if clean.get("enabled"):
        enabled = _choice(clean["enabled"], {"是": "yes", "否": "no", "yes": "yes", "no": "no", "true": "yes",
                                             "false": "no"}, "启用", at) == "yes"
    return SiteEntry(url, clean.get("name") or url, code, clean.get("unit"), clean.get("group"), line, kind, status,
                     enabled, clean.get("short_name"), clean.get("region"))


def read_sites(path: Path) -> SitesFile:
    """Every entry with the columns used and ignored, or a SitesFileError for the first bad one
    (nothing is half-read)."""
    where = str(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        result = SitesFile(path, _read_yaml(path, where))
    else:
        try:
            table = read_table(path, FIELDS, required=("url",), ignore=IGNORED_ON_PURPOSE)
        except TableFileError as exc:
            raise SitesFileError(str(exc)) from None
        entries = [entry_from(row.values, where, row.line) for row in table.rows]
        result = SitesFile(path, entries, dict(table.used), list(table.ignored), table.header_line)
        result.ignored += table.skipped
    seen: dict[str, int] = {}
    for entry in result.entries:
        for key in filter(None, (entry.code, entry.url)):
            if key in seen:
                raise SitesFileError(f"{where}, line {entry.line}: {key} 与第 {seen[key]} 行重复")
            seen[key] = entry.line
    if not result.entries:
        raise SitesFileError(f"{where}: 文件里没有网站")
    return result


def read_sites_file(path: Path) -> list[SiteEntry]:
    return read_sites(path).entries


def _read_yaml(path: Path, where: str) -> list[SiteEntry]:
    try:
        data_bytes = path.read_bytes()
    except OSError as exc:
        raise SitesFileError(f"{where}: 无法读取：{exc.strerror}") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data_bytes.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SitesFileError(f"{where}: 文件编码无法识别（不是 UTF-8 或 GB18030 文本）")
    try:
        docs = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        raise SitesFileError(f"{where}{line}: 不是有效的 YAML：{getattr(exc, 'problem', exc)}") from exc
    nodes = docs.value if docs is not None and isinstance(data, list) else None
    if isinstance(data, dict) and isinstance(data.get("sites"), list):
        nodes = next(v for k, v in docs.value if k.value == "sites").value
        data = data["sites"]
    if not isinstance(data, list):
        raise SitesFileError(f"{where}: 应是网站列表（或 `sites:` 下的列表）")
    entries = []
    for raw, node in zip(data, nodes, strict=True):
        line = node.start_mark.line + 1
        if not isinstance(raw, dict):
            raise SitesFileError(f"{where}, line {line}: 每个网站应写成含 url、name、code 等的映射")
        values = {}
        for key, value in raw.items():
            name = next((f for f, names in FIELDS.items() if str(key).strip().lower() in names), None)
            if name:
                values[name] = value
        entries.append(entry_from(values, where, line))
    return entries


def export_rows(sites: list[Any]) -> tuple[list[str], list[list[str]]]:
    """The registry in the 信息报送系统 shape, so an export imports again unchanged."""
    headers = ["序号", "网站名称", "网站标识码", "首页网址", "主办单位", "网站类型", "网站状态", "分组", "启用", "简称",
               "所属地区"]
    rows = []
    for n, s in enumerate(sites, 1):
        short, region = registry_names(s.unit or s.name, s.group or "", getattr(s, "short_name", None),
                                       getattr(s, "region", None))
        rows.append([str(n), s.name, s.code or "", s.url, s.unit or "", KIND_WORDS.get(s.kind or "", ""),
                     STATUS_WORDS.get(s.status or "normal", s.status), s.group or "", "是" if s.enabled else "否",
                     short, region])
    return headers, rows


def registry_names(unit: str, group: str, short: str | None, region: str | None) -> tuple[str, str]:
    """简称 and 所属地区 as registered, else made from 主办单位 and 分组 (石桥县人民政府办公室 → 石桥县; a
    department group counts under 直属; a county unit under its county)."""
    department = is_department_group(group)
    return (short or short_name(unit, group), region or (group if department else county_of(unit, group)))


def apply_names(row: Any, entry: Any) -> None:
    """The 简称 and 所属地区 a file gave, written to a registered site or account (empty cells leave them)."""
    if getattr(entry, "short_name", None):
        row.short_name = entry.short_name
    if getattr(entry, "region", None):
        row.region = entry.region
