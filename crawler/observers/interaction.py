"""互动交流: consultation channels and their public letters, 征集调查 columns.

On the home page (and on interaction column pages) every link named like a channel is recorded with
its types (consult, mailbox, petition, discipline, survey, interview, statistics: the keyword table
is crawler/data/interaction.yaml). Each consultation board is read, page by page, for its letters
(ask date, reply date, status); where the list does not show the reply date, a few letters are
opened. Survey columns are recorded with their newest date. Nothing is judged here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from crawler.observers import PageContext, PageObserver
from crawler.observers._common import PerRun, anchors, data, guarded, is_article, key, on_site, types_of
from crawler.observers.letters import Letter, next_page, parse_letters, read_letter, statistics


@dataclass
class _Board:
    url: str
    name: str
    types: list[str]
    pages: set[str] = field(default_factory=set)
    details: int = 0
    letters: set[str] = field(default_factory=set)


@dataclass
class _Site:
    channels: set[str] = field(default_factory=set)
    boards: dict[str, _Board] = field(default_factory=dict)
    surveys: set[str] = field(default_factory=set)
    followed_surveys: int = 0


class InteractionObserver(PageObserver):
    name = "interaction"

    def __init__(self) -> None:
        self.cfg = data("interaction")
        self.limits = self.cfg["limits"]
        self.sites: PerRun[_Site] = PerRun(_Site)

    # -- channels ------------------------------------------------------------------------------

    def channel_types(self, name: str) -> list[str]:
        if not name or len(name) > int(self.cfg["max_link_text"]):
            return []
        return types_of(name, self.cfg["channel_types"])

    def _channels(self, page: PageContext) -> Iterator[tuple[str, str, list[str]]]:
        """(name, url, types) of the channel links on a page (list items and articles are not)."""
        items = {e.url for e in page.extract.items} if page.extract else set()
        for a in anchors(page.doc, page.url):
            if not a.href or a.href in items or is_article(a.href):
                continue
            kinds = self.channel_types(a.text)
            if kinds:
                yield a.text, a.href, kinds

    def _record_channel(self, page: PageContext, name: str, url: str, kinds: list[str]) -> Iterator[Any]:
        site = self.sites.of(page)
        if key(url) in site.channels:
            return
        site.channels.add(key(url))
        yield page.observe("channel", {"name": name, "types": kinds, "page": page.role}, url=url)

    def _visit_channels(self, page: PageContext) -> Iterator[Any]:
        site = self.sites.of(page)
        for name, url, kinds in self._channels(page):
            yield from self._record_channel(page, name, url, kinds)
            if not on_site(url, page.url, page.state.scope) or key(url) in page.state.columns:
                continue  # off-site, or a column: read when the spider reads the column
            if set(kinds) & set(self.cfg["board_types"]):
                yield from self._start_board(page, url, name, kinds, follow=True)
            elif set(kinds) & set(self.cfg["survey_types"]) and key(url) not in site.surveys:
                if site.followed_surveys < int(self.limits["surveys"]) and page.may_follow():
                    site.followed_surveys += 1
                    site.surveys.add(key(url))
                    yield page.follow(self, url, "on_survey_page", name=name)

    @guarded
    def on_home(self, page: PageContext) -> Iterator[Any]:
        yield page.observe("observer", {"name": self.name})
        yield from self._visit_channels(page)

    @guarded
    def on_column(self, page: PageContext) -> Iterator[Any]:
        name = page.column.name if page.column else ""
        kinds = self.channel_types(name)
        if kinds:
            yield from self._record_channel(page, name, page.url, kinds)
        if set(kinds) & set(self.cfg["board_types"]):
            yield from self._start_board(page, page.url, name, kinds, follow=False)
        if set(kinds) & set(self.cfg["survey_types"]):
            yield from self._survey(page, name)
        if page.category == "interaction":
            yield from self._visit_channels(page)

    # -- survey columns ------------------------------------------------------------------------

    def _survey(self, page: PageContext, name: str) -> Iterator[Any]:
        site = self.sites.of(page)
        site.surveys.add(key(page.url))
        ex = page.extract
        yield page.observe("survey_column", {
            "name": name, "status": page.status, "error": page.error,
            "latest_date": ex.latest_date.isoformat() if ex and ex.latest_date else None,
            "items": len(ex.items) if ex else 0, "blank": bool(ex and ex.blank), "role": page.role,
        })

    @guarded
    def on_survey_page(self, page: PageContext) -> Iterator[Any]:
        yield from self._survey(page, page.meta.get("name", ""))

    # -- message boards ------------------------------------------------------------------------

    def _start_board(self, page: PageContext, url: str, name: str, kinds: list[str], follow: bool) -> Iterator[Any]:
        site = self.sites.of(page)
        if key(url) in site.boards or len(site.boards) >= int(self.limits["boards"]):
            return
        board = site.boards[key(url)] = _Board(url, name, kinds)
        if follow:
            if page.may_follow():
                board.pages.add(key(url))
                yield page.follow(self, url, "on_board_page", board=key(url), page_no=1)
        else:
            board.pages.add(key(url))
            yield from self._read_board_page(page, board, 1)

    @guarded
    def on_board_page(self, page: PageContext) -> Iterator[Any]:
        board = self.sites.of(page).boards[page.meta["board"]]
        yield from self._read_board_page(page, board, int(page.meta["page_no"]))

    def _read_board_page(self, page: PageContext, board: _Board, page_no: int) -> Iterator[Any]:
        total = page.extract.page_count if page.extract else None
        if page.text is None:
            if page_no == 1:
                yield page.observe("message_board", {"name": board.name, "types": board.types, "status": page.status,
                                                     "error": page.error or "not readable", "letters": 0},
                                   url=board.url)
            return
        letters = parse_letters(page.text, page.url, page.reference)
        nxt = next_page(page.text, page.url, total, page_no)
        limit = int(self.limits["pages_per_board"])
        if page_no == 1:
            stats = statistics(page.text)
            pages_total = total or (2 if nxt else 1)
            yield page.observe("message_board", {
                "name": board.name, "types": board.types, "status": page.status, "error": None,
                "letters": len(letters), "pages_total": pages_total, "pages_read": min(pages_total, limit),
                "next_page_known": total is None and nxt is not None,
                "statistics": stats is not None, "statistics_text": stats,
            }, url=board.url)
        yield page.observe("board_page", {"board": board.url, "page": page_no, "letters": len(letters)})
        for letter in letters:
            yield from self._letter(page, board, letter)
        if nxt and page_no < limit and key(nxt) not in board.pages and page.may_follow():
            board.pages.add(key(nxt))
            yield page.follow(self, nxt, "on_board_page", board=key(board.url), page_no=page_no + 1)

    def _letter(self, page: PageContext, board: _Board, letter: Letter) -> Iterator[Any]:
        ident = letter.url or letter.title
        if ident in board.letters:
            return
        board.letters.add(ident)
        wants_detail = letter.replied is None and letter.status != "pending" and letter.url is not None and on_site(
            letter.url, page.url, page.state.scope)
        if wants_detail and board.details < int(self.limits["details_per_board"]) and page.may_follow():
            board.details += 1
            yield page.follow(self, letter.url, "on_letter", board=key(board.url), letter=letter.record())
            return
        yield self._message(page, board, letter.record(), "list")

    @guarded
    def on_letter(self, page: PageContext) -> Iterator[Any]:
        board = self.sites.of(page).boards[page.meta["board"]]
        record = dict(page.meta["letter"])
        source = "list"
        if page.text is not None:
            asked, replied, status = read_letter(page.text, page.reference)
            record["asked"] = record["asked"] or (asked.isoformat() if asked else None)
            if replied is not None:
                record["replied"] = replied.isoformat()
            if status != "unknown" and (record["status"] == "unknown" or replied is not None):
                record["status"] = status
            source = "detail"
        else:
            record["detail_error"] = page.error
        yield self._message(page, board, record, source)

    def _message(self, page: PageContext, board: _Board, record: dict[str, Any], source: str) -> Any:
        return page.observe("message", {**record, "board": board.url, "board_name": board.name, "source": source},
                            url=record.get("url") or board.url)
