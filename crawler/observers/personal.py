"""Personal data in published text: 身份证 numbers (valid check digit and birth date), mobile numbers,
bank card numbers (Luhn, next to a word saying it is a card or account), and the text of linked
attachments (PDF, DOCX, XLSX), read within bounds of size, pages and time.

Every number leaves this module masked: the records, the database and every output only ever hold
the masked form (`mask_all` is applied to every sentence any content record keeps).
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Fixed-width patterns with simple look-arounds: linear.
ID_RE = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})((?:18|19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(\d{3}[\dXx])"
                   r"(?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")
CARD_RE = re.compile(r"(?<![0-9])[3-6]\d{15,18}(?![0-9])")
CARD_WORDS = ("卡号", "银行卡", "账号", "帐号", "开户", "银行")
CARD_WINDOW = 20


def id_valid(number: str) -> bool:
    """GB 11643: the weighted sum's check character, and a real birth date."""
    if len(number) != 18:
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == number[17].upper()


def luhn(number: str) -> bool:
    total = 0
    for n, ch in enumerate(reversed(number)):
        d = int(ch)
        if n % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask(number: str, kind: str) -> str:
    keep = {"id": (4, 2), "mobile": (3, 4), "card": (4, 4)}[kind]
    head, tail = keep
    return number[:head] + "*" * (len(number) - head - tail) + number[-tail:]


def mask_all(text: str) -> str:
    """The text with every ID, mobile and card-like number masked (whether or not it validates)."""
    text = ID_RE.sub(lambda m: mask(m.group(0), "id"), text)
    text = MOBILE_RE.sub(lambda m: mask(m.group(0), "mobile"), text)
    return CARD_RE.sub(lambda m: mask(m.group(0), "card"), text)


@dataclass(slots=True)
class PersonalHit:
    kind: str  # id | mobile | card
    grade: str  # 确定 | 疑似
    masked: str
    offset: int
    sentence: str  # masked

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "grade": self.grade, "masked": self.masked, "offset": self.offset,
                "sentence": self.sentence}


def _around(text: str, start: int, end: int, width: int = 40) -> str:
    return mask_all(text[max(0, start - width):end + width].replace("\n", " ").strip())


def find_personal(text: str) -> list[PersonalHit]:
    hits: list[PersonalHit] = []
    for m in ID_RE.finditer(text):
        if id_valid(m.group(0)):
            hits.append(PersonalHit("id", "确定", mask(m.group(0), "id"), m.start(), _around(text, m.start(), m.end())))
    for m in MOBILE_RE.finditer(text):
        hits.append(PersonalHit("mobile", "疑似", mask(m.group(0), "mobile"), m.start(),
                                _around(text, m.start(), m.end())))
    for m in CARD_RE.finditer(text):
        number = m.group(0)
        near = text[max(0, m.start() - CARD_WINDOW):m.start()]
        if luhn(number) and any(w in near for w in CARD_WORDS) and not id_valid(number):
            hits.append(PersonalHit("card", "疑似", mask(number, "card"), m.start(), _around(text, m.start(), m.end())))
    return hits


# -- attachments --------------------------------------------------------------------------------


@dataclass(slots=True)
class AttachmentText:
    text: str
    note: str | None = None  # what was cut or could not be read


def attachment_text(body: bytes, suffix: str, max_pages: int, max_seconds: float) -> AttachmentText:
    """The text of a PDF, DOCX or XLSX file, stopping after `max_pages` pages (PDF) or thousand rows
    (XLSX) or `max_seconds`: a huge attachment costs a bounded time and says it was cut."""
    deadline = time.monotonic() + max_seconds
    parts: list[str] = []
    note = None
    if suffix == ".pdf":
        import pdfplumber

        with pdfplumber.open(io.BytesIO(body)) as pdf:
            for n, page in enumerate(pdf.pages):
                if n >= max_pages or time.monotonic() > deadline:
                    note = f"只读了前{n}页（共{len(pdf.pages)}页）"
                    break
                parts.append(page.extract_text() or "")
    elif suffix == ".docx":
        import docx

        document = docx.Document(io.BytesIO(body))
        parts.extend(p.text for p in document.paragraphs)
        for table in document.tables:
            if time.monotonic() > deadline:
                note = "超时，表格未读完"
                break
            for row in table.rows:
                parts.append(" ".join(c.text for c in row.cells))
    elif suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
        rows = 0
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                rows += 1
                if rows > max_pages * 1000 or time.monotonic() > deadline:
                    note = f"只读了前{rows - 1}行"
                    break
                parts.append(" ".join("" if v is None else str(v) for v in row))
            if note:
                break
        book.close()
    else:
        raise ValueError(f"not an attachment type read for text: {suffix}")
    return AttachmentText("\n".join(parts), note)
