"""The one source of truth of a test site: column specs with item ages in days before T0.

A site module turns its specs into pages (`SiteBuild.pages`) and, from the same specs, into its
`SiteTruth`. Broken links are not typed into the truth either: `finish_site` scans every rendered
page for links, so the truth says where a broken link really is, and a link that points nowhere by
accident fails the build instead of silently becoming "expected".
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from .truth import (
    ExpectedBoard,
    ExpectedBrokenLink,
    ExpectedColumn,
    ExpectedLetter,
    ExpectedPolicyDoc,
    ExpectedProfile,
    SiteFeatures,
    SiteTruth,
)

# Kinds of column page. The first three are blank columns (W-V4 (c)); the rest are not.
BLANK_KINDS = ("placeholder", "empty", "redirect")
LIST_KINDS = ("list", "aggregate")
ALL_KINDS = (*BLANK_KINDS, *LIST_KINDS, "links", "static")

# 1x1 transparent GIF: served for every image the pages reference, so no asset is a broken link.
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


class SiteBuildError(RuntimeError):
    """A site's pages contradict its specs (a dangling link, a broken link on two pages...)."""


@dataclass(frozen=True)
class Item:
    """One entry of a column list. `fate` says what its article link does when fetched."""

    title: str
    age: int  # days before T0
    pinned: bool = False  # 置顶: listed first whatever its date
    fate: str = "ok"  # "ok" | "404" (no article) | "soft-404" (200 + error page) | "slow" (~2 s)
    reply_age: int | None = None  # a letter (board columns): days before T0 it was answered; None: not yet
    refs: tuple[tuple[str, str], ...] = ()  # (label, title of another item) its page links to

    @property
    def answered(self) -> bool:
        return self.reply_age is not None


@dataclass
class Column:
    """One column of a site and what its page shows."""

    name: str
    slug: str  # site-specific: a path piece (trs), a col id (hanweb), the column's URL path (table)
    category: str  # category id claimed; must match the name by column_categories.yaml
    kind: str = "list"  # see ALL_KINDS
    items: list[Item] = field(default_factory=list)
    children: list[Column] = field(default_factory=list)  # level-2 columns (left sub-navigation)
    section: str = ""  # navigation group on the home page
    date_style: str = "iso"  # see fmt_date
    page_size: int = 0  # items per list page; 0: all on one page
    text: str = ""  # body of a static page, or the placeholder sentence of a blank one
    links: list[tuple[str, str]] = field(default_factory=list)  # kind "links": (title, href)
    level: int = 1
    board: bool = False  # a message board: its items are letters (Item.reply_age)
    shows_reply: bool = False  # the board's list shows the reply date (the list's date is then the reply's)
    stats: str = ""  # the board's 信件统计 line ("" if none)

    def __post_init__(self) -> None:
        if self.kind not in ALL_KINDS:
            raise SiteBuildError(f"{self.name}: unknown kind {self.kind!r}")
        for child in self.children:
            child.level = self.level + 1

    @property
    def blank(self) -> bool:
        return self.kind in BLANK_KINDS

    def all_items(self) -> list[Item]:
        """Items the column page lists: its own, or its children's for an aggregating parent."""
        own = list(self.items)
        if self.kind == "aggregate":
            for child in self.children:
                own.extend(child.items)
        return ordered(own)

    def walk(self) -> Iterable[Column]:
        yield self
        for child in self.children:
            yield from child.walk()


def ordered(items: Iterable[Item]) -> list[Item]:
    """List order of a CMS: pinned items first, then newest first."""
    items = list(items)
    return [i for i in items if i.pinned] + sorted((i for i in items if not i.pinned), key=lambda i: i.age)


# Stand-ins for platforms outside a site (served by govwatch/demo/sites/platforms.py): the province's
# 政务服务网 and the 国办 "我为政府网站找错" platform. They are peers a site may link to.
PLATFORMS = ("zwfw", "zfwzzc")


@dataclass(frozen=True)
class BuildContext:
    """What a site needs to know about the running world to render its pages."""

    t0: date
    base: str  # "http://127.0.0.1:PORT", no trailing slash
    peers: dict[str, str]  # other test sites: key -> home URL (links that look external and work)
    refused_url: str  # absolute URL on a 127.0.0.1 port nothing listens on

    def day(self, age: int) -> date:
        return self.t0 - timedelta(days=age)


@dataclass
class Response:
    """A canned HTTP answer."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (the slow page)
    soft404: bool = False  # a 200 error page: only the link scan needs to know


@dataclass
class SiteBuild:
    pages: dict[str, Response]  # route_key -> answer
    truth: SiteTruth
    dynamic: dict[str, Callable[[str], Response]] = field(default_factory=dict)  # path -> f(raw query)


# The ten key elements of a service guide (W-V6 (2)), with a sample value each.
ELEMENTS = {
    "事项名称": "{title}",
    "设定依据": "《中华人民共和国行政许可法》及相关法规",
    "申请条件": "符合法定条件的自然人、法人或其他组织",
    "办理材料": "申请表原件1份；身份证明材料复印件1份",
    "办理地点": "县政务服务中心一楼综合受理窗口",
    "办理机构": "县行政审批局",
    "收费标准": "不收费",
    "办理时间": "工作日上午8:30-12:00，下午14:30-17:30",
    "联系电话": "0799-6220001",
    "办理流程": "申请—受理—审查—决定—送达",
}


@dataclass(frozen=True)
class Guide:
    """A service guide page: the ten elements in a table, less the missing ones, and its forms."""

    title: str
    path: str
    missing: tuple[str, ...] = ()
    forms: tuple[tuple[str, str], ...] = ()  # (name, path) of downloadable forms

    def table(self, link: Callable[[str], str] = lambda path: path) -> str:
        rows = "".join(f"<tr><th>{name}</th><td>{esc(value.format(title=self.title))}</td></tr>"
                       for name, value in ELEMENTS.items() if name not in self.missing)
        forms = "".join(f'<li><a href="{link(path)}">{esc(name)}</a></li>' for name, path in self.forms)
        forms_html = f'<div class="bgxz"><h3>表格下载</h3><ul>{forms}</ul></div>' if forms else ""
        return f'<table class="bszn_table" width="100%">{rows}</table>{forms_html}'

    def missing_in_order(self) -> list[str]:
        return [name for name in ELEMENTS if name in self.missing]


DOC = Response(body=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, content_type="application/msword")

def fmt_date(d: date, style: str) -> str:
    """A date the way one CMS template writes it."""
    if style == "iso":
        return d.strftime("%Y-%m-%d")
    if style == "cn":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == "md":  # year-less, the year has to be inferred from T0
        return f"[{d.month:02d}-{d.day:02d}]"
    if style == "slash":  # VBScript FormatDateTime: not zero-padded
        return f"{d.year}/{d.month}/{d.day}"
    if style == "dot":
        return d.strftime("%Y.%m.%d")
    raise SiteBuildError(f"unknown date style {style!r}")


def route_key(path: str) -> str:
    """The lookup key of a request path: fragment dropped, query parameters sorted."""
    parts = urlsplit(path)
    key = parts.path or "/"
    if parts.query:
        key += "?" + urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return key


def resolve(pages: dict[str, Response], key: str) -> str | None:
    """The page a route key lands on, with the usual directory-index aliases (/a/ and /a/index.html)."""
    if key in pages:
        return key
    if key.endswith("/") and key + "index.html" in pages:
        return key + "index.html"
    if key.endswith("/index.html") and key[: -len("index.html")] in pages:
        return key[: -len("index.html")]
    return None


def relative(from_path: str, to_path: str) -> str:
    """`to_path` written relative to the page at `from_path`, as TRS WCM publishes links."""
    src = from_path.rsplit("/", 1)[0].strip("/").split("/") if from_path.count("/") > 1 else []
    dst = to_path.strip("/").split("/") if to_path != "/" else []
    common = 0
    while common < min(len(src), len(dst) - 1) and src[common] == dst[common]:
        common += 1
    up = len(src) - common
    rest = "/".join(dst[common:])
    if to_path.endswith("/") and rest:
        rest += "/"
    prefix = "../" * up if up else "./"
    return prefix + rest


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def html_page(text: str, encoding: str = "utf-8", content_type: str | None = None) -> Response:
    ctype = content_type if content_type is not None else f"text/html; charset={encoding}"
    return Response(body=text.encode(encoding), content_type=ctype)


def asset(path: str) -> tuple[str, Response]:
    """A static asset answer by file extension (tiny but valid enough for a browser)."""
    ext = path.rsplit(".", 1)[-1].lower()
    if ext in ("gif", "jpg", "png", "ico"):
        return path, Response(body=GIF, content_type="image/gif")
    if ext == "css":
        return path, Response(body=b"body{margin:0;font-size:12px}\n", content_type="text/css")
    if ext == "js":
        return path, Response(body=b"/* stub */\n", content_type="application/javascript")
    raise SiteBuildError(f"no asset type for {path}")


def column_truth(col: Column, path: str, t0: date) -> ExpectedColumn:
    latest = None
    if col.kind in LIST_KINDS:
        items = col.all_items()
        if col.board and col.shows_reply:
            # The list's last date cell is the reply date (the ask date while unanswered); the first
            # page holds the newest letters.
            first = items[: col.page_size or len(items)]
            latest = max(t0 - timedelta(days=i.age if i.reply_age is None else i.reply_age) for i in first)
        else:
            latest = max(t0 - timedelta(days=i.age) for i in items) if items else None
    return ExpectedColumn(
        name=col.name, path=path, category=col.category, level=col.level, latest_date=latest, blank=col.blank
    )


_LINK = re.compile(r"""(?:href|src)\s*=\s*(["'])([^"'<>\s]+)\1""", re.I)


def page_links(text: str) -> list[str]:
    """Every literal href/src on a page, scripts and CDATA included (JS string glue skipped)."""
    found = []
    for match in _LINK.finditer(text):
        value = html.unescape(match.group(2))
        if value.startswith(("javascript:", "mailto:", "#")) or "+" in value:
            continue
        found.append(value)
    return found


@dataclass
class SiteSpec:
    """The identity of a site and the verdict its design intends (checked by tests, not derived)."""

    key: str
    name: str
    code: str
    unit: str
    group: str
    columns: list[Column]
    vetoes: set[str]
    verdict: str
    encoding: str = "utf-8"
    profiles: dict[str, ExpectedProfile] = field(default_factory=dict)


def finish_site(
    spec: SiteSpec,
    ctx: BuildContext,
    pages: dict[str, Response],
    column_path: Callable[[Column], str],
    home_dates: list[date],
    intended_404: set[str],
    features: SiteFeatures | None = None,
    dynamic: dict[str, Callable[[str], Response]] | None = None,
) -> SiteBuild:
    """Scan the rendered pages for links and assemble the site's truth from its specs."""
    check_year_less(spec.columns)
    pages = {route_key(k): v for k, v in pages.items()}
    columns = [column_truth(c, column_path(c), ctx.t0) for top in spec.columns for c in top.walk()]
    peers = tuple(ctx.peers.values())
    found: dict[str, list[str]] = {}  # broken target -> pages that link to it
    reasons: dict[str, tuple[int | None, str]] = {}
    as_linked: dict[str, str] = {}  # broken target -> the path (or URL) exactly as the page links it
    external: list[str] = []
    slow: list[str] = [k for k, r in pages.items() if r.delay]
    for key, resp in pages.items():
        if resp.status != 200 or not resp.content_type.startswith("text/html") or resp.soft404:
            continue
        text = resp.body.decode(spec.encoding)
        for href in page_links(text):
            url = urljoin(ctx.base + key, href)
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != ctx.base:
                if url == ctx.refused_url:
                    target, literal, why = url, url, (None, "refused")
                elif url.startswith(peers):
                    if url not in external:
                        external.append(url)
                    continue
                else:
                    raise SiteBuildError(f"{spec.key}{key}: link leaves the test world: {url}")
            else:
                literal = parts.path + ("?" + parts.query if parts.query else "")
                target = resolve(pages, route_key(literal)) or route_key(literal)
                answer = pages.get(target)
                if answer is None:
                    if target not in intended_404:
                        raise SiteBuildError(f"{spec.key}{key}: dangling link {href} -> {target}")
                    why = (404, "404")
                elif answer.status == 500:
                    why = (500, "500")
                elif answer.soft404:
                    why = (200, "soft-404")
                else:
                    continue
            if key not in found.setdefault(target, []):
                found[target].append(key)
            reasons[target] = why
            as_linked.setdefault(target, literal)
    broken = []
    for target, on in found.items():
        if len(on) != 1:
            raise SiteBuildError(f"{spec.key}: broken link {target} is on pages {on}; keep it on one")
        status, reason = reasons[target]
        broken.append(ExpectedBrokenLink(as_linked[target], found_on=on[0], status=status, reason=reason))
    missing = intended_404 - set(found)
    if missing:
        raise SiteBuildError(f"{spec.key}: intended 404 links not linked from any page: {sorted(missing)}")
    truth = SiteTruth(
        key=spec.key,
        name=spec.name,
        code=spec.code,
        unit=spec.unit,
        group=spec.group,
        home_latest_date=max(home_dates) if home_dates else None,
        columns=columns,
        broken_links=broken,
        vetoes=set(spec.vetoes),
        verdict=spec.verdict,
        slow_paths=slow,
        external_links=external,
        features=features,
        profiles=dict(spec.profiles),
        platforms={k: v for k, v in ctx.peers.items() if k in PLATFORMS},
    )
    return SiteBuild(pages=pages, truth=truth, dynamic=dict(dynamic or {}))


def check_year_less(columns: Iterable[Column]) -> None:
    """Year-less dates ("[11-18]") are only unambiguous within a year before T0."""
    for top in columns:
        for col in top.walk():
            if col.date_style == "md" and any(i.age >= 360 for i in col.all_items()):
                raise SiteBuildError(f"{col.name}: year-less dates older than a year are ambiguous")


def items(
    titles: list[str], ages: list[int], pinned: Iterable[int] = (), fate: dict[int, str] | None = None
) -> list[Item]:
    """Zip titles with ages; `pinned` holds indexes of 置顶 items, `fate` maps an index to its fate."""
    if len(titles) < len(ages):
        raise SiteBuildError(f"only {len(titles)} titles for {len(ages)} items: {titles[:1]}")
    pins, fates = set(pinned), fate or {}
    pairs = enumerate(zip(titles[: len(ages)], ages, strict=True))
    return [Item(title=t, age=a, pinned=i in pins, fate=fates.get(i, "ok")) for i, (t, a) in pairs]


def letters(titles: list[str], asked: list[int], replied: list[int | None]) -> list[Item]:
    """Letters of a message board: ask ages and reply ages (None: not answered) in days before T0."""
    if not len(titles) >= len(asked) == len(replied):
        raise SiteBuildError(f"letters: {len(titles)} titles, {len(asked)} ask ages, {len(replied)} reply ages")
    for a, r in zip(asked, replied, strict=True):
        if r is not None and r > a:
            raise SiteBuildError(f"a letter answered ({r}) before it was asked ({a})")
    return [Item(title=t, age=a, reply_age=r) for t, a, r in zip(titles, asked, replied, strict=False)]


INTERPRETATION_WORDS = ("解读", "图解", "一图读懂")


def policy_sample(columns: Iterable[Column], path_of: Callable[[Item], str], per_column: int = 3,
                  ) -> list[ExpectedPolicyDoc]:
    """The policy documents an inspection samples: the newest `per_column` documents (not 解读) of every
    policy column not itself a 解读 column; each with its 解读 (a "相关解读" reference) and whether that
    解读 links back."""
    columns = list(columns)
    by_title = {i.title: i for top in columns for c in top.walk() for i in c.items}
    out: list[ExpectedPolicyDoc] = []
    seen: set[str] = set()
    for top in columns:
        for col in top.walk():
            if col.category != "policy" or "解读" in col.name or col.kind not in LIST_KINDS:
                continue
            docs = sorted((i for i in col.all_items() if not any(w in i.title for w in INTERPRETATION_WORDS)),
                          key=lambda i: i.age)[:per_column]
            for doc in docs:
                if doc.title in seen:
                    continue
                seen.add(doc.title)
                interp = next((by_title[t] for label, t in doc.refs if "解读" in label), None)
                out.append(ExpectedPolicyDoc(
                    doc.title, path_of(doc), path_of(interp) if interp else None,
                    None if interp is None else any(t == doc.title for _, t in interp.refs)))
    return out


def board_truth(col: Column, path: str, path_of: Callable[[Item], str], t0: date, pages: int) -> ExpectedBoard:
    letters_ = [ExpectedLetter(i.title, path_of(i), t0 - timedelta(days=i.age),
                               None if i.reply_age is None else t0 - timedelta(days=i.reply_age))
                for i in col.all_items()]
    return ExpectedBoard(col.name, path, letters_, statistics=bool(col.stats), pages=pages)
