"""Crawled text made safe for a terminal, and Chinese text wrapped without cutting a number.

Everything a crawled site wrote (titles, column names, link texts, error messages quoting a page) is
shown as plain text: never parsed as Rich markup (a title holding `[/]` would crash the table), and
with terminal escapes (ANSI colours, OSC window titles and links), other control characters and
bidirectional overrides (U+202E turns "exe.txt" round) removed.

`Wrapped` lays a line out for the width it is given: Chinese may break between any two characters,
but a run of digits, Latin letters or a URL stays whole, so a count ("3个"), a threshold ("180天") or a
verdict is never split or cut with "…".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?"  # OSC ... BEL/ST (window title, hyperlinks)
    r"|\x1b\[[0-?]{0,64}[ -/]{0,8}[@-~]?"  # CSI (colours, cursor moves)
    r"|\x1b[PX^_][^\x1b]{0,4096}(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b.?"  # any other escape
    r"|\x9b[0-?]{0,64}[ -/]{0,8}[@-~]?"  # 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_SPACES = re.compile(r"[\t\r\n\u2028\u2029]+")


def plain(value: object, *, one_line: bool = True) -> str:
    """A crawled string as it may be printed: no escapes, no control or bidi characters."""
    if value is None:
        return ""
    text = _ESCAPES.sub("", str(value))
    text = _CONTROLS.sub("", text)
    if one_line:
        text = _SPACES.sub(" ", text)
    return text


def ptext(value: object, style: str = "") -> Text:
    """`plain` as a Rich Text, so nothing in it is read as markup."""
    return Text(plain(value), style=style)


_TOKEN = re.compile(r"[!-~]+|\s+|.", re.DOTALL)  # runs of printable ASCII stay together
_NO_LINE_START = set("，。、；：？！）》」』】,.;:?!)%")


def wrap_lines(text: str, width: int, indent: int = 0) -> list[str]:
    """`text` in lines of at most `width` cells; continuation lines start with `indent` spaces.
    A run of ASCII longer than a line (a long URL) is the only thing ever broken inside."""
    width = max(width, indent + 8)
    lines: list[str] = []
    line, used = "", 0
    pad = " " * indent
    for token in _TOKEN.findall(text):
        size = cell_len(token)
        if token.isspace():
            token = token.replace("\n", " ")
            if not lines and not line.strip() or line.strip() and used + size <= width:
                line, used = line + token, used + size  # leading indent and spaces between words stay
            continue
        if used + size > width and line.strip():
            if token[0] in _NO_LINE_START and size == 1 and used + size <= width + 1:
                line, used = line + token, used + size  # a comma may hang past the edge rather than lead a line
                continue
            lines.append(line.rstrip())
            line, used = pad, indent
        while used + size > width:  # only a very long ASCII run (a URL) is broken
            room = width - used
            lines.append(line + token[:room])
            token, size = token[room:], cell_len(token[room:])
            line, used = pad, indent
        line, used = line + token, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


class Wrapped:
    """A block of text wrapped by `wrap_lines` at whatever width it is rendered."""

    def __init__(self, parts: Iterable[tuple[str, str] | str] | str, indent: int = 0) -> None:
        items = [parts] if isinstance(parts, str) else list(parts)
        self.parts = [(p, "") if isinstance(p, str) else (str(p[0]), p[1]) for p in items]
        self.indent = indent

    def _plain(self) -> str:
        return "".join(text for text, _ in self.parts)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = wrap_lines(self._plain(), options.max_width, self.indent)
        styled = Text()
        for text, style in self.parts:
            styled.append(text, style=style)
        # Re-apply the styles over the wrapped lines by walking the same characters.
        flat = styled.plain
        pos = 0
        for n, line in enumerate(lines):
            out = Text()
            for ch in line[self.indent if n else 0:] if n else line:
                while pos < len(flat) and flat[pos] != ch:
                    pos += 1
                style = styled.get_style_at_offset(console, pos) if pos < len(flat) else ""
                out.append(ch, style=style)
                pos += 1
            if n:
                out = Text(" " * self.indent) + out
            yield out

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((cell_len(t) for t in re.split(r"\s+", self._plain()) if t), default=1)
        return Measurement(min(longest, 12), cell_len(self._plain()))
