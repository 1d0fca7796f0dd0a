"""The word scan of page and post text: dictionaries as data (crawler/data/content/*.yaml, plus an
office's own files), one Aho-Corasick automaton over every wrong form and leader name, and a jieba
word-boundary check for short words so that 路口交通 never hits 口交.

It reports hits (what, where, which sentence, how sure the dictionary is); it judges nothing: the
rules decide what a hit counts for. Pure functions, no Scrapy: the crawler, new-media text and the
bench call the same `Scanner`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick
import jieba
import yaml

from crawler.observers.personal import mask_all

# Extra dictionary folders or files of an office, separated by os.pathsep (also a Scrapy setting).
DICTIONARIES_ENV = "GOVWATCH_CONTENT_DICTIONARIES"
jieba.setLogLevel(logging.WARNING)
SENTENCE_END = re.compile(r"[。！？!?；;\n]")
KINDS = ("leader", "fixed_phrase", "typo", "agency", "sensitive")


@dataclass(frozen=True, slots=True)
class Entry:
    """One dictionary entry: a wrong form (or a leader's name) with its correct form and source."""

    kind: str  # leader | fixed_phrase | typo | agency | sensitive
    needle: str  # what is searched for
    correct: str | None
    grade: str  # 确定 | 疑似
    source: str
    category: str | None = None  # sensitive words: 赌博, 色情 ...
    boundary: bool = False
    in_text: bool = True
    not_followed_by: tuple[str, ...] = ()
    leader: dict[str, Any] | None = None
    file: str = ""


@dataclass(slots=True)
class Dictionaries:
    entries: list[Entry] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    national_titles: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    order_source: str = ""
    as_of: dict[str, str] = field(default_factory=dict)  # file -> date of the list
    files: list[str] = field(default_factory=list)


def _bundled() -> list[tuple[str, str]]:
    folder = resources.files("crawler").joinpath("data/content")
    return sorted((f"crawler/data/content/{p.name}", p.read_text("utf-8")) for p in folder.iterdir()
                  if p.name.endswith(".yaml"))


def _extra(paths: Iterable[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw).expanduser()
        files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        found.extend((str(f), f.read_text("utf-8")) for f in files if f.is_file())
    return found


def extra_paths(setting: str | list[str] | None = None) -> tuple[str, ...]:
    """The office's own dictionary paths: the given setting, else the environment variable."""
    if isinstance(setting, list):
        return tuple(setting)
    raw = setting if setting else os.environ.get(DICTIONARIES_ENV, "")
    return tuple(p for p in raw.split(os.pathsep) if p)


@cache
def load(extra: tuple[str, ...] = ()) -> Dictionaries:
    """The bundled dictionaries and settings, then the office's files (their entries are added; a
    leaders file with `replace: true` replaces the bundled leader list, which is dated)."""
    out = Dictionaries()
    for name, text in [*_bundled(), *_extra(extra)]:
        doc = yaml.safe_load(text) or {}
        kind = doc.get("kind")
        out.files.append(name)
        if kind is None:
            out.settings.update(doc)
            continue
        if kind not in KINDS:
            raise ValueError(f"{name}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
        if doc.get("as_of"):
            out.as_of[name] = str(doc["as_of"])
        if kind == "leader":
            if doc.get("replace"):
                out.entries = [e for e in out.entries if e.kind != "leader"]
                out.national_titles, out.order = [], []
            out.national_titles.extend(t for t in doc.get("national_titles", []) if t not in out.national_titles)
            out.order = list(doc.get("order") or out.order)
            out.order_source = str(doc.get("order_source") or out.order_source)
        follow = tuple(doc.get("not_followed_by", []))
        for raw in doc.get("entries", []):
            if not raw.get("source"):
                raise ValueError(f"{name}: entry {raw} has no source note")
            if kind == "leader":
                out.entries.append(Entry("leader", raw["name"], None, "确定" if raw.get("distinctive") else "疑似",
                                         raw["source"], boundary=True, leader=raw, file=name))
            else:
                needle = raw.get("wrong") or raw.get("word")
                out.entries.append(Entry(kind, needle, raw.get("correct"), raw.get("grade", "疑似"), raw["source"],
                                         raw.get("category"), bool(raw.get("boundary")), raw.get("in_text", True),
                                         tuple(raw.get("not_followed_by", follow)), file=name))
    # Every leader of the order list is searched, so a listing out of order is seen (no title check
    # for those without an entry of their own).
    named = {e.needle for e in out.entries if e.kind == "leader"}
    out.entries.extend(Entry("leader", n, None, "疑似", out.order_source, boundary=True, leader={"name": n},
                             file="order") for n in out.order if n not in named)
    return out


@dataclass(slots=True)
class Hit:
    kind: str  # leader_title | leader_former | leader_order | fixed_phrase | typo | agency | sensitive
    grade: str
    wrong: str
    correct: str | None
    offset: int  # in the scanned text
    sentence: str  # masked
    source: str
    category: str | None = None
    title: str | None = None  # leaders: the title written next to the name
    until: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (("kind", self.kind), ("grade", self.grade), ("wrong", self.wrong),
                                  ("correct", self.correct), ("offset", self.offset), ("sentence", self.sentence),
                                  ("source", self.source), ("category", self.category), ("title", self.title),
                                  ("until", self.until)) if v is not None}


class Scanner:
    """One automaton and one tokenizer for a set of dictionaries (build once per process)."""

    def __init__(self, dicts: Dictionaries) -> None:
        self.dicts = dicts
        self.boundary_max = int(dicts.settings.get("boundary_max_len", 3))
        self.sentence_max = int(dicts.settings.get("sentence_max", 120))
        self.automaton = ahocorasick.Automaton()
        by_needle: dict[str, list[Entry]] = {}
        for e in dicts.entries:
            by_needle.setdefault(e.needle, []).append(e)
        for needle, entries in by_needle.items():
            self.automaton.add_word(needle, (needle, tuple(entries)))
        self.automaton.make_automaton()
        self.titles = sorted(dicts.national_titles, key=len, reverse=True)
        self.rank = {name: n for n, name in enumerate(dicts.order)}
        self._tokenizer: jieba.Tokenizer | None = None

    @property
    def tokenizer(self) -> jieba.Tokenizer:
        """Loaded on the first short-word hit only (jieba's dictionary costs ~0.5 s CPU once)."""
        if self._tokenizer is None:
            tok = jieba.Tokenizer()
            tok.initialize()
            for e in self.dicts.entries:
                if e.kind == "leader" or e.correct:
                    tok.add_word(e.needle if e.kind == "leader" else e.correct)
                if e.kind == "leader":
                    for t in e.leader.get("titles", []) if e.leader else []:
                        tok.add_word(t)
            for t in self.titles:
                tok.add_word(t)
            self._tokenizer = tok
        return self._tokenizer

    def _sentence(self, text: str, start: int, end: int) -> tuple[int, str]:
        left = start
        floor = max(0, start - self.sentence_max)
        while left > floor and not SENTENCE_END.match(text[left - 1]):
            left -= 1
        right = end
        ceil = min(len(text), end + self.sentence_max)
        while right < ceil and not SENTENCE_END.match(text[right]):
            right += 1
        return left, text[left:right]

    def _whole_word(self, text: str, start: int, end: int) -> bool:
        """Whether [start, end) begins and ends on jieba word boundaries of its sentence."""
        left, sentence = self._sentence(text, start, end)
        edges = {0}
        pos = 0
        for word in self.tokenizer.cut(sentence, HMM=False):
            pos += len(word)
            edges.add(pos)
        return (start - left) in edges and (end - left) in edges

    def scan(self, text: str, *, links_only: bool = False) -> list[Hit]:
        """Every hit in `text` (page text, post text, a link's words). `links_only`: the text is a
        link's text or address, where the link-only sensitive words count too."""
        hits: list[Hit] = []
        names: list[tuple[int, int, Entry]] = []
        for last, (needle, entries) in self.automaton.iter(text):
            end = last + 1
            start = end - len(needle)
            for e in entries:
                if e.kind == "sensitive" and not (e.in_text or links_only):
                    continue
                if e.not_followed_by and text[end:end + 1] in e.not_followed_by:
                    continue
                short = e.boundary or len(needle) <= self.boundary_max
                if short and not self._whole_word(text, start, end):
                    continue
                if e.kind == "leader":
                    names.append((start, end, e))
                    continue
                hits.append(Hit(e.kind, e.grade, needle, e.correct, start, self._context(text, start, end), e.source,
                                e.category))
        hits.extend(self._leaders(text, names))
        return hits

    def _context(self, text: str, start: int, end: int) -> str:
        return mask_all(self._sentence(text, start, end)[1].strip())

    def _title_next_to(self, text: str, start: int, end: int) -> str | None:
        for t in self.titles:
            if text.startswith(t, end) or (start >= len(t) and text[start - len(t):start] == t):
                return t
        return None

    def _leaders(self, text: str, names: list[tuple[int, int, Entry]]) -> Iterator[Hit]:
        for start, end, e in names:
            info = e.leader or {}
            title = self._title_next_to(text, start, end)
            if title is None:
                continue
            own = set(info.get("titles", []))
            former = {f["title"]: f for f in info.get("former", [])}
            if title in own:
                continue
            if title in former:
                until = str(former[title]["until"])
                yield Hit("leader_former", "疑似", f"{e.needle}{title}", f"{e.needle}（{title}任职至{until}）",
                          start, self._context(text, start, end), former[title]["source"], title=title, until=until)
                continue
            if not own and not former:
                continue
            titles = info.get("titles", [])
            correct = "、".join(t for t in titles if not any(t != o and t in o for o in titles)) or None
            written = f"{e.needle}{title}" if text.startswith(title, end) else f"{title}{e.needle}"
            yield Hit("leader_title", e.grade, written,
                      f"{e.needle}（{correct}）" if correct else None, start, self._context(text, start, end), e.source,
                      title=title)
        yield from self._order(text, names)

    def _order(self, text: str, names: list[tuple[int, int, Entry]]) -> Iterator[Hit]:
        """Leaders listed together (names joined by 、) out of their order."""
        run: list[tuple[int, int, Entry]] = []
        for item in [*names, None]:
            if item is not None and run and text[run[-1][1]:item[0]] == "、":
                run.append(item)
                continue
            ranks = [self.rank.get(e.needle) for _, _, e in run]
            if len(run) >= 2 and None not in ranks and ranks != sorted(ranks):
                wrong = "、".join(e.needle for _, _, e in run)
                right = "、".join(e.needle for _, _, e in sorted(run, key=lambda x: self.rank[x[2].needle]))
                yield Hit("leader_order", "疑似", wrong, right, run[0][0], self._context(text, run[0][0], run[-1][1]),
                          "排序依据：" + self.dicts.order_source)
            run = [item] if item is not None else []


@cache
def scanner(extra: tuple[str, ...] = ()) -> Scanner:
    return Scanner(load(extra))
