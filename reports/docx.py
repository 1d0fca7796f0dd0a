"""The notice as a Word draft: the body of spec §1 in 公文 style, then each attachment as a Word table.

A4, 公文 fonts (方正小标宋 title, 黑体 headings, 仿宋_GB2312 text; an office's Word has them, other
machines substitute), first-line indents, the 落款 right-aligned; attachments on their own pages,
landscape where the table is wide, header rows repeated on every page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Pt

from reports.layout import column_widths, is_wide, text_width
from reports.notice import Notice, Table

TITLE_FONT = "方正小标宋简体"
HEAD_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"


def _font(run: Any, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _para(doc: Any, text: str, font: str = BODY_FONT, size: float = 16, align: WD_ALIGN_PARAGRAPH | None = None,
          indent: bool = True, bold: bool = False, space_after: float = 0) -> Any:
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28) if size >= 14 else None
    fmt.space_after = Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(p.add_run(text), font, size, bold)
    return p


def _a4(section: Section, landscape: bool) -> None:
    width, height = Cm(21.0), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    if landscape:
        section.top_margin = section.bottom_margin = Cm(2.2)
        section.left_margin = section.right_margin = Cm(2.5)


TITLE_LINE = 20  # characters of the 22pt title on one line of an A4 page (15.6 cm)
TITLE_BREAKS = ("与", "和", "及", "季度", "月", "的")  # a title line may end after these, never inside a word


def title_lines(title: str, width: int = TITLE_LINE) -> list[str]:
    """The title in lines broken where a clerk would break it: after 与/和/及 or the period, the first line
    as long as fits; a title that fits stays one line."""
    if len(title) <= width:
        return [title]
    cuts = [i + len(w) for w in TITLE_BREAKS for i in range(len(title)) if title.startswith(w, i)]
    cuts = [c for c in cuts if 4 <= c <= width and len(title) - c <= width + 4]
    if not cuts:
        return [title[:width], *title_lines(title[width:], width)]
    cut = max(cuts)
    return [title[:cut], *title_lines(title[cut:], width)]


def _page_numbers(section: Section) -> None:
    """— 1 — centred in the footer (公文 page numbers), a PAGE field between two dashes."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), "宋体", 14)
    run = paragraph.add_run()
    _font(run, "宋体", 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            run._r.append(instr)
        else:
            value = OxmlElement("w:t")
            value.text = text
            run._r.append(value)
    _font(paragraph.add_run(" —"), "宋体", 14)


def _repeat_header(row: Any) -> None:
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)


def _cell(cell: Any, text: object, font: str = BODY_FONT, size: float = 10.5, bold: bool = False,
          center: bool = True) -> None:
    for extra in cell.paragraphs[1:]:  # a merged cell keeps the paragraphs of every cell it took in
        extra._p.getparent().remove(extra._p)
    p = cell.paragraphs[0]
    for run in p.runs:  # an empty run left by earlier text would carry no font
        run._r.getparent().remove(run._r)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    _font(p.add_run("" if text is None else str(text)), font, size, bold)


CHAR_CM = 0.21  # a half-width character at 10.5pt (fallback fonts run wider), padding counted below


def _fit(widths: list[int], usable_cm: float) -> list[float]:
    """Column widths in cm: short columns (编号, 评分, 结果) keep what their text needs; the long ones
    share the rest, so they wrap instead of squeezing the short ones; a narrow table is spread out."""
    need = [(w + 3) * CHAR_CM for w in widths]
    if sum(need) <= usable_cm:
        return [n * usable_cm / sum(need) for n in need]
    short = [i for i, w in enumerate(widths) if w <= 12]
    fixed = sum(need[i] for i in short)
    rest = max(usable_cm - fixed, usable_cm * 0.4)
    long_total = sum(need[i] for i in range(len(widths)) if i not in short) or 1
    scale = min(1.0, (usable_cm - rest) / fixed) if fixed else 1.0
    return [need[i] * scale if i in short else need[i] * rest / long_total for i in range(len(widths))]


def _table(doc: Any, number: int, table: Table, usable_cm: float) -> None:
    _para(doc, f"附件{number}", HEAD_FONT, 16, indent=False)
    _para(doc, table.title, TITLE_FONT, 18, WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=12)
    widths = column_widths(table)
    ncols = len(table.headers)
    grid = doc.add_table(rows=1, cols=ncols)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    cms = [Cm(c) for c in _fit(widths, usable_cm)]
    header = grid.rows[0]
    _repeat_header(header)
    for i, name in enumerate(table.headers):
        _cell(header.cells[i], name, HEAD_FONT, 10.5, True)
    for section, rows in table.sections:
        if section:
            row = grid.add_row()
            merged = row.cells[0].merge(row.cells[ncols - 1])
            _cell(merged, section, HEAD_FONT, 10.5, center=False)
        for values in rows:
            row = grid.add_row()
            for i, value in enumerate(values):
                long = text_width(value) > widths[i]
                _cell(row.cells[i], value, center=not long)
            if table.merge_veto_score and values[2] == "" and values[3] == "不合格":
                merged = row.cells[2].merge(row.cells[3])
                _cell(merged, "不合格")
    for i, column in enumerate(grid.columns):  # the grid is what Word and LibreOffice lay out by
        column.width = cms[i]
    for row in grid.rows:
        for i, cell in enumerate(row.cells):
            cell.width = cms[i]
    if table.note:
        _para(doc, table.note, BODY_FONT, 10.5, indent=False)


def write_docx(notice: Notice, path: Path) -> Path:
    doc = Document()
    _a4(doc.sections[0], landscape=False)
    _page_numbers(doc.sections[0])
    for p in notice.body:
        if p.style == "doc_number":
            _para(doc, p.text, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=12)
        elif p.style == "title":
            lines = title_lines(p.text)
            para = _para(doc, lines[0], TITLE_FONT, 22, WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=16)
            para.paragraph_format.line_spacing = Pt(36)
            for line in lines[1:]:
                run = para.add_run()
                run.add_break(WD_BREAK.LINE)
                _font(run, TITLE_FONT, 22)
                _font(para.add_run(line), TITLE_FONT, 22)
        elif p.style == "recipients":
            _para(doc, p.text, indent=False)
        elif p.style == "heading":
            _para(doc, p.text, HEAD_FONT, 16)
        elif p.style == "attachments":
            lines = p.text.split("\n")
            _para(doc, "", indent=False)
            first = _para(doc, lines[0])
            for line in lines[1:]:
                q = _para(doc, line, indent=False)
                q.paragraph_format.left_indent = Pt(16 * 5)
            del first
        elif p.style == "signature":
            _para(doc, "", indent=False)
            _para(doc, p.text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False).paragraph_format.right_indent = Pt(64)
        elif p.style == "date":
            if not notice.words.office:
                _para(doc, "", indent=False)
            q = _para(doc, p.text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
            q.paragraph_format.right_indent = Pt(64)
        elif p.style == "contact":
            _para(doc, p.text)
        else:
            _para(doc, p.text)
    for number, table in enumerate(notice.tables, 1):
        landscape = is_wide(table)
        section = doc.add_section(WD_SECTION.NEW_PAGE)
        _a4(section, landscape)
        usable = (29.7 if landscape else 21.0) - (5.0 if landscape else 5.4)
        _table(doc, number, table, usable)
    if not notice.tables:
        doc.add_paragraph().add_run().add_break(WD_BREAK.LINE)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path
