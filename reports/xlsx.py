"""The notice's attachments as an Excel workbook: one sheet per table, as an office prints them.

Each sheet: the attachment number and title above the headers of spec §2, header rows frozen and
repeated on every printed page, widths that fit the text (long text wraps), A4 (landscape when wide),
fitted to one page across.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from reports.layout import column_widths, is_wide, text_width
from reports.notice import Notice

FONT = "仿宋_GB2312"
HEAD_FONT = "黑体"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _sheet_name(index: int, title: str, used: set[str]) -> str:
    """Excel allows 31 characters and no []:*?/\\ in a sheet name."""
    base = re.sub(r"[\[\]:*?/\\]", "", f"附件{index} {title}")
    name = base[:31]
    n = 2
    while name in used:
        name = f"{base[:28]}({n})"
        n += 1
    used.add(name)
    return name


def _percent(value: object) -> object:
    """合格率 "99.3%" as the number 0.993 (shown 99.3% by the cell's format); "—" stays words."""
    text = str(value)
    if re.fullmatch(r"\d+(\.\d+)?%", text):
        return float(text[:-1]) / 100
    return value


def write_xlsx(notice: Notice, path: Path) -> Path:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for index, table in enumerate(notice.tables, 1):
        ws = book.create_sheet(_sheet_name(index, re.sub(r"^\d{4}年第.季度|^\d{4}年[\d月至年]+月", "", table.title),
                                           used))
        widths = column_widths(table)
        ncols = len(table.headers)
        ws.cell(1, 1, f"附件{index}").font = Font(name=HEAD_FONT, size=12)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
        title = ws.cell(2, 1, table.title)
        title.font = Font(name=HEAD_FONT, size=16, bold=True)
        title.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[2].height = 30 * max(1, -(-text_width(table.title) // (sum(widths) + ncols) ))
        for col, header in enumerate(table.headers, 1):
            cell = ws.cell(3, col, header)
            cell.font = Font(name=HEAD_FONT, size=11, bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = BOX
        row = 4
        for section, rows in table.sections:
            if section:
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
                cell = ws.cell(row, 1, section)
                cell.font = Font(name=HEAD_FONT, size=11)
                cell.alignment = Alignment(horizontal="left", vertical="center")
                for col in range(1, ncols + 1):
                    ws.cell(row, col).border = BOX
                row += 1
            for values in rows:
                lines = 1
                for col, value in enumerate(values, 1):
                    cell = ws.cell(row, col, _percent(value) if col - 1 in table.percent_columns else value)
                    if col - 1 in table.percent_columns and isinstance(cell.value, float):
                        cell.number_format = "0.0%" if "." in str(value) else "0%"
                    cell.font = Font(name=FONT, size=11)
                    long = text_width(value) > widths[col - 1]
                    cell.alignment = Alignment(horizontal="left" if long else "center", vertical="center",
                                               wrap_text=True)
                    cell.border = BOX
                    lines = max(lines, -(-text_width(value) // max(widths[col - 1], 1)))
                if table.merge_veto_score and values[2] == "" and values[3] == "不合格":
                    ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
                    ws.cell(row, 3, "不合格").alignment = Alignment(horizontal="center", vertical="center")
                ws.row_dimensions[row].height = 18 * lines
                row += 1
        if table.note:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
            ws.cell(row, 1, table.note).font = Font(name=FONT, size=10)
        for col, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(col)].width = width + 3
        ws.freeze_panes = "A4"
        ws.print_title_rows = "3:3"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if is_wide(table) else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
    if not notice.tables:
        ws = book.create_sheet("说明")
        ws.cell(1, 1, "本期没有可列入附件的检查记录。")
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
