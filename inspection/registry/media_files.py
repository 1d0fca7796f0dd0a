"""The files offices keep about 政务新媒体: the accounts registry (CSV/xlsx/YAML) and post lists (CSV/xlsx).

Everything is read and checked before anything is stored: a bad line raises `MediaFileError` naming
the file and line, and the caller stores nothing from that file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import yaml

from crawler.media.platforms import PLATFORMS
from inspection.registry.tables import TableFileError, read_table
from storage.media_repo import BEIJING


class MediaFileError(ValueError):
    """A file that cannot be imported; the message names the file and line."""


PLATFORM_NAMES = {p.key: p.aliases for p in PLATFORMS.values()}
TYPE_NAMES = {"subscription": ("subscription", "订阅号"), "service": ("service", "服务号")}
STATUS_NAMES = {"normal": ("normal", "正常", "运行", "运营", "在用"), "closed": ("closed", "关停", "停用"),
                "cancelled": ("cancelled", "注销", "已注销")}
YES = ("是", "y", "yes", "true", "1", "置顶", "启用")
NO = ("否", "n", "no", "false", "0", "", "停用", "不启用")

ACCOUNT_FIELDS = {
    "name": ("账号名称", "名称", "账号", "新媒体名称"),
    "platform": ("平台", "所属平台", "平台类型"),
    "type": ("账号类型", "类型", "服务类型", "subtype"),
    "account_id": ("账号ID", "平台账号ID", "微信号", "platform_id", "id"),
    "url": ("链接", "主页链接", "网址"),
    "unit": ("主办单位", "开办主体", "owner"),
    "group": ("分组", "类别"),
    "short_name": ("简称", "单位简称", "short_name"),
    "region": ("所属地区", "地区", "所属县市", "region"),
    "status": ("状态", "运行状态"),
    "enabled": ("启用",),
}
POST_FIELDS = {
    "platform": ("平台", "所属平台"),
    "account": ("账号", "账号名称", "账号ID", "平台账号ID", "name", "account_id"),
    "published_at": ("发布时间", "时间", "published", "time"),
    "title": ("标题",),
    "url": ("链接", "网址"),
    "pinned": ("是否置顶", "置顶"),
    "source": ("来源",),
    "post_id": ("帖子ID", "文章ID", "post_id"),
    "text": ("正文", "内容", "摘要", "text"),  # the post's text: scanned like collected posts' (M-V1)
}


def _lookup(value: str, names: dict[str, tuple[str, ...]], what: str, where: str) -> str:
    key = re.sub(r"\s+", "", str(value)).lower()
    for norm, aliases in names.items():
        if key in {a.lower() for a in aliases}:
            return norm
    choices = "、".join(aliases[1] for aliases in names.values())
    raise MediaFileError(f"{where}: {what}“{value}”无法识别（可用：{choices}）")


def platform_of(value: str, where: str = "平台") -> str:
    return _lookup(value, PLATFORM_NAMES, "平台", where)


def _flag(value: Any, what: str, where: str) -> bool:
    key = str(value or "").strip().lower()
    if key in YES:
        return True
    if key in NO:
        return False
    raise MediaFileError(f"{where}: {what}“{value}”应为 是 或 否")


@dataclass(slots=True)
class AccountEntry:
    line: int
    name: str
    platform: str
    type: str | None = None
    account_id: str | None = None
    url: str | None = None
    unit: str | None = None
    group: str | None = None
    status: str = "normal"
    enabled: bool | None = None
    short_name: str | None = None  # 简称 of the unit; None: made from 主办单位 when a notice needs it
    region: str | None = None  # 所属地区; None: the county in 主办单位, or the department row


def _account(values: dict[str, Any], where: str, line: int) -> AccountEntry:
    name = str(values.get("name") or "").strip()
    if not name:
        raise MediaFileError(f"{where}: 缺少账号名称")
    if not str(values.get("platform") or "").strip():
        raise MediaFileError(f"{where}: 账号“{name}”缺少平台")
    platform = platform_of(values["platform"], where)
    kind = str(values.get("type") or "").strip()
    raw_platform = str(values["platform"])
    if not kind and platform == "wechat" and ("服务号" in raw_platform or "订阅号" in raw_platform):
        kind = "服务号" if "服务号" in raw_platform else "订阅号"
    account_type = _lookup(kind, TYPE_NAMES, "账号类型", where) if kind else None
    if account_type and platform != "wechat":
        raise MediaFileError(f"{where}: 账号类型“{kind}”只适用于微信公众号")
    status = _lookup(values["status"], STATUS_NAMES, "状态", where) if str(values.get("status") or "").strip() \
        else "normal"
    enabled = _flag(values["enabled"], "启用", where) if "enabled" in values else None
    text = {k: (str(values[k]).strip() or None) if values.get(k) not in (None, "") else None
            for k in ("account_id", "url", "unit", "group", "short_name", "region")}
    return AccountEntry(line, name, platform, account_type, text["account_id"], text["url"], text["unit"],
                        text["group"], status, enabled, text["short_name"], text["region"])


def _yaml_entries(path: Path) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = path.read_text("utf-8-sig")
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MediaFileError(f"{path}: 无法读取 YAML：{exc}") from None
    if isinstance(data, dict) and "accounts" in data:
        data = data["accounts"]
        node = next(v for k, v in node.value if k.value == "accounts")
    if not isinstance(data, list):
        raise MediaFileError(f"{path}: YAML 应为账号列表（或 accounts: 下的列表）")
    out = []
    for item, item_node in zip(data, node.value, strict=True):
        line = item_node.start_mark.line + 1
        if not isinstance(item, dict):
            raise MediaFileError(f"{path}, line {line}: 每个账号应是 名称: 值 的映射")
        values = {}
        for key, value in item.items():
            field = next((f for f, aliases in ACCOUNT_FIELDS.items() if str(key).strip() in (f, *aliases)), None)
            if field is None:
                raise MediaFileError(f"{path}, line {line}: 不认识的字段“{key}”")
            values[field] = value
        out.append((line, values))
    return out


def read_accounts_file(path: Path) -> list[AccountEntry]:
    """Every account of a CSV/xlsx/YAML registry file, checked; duplicates within the file are an error."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        raw = _yaml_entries(path)
    else:
        try:
            table = read_table(path, ACCOUNT_FIELDS, required=("name", "platform"), ignore=("序号",))
        except TableFileError as exc:
            raise MediaFileError(str(exc)) from None
        raw = [(row.line, row.values) for row in table.rows]
    entries: list[AccountEntry] = []
    seen: dict[tuple[str, str], int] = {}
    for line, values in raw:
        entry = _account(values, f"{path}, line {line}", line)
        key = (entry.platform, entry.account_id or f"name:{entry.name}")
        if key in seen:
            raise MediaFileError(f"{path}, line {line}: 账号“{entry.name}”与第{seen[key]}行重复")
        seen[key] = line
        entries.append(entry)
    if not entries:
        raise MediaFileError(f"{path}: 文件中没有账号")
    return entries


def parse_time(value: Any, where: str) -> tuple[datetime, bool]:
    """A publish time (aware) and whether it gave a date only. Without a zone it is Beijing time;
    accepts YYYY-MM-DD[ HH:MM[:SS]], YYYY/M/D H:MM, ISO 8601 with a zone, unix seconds or milliseconds."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=BEIJING)), False
    if isinstance(value, date):
        return datetime.combine(value, time(), BEIJING), True
    text = str(value).strip()
    if re.fullmatch(r"\d{10}|\d{13}", text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, UTC).astimezone(BEIJING), False
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?"
                     r"(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?", text)
    if not m:
        raise MediaFileError(f"{where}: 发布时间“{text}”无法识别（应如 2023-10-09 18:30）")
    try:
        moment = datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
    except ValueError as exc:
        raise MediaFileError(f"{where}: 发布时间“{text}”不是有效日期：{exc}") from None
    if m[8]:
        zone = datetime.fromisoformat("2000-01-01T00:00:00" + (m[8] if m[8] != "Z" else "+00:00")).tzinfo
        return moment.replace(tzinfo=zone), False
    return moment.replace(tzinfo=BEIJING), m[4] is None


@dataclass(slots=True)
class PostEntry:
    line: int
    platform: str | None
    account: str
    published_at: datetime | None  # None: the row names the account, with no post in the span
    date_only: bool = False
    title: str | None = None
    url: str | None = None
    pinned: bool = False
    source: str | None = None
    post_id: str | None = None
    text: str | None = None


def read_posts_file(path: Path) -> list[PostEntry]:
    path = Path(path)
    try:
        table = read_table(path, POST_FIELDS, required=("account", "published_at"), ignore=("序号",))
    except TableFileError as exc:
        raise MediaFileError(str(exc)) from None
    entries = []
    for row in table.rows:
        where = f"{path}, line {row.line}"
        v = row.values
        account = str(v.get("account") or "").strip()
        if not account:
            raise MediaFileError(f"{where}: 缺少账号（名称或账号ID）")
        platform = platform_of(v["platform"], where) if str(v.get("platform") or "").strip() else None
        published, date_only = (parse_time(v["published_at"], where) if v.get("published_at") not in (None, "")
                                else (None, False))
        entries.append(PostEntry(row.line, platform, account, published, date_only,
                                 str(v.get("title") or "").strip() or None, str(v.get("url") or "").strip() or None,
                                 _flag(v.get("pinned"), "是否置顶", where), str(v.get("source") or "").strip() or None,
                                 str(v.get("post_id") or "").strip() or None, str(v.get("text") or "").strip() or None))
    if not entries:
        raise MediaFileError(f"{path}: 文件中没有发布记录")
    return entries


__all__ = ["ACCOUNT_FIELDS", "POST_FIELDS", "AccountEntry", "MediaFileError", "PostEntry", "parse_time",
           "platform_of", "read_accounts_file", "read_posts_file"]
