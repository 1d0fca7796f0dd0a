"""Reading the tables offices keep: CSV (UTF-8 with or without BOM, GB18030, UTF-16 "Unicode 文本"),
tab-separated copies, and .xlsx (the header row found below a title row). One reader for the sites,
accounts and posts files, so every registry import names the file and line the same way.

    table = read_table(path, {"url": ("url", "网址", "首页网址"), "name": (...)}, required=("url",))
    for row in table.rows:        # row.line is the line (or Excel row) a person sees
        row.values["url"]
    table.used, table.ignored     # which headers were read as which field, which were left out
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

HEADER_SEARCH_ROWS = 10  # a title row (and a blank one) may stand above the header


class TableFileError(ValueError):
    """A file that cannot be read as a table; the message names the file (and line)."""


@dataclass(slots=True)
class Row:
    line: int
    values: dict[str, Any]  # field -> str, or datetime/date for Excel date cells


@dataclass(slots=True)
class Table:
    path: Path
    rows: list[Row] = field(default_factory=list)
    used: dict[str, str] = field(default_factory=dict)  # header as written -> field
    ignored: list[str] = field(default_factory=list)  # headers read but not used
    skipped: list[str] = field(default_factory=list)  # headers left out on purpose (`ignore`: 序号)
    header_line: int = 1
    encoding: str | None = None  # for text files


def _norm(text: Any) -> str:
    return str(text or "").strip().lstrip("\ufeff").replace("（", "(").replace("）", ")").replace(" ", "").lower()


def _field_for(header: Any, fields: Mapping[str, Sequence[str]]) -> str | None:
    key = _norm(header)
    if not key:
        return None
    for name, aliases in fields.items():
        if key in {_norm(a) for a in (name, *aliases)}:
            return name
    return None


def _cell(value: Any) -> Any:
    """A cell as text, except dates and times, which stay dates (Excel keeps them as numbers)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def decode_text(data: bytes, where: str) -> tuple[str, str]:
    """The text of a file and the encoding it was in: UTF-16 with BOM, UTF-8 (BOM or not), GB18030."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16"
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0] and data[2]:
        return data.decode("utf-16-le"), "utf-16-le"  # UTF-16 without BOM: every other byte NUL
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise TableFileError(f"{where}: 文件编码无法识别（不是 UTF-8、GB18030 或 UTF-16 文本）")


def _text_rows(text: str) -> list[tuple[int, list[str]]]:
    sample = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            rows.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise TableFileError(f"line {reader.line_num}: {exc}") from exc
    return rows


def _xlsx_rows(path: Path, where: str, sheet: str | None) -> list[tuple[int, list[Any]]]:
    try:
        from openpyxl import load_workbook
    except ImportError as exc:  # pragma: no cover - openpyxl is pinned
        raise TableFileError(f"{where}: 读取 .xlsx 需要 openpyxl") from exc
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise TableFileError(f"{where}: 不是有效的 .xlsx 文件（{exc.__class__.__name__}）") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise TableFileError(f"{where}: 没有工作表 {sheet!r}（有：{'、'.join(book.sheetnames)}）")
        ws = book[sheet] if sheet else book.worksheets[0]
        return [(n, [_cell(v) for v in values]) for n, values in enumerate(ws.iter_rows(values_only=True), 1)]
    finally:
        book.close()


def read_table(
    path: Path,
    fields: Mapping[str, Sequence[str]],
    *,
    required: Sequence[str] = (),
    ignore: Sequence[str] = (),
    sheet: str | None = None,
) -> Table:
    """Rows of a CSV/TSV/TXT or .xlsx file as {field: value}; blank rows skipped. The header row is the
    first of the top rows that names every required field (or, with none required, two known fields).
    `ignore`: headers left out on purpose (序号), reported apart from unknown ones."""
    where = str(path)
    suffix = path.suffix.lower()
    table = Table(path)
    if suffix in (".xlsx", ".xlsm"):
        raw = _xlsx_rows(path, where, sheet)
    elif suffix in (".csv", ".txt", ".tsv", ""):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TableFileError(f"{where}: 无法读取：{exc.strerror}") from exc
        if data[:4] == b"PK\x03\x04":
            raise TableFileError(f"{where}: 这是 Excel 文件，请把扩展名改为 .xlsx")
        text, table.encoding = decode_text(data, where)
        try:
            raw = _text_rows(text)
        except TableFileError as exc:
            raise TableFileError(f"{where}, {exc}") from exc
    elif suffix == ".xls":
        raise TableFileError(f"{where}: 不支持旧版 .xls，请在 Excel 中另存为 .xlsx 或 CSV")
    else:
        raise TableFileError(f"{where}: 不认识的文件类型 {suffix!r}，请用 .xlsx、.csv 或 .txt")

    header_at = None
    for index, (_, cells) in enumerate(raw[:HEADER_SEARCH_ROWS]):
        found = {_field_for(c, fields) for c in cells} - {None}
        if (required and set(required) <= found) or (not required and len(found) >= 2):
            header_at = index
            break
    if header_at is None:
        names = "、".join(f"{fields[r][0] if fields[r] else r}" for r in required) or "表头"
        first = next((cells for _, cells in raw if any(str(c).strip() for c in cells)), [])
        raise TableFileError(f"{where}: 前{HEADER_SEARCH_ROWS}行中找不到表头（需要列：{names}）；"
                             f"第一行是：{'，'.join(str(c) for c in first if str(c).strip())[:200]}")
    table.header_line, headers = raw[header_at]
    columns: list[str | None] = []
    ignored_norm = {_norm(i) for i in ignore}
    for header in headers:
        name = _field_for(header, fields)
        text = str(header or "").strip()
        if name is not None and name in columns:
            raise TableFileError(f"{where}, line {table.header_line}: 列“{text}”与前面的列重复（都是 {name}）")
        columns.append(name)
        if name:
            table.used[text] = name
        elif text and _norm(text) not in ignored_norm:
            table.ignored.append(text)
        elif text:
            table.skipped.append(text)
    for line, cells in raw[header_at + 1:]:
        if not any(str(c).strip() for c in cells if not isinstance(c, datetime | date)) and not any(
                isinstance(c, datetime | date) for c in cells):
            continue
        extra = [c for c in cells[len(columns):] if str(c).strip()]
        if extra:
            raise TableFileError(f"{where}, line {line}: 比表头多出 {len(extra)} 个单元格：{extra[0]!r}")
        values = {name: cell for name, cell in zip(columns, cells, strict=False) if name and cell != ""}
        table.rows.append(Row(line, values))
    return table


def write_table(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, sheet_title: str,
                title: str | None = None, text_columns: Sequence[int] = ()) -> None:
    """Write a registry back in the shape `read_table` reads: .xlsx (a title row above the header when
    given; `text_columns` kept as text so Excel never turns a 网站标识码 into 3.69925E+09) or CSV with a
    BOM (Excel opens it as UTF-8). Raises TableFileError for another suffix or a file it cannot write."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.title = sheet_title
            if title:
                sheet.append([title])
            sheet.append(list(headers))
            for row in rows:
                sheet.append(list(row))
            for cells in sheet.iter_rows(min_row=3 if title else 2):
                for index in text_columns:
                    cells[index].number_format = "@"
            book.save(path)
        elif suffix in (".csv", ".txt"):
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(headers)
                writer.writerows(rows)
        else:
            raise TableFileError(f"{path}: 请用 .xlsx 或 .csv 作扩展名")
    except OSError as exc:
        raise TableFileError(f"{path}: 无法写入：{exc.strerror}") from exc


__all__ = ["Row", "Table", "TableFileError", "decode_text", "read_table", "write_table"]
