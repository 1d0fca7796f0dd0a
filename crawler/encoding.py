"""Decoding government pages whatever their headers claim (GBK with the charset only in <meta>,
headers that lie, GB2312 pages using GB18030 characters)."""

from __future__ import annotations

from dataclasses import dataclass


class UndecodableError(ValueError):
    """The body is not text in any encoding we can justify; the message says what was tried."""


@dataclass(frozen=True, slots=True)
class DecodedPage:
    text: str
    encoding: str  # the codec actually used, e.g. "gb18030", "utf-8"
    declared: str | None  # what the header or <meta> claimed, if anything


def decode_html(body: bytes, header_charset: str | None = None) -> DecodedPage:
    raise NotImplementedError
