"""Reading a sites registry file (CSV or YAML) with errors that name the file and line."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

FIELDS = {
    "code": ("code", "网站标识码", "标识码", "site_code"),
    "name": ("name", "网站名称", "名称", "site_name"),
    "url": ("url", "网址", "首页地址", "首页网址", "域名", "home"),
    "unit": ("unit", "主办单位", "单位"),
    "group": ("group", "分组", "类别", "类型"),
}
CODE = re.compile(r"^[0-9A-Za-z]{4,20}$")


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


def _canonical(key: str) -> str | None:
    key = key.strip().lstrip("\ufeff").lower()
    for field, names in FIELDS.items():
        if key in names:
            return field
    return None


def _entry(raw: dict, where: str, line: int) -> SiteEntry:
    values: dict[str, str] = {}
    for key, value in raw.items():
        field = _canonical(str(key)) if key is not None else None
        if field and value is not None and str(value).strip():
            values[field] = str(value).strip()
    url = values.get("url")
    if not url:
        raise SitesFileError(f"{where}, line {line}: no url (columns: url/网址)")
    if "://" not in url:
        url = "http://" + url
    if not re.match(r"^https?://[^\s/]+\.[^\s/]+|^https?://(localhost|[\d.]+)(:\d+)?", url):
        raise SitesFileError(f"{where}, line {line}: {url!r} is not a website address")
    code = values.get("code")
    if code and not CODE.match(code):
        raise SitesFileError(f"{where}, line {line}: 网站标识码 {code!r} is not a site code")
    return SiteEntry(url, values.get("name") or url, code, values.get("unit"), values.get("group"), line)


def read_sites_file(path: Path) -> list[SiteEntry]:
    """Every entry, or a SitesFileError for the first bad one (nothing is half-read)."""
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SitesFileError(f"{where}: cannot read: {exc.strerror}") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SitesFileError(f"{where}: neither UTF-8 nor GB18030 text")
    if path.suffix.lower() in (".yaml", ".yml"):
        entries = _read_yaml(text, where)
    elif path.suffix.lower() in (".csv", ".txt"):
        entries = _read_csv(text, where)
    else:
        raise SitesFileError(f"{where}: unknown file type {path.suffix!r}; use .csv or .yaml")
    seen: dict[str, int] = {}
    for entry in entries:
        for key in filter(None, (entry.code, entry.url)):
            if key in seen:
                raise SitesFileError(f"{where}, line {entry.line}: {key} already given on line {seen[key]}")
            seen[key] = entry.line
    if not entries:
        raise SitesFileError(f"{where}: no sites in the file")
    return entries


def _read_csv(text: str, where: str) -> list[SiteEntry]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not any(_canonical(f) == "url" for f in reader.fieldnames if f):
        raise SitesFileError(f"{where}, line 1: the header needs a url column (url/网址); got {reader.fieldnames}")
    entries = []
    for row in reader:
        if None in row:
            raise SitesFileError(f"{where}, line {reader.line_num}: more fields than the header has")
        if not any((v or "").strip() for v in row.values()):
            continue
        entries.append(_entry(row, where, reader.line_num))
    return entries


def _read_yaml(text: str, where: str) -> list[SiteEntry]:
    try:
        docs = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        raise SitesFileError(f"{where}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    nodes = docs.value if docs is not None and isinstance(data, list) else None
    if isinstance(data, dict) and isinstance(data.get("sites"), list):
        nodes = next(v for k, v in docs.value if k.value == "sites").value
        data = data["sites"]
    if not isinstance(data, list):
        raise SitesFileError(f"{where}: expected a list of sites (or `sites:` with a list)")
    entries = []
    for raw, node in zip(data, nodes, strict=True):
        line = node.start_mark.line + 1
        if not isinstance(raw, dict):
            raise SitesFileError(f"{where}, line {line}: a site must be a mapping with url, name, code, ...")
        entries.append(_entry(raw, where, line))
    return entries
