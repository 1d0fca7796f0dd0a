"""Decoding government pages whatever their headers claim (GBK with the charset only in <meta>,
headers that lie, GB2312 pages using GB18030 characters)."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache

from config.vocabulary import BINARY_WORDS, reason

__all__ = ["UndecodableError", "DecodedPage", "decode_html", "normalize_charset"]


class UndecodableError(ValueError):
    """The body is not text in any encoding we can justify; the message says what was tried."""


@dataclass(frozen=True, slots=True)
class DecodedPage:
    text: str
    encoding: str  # the codec actually used, e.g. "gb18030", "utf-8"
    declared: str | None  # what the header or <meta> claimed, if anything
    replaced: int = 0  # bytes no codec could read, each shown as U+FFFD (a stray byte in a template)
    nul_removed: int = 0  # NUL characters dropped (no database stores them; no browser shows them)

    @property
    def repairs(self) -> list[str]:
        """What was mended to read the page, in the words the evidence uses."""
        notes = []
        if self.replaced:
            notes.append(f"{self.replaced} 个字节无法按 {_label(self.encoding, self.declared)} 解码，已替换")
        if self.nul_removed:
            notes.append(f"{self.nul_removed} 个空字符（NUL）已删除")
        return notes


# GB2312 and GBK are subsets of GB18030; pages labelled GB2312 routinely use GBK/GB18030
# characters (生僻字 in names), so every Chinese legacy label decodes as GB18030.
_ALIASES = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "gb18030": "gb18030",
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
}


@lru_cache(maxsize=64)
def _single_byte(codec: str) -> bool:
    """Single-byte codecs (latin-1, cp1252, koi8-r ...) decode almost any byte string, so "strict
    decoding succeeded" proves nothing; they are tried only after the Chinese encodings failed."""
    ok = 0
    for byte in range(128, 256):
        try:
            ok += len(bytes([byte]).decode(codec)) == 1
        except UnicodeDecodeError:
            pass
        except LookupError:
            return False
    return ok >= 100


_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE"),
    (b"\x1f\x8b", "GZIP"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7Z"),
]

_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

_MAX_STRAY_NULS = 8
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32)])
_ESCAPED_RE = re.compile("[\udc80-\udcff]")  # bytes kept by the surrogateescape handler

_META_CHARSET_RE = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_XML_DECL_RE = re.compile(rb"""<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.I)
_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)


_DISPLAY = {"gb18030": "GB18030", "utf-8": "UTF-8", "big5hkscs": "Big5", "ascii": "ASCII"}


def _label(codec: str, declared: str | None) -> str:
    """The encoding as the user knows it: the declared label (GBK, GB2312) when that is what was used."""
    if declared and normalize_charset(declared) == codec:
        return declared.upper()
    return _DISPLAY.get(codec, codec.upper())


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, with the Chinese legacy labels mapped to GB18030;
    None for an empty or unknown label."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if "charset=" in label:
        mt = _HEADER_CHARSET_RE.search(label)
        if not mt:
            return None
        label = mt.group(1).lower()
    if label in _ALIASES:
        return _ALIASES[label]
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _ALIASES.get(name, name)


def _declared_charsets(body: bytes, header_charset: str | None) -> tuple[list[str], str | None]:
    """Codecs the response claims, header first, then <meta>/XML declaration in the first 4 KB;
    also the first label as written, for the record."""
    head = body[:4096]
    labels: list[str] = []
    if header_charset:
        labels.append(header_charset)
    for rx in (_META_CHARSET_RE, _XML_DECL_RE):
        mt = rx.search(head)
        if mt:
            labels.append(mt.group(1).decode("ascii", "replace"))
    codecs_: list[str] = []
    for label in labels:
        name = normalize_charset(label)
        if name and name not in codecs_:
            codecs_.append(name)
    declared = None
    if labels:
        first = labels[0].strip()
        mt = _HEADER_CHARSET_RE.search(first)
        declared = (mt.group(1) if mt else first).lower() or None
    return codecs_, declared


def _sniff_binary(body: bytes) -> str | None:
    """What a non-text body looks like (servers answer PDFs and images with text/html)."""
    for magic, what in _MAGIC:
        if body.startswith(magic):
            return what
    head = body[:1024]
    nuls = head.count(b"\x00")
    # A stray NUL in a <title> is a template slip on a text page; binary data (and BOM-less UTF-16)
    # has them everywhere, next to other control bytes, or does not open with markup.
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if nuls and (nuls > _MAX_STRAY_NULS or controls > 2
                 or not head.lstrip(b"\x00\t\n\r\f ").startswith(b"<")):
        return "NUL"
    return None


def _strict(body: bytes, codec: str) -> tuple[str | None, int | None]:
    """The decoded text, or None and the offset of the first byte the codec rejects."""
    try:
        return body.decode(codec), None
    except UnicodeDecodeError as exc:
        return None, exc.start
    except LookupError:
        return None, None


def _lenient(body: bytes, codec: str) -> tuple[str, int] | None:
    """The text with every byte the codec rejects replaced by U+FFFD, and how many there were."""
    try:
        escaped = body.decode(codec, "surrogateescape")
    except LookupError:
        return None
    return _ESCAPED_RE.subn("\ufffd", escaped)


def _best_effort(body: bytes, declared_codecs: list[str]) -> tuple[str, str, int] | None:
    """(text, codec, bytes replaced) for a text page with a few bytes no codec reads (a stray byte
    pasted into a GBK template must not hide the whole list); None when so many bytes are bad that
    the body is not text in any of these encodings.

    Valid multi-byte UTF-8 around the bad bytes is never an accident, so UTF-8 wins when it reads
    nearly everything; otherwise the codec with the fewest bad bytes, declared ones first."""
    non_ascii = len(body) - len(body.translate(None, bytes(range(128))))
    limit = non_ascii // 100  # more than one bad byte in a hundred: not this encoding, or not text
    utf8 = _lenient(body, "utf-8")
    if utf8 is not None:
        text, bad = utf8
        if bad <= limit and len(text) - len(text.encode("ascii", "ignore")) - bad >= 20 * bad:
            return text, "utf-8", bad
    best: tuple[str, str, int] | None = None
    for codec in [*declared_codecs, "gb18030"]:
        if codec == "utf-8" or _single_byte(codec) or codec.startswith("utf-16") or codec.startswith("utf-32"):
            continue
        read = _lenient(body, codec)
        if read is not None and read[1] <= limit and (best is None or read[1] < best[2]):
            best = (read[0], codec, read[1])
    return best


def _page(text: str, codec: str, declared: str | None, replaced: int = 0) -> DecodedPage:
    nuls = text.count("\x00")
    if nuls:
        text = text.replace("\x00", "")
    return DecodedPage(text, codec, declared, replaced, nuls)


def decode_html(body: bytes, header_charset: str | None = None) -> DecodedPage:
    """Text of an HTML response.

    Order: a BOM decides; binary bodies are refused; then the declared charsets (header, then
    <meta>) are tried strictly, because headers and templates lie; a declared legacy codec loses to
    UTF-8 when the body is valid multi-byte UTF-8 (GB18030 can "decode" UTF-8 bytes into
    mojibake); then UTF-8 and GB18030 are tried strictly; single-byte codecs come last because
    they never fail. Where every strict reading fails on a few bytes, the page is read with those
    bytes replaced and the repair is recorded (`DecodedPage.repairs`); NUL characters are dropped.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            declared = normalize_charset(header_charset)
            text, bad = _strict(body[len(bom):], codec)
            if text is not None:
                return _page(text, codec, declared)
            read = _lenient(body[len(bom):], codec)
            if read is not None and read[1] <= len(body) // 100:
                return _page(read[0], codec, declared, read[1])
            raise UndecodableError(reason("bom_mismatch", codec=codec, offset=(bad or 0) + len(bom)))

    what = _sniff_binary(body)
    if what:
        raise UndecodableError(reason("binary", what=BINARY_WORDS[what]))

    declared_codecs, declared = _declared_charsets(body, header_charset)

    if body.isascii():
        codec = next((c for c in declared_codecs if c not in ("utf-16-le", "utf-16-be", "utf-16")),
                     "utf-8")
        text, _ = _strict(body, codec)
        if text is not None:
            return _page(text, codec, declared)
        return _page(body.decode("ascii"), "ascii", declared)

    utf8_text, utf8_bad = _strict(body, "utf-8")
    tried: dict[str, int | None] = {"utf-8": utf8_bad}

    for codec in declared_codecs:
        if _single_byte(codec):
            continue
        if codec == "utf-8":
            if utf8_text is not None:
                return _page(utf8_text, "utf-8", declared)
            continue
        if utf8_text is not None:
            # valid multi-byte UTF-8 is never an accident; a GBK label on it is a template lie
            return _page(utf8_text, "utf-8", declared)
        text, bad = _strict(body, codec)
        tried[codec] = bad
        if text is not None:
            return _page(text, codec, declared)

    if utf8_text is not None:
        return _page(utf8_text, "utf-8", declared)
    if "gb18030" not in tried:
        text, bad = _strict(body, "gb18030")
        tried["gb18030"] = bad
        if text is not None:
            return _page(text, "gb18030", declared)

    for codec in declared_codecs:
        if _single_byte(codec):
            # declared, and the Chinese encodings have failed: a genuine Western page
            return _page(body.decode(codec), codec, declared)

    mended = _best_effort(body, declared_codecs)
    if mended is not None:
        return _page(mended[0], mended[1], declared, mended[2])

    attempts = "、".join(
        reason("bad_byte", codec=codec, offset=bad) if bad is not None else reason("unknown_codec", codec=codec)
        for codec, bad in tried.items()
    )
    claimed = reason("declared", charset=declared) if declared else reason("nothing_declared")
    raise UndecodableError(reason("undecodable", size=len(body), tried=attempts, declared=claimed))
